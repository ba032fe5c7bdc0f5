"""The dispatch core's configuration: regional rule profiles (rjl, vgr) with every rule
parameter, the platform endpoints and the ``mutations`` switches. Read from a TOML file
so that a trainer or a conformance run can change a rule parameter without code."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import tomllib
from pathlib import Path
from typing import Any

from dispatchcore.errors import FieldError

DEFAULT_FILE = Path(__file__).resolve().parent / "profiles.toml"

# Each switch bends exactly one rule; the engine checks them with ``settings.bent(name)``
# at a single place. Documented in docs/dispatch.md.
MUTATIONS = {
    "ignore_minors": "CH-03 off: minors are treated as adults",
    "ignore_interpreter": "CH-04 off: interpreter need does not add paper",
    "ignore_optout": "CH-01 off: the paper opt-out is never honoured (always paper as well)",
    "no_fallback": "FB-01 off: no paper when a digital-only kallelse stays unread",
    "reminder_after_cancel": "RM-01 bent: reminders still go out after a cancellation",
    "new_business_object_id_on_cancel": "MC-09/MC-10 bent: the cancellation starts a new thread",
    "notify_without_source_system": "MC-03 bent: notify=true without sourceSystem",
    "docbook_outside_subset": "MC-02 bent: the message uses DocBook elements outside the subset",
    "skip_userprofile_lookup": "LK-02 off: digital-only without asking 1177 for the account",
    "protected_address_on_letter": "CH-10 bent: a protected person's letter goes as an ordinary letter (not "
    "flagged for the protected-address route, with any address the engine finds)",
    "no_directions_link": "MC-08 off: the kallelse has no directions link",
    "sms_with_visit_details": "MC-12 bent: the SMS reminder names the visit and the clinic",
}


class SettingsError(FieldError):
    """A bad value in a rule profile or the run-time settings; ``field`` names it (dotted)."""


@dataclasses.dataclass(frozen=True)
class Profile:
    """One region's rule parameters (guideline-rules.md: "parameters are per profile")."""

    key: str
    name: str
    source_system: str
    fallback_days: int
    reminder_days_before: tuple[int, ...]
    reminder_local_time: dt.time
    short_notice_days: int
    minor_age: int
    thread_reminder: bool
    lookup_retry_minutes: tuple[int, ...]
    postage_sek: float
    envelope_print_sek: float
    handling_minutes: float
    staff_cost_sek_per_minute: float
    goal_digital_possible: float
    goal_digital_only: float

    @property
    def cost_per_letter_sek(self) -> float:
        """RP-01: what one paper letter costs (postage, envelope and print, handling)."""
        return self.postage_sek + self.envelope_print_sek + self.handling_minutes * self.staff_cost_sek_per_minute

    def as_dict(self) -> dict:
        data = dataclasses.asdict(self)
        data["reminder_local_time"] = self.reminder_local_time.strftime("%H:%M")
        data["reminder_days_before"] = list(self.reminder_days_before)
        data["lookup_retry_minutes"] = list(self.lookup_retry_minutes)
        return data


@dataclasses.dataclass(frozen=True)
class Settings:
    profiles: dict[str, Profile]
    mutations: frozenset[str]
    consumer_hsa_id: str
    endpoints: dict[str, str]
    logical_addresses: dict[str, str]
    timeout_seconds: float

    def bent(self, mutation: str) -> bool:
        """Is this deliberately broken variant switched on? (single check per rule)"""
        assert mutation in MUTATIONS, mutation
        return mutation in self.mutations

    def profile(self, key: str) -> Profile:
        return self.profiles[key]

    def with_changes(self, mutations=None, endpoints=None) -> Settings:
        changes: dict[str, Any] = {}
        if mutations is not None:
            changes["mutations"] = _mutations(mutations)
        if endpoints is not None:
            merged = dict(self.endpoints)
            for name, url in _section(endpoints, "endpoints").items():
                if name not in merged:
                    raise SettingsError(f"endpoints.{name}", f"unknown endpoint; known: {sorted(merged)}")
                if not isinstance(url, str) or (url and not url.startswith(("http://", "https://"))):
                    raise SettingsError(f"endpoints.{name}", "must be an http(s) URL or empty")
                merged[name] = url
            changes["endpoints"] = merged
        return dataclasses.replace(self, **changes)


