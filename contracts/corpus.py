"""Random XML documents for a contract, valid ones and deliberately broken ones.

The generator walks the :mod:`xmlschema` component model of a responder schema: every
particle is emitted between its minOccurs and maxOccurs, abstract element types get a
concrete ``xsi:type``, simple values come from their facets (enumeration, pattern) or
their primitive type. Each valid document then gets exactly one *mutation* (a dropped
required element, a duplicated single element, a wrong enumeration value, a malformed
boolean/date/time/integer, a bad personnummer, an unknown element, a wrong namespace,
...) to make its invalid twin.

Randomness comes from the ``random.Random``-like object passed in (``randint``,
``choice``, ``random``, ``shuffle``), so a seed reproduces a corpus and the tests can hand
in a Hypothesis-controlled one.
"""

from __future__ import annotations

import copy
import dataclasses
import re
import string

from lxml import etree
from xmlschema.validators import XsdAnyElement, XsdElement, XsdGroup, XsdType

XSI = "http://www.w3.org/2001/XMLSchema-instance"
XS = "{http://www.w3.org/2001/XMLSchema}"
FOREIGN_NS = "urn:kallelse-testbed:corpus:extension"
MAX_DEPTH = 5
TEXT_ALPHABET = string.ascii_letters + string.digits + " åäöÅÄÖé-_.,:;/?&<>'\"=#%()[]{}!\u00a0€"


class GeneratorError(Exception):
    """The schema uses a construct the generator cannot produce valid values for."""


@dataclasses.dataclass
class Node:
    """One generated element and the schema component it was generated from."""

    element: etree._Element
    particle: XsdElement  # its min/max occurs apply within the parent
    xsd_type: XsdType  # the type actually used (after any xsi:type)


@dataclasses.dataclass
class Generated:
    root: etree._Element
    nodes: list[Node]

    def bytes(self) -> bytes:
        return etree.tostring(self.root, encoding="UTF-8", xml_declaration=True)


class DocumentFactory:
    """Valid documents for the global elements of one schema."""

    def __init__(self, schema, rnd, max_depth: int = MAX_DEPTH):
        self.schema = schema
        self.rnd = rnd
        self.max_depth = max_depth
        self.values = ValueFactory(rnd)
        self.roots = [e for qname, e in sorted(schema.elements.items())]
        self._derived: dict[str, list] = {}
        # Every namespace gets a prefix on the root, so xsi:type values resolve anywhere.
        namespaces = sorted(ns for ns in schema.maps.namespaces if ns and not ns.startswith("http://www.w3.org/"))
        self.prefixes = {ns: f"n{index}" for index, ns in enumerate(namespaces)}
        self.nsmap = {"xsi": XSI, "xs": XS[1:-1], **{p: ns for ns, p in self.prefixes.items()}}

    def document(self, root=None) -> Generated:
        element = root if root is not None else self.rnd.choice(self.roots)
        nodes: list[Node] = []
        return Generated(self._element(element, None, nodes, depth=0), nodes)

    # -- elements ------------------------------------------------------------------

    def _element(self, particle, parent, nodes, depth):
        tag = particle.name
        node = etree.SubElement(parent, tag) if parent is not None else etree.Element(tag, nsmap=self.nsmap)
        xsd_type = self._pick_type(particle.type)
        if xsd_type is not particle.type:
            node.set(f"{{{XSI}}}type", self._prefixed(xsd_type.name))
        nodes.append(Node(node, particle, xsd_type))
        if xsd_type.is_simple():
            node.text = self.values.value(xsd_type)
        elif isinstance(xsd_type.content, XsdGroup):
            self._group(xsd_type.content, node, nodes, depth + 1)
        else:
            node.text = self.values.value(xsd_type.content)
        return node

    def _pick_type(self, declared):
        """An abstract type needs a concrete extension named by xsi:type; a concrete one
        sometimes gets one too, because validators must accept it."""
        if declared.is_simple() or not declared.name:
            return declared
        derived = self._derived_types(declared)
        if declared.abstract:
            if not derived:
                raise GeneratorError(f"abstract type {declared.name} has no concrete derived type")
            return self.rnd.choice(derived)
        if derived and self.rnd.random() < 0.1:
            return self.rnd.choice(derived)
        return declared

    def _derived_types(self, base) -> list:
        if base.name not in self._derived:
            self._derived[base.name] = [
                t
                for name, t in sorted(self.schema.maps.types.items())
                if t is not base
                and not t.is_simple()
                and not t.abstract
                and t.is_derived(base)
                and t.derivation == "extension"
            ]
        return self._derived[base.name]

    def _prefixed(self, qname: str) -> str:
        namespace, local = qname[1:].split("}")
        return f"{self.prefixes[namespace]}:{local}"

    # -- model groups --------------------------------------------------------------

    def _count(self, particle, depth) -> int:
        """How often to emit a particle: between minOccurs and a small cap above it; at
        the depth limit only minOccurs, so recursive types (CaseType/details/Cases) end."""
        low = particle.min_occurs
        high = particle.max_occurs if particle.max_occurs is not None else low + 3
        if depth >= self.max_depth:
            return low
        if low == 0 and high >= 1 and self.rnd.random() < 0.35:
            return 0
        return self.rnd.randint(max(low, 1 if high else 0), min(high, max(low, 1) + 2))

    def _group(self, group: XsdGroup, parent, nodes, depth):
        for _ in range(self._count(group, depth)):
            if group.model == "choice":
                self._particle(self.rnd.choice(list(group)), parent, nodes, depth, force=True)
                continue
            particles = list(group)
            if group.model == "all":
                self.rnd.shuffle(particles)
            for particle in particles:
                self._particle(particle, parent, nodes, depth)

    def _particle(self, particle, parent, nodes, depth, force=False):
        if isinstance(particle, XsdGroup):
            self._group(particle, parent, nodes, depth)
            return
        count = max(self._count(particle, depth), 1 if force else 0)
        for _ in range(count):
            if isinstance(particle, XsdAnyElement):
                self._wildcard(particle, parent)
            else:
                self._element(particle, parent, nodes, depth)

    def _wildcard(self, wildcard, parent):
        """Content a lax wildcard admits: an element in a namespace it allows."""
        allowed = sorted(wildcard.namespace)
        namespace = FOREIGN_NS
        if "##any" not in allowed and "##other" not in allowed:
            namespace = (
                self.rnd.choice(allowed).replace("##local", "").replace("##targetNamespace", wildcard.target_namespace)
            )
        tag = f"{{{namespace}}}extra{self.rnd.randint(1, 9)}" if namespace else f"extra{self.rnd.randint(1, 9)}"
        node = etree.SubElement(parent, tag)
        node.text = self.values.text()


