"""The dispatch core's configuration as a care system: which regional profiles it serves
(each names a region file of the ``regions`` package, where every rule parameter lives,
the very file the conformance suite judges against), the HSA-ids it sends as, the platform
endpoints and logical addresses. Read from a TOML file (``profiles.toml``) so that a
trainer can point the engine elsewhere or give it another region without code."""

from __future__ import annotations

import dataclasses
import os
import tomllib
from pathlib import Path
from typing import Any

import regions
from dispatchcore.errors import FieldError

DEFAULT_FILE = Path(__file__).resolve().parent / "profiles.toml"
ENDPOINT_NAMES = ("pu", "userprofile", "inbox", "message_status", "paper_outbox", "sms_gateway")
MAX_TIMEOUT_SECONDS = 120.0  # a call waits no longer than the simulator's workers live


class SettingsError(FieldError):
    """A bad value in the configuration or the run-time settings; ``field`` names it (dotted)."""


@dataclasses.dataclass(frozen=True)
class Profile:
    """One profile the care system dispatches for: the region's parameters (from its
    region file) and the care system's own HSA-id as AddMessage ``sourceSystem`` (MC-03)."""

    key: str
    source_system: str
    region: regions.Region
    region_file: str

    @property
    def name(self) -> str:
        return self.region.name

    @property
    def cost_per_letter_sek(self) -> float:
        """RP-01: what one paper letter costs (the region's cost parameters)."""
        return self.region.cost_per_letter_sek

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.region.as_dict(),
            "key": self.key,
            "source_system": self.source_system,
            "region_file": self.region_file,
            "region_digest": self.region.digest,
        }


@dataclasses.dataclass(frozen=True)
class Settings:
    profiles: dict[str, Profile]
    consumer_hsa_id: str
    endpoints: dict[str, str]
    logical_addresses: dict[str, str]
    timeout_seconds: float

    def profile(self, key: str) -> Profile:
        return self.profiles[key]

    def region(self, key: str) -> regions.Region:
        return self.profiles[key].region

    def region_parameters(self) -> dict[str, regions.Region]:
        """Each profile's region parameters (RP-01 reads the costs and goals from them)."""
        return {key: profile.region for key, profile in self.profiles.items()}

    def with_endpoints(self, endpoints: Any) -> Settings:
        """The run-time change ``PUT /dispatch/api/settings`` allows: other endpoint URLs,
        and the calls' timeout (``timeout_seconds``, as in the file's ``[endpoints]``), so a
        trainer can show what a slow 1177 does to the care system."""
        if endpoints is None:
            return self
        merged, timeout = dict(self.endpoints), self.timeout_seconds
        for name, url in _section(endpoints, "endpoints").items():
            if name == "timeout_seconds":
                timeout = _timeout(url)
                continue
            if name not in merged:
                raise SettingsError(f"endpoints.{name}", f"unknown endpoint; known: {sorted(merged)}")
            if not isinstance(url, str) or (url and not url.startswith(("http://", "https://"))):
                raise SettingsError(f"endpoints.{name}", "must be an http(s) URL or empty")
            merged[name] = url
        return dataclasses.replace(self, endpoints=merged, timeout_seconds=timeout)


def _timeout(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise SettingsError("endpoints.timeout_seconds", "must be a number of seconds")
    try:
        seconds = float(value)
    except ValueError:
        raise SettingsError("endpoints.timeout_seconds", "must be a number of seconds") from None
    if not 0 < seconds <= MAX_TIMEOUT_SECONDS:
        raise SettingsError("endpoints.timeout_seconds", f"must be above 0 and at most {MAX_TIMEOUT_SECONDS}")
    return seconds


def _section(data: Any, field: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise SettingsError(field, "must be a table/object")
    return data


def _region_path(value: str, base: Path) -> Path:
    """``region = "rjl"`` is a region the ``regions`` package ships; a value with a slash or
    ending in ``.toml`` is a file, relative to the configuration file."""
    if "/" in value or value.endswith(".toml"):
        return (base / value).resolve()
    return regions.BUILT_IN / f"{value}.toml"


def _profile(key: str, raw: Any, base: Path) -> Profile:
    field = f"profiles.{key}"
    section = _section(raw, field)
    region_name, source_system = section.get("region", key), section.get("source_system")
    if not isinstance(region_name, str) or not region_name:
        raise SettingsError(f"{field}.region", "must name a region (rjl) or a region file (path/to/x.toml)")
    if not isinstance(source_system, str) or not source_system:
        raise SettingsError(f"{field}.source_system", "is required (the care system's HSA-id, MC-03)")
    path = _region_path(region_name, base)
    if not path.is_file():
        raise SettingsError(f"{field}.region", f"no region file {path}")
    try:
        region = regions.load(path)
    except regions.ProfileError as exc:
        raise SettingsError(f"{field}.region", f"{path.name}: {exc}") from None
    return Profile(key=key, source_system=source_system, region=region, region_file=str(path))


def parse(raw: dict[str, Any], base: Path = DEFAULT_FILE.parent) -> Settings:
    """Settings from TOML data; region files named relative to ``base``."""
    profiles = {key: _profile(key, section, base) for key, section in _section(raw.get("profiles"), "profiles").items()}
    for required in ("rjl", "vgr"):
        if required not in profiles:
            raise SettingsError(f"profiles.{required}", "both regional profiles rjl and vgr must exist")
    endpoints = _section(raw.get("endpoints", {}), "endpoints")
    timeout = _timeout(endpoints.get("timeout_seconds", 10.0))
    urls = {name: str(endpoints.get(name, "") or "") for name in ENDPOINT_NAMES}
    addresses = {name: str(v) for name, v in _section(raw.get("logical_addresses", {}), "logical_addresses").items()}
    consumer = str(_section(raw.get("care_system", {}), "care_system").get("consumer_hsa_id", "SE2321000065-DISP1"))
    return Settings(
        profiles=profiles,
        consumer_hsa_id=consumer,
        endpoints=urls,
        logical_addresses=addresses,
        timeout_seconds=timeout,
    )


def load(path: Path | None = None) -> Settings:
    """The file named by KALLELSE_DISPATCH_CONFIG, else the built-in profiles.toml."""
    path = path or Path(os.environ.get("KALLELSE_DISPATCH_CONFIG") or DEFAULT_FILE)
    with open(path, "rb") as handle:
        return parse(tomllib.load(handle), path.resolve().parent)
