"""The simulator clock: ISO commands, freezing, speed, and that changes never jump time
backwards by accident."""

import datetime as dt

import pytest

from simulator.clock import (
    EARLIEST,
    LATEST,
    MAX_SPEED,
    Clock,
    ClockState,
    apply_command,
    parse_duration,
    parse_instant,
)

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


# --- The clock can't be broken (issue 13, item 3): every state serves a time in range.

FAR = dt.datetime(9999, 12, 31, 22, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    "state",
    [
        ClockState(REAL, FAR, speed=100000),
        ClockState(REAL, dt.datetime(1, 1, 1, tzinfo=dt.UTC), speed=100000),
        ClockState(dt.datetime(1, 1, 1, tzinfo=dt.UTC), REAL, speed=100000),
        ClockState(REAL, REAL, speed=float("nan")),
        ClockState(REAL, REAL, speed=float("inf")),
        ClockState(REAL, REAL, speed=-5),
        ClockState(REAL, FAR, frozen=True),
    ],
)
def test_any_stored_state_reads_as_a_time_in_range(state):
    for later in (REAL, REAL + dt.timedelta(days=3650), dt.datetime(9999, 1, 1, tzinfo=dt.UTC)):
        now = state.now(later)
        assert EARLIEST <= now <= LATEST
        shown = state.as_dict(later)
        assert shown["speed"] <= MAX_SPEED and shown["now_local"]
    # and every command still works from it
    assert apply_command(state, {"reset": True}, REAL).now(REAL) == REAL
    assert EARLIEST <= apply_command(state, {"speed": 2}, REAL).now(REAL) <= LATEST


def test_a_fast_clock_stops_at_the_end_of_the_range():
    state = apply_command(ClockState.real_time(REAL), {"set": "2199-12-31T22:00:00+00:00", "speed": 100000}, REAL)
    assert state.now(REAL + dt.timedelta(seconds=2)) == dt.datetime(2200, 1, 1, tzinfo=dt.UTC)
    assert state.now(REAL + dt.timedelta(days=10**6)) == LATEST


@pytest.mark.parametrize(
    "command,field",
    [
        ({"set": "9999-12-31T22:00:00+00:00"}, "set"),
        ({"set": "0001-01-01T00:00:00+01:00"}, "set"),
        ({"set": "1899-12-31T23:59:59+00:00"}, "set"),
        ({"advance": "P999999999D"}, "advance"),
        ({"advance": "P99999999999999D"}, "advance"),
        ({"advance": "P100000D"}, "advance"),
        ({"advance": "-P100000D"}, "advance"),
        ({"speed": 100001}, "speed"),
    ],
)
def test_commands_leaving_the_range_are_refused(command, field):
    with pytest.raises(ValueError, match=field):
        apply_command(ClockState.real_time(REAL), command, REAL)


def test_the_bounds_themselves_are_accepted():
    for text in ("1900-01-01T00:00:00+00:00", "2200-01-01T00:00:00+00:00"):
        state = apply_command(ClockState.real_time(REAL), {"set": text, "speed": 100000}, REAL)
        assert state.now(REAL + dt.timedelta(hours=1)) in (EARLIEST + dt.timedelta(hours=100000), LATEST)
