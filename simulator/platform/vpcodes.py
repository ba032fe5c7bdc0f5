"""The service platform's error codes (VP codes) as NTjP sends them: code, SOAP faultcode,
the Swedish message and the English detail template. Pure data, shared by the fault
builder (simulator.platform.faults) and the behaviour rules that may inject them."""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class VpCode:
    code: str
    faultcode: str
    message: str
    detail: str


CODES = {
    c.code: c
    for c in (
        VpCode(
            "VP002",
            "Client",
            "Fel i klientcertifikat. Saknas, är av felaktig typ, eller är felaktigt utformad.",
            "No sender ID (SERIALNUMBER) found in certificate. {}",
        ),
        VpCode(
            "VP003",
            "Client",
            "Logisk adressat (ReceiverId) saknas i RivHeadern i inkommande meddelande.",
            "No receiverId (logical address) found in message header. {}",
        ),
        VpCode(
            "VP004",
            "Client",
            "Det finns inget vägval i tjänsteadresseringskatalogen som matchar anropets logiska "
            "adressat (ReceiverId) och tjänstekontrakt. Kontrollera uppgifterna i anropet och vid "
            "behov, beställ konfigurering i aktuell tjänsteplattform.",
            "No receiverId (logical address) found for {}",
        ),
        VpCode(
            "VP007",
            "Server",
            "Tjänstekonsumenten saknar behörighet att anropa den logiska adressaten via detta "
            "tjänstekontrakt. Kontrollera uppgifterna och vid behov, tillse att det beställs "
            "konfiguration i aktuell tjänsteplattform.",
            "Authorization missing for {}",
        ),
        VpCode(
            "VP009",
            "Server",
            "Fel vid kontakt med tjänsteproducenten.",
            "Error connecting to service producer at address {}",
        ),
        VpCode(
            "VP013",
            "Client",
            "Enligt tjänsteplattformens konfiguration saknar tjänstekonsumenten rätt att använda "
            "headern x-rivta-original-serviceconsumer-hsaid. Kontakta tjänsteplattformsförvaltningen.",
            "Sender is not approved to set header x-rivta-original-serviceconsumer-hsaid. {}",
        ),
    )
}
