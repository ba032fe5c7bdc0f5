"""A realistic AddMessage 2.0 request for load: a kallelse of about 3.3 KB with the
RIVTA LogicalAddress header, a DocBook letter in ``msg`` (XML-entity-encoded, as the TKB
requires) and a businessObjectId that each request makes unique (:data:`loadgen.SEQ`)."""
from __future__ import annotations

from lxml import etree

from loadtests.loadgen import SEQ, Load

SOAP_NS = "http://schemas.xmlsoap.org/soap/envelope/"
ADDRESSING_NS = "urn:riv:itintegration:registry:1"
RESPONDER_NS = "urn:mvk:crm:casemanagement:inbox:AddMessageResponder:2"
CORE_NS = "urn:mvk:crm:casemanagement:inbox:2"
PATH = "/inbox/AddMessage/2/rivtabp21"
SOAP_ACTION = f"{RESPONDER_NS}:AddMessage"
LOGICAL_ADDRESS = "5565594230"   # 1177 Inkorg (Inera) as routed by the simulated platform
CONSUMER = "SE2321000016-BENCH"
FALLBACK_PERSONNUMMER = "191212121212"    # Skatteverket's well-known test number

LETTER = """<?xml version="1.0"?>
<article>
  <info><title>Kallelse till mammografi</title></info>
  <para>Du är välkommen till en mammografiundersökning på Bröstmottagningen, Testsjukhuset.</para>
  <variablelist>
    <title>Din tid</title>
    <varlistentry><term>Tid:</term><listitem>Tisdag 14 april 2026 kl. 09:40</listitem></varlistentry>
    <varlistentry><term>Typ av tid:</term><listitem>Mammografi, screening</listitem></varlistentry>
    <varlistentry><term>Mottagning:</term><listitem>Bröstmottagningen, Testsjukhuset</listitem></varlistentry>
    <varlistentry><term>Adress:</term><listitem>Sjukhusvägen 1, ingång 3, plan 2</listitem></varlistentry>
    <varlistentry><term>Avgift:</term><listitem>200 kronor. Frikort gäller.</listitem></varlistentry>
  </variablelist>
  <section>
    <title>Förberedelser</title>
    <para>Använd inte deodorant, puder eller kräm på bröst och armhålor samma dag.</para>
    <para>Ta med legitimation. Kom gärna tio minuter före din tid.</para>
    <para>Har du opererat bröstet eller har implantat, berätta det för personalen när du kommer.</para>
  </section>
  <section>
    <title>Om du vill av- eller omboka</title>
    <para>Avboka senast 24 timmar före besöket, annars debiteras avgiften.</para>
    <para><ulink url="https://www.1177.se/" type="_blank">Boka om på 1177.se</ulink></para>
  </section>
  <bibliography>Med vänlig hälsning, Bröstmottagningen, Testsjukhuset</bibliography>
</article>
"""


def _sub(parent, name: str, text: str | None = None, ns: str = CORE_NS):
    element = etree.SubElement(parent, f"{{{ns}}}{name}")
    element.text = text
    return element


def envelope(personnummer: str, business_object_id: str, logical_address: str = LOGICAL_ADDRESS) -> bytes:
    env = etree.Element(f"{{{SOAP_NS}}}Envelope", nsmap={"soapenv": SOAP_NS, "urn": ADDRESSING_NS,
                                                         "urn1": RESPONDER_NS, "urn2": CORE_NS})
    _sub(etree.SubElement(env, f"{{{SOAP_NS}}}Header"), "LogicalAddress", logical_address, ADDRESSING_NS)
    request = _sub(etree.SubElement(env, f"{{{SOAP_NS}}}Body"), "AddMessage", ns=RESPONDER_NS)
    _sub(request, "subjectOfCareId", personnummer, RESPONDER_NS)
    message = _sub(request, "message", ns=RESPONDER_NS)
    _sub(_sub(message, "caseType"), "caseTypeDescription", "Kallelse")
    facility = _sub(message, "healthCareFacility")
    for name, value in (("hsaId", "SE2321000016-7P3V"), ("healthCareFacilityName", "Bröstmottagningen, Testsjukhuset"),
                        ("healthCareFacilityAddress", "Sjukhusvägen 1"), ("healthCareFacilityPostalCode", "11122"),
                        ("healthCareFacilityPostalCity", "Teststad"), ("healthCareFacilityTelephone", "010-123 45 67")):
        _sub(facility, name, value)
    _sub(message, "businessObjectId", business_object_id)
    _sub(message, "headerText", "Kallelse till mammografi 14 april 2026")
    _sub(message, "msg", LETTER)
    _sub(request, "notify", "true", RESPONDER_NS)
    _sub(request, "sourceSystem", "SE2321000016-BENCH", RESPONDER_NS)
    return etree.tostring(env, xml_declaration=True, encoding="UTF-8")


def template(personnummer: str = FALLBACK_PERSONNUMMER, logical_address: str = LOGICAL_ADDRESS) -> bytes:
    """The request with :data:`SEQ` where the per-request businessObjectId number goes."""
    return envelope(personnummer, "BENCH-" + SEQ.decode(), logical_address)


def load(base_url: str, personnummer: str = FALLBACK_PERSONNUMMER, logical_address: str = LOGICAL_ADDRESS) -> Load:
    return Load(url=base_url.rstrip("/") + PATH, body=template(personnummer, logical_address), headers={
        "Content-Type": "text/xml; charset=utf-8",
        "SOAPAction": f'"{SOAP_ACTION}"',
        "x-rivta-original-serviceconsumer-hsaid": CONSUMER,
    })


def reachable_personnummer(citizens) -> str:
    """A seeded citizen with an active 1177 account, so AddMessage answers OK (not INFO)."""
    for citizen in sorted(citizens, key=lambda c: c.personnummer):
        account = citizen.account
        if account.exists and account.active and not citizen.deceased and not citizen.is_protected:
            return citizen.personnummer
    return FALLBACK_PERSONNUMMER


def seeded_personnummer(database_url: str) -> str:
    """:func:`reachable_personnummer` among the citizens stored in a simulator database."""
    from simulator.population.store import CitizenStore
    from simulator.storage import Database
    db = Database(database_url)
    try:
        return reachable_personnummer(CitizenStore(db).all())
    finally:
        db.dispose()
