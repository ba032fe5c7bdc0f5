"""Swedish calendar words, as a letter writes a date ("tisdag 1 december 2026"). Both the
reference engine (which writes letters) and the conformance suite (which looks for the
date in a vendor's letter) need exactly these, so they live once, here."""

from __future__ import annotations

WEEKDAYS = ("måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag")
MONTHS = (
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
)
