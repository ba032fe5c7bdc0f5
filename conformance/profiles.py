"""What the suite expects of a region: the rule parameters the guideline rules name
("parameters are per profile", guideline-rules.md). The files and their loader live in the
top-level ``regions`` package, which the reference engine reads too: one format, one copy
(format in docs/conformance.md, "Profiles"). This module keeps the suite's names for them
(``Expectations``, ``PROFILES``, ``BUILT_IN``) so the suite reads as the certifier's side."""

from __future__ import annotations

from regions import BUILT_IN, REPORTING_KEYS, RULE_KEYS, ProfileError, built_in, load, parse
from regions import Region as Expectations

__all__ = [
    "BUILT_IN",
    "PROFILES",
    "REPORTING_KEYS",
    "RULE_KEYS",
    "Expectations",
    "ProfileError",
    "built_in",
    "load",
    "parse",
]

PROFILES = built_in()
