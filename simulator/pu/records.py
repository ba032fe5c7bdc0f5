"""GetPersonsForProfile answered from person records rendered once per stored citizen
version (issue #12: a 500-identity call in at most 20 ms of CPU).

What :func:`simulator.pu.domain.person_record` makes of a citizen depends only on the
stored citizen (its JSON text), the profile level shown, the reserve identities linked to
it and, from P4, the stored records of its related persons and the date (custody ends at
18). So the record is written as XML text once per such combination and kept in a
bounded cache (:class:`Bounded`, oldest out); a changed citizen has other JSON text and
so another key, and the old entry simply ages out. A stored citizen version is decoded
once (the store's shared citizen), and what :func:`simulator.pu.domain.matches` checks of
its number is worked out with it (:class:`Stored`). Neither cache holds anything of a
request: the keys are stored texts, levels and dates, the values rendered records and
decoded citizens (issue #12: flat memory, no retained request trees).

The text is what lxml writes for the same tree (empty elements as ``<x/>``, ``&``, ``<``
and ``>`` escaped), so the endpoint can send it without a parse and a serialization.
A value lxml would write differently (a carriage return, which the XML parser turns into
a line feed; a character XML 1.0 forbids) makes the whole answer :attr:`Answer.plain`
false: the producer then parses the text as before and lets lxml have the last word.
The rules themselves stay in :mod:`simulator.pu.domain` and :mod:`simulator.pu.sections`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import threading
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from simulator.population.domain import Citizen
from simulator.population.store import shared_citizen
from simulator.pu import domain
from simulator.pu.domain import Node
from simulator.soap.envelope import escape_text as escape

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

CORE = "core:"  # the prefix of the domain namespace in the answer
# Characters lxml would not write back as given: CR (normalised to LF by the parser),
# those XML 1.0 forbids (the parse fails), lone surrogates (UTF-8 cannot encode them).
_NOT_PLAIN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\r\ud800-\udfff\ufffe\uffff]")
# Entries, not bytes: a P5 record is ~2.5 kB of text, a parsed citizen a few kB, so each
# cache stays below ~10 MB whatever the population. The seeded population (~220 persons)
# at five levels is ~1,100 records.
RECORDS_KEPT = 4096
CITIZENS_KEPT = 2048


class Bounded(Generic[K, V]):
    """A dict of at most ``size`` entries; the oldest goes first. Not least-recently-used
    on purpose: a hit is one dict lookup (atomic under the GIL, no lock, no reordering),
    and the working set (the population at five levels) fits the size anyway. Shared by a
    worker's threads: a store takes the lock, held for dict operations only."""

    def __init__(self, size: int):
        self.size = size
        self._entries: dict[K, V] = {}
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        return self._entries.get(key)

    def put(self, key: K, value: V) -> None:
        with self._lock:
            self._entries[key] = value
            while len(self._entries) > self.size:
                del self._entries[next(iter(self._entries))]

    def __len__(self) -> int:
        return len(self._entries)


@dataclasses.dataclass(frozen=True)
class Stored:
    """One stored citizen version: its JSON text (the cache key) and the citizen it holds.
    Shared between requests and threads: read only."""

    data: str
    citizen: Citizen
    kind: domain.IdentityKind  # what :func:`simulator.pu.domain.matches` checks of the number


@dataclasses.dataclass(frozen=True)
class Rendered:
    text: bytes  # ``<core:personRecord>...</core:personRecord>`` in UTF-8
    plain: bool  # lxml writes the same text back (see the module docstring)


_END = b"</requestedPersonRecord>"
_CITIZENS: Bounded[str, Stored] = Bounded(CITIZENS_KEPT)
_RECORDS: Bounded[tuple, Rendered] = Bounded(RECORDS_KEPT)


@dataclasses.dataclass
class Answer:
    """The ``requestedPersonRecord`` elements as UTF-8 text, in request order."""

    records: list[bytes]
    found: int  # how many identities got a person record
    plain: bool  # every value is written as lxml would write it


def write(parts: list[str], nodes: list[Node]) -> None:
    """``nodes`` (all in the domain namespace) as XML text: one string per element."""
    for name, value in nodes:
        if type(value) is list:
            if value:
                parts.append(f"<{CORE}{name}>")
                write(parts, value)
                parts.append(f"</{CORE}{name}>")
            else:
                parts.append(f"<{CORE}{name}/>")
            continue
        if value is True or value is False:
            text = "true" if value else "false"
        else:
            text = escape(str(value))
        parts.append(f"<{CORE}{name}>{text}</{CORE}{name}>" if text else f"<{CORE}{name}/>")


def rendered(nodes: list[Node]) -> Rendered:
    parts: list[str] = []
    write(parts, nodes)
    text = "".join(parts)
    return Rendered(text.encode("utf-8"), _NOT_PLAIN.search(text) is None)


