"""Technical failures of a RIVTA call as typed exceptions, so that a caller decides by
kind (LK-03/LK-04: retry a transport failure, treat a Fault as unavailable) instead of by
parsing messages. Logical answers (resultCode INFO/ERROR) are not exceptions: see
``rivta.payload.result``."""

from __future__ import annotations

import re

_VP_CODE = re.compile(r"\b(VP\d{3})\b")


class RivtaError(Exception):
    """The service gave no usable answer. ``reason`` is safe to log (no payload).

    ``may_have_arrived``: whether the service may have acted on the request all the same
    (an answer lost to a timeout or a broken connection, a Fault after the producer ran).
    A caller that must not deliver twice (LK-04's retry in the same thread) asks the
    receiver before sending again when it is true."""

    may_have_arrived = True

    def __init__(self, interaction: str, reason: str):
        super().__init__(f"{interaction}: {reason}")
        self.interaction = interaction
        self.reason = f"{interaction}: {reason}"


class TransportError(RivtaError):
    """No HTTP answer: connection refused or reset, TLS failure."""


class Timeout(TransportError):
    """No answer within the client's timeout."""


class NotConnected(TransportError):
    """No connection was made (refused, unreachable, none within the timeout): no byte of
    the request left, so the service cannot have it."""

    may_have_arrived = False


class HttpError(RivtaError):
    """An HTTP answer that is not the contract's response nor a SOAP Fault."""

    def __init__(self, interaction: str, status: int, reason: str):
        super().__init__(interaction, f"HTTP {status} {reason}")
        self.status = status


class SoapFault(RivtaError):
    """A SOAP 1.1 Fault. ``code`` is the faultcode's local part (Client, Server, ...);
    ``vp_code`` is the service platform's code (VP002..VP013) when the text carries one."""

    def __init__(self, interaction: str, status: int, code: str, text: str):
        super().__init__(interaction, f"SOAP Fault {code}: {text[:200]}")
        self.status = status
        self.code = code.rpartition(":")[2]
        self.text = text
        found = _VP_CODE.search(text)
        self.vp_code = found.group(1) if found else None
