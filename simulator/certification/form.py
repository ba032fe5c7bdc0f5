"""What the start form accepts, checked before anything runs: an adapter URL (http or
https with a host), a built-in profile or an uploaded TOML profile (size, UTF-8, TOML,
the [region] and [rules] tables), and rule IDs from the catalog. Each error names its
field, in the words the form shows."""

from __future__ import annotations

import dataclasses
import tomllib
from urllib.parse import urlsplit

MAX_PROFILE_BYTES = 64 * 1024
MAX_URL_CHARS = 2000
UPLOAD = "upload"


@dataclasses.dataclass
class Request:
    adapter_url: str
    profile: str  # a built-in key, or UPLOAD
    rules: list[str]
    profile_file: bytes | None = None  # the uploaded TOML, when profile == UPLOAD
    profile_name: str = ""  # [region].name of the upload, or the built-in's name


def adapter_url(value: str) -> tuple[str, str | None]:
    value = (value or "").strip()
    if not value:
        return value, "Ange adapterns adress (http:// eller https://)."
    if len(value) > MAX_URL_CHARS or any(c.isspace() or ord(c) < 0x20 for c in value):
        return value, "Adressen får inte innehålla blanksteg eller styrtecken och högst 2000 tecken."
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018  (raises on a port that is not a number)
    except ValueError:
        return value, "Adressen går inte att tolka som en URL."
    if parts.scheme not in ("http", "https"):
        return value, "Adressen måste börja med http:// eller https://."
    if not parts.hostname:
        return value, "Adressen saknar värdnamn."
    if parts.username or parts.password:
        return value, "Adressen får inte innehålla användarnamn eller lösenord."
    return value.rstrip("/"), None


def uploaded_profile(data: bytes | None) -> tuple[str, str | None]:
    """The region's name, or what is wrong with the file (the TOML format of COORDINATION:
    [region] id/name, [rules], optional [reporting])."""
    if not data:
        return "", "Välj en profilfil (TOML) att ladda upp."
    if len(data) > MAX_PROFILE_BYTES:
        return "", f"Profilfilen är för stor ({len(data)} byte, högst {MAX_PROFILE_BYTES})."
    try:
        document = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        return "", "Profilfilen är inte UTF-8-text."
    except tomllib.TOMLDecodeError as exc:
        return "", f"Profilfilen är inte giltig TOML: {exc}."
    region, rules = document.get("region"), document.get("rules")
    if not isinstance(region, dict) or not region.get("id") or not region.get("name"):
        return "", "Profilfilen saknar [region] med id och name."
    if not isinstance(rules, dict) or not rules:
        return "", "Profilfilen saknar tabellen [rules] med regelparametrarna."
    return str(region["name"]), None


def rule_ids(values: list[str], catalog: list[str]) -> tuple[list[str], str | None]:
    chosen = [v for v in catalog if v in set(values)]  # catalog order
    unknown = sorted(set(values) - set(catalog))
    if unknown:
        return chosen, f"Okända regel-ID: {', '.join(unknown)}."
    if not chosen:
        return chosen, "Välj minst en regel."
    return chosen, None