def stored(data: str) -> Stored:
    """The citizen of a stored version, parsed once per version."""
    found = _CITIZENS.get(data)
    if found is None:
        citizen = shared_citizen(data)
        found = Stored(data, citizen, domain.identity_kind(citizen.personnummer))
        _CITIZENS.put(data, found)
    return found


def answer(
    lookup: domain.Lookup,
    read: Callable[[list[str]], dict[str, str]],
    today: dt.date | None,
    linked_to: Callable[[list[str]], dict[str, list[str]]],
) -> Answer:
    """What :func:`simulator.pu.domain.answer` answers, as text. ``read(personnummer list)
    -> {personnummer: stored JSON text}``; the same persons are read as there (the
    requested, their main identities, from P4 their related persons), and those whose
    identity is asked under the wrong root: the number is looked up first and checked
    (:func:`simulator.pu.domain.matches`, worked out once per stored person) only if
    someone has it. They are never shown, and every person shown or named reads as there.
    """
    level = domain.check(lookup)
    asked = {(pid.root, pid.extension): (pid.extension or "").strip() for pid in lookup.ids}
    people = _read(read, {pnr for pnr in asked.values() if pnr})
    matched = {}
    for (root, extension), pnr in asked.items():
        person = people.get(pnr)
        matched[(root, extension)] = pnr if person is not None and domain.accepts(person.kind, root) else None
    main = {s.citizen.linked_identity for s in people.values() if s.citizen.linked_identity} - people.keys()
    if main:
        people.update(_read(read, main))
    if level >= 4:
        related = {r.personnummer for s in people.values() for r in s.citizen.relations} - people.keys()
        if related:
            people.update(_read(read, related))
    reserves = linked_to(sorted(people))
    ignore = lookup.ignore_referred_identity
    shown = {key: _requested(key, m, people, level, ignore, today, reserves) for key, m in matched.items()}
    records = [shown[(pid.root, pid.extension)] for pid in lookup.ids]
    return Answer([r.text for r in records], sum(1 for r in records if r.found), all(r.plain for r in records))


def _read(read: Callable[[list[str]], dict[str, str]], personnummer: set[str]) -> dict[str, Stored]:
    return {pnr: stored(data) for pnr, data in read(sorted(personnummer)).items()}


@dataclasses.dataclass(frozen=True)
class Requested:
    text: bytes  # one ``requestedPersonRecord``, UTF-8
    found: bool  # it has a person record
    plain: bool


def _requested(
    key: tuple[str, str | None],
    match: str | None,
    people: dict[str, Stored],
    level: int,
    ignore_referred: bool,
    today: dt.date | None,
    reserves: dict[str, list[str]],
) -> Requested:
    """:func:`simulator.pu.domain.requested_record` as text."""
    root, extension = key  # the identity as the request gave it: IIType, root and extension
    echo = f"<{CORE}root>{escape(root)}</{CORE}root>" if root else f"<{CORE}root/>"
    if extension is not None:
        echo += f"<{CORE}extension>{escape(extension)}</{CORE}extension>" if extension else f"<{CORE}extension/>"
    echo = f"<{CORE}requestedPersonalIdentity>{echo}</{CORE}requestedPersonalIdentity>"
    echo_plain = _NOT_PLAIN.search(echo) is None
    head = f"<requestedPersonRecord>{echo}".encode()
    found = people.get(match or "")
    if found is None:
        return Requested(head + _END, False, echo_plain)
    main = people.get(found.citizen.linked_identity or "")
    main_citizen = main.citizen if main is not None else None
    use_main, shown_level = domain.record_choice(found.citizen, main_citizen, level, ignore_referred)
    if use_main and main is not None:
        found = main
    record = _record(found, shown_level, people, today, reserves.get(found.citizen.personnummer, []))
    return Requested(b"".join((head, record.text, _END)), True, echo_plain and record.plain)


def _record(
    found: Stored, level: int, people: dict[str, Stored], today: dt.date | None, linked_from: list[str]
) -> Rendered:
    """``<core:personRecord>`` of ``found`` at ``level``, rendered once per key."""
    relations = found.citizen.relations if level >= 4 else []
    others = {r.personnummer: people.get(r.personnummer) for r in relations}
    key: tuple = (found.data, level, tuple(linked_from))
    if level >= 4:
        key += (today, tuple(o.data if o is not None else None for o in others.values()))
    done = _RECORDS.get(key)
    if done is None:
        known = {pnr: o.citizen for pnr, o in others.items() if o is not None}
        nodes = domain.person_record(found.citizen, level, known, today, linked_from)
        done = rendered([("personRecord", nodes)])
        _RECORDS.put(key, done)
    return done
