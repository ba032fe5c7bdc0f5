"""The population's register attributes without a server: the control API's JSON form
(every error names its field), E.164 at the door (TKB PU 6.1.12), the county and
municipality codes derived from the address (TKB Användarens profil 8.4), the rules
that tie an attribute to an identity kind (TKB PU chapter 8, rows marked *), and a seed
that exercises every attribute (docs/population.md)."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from simulator.errors import FieldError
from simulator.population import register_demo as demo
from simulator.population.domain import Citizen, apply_json
from simulator.population.personnummer import is_reservnummer, is_samordningsnummer, with_check_digit
from simulator.population.register import RelationKind, e164
from simulator.population.seed import seed_population

PNR = with_check_digit("19850315981")
SNR = with_check_digit("19850375981")
RESERVE = "19850315T981"


def create(**members) -> Citizen:
    return apply_json(
        None, {"personnummer": members.pop("personnummer", PNR), "given_name": "A", "surname": "B", **members}
    )


@pytest.mark.parametrize(
    "typed,stored",
    [
        ("070-174 06 50", "+46701740650"),
        ("0701740650", "+46701740650"),
        ("+46 70 174 06 50", "+46701740650"),
        ("+46 (0)70-174 06 50", "+46701740650"),
        ("0046701740650", "+46701740650"),
        ("036-10 20 30", "+4636102030"),
        ("+47 22 33 44 55", "+4722334455"),
    ],
)
def test_phone_numbers_are_stored_as_e164_TKB_6_1_12(typed, stored):
    assert e164(typed, "x") == stored
    citizen = create(account={"exists": True, "mobile": typed, "phone": typed})
    assert (citizen.account.mobile, citizen.account.phone) == (stored, stored)


@pytest.mark.parametrize("typed", ["call me", "070", "+0701740650", "12345678901234567"])
def test_a_phone_number_that_is_not_one_names_the_field(typed):
    with pytest.raises(FieldError) as error:
        create(contact_persons=[{"relationship": "Granne", "phone": typed}])
    assert error.value.field == "contact_persons[0].phone"


@pytest.mark.parametrize(
    "members,field",
    [
        ({"relations": [{"personnummer": PNR[:11] + "0", "kind": "child"}]}, "relations[0].personnummer"),
        ({"relations": [{"personnummer": SNR, "kind": "cousin"}]}, "relations[0].kind"),
        ({"relations": [{"personnummer": SNR}]}, "relations[0].kind"),
        ({"relations": [{"personnummer": PNR, "kind": "spouse"}]}, "relations[0].personnummer"),
        ({"relations": {"personnummer": SNR}}, "relations"),
        ({"marital_status": {"code": "X"}}, "marital_status.code"),
        ({"marital_status": {"code": "G", "since": "2010-13-01"}}, "marital_status.since"),
        ({"citizenships": [{"country": "Norge"}]}, "citizenships[0].country"),
        ({"immigration": {"nordic_ids": [{"number": "1", "country": "DE"}]}}, "immigration.nordic_ids[0].country"),
        ({"immigration": {"right_of_residence": "ja"}}, "immigration.right_of_residence"),
        ({"special_address": {"street": "x" * 41}}, "special_address.street"),
        ({"special_address": {"town": "Borås"}}, "special_address.town"),
        ({"referred_identities": [{"personnummer": SNR, "status": "OLD"}]}, "referred_identities[0].status"),
        ({"referred_identities": [{"personnummer": RESERVE, "status": "NY"}]}, "referred_identities[0].personnummer"),
        ({"identity_level": "STYRKT"}, "identity_level"),
        ({"district_code": "1234567"}, "district_code"),
        ({"confirmed_identity": {"document": "PASS"}}, "confirmed_identity"),
        ({"registered_by": "SE2321000065-7331"}, "registered_by"),
        ({"object_id": "x"}, "object_id"),
        ({"updated_at": "2026-01-01T00:00:00"}, "updated_at"),
    ],
)
def test_bad_register_members_are_refused_naming_the_field(members, field):
    with pytest.raises(FieldError) as error:
        create(**members)
    assert error.value.field == field, error.value


def test_reserve_identity_members_belong_to_reservnummer_TKB_8():
    """Chapter 8's rows marked (*) are for reserve identities only."""
    citizen = create(
        personnummer=RESERVE,
        confirmed_identity={"document": "PASS", "country": "DE", "valid_until": "2031-05-31"},
        administrative={"category": "TURIST"},
        registered_by="SE2321000065-7331",
    )
    assert citizen.confirmed_identity.valid_until == dt.date(2031, 5, 31)
    assert create(personnummer=SNR, identity_level="SANNOLIK").identity_level == "SANNOLIK"


def test_every_member_survives_json_both_ways():
    """What the control API accepts, the citizens table stores and gives back unchanged."""
    for citizen in seed_population(dt.date(2026, 11, 22)):
        assert Citizen.from_json(citizen.to_json()) == citizen


