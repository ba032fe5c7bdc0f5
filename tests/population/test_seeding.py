"""Seeding as users run it: ``kallelse persons seed`` / ``persons list`` and ``kallelse
serve --seed``, both placing the age-boundary persons on the simulator clock's date."""

from __future__ import annotations

import datetime as dt

import requests
from click.testing import CliRunner

from simulator.cli import main
from simulator.population.personnummer import birth_date
from simulator.population.seed import SIZE, turning_18_on
from simulator.population.store import CitizenStore
from simulator.storage import Database
from simulator.storage.database import sqlite_url


def _kallelse(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_persons_seed_is_repeatable_and_persons_list_shows_the_demo_persons(tmp_path):
    assert f"seeded {SIZE} citizens" in _kallelse("persons", "seed", "--data-dir", str(tmp_path))
    assert f"seeded {SIZE} citizens" in _kallelse("persons", "seed", "--data-dir", str(tmp_path))
    stored = CitizenStore(Database(sqlite_url(tmp_path))).all()
    assert len(stored) == SIZE and all(c.seeded for c in stored)
    listing = _kallelse("persons", "list", "--data-dir", str(tmp_path)).splitlines()
    assert listing[0].startswith("191212121212  Tolvan Tolvansson")
    assert "CH-01" in listing[0]
    assert len(listing) == len([c for c in stored if c.label])


def test_served_population_has_its_18th_birthday_on_the_clock_date(simulator):
    clock = requests.get(f"{simulator.url}/api/clock", timeout=10).json()
    today = dt.datetime.fromisoformat(clock["now_local"]).date()
    stored = CitizenStore(Database(sqlite_url(simulator.data_dir))).all()
    (greta,) = [c for c in stored if c.label and c.label.startswith("Fyller 18 i dag")]
    # the server may have seeded just before midnight
    assert birth_date(greta.personnummer) in {turning_18_on(today), turning_18_on(today - dt.timedelta(days=1))}


def test_labelled_finds_exactly_the_citizens_with_a_persona_label(tmp_path):
    """The login page's list (CitizenStore.labelled): a text search narrows the rows, the
    decoded citizen decides, so a label-like text in another field is not a label."""
    import dataclasses

    from simulator.population.domain import Citizen
    from simulator.population.personnummer import with_check_digit

    _kallelse("persons", "seed", "--data-dir", str(tmp_path))
    store = CitizenStore(Database(sqlite_url(tmp_path)))
    unlabelled, labelled = with_check_digit("19550505123"), with_check_digit("19550505124")
    plain = Citizen(personnummer=unlabelled, given_name='Ada "label": "x"', surname="Lind")
    assert store.create(plain)
    assert store.create(dataclasses.replace(plain, personnummer=labelled, label="Vuxen, ny persona"))
    expected = [c.personnummer for c in store.all() if c.label]
    assert [c.personnummer for c in store.labelled()] == expected
    assert labelled in expected and unlabelled not in expected