class ValueFactory:
    """Lexical values that satisfy a simple type (checked against xmlschema)."""

    def __init__(self, rnd):
        self.rnd = rnd

    def value(self, xsd_type) -> str:
        for _ in range(50):
            candidate = self._candidate(xsd_type)
            if xsd_type.is_valid(candidate):
                return candidate
        raise GeneratorError(f"cannot produce a valid value for {xsd_type.name or xsd_type!r}")

    def _candidate(self, xsd_type) -> str:
        if getattr(xsd_type, "enumeration", None):
            return self.rnd.choice(list(xsd_type.enumeration))
        patterns = getattr(xsd_type, "patterns", None)
        if patterns:
            return RegexSampler(self.rnd).sample(self.rnd.choice(list(patterns.regexps)))
        primitive = getattr(getattr(xsd_type, "primitive_type", None), "local_name", None) or "string"
        maker = getattr(self, f"_{primitive}", None)
        return maker() if maker else self.text()

    def text(self) -> str:
        length = self.rnd.choice((0, 1, 5, 12, 40))
        return "".join(self.rnd.choice(TEXT_ALPHABET) for _ in range(length))

    def _string(self) -> str:
        return self.text()

    def _boolean(self) -> str:
        return self.rnd.choice(("true", "false", "1", "0"))

    def _zone(self) -> str:
        return self.rnd.choice(("", "", "Z", "+01:00", "+02:00", "-05:30"))

    def _date(self) -> str:
        return f"{self.rnd.randint(1900, 2099):04d}-{self.rnd.randint(1, 12):02d}-{self.rnd.randint(1, 28):02d}{self._zone()}"

    def _time(self) -> str:
        fraction = self.rnd.choice(("", "", ".5", ".123"))
        return (
            f"{self.rnd.randint(0, 23):02d}:{self.rnd.randint(0, 59):02d}:{self.rnd.randint(0, 59):02d}"
            f"{fraction}{self._zone()}"
        )

    def _dateTime(self) -> str:
        return f"{self._date()[:10]}T{self._time()}"

    def _decimal(self) -> str:
        """xs:integer's primitive is xs:decimal; whole numbers satisfy both."""
        sign = self.rnd.choice(("", "", "-", "+"))
        return f"{sign}{self.rnd.randint(0, 10 ** self.rnd.randint(1, 12))}"


