"""The loader: a region's TOML file (``[region]``, ``[rules]``, ``[reporting]``; format in
docs/conformance.md, "Profiles") to a frozen ``Region``. Every problem raises
``ProfileError`` naming the dotted key (``rules.fallback_days``), so a region writing its
own file learns exactly which line is wrong."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import tomllib
from pathlib import Path
from typing import Any

BUILT_IN = Path(__file__).resolve().parent
RULE_KEYS = (
    "fallback_days",
    "reminder_days_before",
    "reminder_local_time",
    "short_notice_days",
    "minor_age",
    "thread_reminder",
    "lookup_retry_minutes",
)
REPORTING_KEYS = (
    "postage_sek",
    "envelope_print_sek",
    "handling_minutes",
    "staff_cost_sek_per_minute",
    "goal_digital_possible",
    "goal_digital_only",
)


class ProfileError(ValueError):
    """A profile file problem; ``field`` names the dotted key (``rules.fallback_days``)."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclasses.dataclass(frozen=True)
class Region:
    """One region's parameters (guideline-rules.md: "parameters are per profile")."""

    key: str
    name: str
    fallback_days: int  # FB-01
    reminder_days_before: tuple[int, ...]  # RM-01, largest first
    short_notice_days: int  # CH-09
    minor_age: int  # CH-03
    reminder_local_time: dt.time = dt.time(9, 0)  # RM-01
    thread_reminder: bool = True  # RM-02
    lookup_retry_minutes: tuple[int, ...] = (5, 15, 60, 240)  # LK-03/LK-04
    postage_sek: float = 12.0  # RP-01 ...
    envelope_print_sek: float = 3.5
    handling_minutes: float = 2.0
    staff_cost_sek_per_minute: float = 8.0
    goal_digital_possible: float = 0.60
    goal_digital_only: float = 0.90
    sources: tuple[str, ...] = ()
    digest: str = ""  # sha256 of the file it was read from

    @property
    def cost_per_letter_sek(self) -> float:
        """RP-01: what one paper letter costs (postage, envelope and print, handling)."""
        return self.postage_sek + self.envelope_print_sek + self.handling_minutes * self.staff_cost_sek_per_minute

    def differs_from(self, other: Region) -> list[str]:
        """The parameter names whose values differ (what a cross-region run must catch)."""
        return [k for k in (*RULE_KEYS, *REPORTING_KEYS) if getattr(self, k) != getattr(other, k)]

    def as_dict(self) -> dict[str, Any]:
        """The parameters as JSON values (a decision record, the settings API)."""
        data: dict[str, Any] = {"key": self.key, "name": self.name}
        for key in (*RULE_KEYS, *REPORTING_KEYS):
            value = getattr(self, key)
            data[key] = value.strftime("%H:%M") if isinstance(value, dt.time) else value
            if isinstance(value, tuple):
                data[key] = list(value)
        return data


def _number(section: dict[str, Any], key: str, where: str, kind: type, minimum: float = 0) -> Any:
    if key not in section:
        raise ProfileError(f"{where}.{key}", "is required")
    value = section[key]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (kind is int and not isinstance(value, int)):
        raise ProfileError(f"{where}.{key}", f"must be {'an integer' if kind is int else 'a number'}")
    if value < minimum:
        raise ProfileError(f"{where}.{key}", f"must be at least {minimum}")
    return kind(value)


def _days(section: dict[str, Any], key: str) -> tuple[int, ...]:
    value = section.get(key)
    if not isinstance(value, list) or not all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in value):
        raise ProfileError(f"rules.{key}", "must be a list of positive integers")
    return tuple(value)


def _time(section: dict[str, Any]) -> dt.time:
    try:
        return dt.time.fromisoformat(str(section["reminder_local_time"]))
    except KeyError:
        raise ProfileError("rules.reminder_local_time", "is required") from None
    except ValueError:
        raise ProfileError("rules.reminder_local_time", "must be a local time HH:MM") from None


def _table(raw: dict[str, Any], name: str) -> dict[str, Any]:
    section = raw.get(name)
    if not isinstance(section, dict):
        raise ProfileError(name, "the [" + name + "] table is required")
    return section


def parse(raw: dict[str, Any], digest: str = "") -> Region:
    """A region from TOML data; ProfileError names the first bad key."""
    region, rules, reporting = (_table(raw, name) for name in ("region", "rules", "reporting"))
    key, name = region.get("id"), region.get("name")
    if not isinstance(key, str) or not key.strip():
        raise ProfileError("region.id", "must be a short name such as rjl")
    if not isinstance(name, str) or not name.strip():
        raise ProfileError("region.name", "must be the region's name")
    sources = region.get("sources", [])
    if not isinstance(sources, list) or not all(isinstance(s, str) for s in sources):
        raise ProfileError("region.sources", "must be a list of strings")
    if not isinstance(rules.get("thread_reminder"), bool):
        raise ProfileError("rules.thread_reminder", "must be true or false")
    return Region(
        key=key.strip(),
        name=name.strip(),
        fallback_days=_number(rules, "fallback_days", "rules", int, 1),
        reminder_days_before=tuple(sorted(set(_days(rules, "reminder_days_before")), reverse=True)),
        short_notice_days=_number(rules, "short_notice_days", "rules", int, 0),
        minor_age=_number(rules, "minor_age", "rules", int, 1),
        reminder_local_time=_time(rules),
        thread_reminder=rules["thread_reminder"],
        lookup_retry_minutes=_days(rules, "lookup_retry_minutes"),
        **{k: _number(reporting, k, "reporting", float) for k in REPORTING_KEYS},
        sources=tuple(sources),
        digest=digest,
    )


def load(path: Path | str) -> Region:
    """A region file; the digest in the result identifies exactly the bytes read."""
    data = Path(path).read_bytes()
    try:
        raw = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ProfileError("body", f"not a TOML file: {exc}") from None
    return parse(raw, "sha256:" + hashlib.sha256(data).hexdigest())


def built_in() -> dict[str, Region]:
    """The regions shipped beside this module, by key."""
    found = (load(path) for path in sorted(BUILT_IN.glob("*.toml")))
    return {region.key: region for region in found}
