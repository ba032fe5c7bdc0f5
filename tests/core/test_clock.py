"""The simulator clock: ISO commands, freezing, speed, and that changes never jump time
backwards by accident."""

import datetime as dt

import pytest

from simulator.clock import Clock, ClockState, apply_command, parse_duration, parse_instant

REAL = dt.datetime(2026, 11, 21, 12, 0, tzinfo=dt.UTC)


def test_real_time_by_default():
    assert Clock(lambda: None, real_now=lambda: REAL).now() == REAL


@pytest.mark.parametrize(
    "text,expected",
    [
        ("P3D", dt.timedelta(days=3)),
        ("PT90M", dt.timedelta(minutes=90)),
        ("P1W", dt.timedelta(weeks=1)),
        ("-PT1H", dt.timedelta(hours=-1)),
        ("P1DT2H3M4.5S", dt.timedelta(days=1, hours=2, minutes=3, seconds=4.5)),
    ],
)
def test_iso_durations(text, expected):
    assert parse_duration(text) == expected


@pytest.mark.parametrize("bad", ["", "P", "3D", "P1Y", "PT", "P1M", "P-1D"])
def test_bad_durations_are_refused(bad):
    with pytest.raises(ValueError):
        parse_duration(bad)


def test_advance_three_days_then_real_time_keeps_running():
    state = apply_command(ClockState.real_time(REAL), {"advance": "P3D"}, REAL)
    later = REAL + dt.timedelta(seconds=10)
    assert state.now(later) == REAL + dt.timedelta(days=3, seconds=10)


def test_freeze_stops_time_and_speed_multiplies_it():
    frozen = apply_command(ClockState.real_time(REAL), {"freeze": True}, REAL)
    assert frozen.now(REAL + dt.timedelta(hours=5)) == REAL
    fast = apply_command(frozen, {"freeze": False, "speed": 60}, REAL + dt.timedelta(hours=5))
    assert fast.now(REAL + dt.timedelta(hours=5, minutes=1)) == REAL + dt.timedelta(hours=1)


def test_set_naive_time_is_swedish_local_time():
    state = apply_command(ClockState.real_time(REAL), {"set": "2027-01-10T09:00:00"}, REAL)
    assert state.now(REAL) == dt.datetime(2027, 1, 10, 8, 0, tzinfo=dt.UTC)
    assert parse_instant("2027-07-10T09:00:00+02:00") == dt.datetime(2027, 7, 10, 7, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    "command,field",
    [
        ({"speed": 0}, "speed"),
        ({"speed": "x"}, "speed"),
        ({"freeze": "yes"}, "freeze"),
        ({"set": "igår"}, "set"),
        ({"jump": 1}, "clock command"),
        ({}, "clock command"),
    ],
)
def test_bad_commands_name_the_field(command, field):
    with pytest.raises(ValueError, match=field):
        apply_command(ClockState.real_time(REAL), command, REAL)