class RegexSampler:
    """Strings matching the small XSD regular expressions contracts use: literals,
    escapes, ``.``, ``[...]`` classes with ranges, groups, ``|`` and quantifiers."""

    _CLASS_ESCAPES = {"d": string.digits, "w": string.ascii_letters + string.digits, "s": " "}

    def __init__(self, rnd):
        self.rnd = rnd

    def sample(self, pattern: str) -> str:
        out, position = self._alternation(pattern, 0)
        if position != len(pattern):
            raise GeneratorError(f"unsupported pattern {pattern!r}")
        return out

    def _alternation(self, pattern, i):
        branches, current = [], []
        while i < len(pattern) and pattern[i] != ")":
            if pattern[i] == "|":
                branches.append(current)
                current, i = [], i + 1
                continue
            atom, i = self._atom(pattern, i)
            low, high, i = self._quantifier(pattern, i)
            current.append((atom, low, high))
        branches.append(current)
        chosen = self.rnd.choice(branches)
        return "".join(atom() for atom, low, high in chosen for _ in range(self.rnd.randint(low, high))), i

    def _atom(self, pattern, i):
        char = pattern[i]
        if char == "(":
            end = self._group_end(pattern, i)
            inner = pattern[i + 1 : end]
            return (lambda: self.sample(inner)), end + 1
        if char == "[":
            end = pattern.index("]", i + 1)
            choices = self._class(pattern[i + 1 : end])
            return (lambda: self.rnd.choice(choices)), end + 1
        if char == "\\":
            escaped = pattern[i + 1]
            choices = self._CLASS_ESCAPES.get(escaped, escaped)
            return (lambda: self.rnd.choice(choices)), i + 2
        if char == ".":
            return (lambda: self.rnd.choice(string.ascii_letters)), i + 1
        return (lambda: char), i + 1

    @staticmethod
    def _group_end(pattern, i):
        depth = 0
        for j in range(i, len(pattern)):
            depth += {"(": 1, ")": -1}.get(pattern[j], 0)
            if depth == 0:
                return j
        raise GeneratorError(f"unbalanced group in {pattern!r}")

    def _class(self, body: str) -> str:
        if body.startswith("^"):
            raise GeneratorError(f"negated character class [{body}] is not supported")
        chars: list[str] = []
        i = 0
        while i < len(body):
            if body[i] == "\\":
                chars.extend(self._CLASS_ESCAPES.get(body[i + 1], body[i + 1]))
                i += 2
            elif i + 2 < len(body) and body[i + 1] == "-":
                chars.extend(chr(c) for c in range(ord(body[i]), ord(body[i + 2]) + 1))
                i += 3
            else:
                chars.append(body[i])
                i += 1
        return "".join(chars)

    @staticmethod
    def _quantifier(pattern, i):
        if i < len(pattern) and pattern[i] in "?*+":
            return {"?": (0, 1), "*": (0, 3), "+": (1, 3)}[pattern[i]] + (i + 1,)
        match = re.match(r"\{(\d+)(,(\d*))?\}", pattern[i:])
        if not match:
            return 1, 1, i
        low = int(match.group(1))
        high = low if match.group(2) is None else int(match.group(3) or low + 3)
        return low, high, i + match.end()


# --- mutations -----------------------------------------------------------------------

# Malformed lexical values per mutation "bad-<name>".
BAD_LEXICAL = {
    "boolean": ("yes", "True", "no", "2", "", "t"),
    "date": ("2024-13-01", "2024-02-30", "20240101", "2024-1-1", "24-01-01", "2024-01-01T10:00:00"),
    "time": ("25:00:00", "12:60:00", "1200", "12:00", "noon"),
    "dateTime": ("2024-01-01", "2024-01-01 10:00:00", "2024-01-01T25:00:00", "tomorrow"),
    "integer": ("1.5", "12a", "", "one", "1e3"),
}
BAD_PERSONNUMMER = (
    "19121212-1212",
    "1912121212",
    "19121212121",
    "1912121212123",
    "19121212X212",
    "^191212121212$",
    " 191212121212",
    "191212121212 ",
    "19121212121A",
)


def _primitive(xsd_type) -> str | None:
    return getattr(getattr(xsd_type, "primitive_type", None), "local_name", None)


def _is_integer(xsd_type) -> bool:
    return xsd_type.is_derived(xsd_type.maps.types[f"{XS}integer"]) if xsd_type.is_simple() else False


