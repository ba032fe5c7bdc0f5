"""Towns with their county (län) and municipality (kommun) codes and postal-code prefixes.

The seed places its citizens in the first seven; the whole table lets a citizen created
through the control API get the county and municipality codes of their address (the
user profile's GetSubjectOfCare returns them 1..1, PU from P1/P2), without the tester
knowing SCB's code list. It is deliberately small: an address it does not know needs
the codes given explicitly (docs/population.md).
"""

from __future__ import annotations

import dataclasses

# Församlingskod when none is known: the contract field is two characters and a
# municipality's parishes are numbered from 01 (PU's parishCode, String2).
DEFAULT_PARISH = "01"


@dataclasses.dataclass(frozen=True)
class Town:
    name: str
    county: str  # länskod
    municipality: str  # the kommun's two last digits, as PU municipalityCode carries it
    postal_prefixes: tuple[str, ...]


# Jönköping (rjl) and Västra Götaland (vgr) first: they are the two rule profiles and
# the seed's towns (seed.TOWNS is this table's first seven rows).
TOWNS = (
    Town("Jönköping", "06", "80", ("553", "554", "555", "556")),
    Town("Värnamo", "06", "83", ("331",)),
    Town("Nässjö", "06", "82", ("571",)),
    Town("Göteborg", "14", "80", ("411", "413", "414", "416", "417")),
    Town("Borås", "14", "90", ("503", "504", "506")),
    Town("Skövde", "14", "96", ("541",)),
    Town("Stockholm", "01", "80", ("111", "113", "114", "118")),
    Town("Uppsala", "03", "80", ("751", "752", "753", "754")),
    Town("Eskilstuna", "04", "84", ("632", "633", "635")),
    Town("Linköping", "05", "80", ("581", "582", "583", "584", "585", "586", "587")),
    Town("Norrköping", "05", "81", ("602", "603", "604")),
    Town("Växjö", "07", "80", ("352",)),
    Town("Kalmar", "08", "80", ("392", "393")),
    Town("Visby", "09", "80", ("621",)),
    Town("Malmö", "12", "80", ("211", "212", "213", "214", "215", "216", "217")),
    Town("Lund", "12", "81", ("222", "223", "224", "226", "227")),
    Town("Helsingborg", "12", "83", ("252", "253", "254", "256")),
    Town("Halmstad", "13", "80", ("302",)),
    Town("Karlstad", "17", "80", ("652", "653", "654", "656")),
    Town("Örebro", "18", "80", ("702", "703", "704", "705")),
    Town("Västerås", "19", "80", ("721", "722", "723", "724", "725")),
    Town("Falun", "20", "80", ("791",)),
    Town("Gävle", "21", "80", ("802", "803", "804", "805", "806")),
    Town("Sundsvall", "22", "81", ("852", "853", "854", "856")),
    Town("Östersund", "23", "80", ("831",)),
    Town("Umeå", "24", "80", ("903", "904", "905", "906", "907")),
    Town("Luleå", "25", "80", ("972", "973", "974", "975", "976", "977")),
)

_BY_PREFIX = {prefix: town for town in TOWNS for prefix in town.postal_prefixes}
_BY_NAME = {town.name.casefold(): town for town in TOWNS}


def town_of(postal_code: str | None, city: str | None) -> Town | None:
    """The town of an address: by the postal code's first three digits, else by the
    postort's name; None when the table does not know it."""
    digits = (postal_code or "").replace(" ", "")
    return _BY_PREFIX.get(digits[:3]) or _BY_NAME.get((city or "").strip().casefold())
