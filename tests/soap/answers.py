"""What every SOAP answer must be (issue #13): a response of the contract, a well-formed
SOAP 1.1 Fault, or a VP fault — never HTML, never a bare 500, never a Server fault for
the client's own mistake."""

from __future__ import annotations

import dataclasses

from lxml import etree

from contracts.bundle import secure_parser

SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
CLIENT_CODES = ("soap:Client", "soap:MustUnderstand", "soap:VersionMismatch")
STACK_MARKERS = ("Traceback (most recent call last)", 'File "/', "sqlalchemy.exc", "lxml.etree.")


@dataclasses.dataclass
class Answer:
    status: int
    payload: etree._Element | None = None
    faultcode: str | None = None
    faultstring: str | None = None

    @property
    def vp(self) -> bool:
        return (self.faultstring or "")[:2] == "VP"


def judge(status: int, content_type: str, body: bytes, response_element: str) -> Answer:
    """Parse an answer and assert the rules; returns what it was."""
    text = body.decode("utf-8", "replace")
    assert content_type.startswith("text/xml"), (status, content_type, text[:300])
    assert not any(marker in text for marker in STACK_MARKERS), text[:2000]
    assert status in (200, 500), (status, text[:300])
    root = etree.fromstring(body, secure_parser())
    assert root.tag == f"{{{SOAP}}}Envelope", text[:300]
    soap_body = root.find(f"{{{SOAP}}}Body")
    assert soap_body is not None, text[:300]
    fault = soap_body.find(f"{{{SOAP}}}Fault")
    if status == 200:
        assert fault is None and len(soap_body) == 1, text[:300]
        assert soap_body[0].tag == response_element, text[:300]
        return Answer(status, payload=soap_body[0])
    assert fault is not None, f"HTTP 500 without a SOAP Fault: {text[:300]}"
    answer = Answer(status, faultcode=fault.findtext("faultcode"), faultstring=fault.findtext("faultstring"))
    assert answer.faultcode and answer.faultstring, text[:300]
    assert len(answer.faultstring) <= 4000, len(answer.faultstring)
    assert answer.vp or answer.faultcode in CLIENT_CODES, f"not a client fault: {text[:500]}"
    return answer