class Mutator:
    """Breaks a generated document in exactly one way, chosen at random among the
    mutations that apply to it; returns the mutation's name."""

    def __init__(self, rnd):
        self.rnd = rnd

    def mutate(self, doc: Generated) -> str:
        options = [(name, target) for name, targets in self._candidates(doc).items() for target in targets]
        kinds = sorted({name for name, _ in options})
        kind = self.rnd.choice(kinds)
        target = self.rnd.choice([t for name, t in options if name == kind])
        lexical = kind.removeprefix("bad-")
        if lexical in BAD_LEXICAL:
            target.element.text = self.rnd.choice(BAD_LEXICAL[lexical])
        else:
            getattr(self, "_" + kind.replace("-", "_"))(target)
        return kind

    def _candidates(self, doc: Generated) -> dict[str, list]:
        found: dict[str, list] = {
            k: []
            for k in (
                "drop-required",
                "duplicate-single",
                "bad-enumeration",
                "bad-boolean",
                "bad-date",
                "bad-time",
                "bad-dateTime",
                "bad-integer",
                "bad-personnummer",
                "unknown-element",
                "wrong-namespace",
                "unknown-attribute",
                "text-in-element-only",
                "swap-order",
                "bad-xsi-type",
            )
        }
        for node in doc.nodes:
            element, particle, xsd_type = node.element, node.particle, node.xsd_type
            parent = element.getparent()
            if parent is not None:
                same = [c for c in parent if c.tag == element.tag]
                if particle.min_occurs >= 1 and len(same) <= particle.min_occurs:
                    found["drop-required"].append(node)
                if particle.max_occurs == 1:
                    found["duplicate-single"].append(node)
                following = element.getnext()
                if following is not None and following.tag != element.tag:
                    found["swap-order"].append(node)
            found["wrong-namespace"].append(node)
            found["unknown-attribute"].append(node)
            if xsd_type.is_simple():
                if getattr(xsd_type, "enumeration", None):
                    found["bad-enumeration"].append(node)
                elif getattr(xsd_type, "patterns", None):
                    found["bad-personnummer"].append(node)
                elif _is_integer(xsd_type):
                    found["bad-integer"].append(node)
                elif _primitive(xsd_type) in ("boolean", "date", "time", "dateTime"):
                    found[f"bad-{_primitive(xsd_type)}"].append(node)
            else:
                found["unknown-element"].append(node)
                found["text-in-element-only"].append(node)
                if element.get(f"{{{XSI}}}type") or xsd_type is not particle.type:
                    found["bad-xsi-type"].append(node)
        return {k: v for k, v in found.items() if v}

    def _drop_required(self, node):
        node.element.getparent().remove(node.element)

    def _duplicate_single(self, node):
        node.element.addnext(copy.deepcopy(node.element))

    def _bad_enumeration(self, node):
        allowed = list(node.xsd_type.enumeration)
        wrong = [
            v
            for v in (allowed[0].lower(), allowed[0].upper(), allowed[0] + "X", " " + allowed[0], "Unknown", "")
            if v not in allowed
        ]
        node.element.text = self.rnd.choice(wrong)

    def _bad_personnummer(self, node):
        node.element.text = self.rnd.choice(BAD_PERSONNUMMER)

    def _unknown_element(self, node):
        namespace = etree.QName(node.element).namespace
        extra = etree.Element(f"{{{namespace}}}unexpectedField" if namespace else "unexpectedField")
        extra.text = "x"
        node.element.insert(self.rnd.randint(0, len(node.element)), extra)

    def _wrong_namespace(self, node):
        qname = etree.QName(node.element)
        other = self.rnd.choice([f"{qname.namespace}:other", "", FOREIGN_NS])
        node.element.tag = f"{{{other}}}{qname.localname}" if other else qname.localname

    def _unknown_attribute(self, node):
        node.element.set(self.rnd.choice(("status", "id", "lang")), "x")

    def _text_in_element_only(self, node):
        node.element.text = (node.element.text or "") + "stray text"

    def _swap_order(self, node):
        following = node.element.getnext()
        following.addnext(node.element)

    def _bad_xsi_type(self, node):
        attribute = f"{{{XSI}}}type"
        choice = self.rnd.choice(("remove", "unknown", "unrelated"))
        if choice == "remove" and node.particle.type.abstract:
            del node.element.attrib[attribute]
        elif choice == "unrelated":
            node.element.set(attribute, "xs:boolean")  # the root declares xs:
        else:
            node.element.set(attribute, "NoSuchType")
