"""The rule catalog the suite certifies against: ID, family, the rule in short, where it
comes from (seed documents 000-004 and the TKBs, as guideline-rules.md names them) and
what the check observes. Every verdict and report line carries these IDs."""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class Rule:
    id: str
    title: str
    source: str
    observes: str
    clock: bool = False  # the active check moves the clocks (runs on the shared timeline)
    passive: bool = False  # also judged from recorded traffic (check-traffic)

    @property
    def family(self) -> str:
        return self.id.split("-")[0]


# What the short source names in the catalog stand for (guideline-rules.md, "Sources").
SOURCES = {
    "000": "VGR, Digitala kallelser",
    "001": "Region Jönköpings län, pilot Klinisk fysiologi",
    "002": "Region Jönköpings län, regionalt införandeprojekt",
    "003": "Region Jönköpings län, riktlinje",
    "004": "Inera, 1177 inkorg",
    "TKB-INBOX": "Tjänstekontraktsbeskrivning Ärendeinkorgen, AddMessage 2.0",
    "TKB-PROFILE": "Tjänstekontraktsbeskrivning 1177 användarprofil 2.0",
    "TKB-PU": "Tjänstekontraktsbeskrivning PU-tjänsten (GetPersonsForProfile 5.0)",
    "RIVTA BP 2.1": "RIVTA Basic Profile 2.1",
}

FAMILIES = {
    "LK": "Lookups",
    "CH": "Channel decision",
    "FB": "Fallback",
    "RM": "Reminders",
    "MC": "Message content",
    "RP": "Reporting",
}

