"""urlConfiguration links (TKB-INBOX "Konfiguration av uthoppslänk").

A care system names an e-service by ``systemId``; 1177 looks the URL up in its own
configuration (here a JSON file: ``link_systems.json`` beside this module, or the file
``KALLELSE_LINK_SYSTEMS`` points at), appends ``queryString`` and opens it as
``urlLinkType`` says. Only CurrentWindow and NewWindow are supported by the inbox
version simulated; the other two are shown in the current window with a note."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from simulator.citizen.docbook_html import safe_href

DEFAULT_TABLE = Path(__file__).resolve().parent / "link_systems.json"


@dataclasses.dataclass(frozen=True)
class Link:
    text: str
    href: str | None  # None: nothing to link to (unknown systemId or bad URL)
    new_window: bool
    note: str | None


def load_table(path: Path | None = None) -> dict[str, str]:
    """systemId -> URL; entries whose URL is not http(s) are left out, keys starting
    with ``_`` are comments."""
    raw = json.loads(Path(path or DEFAULT_TABLE).read_text("utf-8"))
    if not isinstance(raw, dict):
        raise ValueError(f"{path}: must be a JSON object of systemId -> URL")
    return {k: v for k, v in raw.items() if not k.startswith("_") and isinstance(v, str) and safe_href(v)}


def with_query(url: str, query: str | None) -> str:
    """Append the queryString whether or not the consumer wrote the leading ``?``."""
    query = (query or "").strip()
    if not query:
        return url
    query = query.lstrip("?&")
    return f"{url}{'&' if '?' in url else '?'}{query}"


def resolve(config: dict | None, table: dict[str, str]) -> Link | None:
    """The link for a message's urlConfiguration (the element names as keys)."""
    if not config or not config.get("systemId"):
        return None
    system_id, link_type = config["systemId"].strip(), (config.get("urlLinkType") or "").strip()
    text = (config.get("urlText") or "").strip() or system_id
    base = table.get(system_id)
    if base is None:
        return Link(text, None, False, f"Okänt systemId {system_id!r}: ingen länk konfigurerad.")
    href = safe_href(with_query(base, config.get("queryString")))
    if href is None:
        return Link(text, None, False, "Länken kunde inte skapas av queryString.")
    note = None
    if link_type not in ("CurrentWindow", "NewWindow"):
        note = f"urlLinkType {link_type} stöds inte av inkorgen; länken öppnas i samma fönster."
    return Link(text, href, link_type == "NewWindow", note)
