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

from simulator.platform.vpcodes import CODES
from simulator.soap.envelope import SoapFault, platform_fault


class PlatformFault(SoapFault):
    """A VP fault: a SoapFault that also knows its VP code and the English detail."""

    def __init__(self, code: str, instance: str, detail: str = ""):
        vp = CODES[code]
        self.vp_code = code
        self.detail = vp.detail.format(detail).strip()
        super().__init__(vp.faultcode, f"{code} [{instance}] {vp.message} {self.detail}".strip())

    def body(self) -> bytes:
        return platform_fault(self.code, self.text, self.detail)
