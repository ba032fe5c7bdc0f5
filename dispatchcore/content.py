"""What a kallelse says, once, for every channel: the digital message (DocBook within the
1177 subset, MC-02) and the paper letter are both rendered from ``letter_content`` so the
digital kallelse holds all the information of the paper one (MC-05)."""

from __future__ import annotations

import dataclasses

from lxml import etree

from dispatchcore.domain import Booking
from dispatchcore.localtime import SWEDEN
from regions import MONTHS, WEEKDAYS

# purpose -> (headline, lead paragraph, caseTypeDescription)
PURPOSES = {
    "kallelse": ("Kallelse till {visit_type}", "Du är välkommen till {facility}.", "Kallelse"),
    "open_invitation": ("Inbjudan till {visit_type}", "Du är välkommen att boka en tid hos {facility}.", "Kallelse"),
    "confirmation": ("Bokningsbekräftelse: {visit_type}", "Din tid hos {facility} är bokad.", "Bokningsbekräftelse"),
    "update": ("Ändrad tid: {visit_type}", "Din tid hos {facility} har ändrats. Den nya tiden gäller.", "Kallelse"),
    "cancel": ("Avbokad tid: {visit_type}", "Din tid hos {facility} är avbokad.", "Avbokning"),
    "reminder": ("Påminnelse: {visit_type}", "Påminnelse om din tid hos {facility}.", "Påminnelse"),
}


def swedish_time(value) -> str:
    local = value.astimezone(SWEDEN)
    return (
        f"{WEEKDAYS[local.weekday()].capitalize()} {local.day} {MONTHS[local.month - 1]} {local.year} kl. {local:%H:%M}"
    )


@dataclasses.dataclass(frozen=True)
class LetterContent:
    """Channel-independent content of one message in a booking's thread."""

    purpose: str
    title: str
    lead: str
    facts: tuple[tuple[str, str], ...]  # (term, text): time, place, visit type, contact
    preparations: str
    directions_url: str
    form_url: str
    signature: str
    case_type: str


def letter_content(booking: Booking, purpose: str) -> LetterContent:
    visit_type = booking.visit_type or "besök"
    facility = booking.facility
    title, lead, case_type = (p.format(visit_type=visit_type, facility=facility.name) for p in PURPOSES[purpose])
    facts = []
    if booking.timed:
        facts.append(("Tid", swedish_time(booking.visit_start)))
    else:
        facts.append(("Tid", "Ingen tid är bokad. Boka en tid som passar dig."))
    place = ", ".join(
        p for p in (facility.name, facility.address, f"{facility.postal_code} {facility.city}".strip()) if p
    )
    facts.append(("Plats", place))
    facts.append(("Typ av besök", visit_type))
    if booking.performer_name:
        facts.append(("Vårdpersonal", booking.performer_name))
    if booking.interpreter:
        facts.append(
            (
                "Tolk",
                f"Tolk är bokad{' (' + booking.interpreter_language + ')' if booking.interpreter_language else ''}.",
            )
        )
    if facility.phone:
        facts.append(("Kontakt", f"{facility.name}, telefon {facility.phone}"))
    return LetterContent(
        purpose=purpose,
        title=title,
        lead=lead,
        facts=tuple(facts),
        preparations=booking.preparations if purpose != "cancel" else "",
        directions_url=facility.directions_url if purpose != "cancel" else "",
        form_url=booking.form_url if purpose != "cancel" else "",
        signature=f"Med vänliga hälsningar, {facility.name}",
        case_type=case_type,
    )


def docbook(content: LetterContent) -> str:
    """The message as DocBook within the subset and parent/child table of TKB-INBOX
    (article, info, title, para, section, variablelist, varlistentry, term, listitem,
    ulink, bibliography)."""
    article = etree.Element("article")
    title = etree.SubElement(etree.SubElement(article, "info"), "title")
    title.text = content.title
    etree.SubElement(article, "para").text = content.lead
    facts = etree.SubElement(article, "variablelist")
    etree.SubElement(facts, "title").text = "Din tid"
    for term, text in content.facts:
        entry = etree.SubElement(facts, "varlistentry")
        etree.SubElement(entry, "term").text = f"{term}:"
        etree.SubElement(entry, "listitem").text = text
    if content.preparations:
        section = etree.SubElement(article, "section")
        etree.SubElement(section, "title").text = "Förberedelser"
        etree.SubElement(section, "para").text = content.preparations
    for url, text in ((content.directions_url, "Hitta hit"), (content.form_url, "Fyll i formuläret före besöket")):
        if url:
            link = etree.SubElement(etree.SubElement(article, "para"), "ulink", url=url, type="_blank")
            link.text = text
    etree.SubElement(article, "bibliography").text = content.signature
    return '<?xml version="1.0"?>\n' + etree.tostring(article, encoding="unicode")


# MC-12: a reminder SMS says nothing about health or the visit beyond "log in".
SMS_REMINDER = "Påminnelse: du har en bokad tid i vården. Logga in på 1177.se för att se mer."
