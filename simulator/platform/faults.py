"""The platform's own SOAP faults, in the shape the national service platform (NTjP,
the SKLTP "virtualiseringsplattform") answers them.

A platform fault is a SOAP 1.1 Fault whose faultstring starts with the VP code and the
platform instance, then the Swedish text NTjP sends, then the English detail that names
what was looked up (``VP007 [kallelse-testbed] Tjänstekonsumenten saknar behörighet ...
Authorization missing for serviceNamespace: ..., receiverId: ..., senderId: ...``).
The detail is repeated in ``<detail>`` as the current platform version does. Codes, texts
and the Client/Server split follow the open-source platform (skltp/vp); see
docs/platform.md for the table.
"""

from __future__ import annotations

from lxml import etree

from simulator.platform.vpcodes import CODES
from simulator.soap.envelope import SOAP11_NS, SoapFault


class PlatformFault(SoapFault):
    """A VP fault: a SoapFault that also knows its VP code and the English detail."""

    def __init__(self, code: str, instance: str, detail: str = ""):
        vp = CODES[code]
        self.vp_code = code
        self.detail = vp.detail.format(detail).strip()
        super().__init__(vp.faultcode, f"{code} [{instance}] {vp.message} {self.detail}".strip())

    def body(self) -> bytes:
        fault = etree.Element(f"{{{SOAP11_NS}}}Fault", nsmap={"soap": SOAP11_NS})
        etree.SubElement(fault, "faultcode").text = f"soap:{self.code}"
        etree.SubElement(fault, "faultstring").text = self.text
        etree.SubElement(fault, "detail").text = self.detail
        envelope = etree.Element(f"{{{SOAP11_NS}}}Envelope", nsmap={"soap": SOAP11_NS})
        etree.SubElement(envelope, f"{{{SOAP11_NS}}}Header")
        etree.SubElement(envelope, f"{{{SOAP11_NS}}}Body").append(fault)
        return etree.tostring(envelope, xml_declaration=True, encoding="UTF-8")