ENDPOINT_NAMES = ("pu", "userprofile", "inbox", "message_status", "paper_outbox", "sms_gateway")


def _section(data: Any, field: str) -> dict:
    if not isinstance(data, dict):
        raise SettingsError(field, "must be a table/object")
    return data


def _mutations(value: Any) -> frozenset[str]:
    if not isinstance(value, (list, tuple, frozenset, set)) or not all(isinstance(v, str) for v in value):
        raise SettingsError("mutations", "must be a list of names")
    unknown = sorted(set(value) - set(MUTATIONS))
    if unknown:
        raise SettingsError("mutations", f"unknown mutation {unknown[0]!r}; known: {sorted(MUTATIONS)}")
    return frozenset(value)


def _profile(key: str, raw: dict) -> Profile:
    field = f"profiles.{key}"
    try:
        hour, minute = (int(p) for p in str(raw["reminder_local_time"]).split(":"))
        values = dict(
            key=key,
            name=str(raw["name"]),
            source_system=str(raw["source_system"]),
            fallback_days=int(raw["fallback_days"]),
            reminder_days_before=tuple(sorted({int(d) for d in raw["reminder_days_before"]}, reverse=True)),
            reminder_local_time=dt.time(hour, minute),
            short_notice_days=int(raw["short_notice_days"]),
            minor_age=int(raw["minor_age"]),
            thread_reminder=bool(raw["thread_reminder"]),
            lookup_retry_minutes=tuple(int(m) for m in raw["lookup_retry_minutes"]),
        )
        for name in (
            "postage_sek",
            "envelope_print_sek",
            "handling_minutes",
            "staff_cost_sek_per_minute",
            "goal_digital_possible",
            "goal_digital_only",
        ):
            values[name] = float(raw[name])
    except KeyError as exc:
        raise SettingsError(f"{field}.{exc.args[0]}", "is required") from None
    except (TypeError, ValueError) as exc:
        raise SettingsError(field, f"bad value: {exc}") from None
    if values["fallback_days"] < 0 or values["short_notice_days"] < 0 or values["minor_age"] < 0:
        raise SettingsError(field, "day and age parameters must not be negative")
    return Profile(**values)


def parse(raw: dict) -> Settings:
    profiles = {key: _profile(key, section) for key, section in _section(raw.get("profiles"), "profiles").items()}
    for required in ("rjl", "vgr"):
        if required not in profiles:
            raise SettingsError(f"profiles.{required}", "both regional profiles rjl and vgr must exist")
    endpoints = _section(raw.get("endpoints", {}), "endpoints")
    timeout = float(endpoints.get("timeout_seconds", 10.0))
    urls = {name: str(endpoints.get(name, "") or "") for name in ENDPOINT_NAMES}
    addresses = {name: str(v) for name, v in _section(raw.get("logical_addresses", {}), "logical_addresses").items()}
    consumer = str(_section(raw.get("care_system", {}), "care_system").get("consumer_hsa_id", "SE2321000065-DISP1"))
    return Settings(
        profiles=profiles,
        mutations=_mutations(raw.get("mutations", [])),
        consumer_hsa_id=consumer,
        endpoints=urls,
        logical_addresses=addresses,
        timeout_seconds=timeout,
    )


def load(path: Path | None = None) -> Settings:
    """The file named by KALLELSE_DISPATCH_CONFIG, else the built-in profiles.toml;
    KALLELSE_DISPATCH_MUTATIONS (comma separated) adds switches without a file."""
    path = path or Path(os.environ.get("KALLELSE_DISPATCH_CONFIG") or DEFAULT_FILE)
    with open(path, "rb") as handle:
        settings = parse(tomllib.load(handle))
    extra = [m.strip() for m in os.environ.get("KALLELSE_DISPATCH_MUTATIONS", "").split(",") if m.strip()]
    if extra:
        settings = settings.with_changes(mutations=sorted(settings.mutations | set(extra)))
    return settings
