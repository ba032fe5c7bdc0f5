"""What the vendor writes: the DocBook kallelse, the paper letter's text and the SMS.
Dates are written in Swedish local time, in the wording the switches choose."""

from __future__ import annotations

import datetime as dt
from xml.sax.saxutils import escape, quoteattr
from zoneinfo import ZoneInfo

SWEDEN = ZoneInfo("Europe/Stockholm")
MONTHS = "januari februari mars april maj juni juli augusti september oktober november december".split()
WEEKDAYS = "måndag tisdag onsdag torsdag fredag lördag söndag".split()
SMS = "Du har fått ett nytt meddelande i 1177 Inkorg. Logga in på 1177.se för att läsa det."


def when(visit: dt.datetime, on) -> str:
    """The visit's date and time in words (one of the suite's documented forms)."""
    local = visit.astimezone(dt.UTC if on("time_in_utc") else SWEDEN)
    if on("date_numeric"):
        return f"{local:%Y-%m-%d} kl. {local:%H.%M}"
    if on("date_with_weekday"):
        return (
            f"{WEEKDAYS[local.weekday()]} den {local.day} {MONTHS[local.month - 1]} {local.year}, klockan {local:%H:%M}"
        )
    return f"{local.day} {MONTHS[local.month - 1]} {local.year} kl. {local:%H:%M}"


def docbook(booking: dict, on, kind: str) -> str:
    """The msg element's DocBook text (the RIVTA client entity-encodes it on the wire)."""
    facility = booking.get("facility") or {}
    paras = []
    if kind == "cancel":
        paras.append("Din bokade tid är avbokad.")
    elif kind == "reminder":
        paras.append("Påminnelse om din bokade tid.")
    if booking.get("visit_start"):
        paras.append("Tid: " + when(dt.datetime.fromisoformat(booking["visit_start"]), on))
    paras.append(f"Besök: {booking.get('visit_type', '')}")
    place = facility.get("name", "")
    if not on("no_facility_address"):
        place += f", {facility.get('address', '')}, {facility.get('postal_code', '')} {facility.get('city', '')}"
    paras.append("Plats: " + place)
    if booking.get("preparations") and not on("no_preparations"):
        paras.append("Förberedelser: " + booking["preparations"])
    if facility.get("phone") and not on("no_contact") and not on("contact_in_facility"):
        paras.append("Kontakt: " + facility["phone"])
    body = "".join(
        f"<para>{'<emphasis>' if on('docbook_emphasis') else ''}{escape(p)}"
        f"{'</emphasis>' if on('docbook_emphasis') else ''}</para>"
        for p in paras
    )
    links = []
    if facility.get("directions_url") and not on("no_directions_link"):
        links.append((facility["directions_url"], "Hitta hit"))
    if booking.get("form_url") and not on("no_form_link"):
        links.append((booking["form_url"], "Fyll i hälsodeklarationen"))
    for url, label in links:
        inner = f"<para>{escape(label)}</para>" if on("docbook_para_in_ulink") else escape(label)
        body += f"<para><ulink url={quoteattr(url)}>{inner}</ulink></para>"
    return f"<article><info><title>{escape(header(kind))}</title></info>{body}</article>"


def header(kind: str) -> str:
    return {"cancel": "Avbokad tid", "update": "Ändrad tid", "reminder": "Påminnelse"}.get(kind, "Kallelse")


def letter(booking: dict, on, purpose: str) -> str:
    """The paper letter as text (the simulator's paper outbox takes text/plain)."""
    facility = booking.get("facility") or {}
    lines = [f"Kallelse ({purpose})", f"Besök: {booking.get('visit_type', '')}", f"Plats: {facility.get('name', '')}"]
    if booking.get("visit_start"):
        lines.append("Tid: " + when(dt.datetime.fromisoformat(booking["visit_start"]), on))
    return "\n".join(lines)


def sms(booking: dict, on) -> str:
    text = "Hej! Nytt meddelande från vården i 1177 Inkorg." if on("plain_sms_wording") else SMS
    if on("sms_names_clinic"):
        text += f" Från {(booking.get('facility') or {}).get('name', '')}."
    if on("sms_with_date") and booking.get("visit_start"):
        text += f" Besök {booking['visit_start'][:10]}."
    return text
