"""What every SOAP answer must be (issue #13): a response of the contract, a well-formed
SOAP 1.1 Fault, or a VP fault — never HTML, never a bare 500, never a Server fault for
the client's own mistake. The answer is read by the client library (``rivta``), as a
care system reads it; the stricter shape rules are asserted here on top."""

from __future__ import annotations

import dataclasses

from lxml import etree

import rivta
from contracts.bundle import Contract, secure_parser

SOAP = rivta.SOAP11_NS
CLIENT_CODES = ("Client", "MustUnderstand", "VersionMismatch")
STACK_MARKERS = ("Traceback (most recent call last)", 'File "/', "sqlalchemy.exc", "lxml.etree.")


@dataclasses.dataclass
class Answer:
    """``faultcode`` is the local part of the SOAP faultcode (``Client``), as rivta gives it."""

    status: int
    payload: etree._Element | None = None
    faultcode: str | None = None
    faultstring: str | None = None

    @property
    def vp(self) -> bool:
        return (self.faultstring or "")[:2] == "VP"


def judge(status: int, content_type: str, body: bytes, contract: Contract) -> Answer:
    """Parse an answer and assert the rules; returns what it was."""
    text = body.decode("utf-8", "replace")
    assert content_type.startswith("text/xml"), (status, content_type, text[:300])
    assert not any(marker in text for marker in STACK_MARKERS), text[:2000]
    assert status in (200, 500), (status, text[:300])
    root = etree.fromstring(body, secure_parser())
    assert root.tag == f"{{{SOAP}}}Envelope", text[:300]
    soap_body = root.find(f"{{{SOAP}}}Body")
    assert soap_body is not None and len(soap_body) == 1, text[:300]
    try:
        payload = rivta.parse_response(contract, status, body)
    except rivta.SoapFault as fault:
        assert status == 500, f"a SOAP Fault with HTTP {status}: {text[:300]}"
        answer = Answer(status, faultcode=fault.code, faultstring=fault.text)
    except rivta.HttpError as error:
        raise AssertionError(f"neither the contract's answer nor a SOAP Fault ({error}): {text[:300]}") from None
    else:
        assert status == 200, text[:300]
        return Answer(status, payload=payload)
    assert answer.faultcode and answer.faultstring, text[:300]
    assert len(answer.faultstring) <= 4000, len(answer.faultstring)
    assert answer.vp or answer.faultcode in CLIENT_CODES, f"not a client fault: {text[:500]}"
    return answer