RULES: dict[str, Rule] = {
    r.id: r
    for r in (
        Rule(
            "LK-01",
            "Look the person up in PU-tjänsten (GetPersonsForProfile, P3 or higher) before choosing channels.",
            "004 §1, TKB-PU",
            "Traffic: a GetPersonsForProfile for the patient, profile P3-P5, recorded before the first AddMessage.",
            passive=True,
        ),
        Rule(
            "LK-02",
            "Ask 1177 GetUserProfile before choosing digital-only.",
            "004 §2, 001",
            "Traffic: a GetUserProfile for the patient recorded before the first AddMessage of a digital-only "
            "kallelse.",
            passive=True,
        ),
        Rule(
            "LK-03",
            "PU or 1177 unavailable: never drop the kallelse; send paper and retry later.",
            "reliability",
            "Behaviour rules make PU and then GetUserProfile answer SOAP Faults; paper outbox; after the fault is "
            "lifted and the clock moved: a new lookup and the 1177 message.",
            clock=True,
        ),
        Rule(
            "LK-04",
            "AddMessage INFO/ERROR: paper; Fault: retry with the same businessObjectId, no duplicate thread.",
            "TKB-INBOX §Regler",
            "Behaviour rules answer INFO, ERROR and one SOAP Fault to AddMessage; paper outbox; traffic "
            "(retries and their businessObjectId); the inbox's threads.",
            clock=True,
        ),
        Rule(
            "CH-01",
            "Opted out of paper and digitally reachable: digital only.",
            "000, 003, 004 §1",
            "Inbox and paper outbox of an adult who opted out of paper and is digitally reachable.",
        ),
        Rule(
            "CH-02",
            "Digitally reachable, not opted out: digital and paper.",
            "000, 002 (steg 1)",
            "Inbox and paper outbox of a reachable adult without opt-out.",
        ),
        Rule(
            "CH-03",
            "Under 18 on the dispatch date: paper as well (the 18th birthday counts as adult).",
            "000 (0-18), 001 (under 18)",
            "Paper outbox of a reachable, opted-out patient who turns 18 tomorrow; one who turns 18 today must be "
            "treated like an adult control patient; the same again dispatched at 00:00 Swedish time on the 18th "
            "birthday (the UTC date is still the day before).",
            clock=True,
        ),
        Rule(
            "CH-04",
            "Interpreter need: paper as well.",
            "001",
            "Inbox and paper outbox of a reachable, opted-out adult with an interpreter booked.",
        ),
        Rule(
            "CH-05",
            "Samordningsnummer or reservnummer: paper as well.",
            "001",
            "Inbox and paper outbox of reachable, opted-out patients with a samordningsnummer and a reservnummer.",
        ),
        Rule("CH-06", "No 1177 account: paper.", "001", "Paper outbox of an opted-out patient without a 1177 account."),
        Rule(
            "CH-07",
            "Account without notifications: paper as well.",
            "001",
            "Paper outbox of an opted-out patient whose active account has no SMS/e-mail notification.",
        ),
        Rule(
            "CH-08",
            "Inactive or locked account: paper.",
            "TKB-PROFILE",
            "Paper outbox of an opted-out patient whose account is inactive.",
        ),
        Rule(
            "CH-09",
            "Visit closer than short_notice_days: digital only when reachable (paper too late).",
            "000",
            "Inbox and paper outbox of reachable adults (not opted out) with the visit exactly short_notice_days "
            "away and one minute either side, in short_notice_days - 1 days (digital only), one without account "
            "(paper), and a minor and an interpreter patient at short notice (then both).",
        ),
        Rule(
            "CH-10",
            "Protected identity: no address anywhere; paper through the protected-address route.",
            "TKB-PU rule #3",
            "Paper outbox (route flag, no address) and every request body in the traffic (no address text), for a "
            "patient with protectedPersonIndicator and one with protectedPopulationRecord.",
        ),
        Rule(
            "CH-11",
            "Deceased or deregistered: nothing is sent; manual handling.",
            "TKB-PU, TKB-PROFILE",
            "Inbox, paper outbox and adapter booking status for patients deregistered for each reason: deceased "
            "(AV), emigrated (UV), missing (OB), technical (TA), other (AN).",
        ),
        Rule(
            "CH-12",
            "Physical enclosures: paper.",
            "000",
            "Paper outbox of a reachable, opted-out patient whose kallelse has a physical enclosure.",
        ),
        Rule(
            "FB-01",
            "Digital-only kallelse unread within fallback_days: paper.",
            "001",
            "Paper outbox of an unread digital-only kallelse one minute before fallback_days (none) and by a day "
            "after (one letter, sent no earlier than the deadline).",
            clock=True,
        ),
        Rule(
            "FB-02",
            "No fallback paper if read in time, cancelled, or the visit has passed.",
            "001 (derived)",
            "Paper outbox after fallback_days for a read, a cancelled and a passed digital-only kallelse.",
            clock=True,
        ),
        Rule(
            "RM-01",
            "SMS reminders reminder_days_before the visit, never for cancelled visits, never twice a day.",
            "001",
            "SMS reported by the adapter just before and at the end of each reminder day's window (an hour before "
            "to three hours after reminder_local_time), at the end, for a cancelled booking and for a patient "
            "without consent.",
            clock=True,
        ),
        Rule(
            "RM-02",
            "A reminder added to the 1177 thread only while its previous message is unread, in the same thread.",
            "004",
            "Inbox threads on the first reminder day: unread and read kallelser.",
            clock=True,
        ),
        Rule(
            "MC-01",
            "Every request is valid against the contract XSD and carries the LogicalAddress header.",
            "TKB-INBOX, RIVTA BP 2.1",
            "Traffic: every request body re-validated against the contract schema; the LogicalAddress header.",
            passive=True,
        ),
        Rule(
            "MC-02",
            "msg is DocBook within the 1177 subset, XML-entity-encoded.",
            "TKB-INBOX",
            "Traffic: each AddMessage msg parsed and checked against the subset's parent/child table.",
            passive=True,
        ),
        Rule(
            "MC-03",
            "notify=true requires sourceSystem (an HSA-id).",
            "TKB-INBOX",
            "Traffic: notify and sourceSystem of each AddMessage.",
            passive=True,
        ),
        Rule(
            "MC-04",
            "subjectOfCareId matches the contract pattern and has a valid check digit.",
            "TKB-INBOX",
            "Traffic: subjectOfCareId/subjectOfCare of each request.",
            passive=True,
        ),
        Rule(
            "MC-05",
            "The digital kallelse holds all information of the paper letter.",
            "001",
            "Inbox: the message text holds the date, time, facility name and address, visit type, preparations "
            "and contact the booking gave (and the paper letter carries).",
        ),
        Rule(
            "MC-06",
            "A booked kallelse carries booking with bookingId, isInvitation, bookingDate and the allowed buttons.",
            "001, 004 §3",
            "Inbox: the stored booking element against the booking the vendor was given.",
        ),
        Rule(
            "MC-07",
            "An open invitation has isOpenInvitation=true and no bookingDate.",
            "004 (typer)",
            "Inbox: the stored booking element of an open invitation.",
        ),
        Rule(
            "MC-08",
            "A kallelse contains a directions (hitta hit) link.",
            "001",
            "Inbox: a ulink in msg to the facility's directions URL.",
        ),
        Rule(
            "MC-09",
            "Updates, cancellations and reminders reuse the original businessObjectId.",
            "004 §4, TKB-INBOX",
            "Traffic and inbox: every AddMessage of one booking (kallelse, update, cancellation).",
            passive=True,
        ),
        Rule(
            "MC-10",
            "A cancellation goes in the same thread with booking/cancelled=true.",
            "TKB-INBOX, 004",
            "Inbox: the cancellation message's thread and its booking/cancelled flag.",
            passive=True,
        ),
        Rule(
            "MC-11",
            "When the clinic has a form for the visit, the kallelse links to it.",
            "000, 004",
            "Inbox: a ulink in msg to the form URL the booking gave.",
        ),
        Rule(
            "MC-12",
            "SMS/e-mail texts never carry health information or visit details.",
            "000 (integritet)",
            "Notification outbox and the vendor's SMS reminders: no visit type, facility, date, time or preparations.",
            clock=True,
            passive=True,
        ),
        Rule(
            "RP-01",
            "Report per run: shares digital-only / digital and paper / paper-only, paper letters avoided, savings.",
            "000, 003, 004 (nyttokalkyl)",
            "The adapter's optional GET /reports against what the suite observed for the same bookings: each "
            "booking's channel, the shares, the letters avoided and the savings at the profile's cost parameters.",
        ),
        Rule(
            "RP-02",
            "Read receipts: per thread, whether and when the citizen read it.",
            "003, 004 §5",
            "The adapter's optional GET /reports against the 1177 inbox: read or not, and when, per thread.",
        ),
    )
}

PASSIVE_RULES = tuple(r for r in RULES if RULES[r].passive)


def select(ids: str | None) -> list[str]:
    """``"CH-03,FB-01"`` -> known IDs in catalog order; None or "" -> all. Unknown IDs raise
    ValueError naming them."""
    if not ids:
        return list(RULES)
    wanted = [i.strip().upper() for i in ids.split(",") if i.strip()]
    unknown = [i for i in wanted if i not in RULES]
    if unknown:
        raise ValueError(f"unknown rule ID(s): {', '.join(unknown)}; see `kallelse conformance list`")
    return [r for r in RULES if r in wanted]
