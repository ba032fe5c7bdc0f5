"""DocBook ``msg`` -> HTML for the citizen's inbox (TKB-INBOX "Formatering av
meddelande", rule MC-02).

Which elements are allowed where is decided once, by :mod:`simulator.inbox.docbook`;
this module only draws. What the real inbox does is reproduced: an element the check
flags is shown as ``##### Mismatched Element in Source #####`` instead of its content,
and a msg that is not XML at all shows only the marker. Everything from the message is
text to this renderer: it is escaped, no attribute is copied except a ulink's ``url``
(http/https only) and ``type``, so a ``<script>`` or an ``onerror=`` in a message can
never run in the citizen's browser.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from markupsafe import Markup, escape

from simulator.inbox import docbook

MISMATCH = "##### Mismatched Element in Source #####"

_TAGS = {
    "article": "article",
    "info": "header",
    "section": "section",
    "para": "p",
    "bibliography": "p",
    "varlistentry": "div",
    "term": "dt",
    "listitem": "dd",
}
_CLASSES = {"article": "docbook", "bibliography": "bibliography", "varlistentry": "entry"}


def safe_href(url: str | None) -> str | None:
    """The URL if it is an absolute http(s) URL without whitespace or control
    characters (which browsers strip, turning ``java\\tscript:`` into a script)."""
    if not url or any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url):
        return None
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url


def render(msg: str | None) -> Markup:
    """The message as safe HTML (a ``Markup`` string Jinja will not escape again)."""
    result = docbook.check(msg)
    if result.tree is None:
        return Markup(_mismatch())
    return Markup(_node(result.tree, result))


def _mismatch() -> str:
    return f'<span class="mismatch">{escape(MISMATCH)}</span>'


def _node(element, result: docbook.DocbookCheck) -> str:
    if not isinstance(element.tag, str):
        return ""  # an entity reference: flagged on its parent, never expanded
    if result.flagged(element):
        return _mismatch()
    name = element.tag
    if name == "ulink":
        return _ulink(element)
    if name == "title":
        return _title(element, result)
    if name == "variablelist":
        return _variablelist(element, result)
    css = f' class="{_CLASSES[name]}"' if name in _CLASSES else ""
    return f"<{_TAGS[name]}{css}>{_content(element, result)}</{_TAGS[name]}>"


def _content(element, result) -> str:
    """Escaped text and rendered children, in document order."""
    parts: list[str] = [escape(element.text or "")]
    for child in element:
        parts.append(_node(child, result))
        parts.append(escape(child.tail or ""))
    return "".join(parts)


def _title(element, result) -> str:
    """The article's title is h2 (the page has h1), a section's h3, a list's h4."""
    parent = element.getparent()
    container = parent.getparent() if parent.tag == "info" else parent
    level = {"article": 2, "section": 3}.get(container.tag, 4)
    return f"<h{level}>{_content(element, result)}</h{level}>"


def _variablelist(element, result) -> str:
    """A title (if any) above a definition list of the entries."""
    head = "".join(_node(c, result) for c in element if c.tag == "title")
    body = "".join(_node(c, result) for c in element if c.tag != "title")
    return f'<div class="variablelist">{head}<dl>{body}</dl></div>'


def _ulink(element) -> str:
    text = "".join(element.itertext()).strip()
    href = safe_href((element.get("url") or "").strip())
    label = escape(text or element.get("url") or "")
    if href is None:
        return f'<span class="blocked-link" title="Länken visas inte: bara http- och https-länkar">{label}</span>'
    target = ' target="_blank" rel="noopener noreferrer"' if element.get("type") == "_blank" else ""
    return f'<a href="{escape(href)}"{target}>{label}</a>'
