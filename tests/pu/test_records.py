"""The PU answer as text (:mod:`simulator.pu.records`) against the way it was made before
(the domain's node tree written as text and parsed by lxml, the endpoint serializing the
tree): the same bytes for every seeded citizen, for values lxml writes differently
(carriage return, tab, characters to escape), after a stored citizen or a related person
changed, and on another date; and the caches stay bounded."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from xml.sax.saxutils import escape

import pytest
from lxml import etree

from simulator.population.domain import Citizen
from simulator.population.seed import seed_population
from simulator.population.store import from_stored
from simulator.pu import domain, records
from simulator.pu.soap import response_of
from simulator.soap import envelope
from simulator.soap.endpoint import TextAnswer
from tests.pu.golden import extra_citizens
from tests.pu.wire import CONTRACT

TODAY = dt.date(2026, 11, 30)


def _old_write(parts: list[str], nodes: list[domain.Node]) -> None:
    """The writer the producer used before (commit 39f358d), kept as the reference."""
    for name, value in nodes:
        if type(value) is list:
            parts.append(f"<core:{name}>")
            _old_write(parts, value)
            parts.append(f"</core:{name}>")
        elif value is True or value is False:
            parts.append(f"<core:{name}>{'true' if value else 'false'}</core:{name}>")
        else:
            parts.append(f"<core:{name}>{escape(str(value))}</core:{name}>")


def old_answer(lookup: domain.Lookup, stored: dict[str, str], today: dt.date) -> bytes:
    records_ = domain.answer(
        lookup,
        lambda pnrs: {p: from_stored(stored[p]) for p in pnrs if p in stored},
        today,
        lambda mains: _linked(stored, mains),
    )
    local = CONTRACT.response_element.rpartition("}")[2]
    parts = [f'<{local} xmlns="{CONTRACT.responder_namespace}" xmlns:core="{CONTRACT.core_namespace}">']
    for record in records_:
        parts.append("<requestedPersonRecord>")
        _old_write(parts, record)
        parts.append("</requestedPersonRecord>")
    parts.append(f"</{local}>")
    return envelope.response(etree.fromstring("".join(parts).encode("utf-8"), etree.XMLParser()))


def new_answer(lookup: domain.Lookup, stored: dict[str, str], today: dt.date) -> bytes:
    answer = records.answer(
        lookup, lambda pnrs: {p: stored[p] for p in pnrs if p in stored}, today, lambda m: _linked(stored, m)
    )
    payload = response_of(CONTRACT, answer)
    if isinstance(payload, TextAnswer):
        return envelope.response_text(payload.text)
    return envelope.response(payload)


def _linked(stored: dict[str, str], mains: list[str]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for pnr in sorted(stored):
        main = json.loads(stored[pnr]).get("linked_identity")
        if main in mains:
            found.setdefault(main, []).append(pnr)
    return found


def _stored(citizens: list[Citizen]) -> dict[str, str]:
    return {c.personnummer: json.dumps(c.to_json(), ensure_ascii=False, sort_keys=True) for c in citizens}


def _lookup(pnrs: list[str], profile: str, ignore: bool = False) -> domain.Lookup:
    return domain.Lookup(
        tuple(domain.PersonId(domain.identity_root(p), p) for p in pnrs), profile, ignore_referred_identity=ignore
    )


POPULATION = seed_population(TODAY) + extra_citizens()


@pytest.mark.parametrize("profile", ["P1", "P2", "P3", "P4", "P5"])
@pytest.mark.parametrize("ignore", [False, True])
def test_the_text_answer_is_the_bytes_lxml_wrote_before(profile, ignore):
    stored = _stored(POPULATION)
    lookup = _lookup(sorted(stored)[:500], profile, ignore)
    assert new_answer(lookup, stored, TODAY) == old_answer(lookup, stored, TODAY)


@pytest.mark.parametrize(
    "given", ["Anna\rMaria", "Anna\r\nMaria", "Anna\tMaria", "A&B <C> \"D\" 'E'", "Ånn\u00e4 \U0001f600", ""]
)
def test_values_lxml_writes_its_own_way_give_the_same_bytes(given):
    person = dataclasses.replace(POPULATION[0], given_name=given, calling_name=None, middle_name="x\ry")
    stored = _stored([person])
    lookup = _lookup([person.personnummer], "P5")
    assert new_answer(lookup, stored, TODAY) == old_answer(lookup, stored, TODAY)


def test_a_value_xml_cannot_hold_fails_as_before():
    person = dataclasses.replace(POPULATION[0], surname="Nul\x01l")
    stored = _stored([person])
    lookup = _lookup([person.personnummer], "P3")
    with pytest.raises(etree.XMLSyntaxError):
        old_answer(lookup, stored, TODAY)
    with pytest.raises(etree.XMLSyntaxError):
        new_answer(lookup, stored, TODAY)


def test_an_identity_echoed_with_a_carriage_return_gives_the_same_bytes():
    lookup = domain.Lookup((domain.PersonId(domain.OID_PERSONNUMMER, "1912\r1212"),), "P1", False)
    stored = _stored(POPULATION)
    assert new_answer(lookup, stored, TODAY) == old_answer(lookup, stored, TODAY)


def test_a_changed_citizen_is_answered_as_stored_now():
    person = next(c for c in POPULATION if c.relations)
    before = _stored(POPULATION)
    lookup = _lookup([person.personnummer], "P5")
    first = new_answer(lookup, before, TODAY)
    changed = _stored([*POPULATION, dataclasses.replace(person, surname="Bytt-Namn")])
    second = new_answer(lookup, changed, TODAY)
    assert b"Bytt-Namn" in second and b"Bytt-Namn" not in first
    assert second == old_answer(lookup, changed, TODAY)


def test_a_related_person_changed_or_another_date_changes_the_record():
    person = next(
        c for c in POPULATION if any(r.personnummer in {p.personnummer for p in POPULATION} for r in c.relations)
    )
    relative = next(p for p in POPULATION if p.personnummer in {r.personnummer for r in person.relations})
    lookup = _lookup([person.personnummer], "P4")
    renamed = _stored([*POPULATION, dataclasses.replace(relative, given_name="Omdöpt", calling_name=None)])
    assert "Omdöpt".encode() in new_answer(lookup, renamed, TODAY)
    for day in (TODAY, dt.date(2040, 1, 1)):
        assert new_answer(lookup, renamed, day) == old_answer(lookup, renamed, day)


def test_the_caches_keep_at_most_their_size():
    kept: records.Bounded[int, int] = records.Bounded(3)
    for n in range(10):
        kept.put(n, n)
        assert kept.get(n) == n
    kept.put(10, 10)
    assert len(kept) == 3
    assert kept.get(7) is None and [kept.get(n) for n in (8, 9, 10)] == [8, 9, 10]
    assert records.RECORDS_KEPT == records._RECORDS.size and records.CITIZENS_KEPT == records._CITIZENS.size


def _old_matches(pid: domain.PersonId) -> str | None:
    """matches() before the check digit moved behind the root test (commit 39f358d)."""
    from simulator.population.personnummer import has_valid_check_digit, is_reservnummer

    pnr = (pid.extension or "").strip()
    if is_reservnummer(pnr):
        return pnr if pid.root not in (domain.OID_PERSONNUMMER, domain.OID_SAMORDNINGSNUMMER) else None
    if has_valid_check_digit(pnr) and pid.root == domain.identity_root(pnr):
        return pnr
    return None


def test_an_identity_matches_as_before():
    numbers = [c.personnummer for c in POPULATION] + ["191212121213", "19121212121", "tolvan", "", " 191212121212 "]
    numbers += ["19700101T915", "19881360P962", "20000230T123", "194004619812", "19400461981x"]
    roots = [domain.OID_PERSONNUMMER, domain.OID_SAMORDNINGSNUMMER, domain.OID_RESERVNUMMER, "1.2.3", ""]
    for root in roots:
        for number in [*numbers, None]:
            pid = domain.PersonId(root, number)
            assert domain.matches(pid) == _old_matches(pid), pid