@pytest.mark.parametrize(
    "address,codes",
    [
        ({"street": "Storgatan 1", "postal_code": "553 20", "city": "Jönköping"}, ("06", "80", "01")),
        ({"street": "Kungsgatan 3", "postal_code": "41119", "city": "GÖTEBORG"}, ("14", "80", "01")),
        ({"street": "Drottninggatan 2", "postal_code": "90000", "city": "Umeå"}, ("24", "80", "01")),
        ({"street": "Fjällvägen 1", "postal_code": "98138", "city": "Kiruna"}, (None, None, None)),
    ],
    ids=["by-postal-code", "by-city", "city-when-prefix-unknown", "unknown"],
)
def test_codes_come_from_the_address_when_not_given_TKB_8_4(address, codes):
    citizen = create(address=address)
    assert (citizen.county_code, citizen.municipality_code, citizen.parish_code) == codes


def test_codes_given_explicitly_win_and_a_move_within_the_town_keeps_the_parish():
    address = {"street": "Storgatan 1", "postal_code": "55320", "city": "Jönköping"}
    citizen = create(address=address, parish_code="05")
    assert (citizen.county_code, citizen.municipality_code, citizen.parish_code) == ("06", "80", "05")
    moved = apply_json(citizen, {"address": {"street": "Östra Storgatan 9"}})
    assert moved.parish_code == "05"
    away = apply_json(citizen, {"address": {"postal_code": "41119", "city": "Göteborg"}})
    assert (away.county_code, away.municipality_code, away.parish_code) == ("14", "80", "01")
    assert away.register_codes(full=True) == ("14", "1480", "148001")


def test_object_id_is_a_stable_uuid_not_the_personnummer():
    citizen = create()
    assert citizen.object_id == create().object_id != citizen.personnummer
    assert citizen.to_json()["object_id"] == citizen.object_id


# The attributes the seeded population must exercise, each with a check.
REGISTER_COVERAGE = {
    "guardian of a minor": lambda c, today: c.related(RelationKind.CHILD) and c.account.active,
    "minor with guardians and account": lambda c, today: (
        c.is_minor(today) and len(c.related(RelationKind.GUARDIAN)) == 2 and c.account.active
    ),
    "minor with guardians, no account": lambda c, today: (
        c.is_minor(today) and c.related(RelationKind.GUARDIAN) and not c.account.exists
    ),
    "married couple": lambda c, today: c.related(RelationKind.SPOUSE) and c.marital_status.code == "G",
    "immigrant": lambda c, today: c.immigration and c.immigration.nordic_ids and c.birth_abroad,
    "foreign citizen": lambda c, today: any(s.country != "SE" for s in c.citizenships),
    "changed personnummer (old)": lambda c, today: c.replaced_by and not is_samordningsnummer(c.personnummer),
    "changed personnummer (new)": lambda c, today: any(r.status == "AS" for r in c.referred_identities),
    "samordningsnummer replaced": lambda c, today: is_samordningsnummer(c.personnummer) and c.replaced_by,
    "historical address": lambda c, today: c.previous_address and c.previous_registrations,
    "special address": lambda c, today: c.special_address,
    "address abroad": lambda c, today: c.address_abroad,
    "contact person": lambda c, today: c.contact_persons,
    "confirmed reserve identity": lambda c, today: is_reservnummer(c.personnummer) and c.confirmed_identity,
    "identity level": lambda c, today: c.identity_level,
}


@pytest.mark.parametrize("today", [dt.date(2026, 11, 22), dt.date(2030, 8, 29), dt.date(2036, 12, 31)])
def test_the_seed_exercises_every_register_attribute(today):
    population = seed_population(today)
    missing = [name for name, check in REGISTER_COVERAGE.items() if not any(check(c, today) for c in population)]
    if today > dt.date(2030, 8, 29):
        missing.remove("minor with guardians and account")  # Sixten turns 18 on 2030-08-30
    assert not missing


def test_seeded_relations_are_mutual():
    """A child lists its guardians and each guardian the child; spouses each other."""
    people = {c.personnummer: c for c in seed_population(dt.date(2026, 11, 22))}
    mirror = {RelationKind.GUARDIAN: RelationKind.CHILD, RelationKind.CHILD: RelationKind.GUARDIAN}
    for citizen in people.values():
        for relation in citizen.relations:
            other = people[relation.personnummer]
            assert citizen.personnummer in other.related(mirror.get(relation.kind, relation.kind)), (citizen, relation)
    assert people[demo.SIRI].related(RelationKind.GUARDIAN) == [demo.SVEN, demo.SARA]


def test_the_documented_json_examples_are_accepted():
    """docs/population.md "Register attributes": the first example on a personnummer, the
    second on a reservnummer, as the page says."""
    text = (Path(__file__).resolve().parents[2] / "docs" / "population.md").read_text("utf-8")
    section = text.split("### Register attributes", 1)[1]
    full, reserve = (json.loads(block) for block in re.findall(r"```json\n(.*?)```", section, re.S)[:2])
    citizen = create(**full)
    assert citizen.relations[0].kind == RelationKind.CHILD and citizen.contact_persons[0].phone == "+46701740690"
    assert create(personnummer=RESERVE, **reserve).administrative.category == "TURIST"
    assert create(personnummer=SNR, identity_level="STYRKT").identity_level == "STYRKT"
