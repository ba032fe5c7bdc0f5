"""A region's rule parameters as data: one TOML file per region (``rjl.toml``, ``vgr.toml``
beside this module), read by one typed loader.

Why a package of its own: the conformance suite (what a region expects of any kallelse
system) and the reference dispatch core (what a care system is configured with) read the
very same facts. Kept here, there is one format and one copy, and neither side can drift
from the other. It imports nothing of the simulator, the dispatch core or the suite
(an import-linter contract)."""

from regions.profile import (
    BUILT_IN,
    REPORTING_KEYS,
    RULE_KEYS,
    ProfileError,
    Region,
    built_in,
    load,
    parse,
)
from regions.swedish import MONTHS, WEEKDAYS

__all__ = [
    "BUILT_IN",
    "MONTHS",
    "REPORTING_KEYS",
    "RULE_KEYS",
    "WEEKDAYS",
    "ProfileError",
    "Region",
    "built_in",
    "load",
    "parse",
]
