"""A bug in a step handler must not wedge a booking, nor send a delivery twice (LK-04):
the engine records the error and plans a retry. A step the handler had already marked
``sending`` may have gone out before the bug struck, so its retry stays ``sending`` (it asks
the receiver before sending again); one that failed before it was marked goes back to
``todo``. In-process: the handler is replaced, nothing is called over the network."""

from __future__ import annotations

import datetime as dt

import pytest

from dispatchcore import engine as engine_module
from dispatchcore import schema
from dispatchcore.clock import HostClock
from dispatchcore.domain import parse_booking
from dispatchcore.engine import Engine
from dispatchcore.states import StepKind, StepState
from dispatchcore.storage import Database
from tests.dispatch.conftest import FACILITY

NOW = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)
BOOKING = {
    "booking_id": "B-internal-1",
    "personnummer": "197509302381",
    "visit_type": "Arbetsprov",
    "visit_start": "2026-12-15T09:30",
    "facility": FACILITY,
    "profile": "rjl",
}


class Bug(Exception):
    pass


@pytest.fixture
def engine(tmp_path):
    db = Database(f"sqlite:///{tmp_path}/dispatch.sqlite")
    schema.upgrade(db)
    # nothing listens on the discard port: a handler that called out would fail loudly
    yield Engine(db, HostClock(lambda: NOW), contracts=None, base_url="http://127.0.0.1:9")
    db.dispose()


def run_with(engine: Engine, monkeypatch, handler) -> dict:
    monkeypatch.setitem(engine_module.HANDLERS, StepKind.DECIDE, handler)
    created, row, steps = engine.create(parse_booking(BOOKING, {"rjl"}), NOW)
    assert created and steps
    assert engine.work(row.booking_id, worker="test") == 1
    (step,) = engine.store.steps_for(row.booking_id)
    return {"state": step.state, "attempts": step.attempts, "due_at": step.due_at, "error": step.result.get("error")}


def test_a_bug_after_the_step_was_marked_sending_keeps_it_sending(engine, monkeypatch):
    def marked_then_broken(ctx):
        ctx.sending(position=1)
        raise Bug("after the request left")

    step = run_with(engine, monkeypatch, marked_then_broken)
    assert step["state"] == StepState.SENDING  # verified with the receiver before any resend
    assert step["attempts"] == 1 and step["due_at"] > NOW
    assert step["error"] == "internal error (see the worker log)"


def test_a_bug_before_anything_was_sent_retries_the_step_as_todo(engine, monkeypatch):
    def broken(ctx):
        raise Bug("before any call")

    step = run_with(engine, monkeypatch, broken)
    assert step["state"] == StepState.TODO
    assert step["attempts"] == 1 and step["due_at"] > NOW


@pytest.mark.parametrize(("may_have_arrived", "state"), [(True, StepState.SENDING), (False, StepState.TODO)])
def test_where_a_failed_delivery_waits(may_have_arrived, state):
    assert StepState.to_retry(may_have_arrived) is state
