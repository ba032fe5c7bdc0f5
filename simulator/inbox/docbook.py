"""The DocBook subset of 1177 Inkorg messages (TKB Ärendeinkorgen PA6, "Formatering av
meddelande"; guideline rule MC-02).

``msg`` is text that is itself XML. The real inbox accepts any text and shows
"##### Mismatched Element in Source #####" where the structure breaks the TKB's
parent/child table, so a violation here never rejects a message: :func:`check` reports
what is wrong and the parsed tree, and the inbox page renders the marker where
:meth:`DocbookCheck.flagged` says so.

Parsing is safe by construction: no DTD is loaded, no entity is expanded, nothing is
fetched, and a DOCTYPE or an entity reference is itself a violation.
"""

from __future__ import annotations

import dataclasses
import re

from lxml import etree

ROOT = "article"

# Element -> (allowed parents, allowed child elements), exactly the TKB table.
# A parent of None means "the root"; an empty child set means text only.
STRUCTURE: dict[str, tuple[frozenset, frozenset]] = {
    "article": (frozenset({None}), frozenset({"info", "para", "section", "bibliography", "variablelist"})),
    "info": (frozenset({"article", "section"}), frozenset({"title"})),
    "section": (frozenset({"article"}), frozenset({"info", "title", "para", "bibliography", "variablelist"})),
    "para": (frozenset({"article", "section"}), frozenset({"ulink"})),
    "bibliography": (frozenset({"article", "section"}), frozenset()),
    "variablelist": (frozenset({"article", "section"}), frozenset({"title", "varlistentry"})),
    "title": (frozenset({"info", "section", "variablelist"}), frozenset()),
    "ulink": (frozenset({"para"}), frozenset()),
    "varlistentry": (frozenset({"variablelist"}), frozenset({"term", "listitem"})),
    "term": (frozenset({"varlistentry"}), frozenset()),
    "listitem": (frozenset({"varlistentry"}), frozenset()),
}
ATTRIBUTES = {"ulink": frozenset({"url", "type"})}
ULINK_TYPES = ("_self", "_blank")
_SAFE_URL = re.compile(r"^https?://[^\s\"<>]+$", re.IGNORECASE)
_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")

_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True, remove_pis=True
)


@dataclasses.dataclass(frozen=True)
class Violation:
    """One broken rule; ``element``/``parent`` are element names (None: no element, e.g.
    the text is not XML at all, or the root has no parent)."""

    element: str | None
    parent: str | None
    reason: str
    path: str | None = None
    line: int | None = None

    def as_json(self) -> dict:
        return dataclasses.asdict(self)


@dataclasses.dataclass(frozen=True)
class DocbookCheck:
    """``tree`` is the parsed root element (None when ``msg`` is not well-formed)."""

    violations: tuple[Violation, ...]
    tree: etree._Element | None
    _flagged: tuple = ()

    @property
    def ok(self) -> bool:
        return not self.violations

    def flagged(self, node: etree._Element) -> bool:
        """True for an element the inbox shows as "Mismatched Element in Source"."""
        return any(node is bad for bad in self._flagged)

    def violations_json(self) -> list[dict]:
        return [v.as_json() for v in self.violations]


def parse(msg: str) -> etree._Element:
    """The msg text as an element tree; raises etree.XMLSyntaxError when not well-formed.
    The XML declaration is dropped: the text is already decoded, so a declared encoding
    would be a lie lxml refuses to parse."""
    return etree.fromstring(_DECLARATION.sub("", msg, count=1), _PARSER)


def check(msg: str | None) -> DocbookCheck:
    """Check ``msg`` against the supported subset and the parent/child table."""
    if msg is None or not msg.strip():
        return DocbookCheck((Violation(None, None, "msg is empty: expected a DocBook <article>"),), None)
    try:
        root = parse(msg)
    except etree.XMLSyntaxError as exc:
        return DocbookCheck((Violation(None, None, f"msg is not well-formed XML: {exc}"),), None)
    found: list[tuple[Violation, etree._Element]] = []
    if root.getroottree().docinfo.doctype:
        found.append((Violation(None, None, "a DOCTYPE declaration is not allowed in msg", line=1), root))
    if not found and _clean(root):  # the common case, without building a path per element
        return DocbookCheck((), root, ())
    _walk(root, None, "", found)
    return DocbookCheck(tuple(v for v, _ in found), root, tuple(node for _, node in found))


def _clean(root: etree._Element) -> bool:
    """True if :func:`_walk` would find nothing: the same rules, checked over lxml's C
    iterator without the per-element path and violation lists (a 32-element letter cost
    about a tenth of an AddMessage the long way)."""
    if root.tag != ROOT:
        return False
    for node in root.iter():
        tag = node.tag
        if not isinstance(tag, str):
            if isinstance(node, etree._Entity):
                return False
            continue  # comments and processing instructions
        rule = STRUCTURE.get(tag)
        if rule is None:  # also every namespaced tag ("{ns}name")
            return False
        parent = node.getparent()
        if parent is not None and parent.tag in STRUCTURE and parent.tag not in rule[0]:
            return False
        if (node.attrib or tag == "ulink") and _attribute_violations(node, tag):
            return False
    return True


def _walk(node: etree._Element, parent: str | None, parent_path: str, found: list) -> None:
    name = _name(node)
    path = f"{parent_path}/{name}"
    bad = _structure_violations(node, name, parent) + _attribute_violations(node, name)
    found.extend((Violation(name, parent, reason, path, node.sourceline), node) for reason in bad)
    for child in node:
        if isinstance(child, etree._Entity):
            found.append(
                (
                    Violation(
                        name,
                        parent,
                        f"entity reference {child.text} is not allowed (send plain characters)",
                        path,
                        child.sourceline,
                    ),
                    node,
                )
            )
        elif isinstance(child.tag, str):
            _walk(child, name, path, found)


def _name(node: etree._Element) -> str:
    qname = etree.QName(node)
    return f"{{{qname.namespace}}}{qname.localname}" if qname.namespace else qname.localname


def _structure_violations(node: etree._Element, name: str, parent: str | None) -> list[str]:
    if name.startswith("{"):
        return ["namespaced elements are not supported: the inbox reads DocBook without a namespace"]
    if name not in STRUCTURE:
        return [f"<{name}> is not in the supported DocBook subset ({', '.join(sorted(STRUCTURE))})"]
    parents, _ = STRUCTURE[name]
    if parent is None and name != ROOT:
        return [f"the root element must be <{ROOT}>, not <{name}>"]
    if parent is not None and parent in STRUCTURE and parent not in parents:
        allowed = ", ".join(f"<{p}>" for p in sorted(p for p in parents if p)) or "nothing (root only)"
        return [f"<{name}> is not allowed inside <{parent}>; allowed parents: {allowed}"]
    return []


def _attribute_violations(node: etree._Element, name: str) -> list[str]:
    allowed = ATTRIBUTES.get(name, frozenset())
    reasons = [f"attribute {attr!r} is not supported on <{name}>" for attr in node.attrib if attr not in allowed]
    if name == "ulink":
        url = node.get("url")
        if not url:
            reasons.append("<ulink> needs a url attribute")
        elif not _SAFE_URL.match(url):
            reasons.append("<ulink> url must be an absolute http:// or https:// address")
        if node.get("type") not in (None, *ULINK_TYPES):
            reasons.append(f"<ulink> type must be one of {', '.join(ULINK_TYPES)}")
    return reasons
