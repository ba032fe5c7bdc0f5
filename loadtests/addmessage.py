"""A realistic AddMessage 2.0 request for the benchmark: a kallelse of about 3.2 KB with
the RIVTA LogicalAddress header, a DocBook letter in ``msg`` (XML-entity-encoded, as the
TKB requires) and a businessObjectId that each request makes unique (:data:`loadgen.SEQ`).

Built with the same builders the trainer demo, the dispatch core and the locust scenarios
use (``rivta.add_message``, ``rivta.envelope``), from the loaded contract: the
namespaces and the SOAPAction are the contract's, never restated here."""

from __future__ import annotations

from pathlib import Path

import rivta
from contracts.bundle import builtin_bundle
from loadtests.loadgen import SEQ, Load
from loadtests.wire import LOGICAL_ADDRESSES, PATHS

PATH = PATHS["AddMessage"]
LOGICAL_ADDRESS = LOGICAL_ADDRESSES["AddMessage"]
CONSUMER = "SE2321000016-BENCH"
FALLBACK_PERSONNUMMER = "191212121212"  # Skatteverket's well-known test number

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

FACILITY = {
    "hsaId": "SE2321000016-7P3V",
    "healthCareFacilityName": "Bröstmottagningen, Testsjukhuset",
    "healthCareFacilityAddress": "Sjukhusvägen 1",
    "healthCareFacilityPostalCode": "11122",
    "healthCareFacilityPostalCity": "Teststad",
    "healthCareFacilityTelephone": "010-123 45 67",
}


def soap_action(contracts: Path | None = None) -> str:
    return builtin_bundle(contracts)["AddMessage"].soap_action


def template(
    personnummer: str = FALLBACK_PERSONNUMMER, logical_address: str = LOGICAL_ADDRESS, contracts: Path | None = None
) -> bytes:
    """The request with :data:`SEQ` where the per-request businessObjectId number goes."""
    kallelse = rivta.Kallelse(
        personnummer=personnummer,
        msg=LETTER,
        business_object_id="BENCH-" + SEQ.decode(),
        header="Kallelse till mammografi 14 april 2026",
        facility=FACILITY,
        source_system=CONSUMER,
    )
    return rivta.envelope(rivta.add_message(builtin_bundle(contracts)["AddMessage"], kallelse), logical_address)


def load(
    base_url: str,
    personnummer: str = FALLBACK_PERSONNUMMER,
    logical_address: str = LOGICAL_ADDRESS,
    contracts: Path | None = None,
) -> Load:
    return Load(
        url=base_url.rstrip("/") + PATH,
        body=template(personnummer, logical_address, contracts),
        headers=rivta.http_headers(builtin_bundle(contracts)["AddMessage"], CONSUMER),
    )


def reachable_personnummer(citizens) -> str:
    """A seeded citizen with an active 1177 account, so AddMessage answers OK (not INFO)."""
    for citizen in sorted(citizens, key=lambda c: c.personnummer):
        account = citizen.account
        if account.exists and account.active and not citizen.deceased and not citizen.is_protected:
            return citizen.personnummer
    return FALLBACK_PERSONNUMMER


def seeded_personnummer(database_url: str) -> str:
    """:func:`reachable_personnummer` among the citizens stored in a simulator database."""
    return seeded_people(database_url)[0]


def seeded_people(database_url: str) -> tuple[str, tuple[str, ...]]:
    """(:func:`reachable_personnummer`, every stored citizen's personnummer, sorted)."""
    from simulator.population.store import CitizenStore
    from simulator.storage import Database

    db = Database(database_url)
    try:
        citizens = CitizenStore(db).all()
        return reachable_personnummer(citizens), tuple(sorted(c.personnummer for c in citizens))
    finally:
        db.dispose()
