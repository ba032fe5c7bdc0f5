"""What one step run of a booking sees and how it records its outcome: the booking, its
row and step, the settings and the simulator-clock ``now`` of this run, plus the few things
of the engine it needs (store, SOAP client, endpoints).

A module of its own so that the step handlers (``engine``) and the deliveries (``outputs``)
both use it without importing each other: the engine is reached only through the
``Host`` protocol below."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Any, Protocol

from sqlalchemy.engine import Connection

from dispatchcore import calls, rules
from dispatchcore.domain import Booking
from dispatchcore.grouped import LetterPost
from dispatchcore.rows import BookingRow, StepRow
from dispatchcore.settings import Profile, Settings
from dispatchcore.states import LookupStatus, StepKind, StepState
from dispatchcore.store import DispatchStore
from rivta import Endpoint, RivtaClient, RivtaError


class Host(Protocol):
    """What a step needs of the engine that runs it."""

    store: DispatchStore
    people: dict[str, rules.PersonAnswer]
    letter_post: LetterPost

    def client(self, settings: Settings) -> RivtaClient: ...

    def take_prefetched(self, pnr: str) -> rules.PersonAnswer | None: ...

    def endpoint(self, settings: Settings, name: str) -> Endpoint: ...

    def url(self, settings: Settings, name: str) -> str: ...


@dataclasses.dataclass
class Context:
    """Everything one step run needs; the helpers record its outcome."""

    engine: Host
    settings: Settings
    row: BookingRow
    booking: Booking
    step: StepRow
    now: dt.datetime
    # the booking's steps as read right before this step ran (None: read them when asked)
    known_steps: list[StepRow] | None = None

    @property
    def store(self) -> DispatchStore:
        return self.engine.store

    @property
    def profile(self) -> Profile:
        return self.settings.profile(self.booking.profile)

    @property
    def payload(self) -> dict[str, Any]:
        return self.step.payload

    def client(self) -> RivtaClient:
        return self.engine.client(self.settings)

    def endpoint(self, name: str) -> Endpoint:
        return self.engine.endpoint(self.settings, name)

    def finish(self, state: StepState = StepState.DONE, conn: Connection | None = None, **result: Any) -> None:
        """Record the step's end; pass ``conn`` to make it part of a larger transaction."""
        if conn is None:
            with self.store.db.begin() as own:
                return self.finish(state, own, **result)
        self.store.set_step(conn, self.step.id, state=state, done_at=self.now, result=result)

    def retry_or_fail(self, error: str, conn: Connection | None = None, state: StepState = StepState.TODO) -> bool:
        """LK-03/LK-04 backoff on the profile's ``lookup_retry_minutes``; False when given up.
        Pass ``conn`` to make the reschedule part of a larger transaction; ``state``
        SENDING keeps a delivery that may have gone out to be verified before it is sent again."""
        if conn is None:
            with self.store.db.begin() as own:
                return self.retry_or_fail(error, own, state)
        attempts = self.step.attempts + 1
        backoff = self.profile.region.lookup_retry_minutes
        if attempts <= len(backoff):
            self.store.set_step(
                conn,
                self.step.id,
                state=state,
                attempts=attempts,
                due_at=self.now + dt.timedelta(minutes=backoff[attempts - 1]),
                result={"error": error, "retry": attempts},
            )
            return True
        self.store.set_step(
            conn,
            self.step.id,
            state=StepState.FAILED,
            attempts=attempts,
            done_at=self.now,
            result={"error": error, "text": "gave up after the last retry"},
        )
        return False

    def sending(self, **payload: Any) -> None:
        """Mark the step as being sent (with what a verification needs) before the call."""
        with self.store.db.begin() as conn:
            self.store.set_step(
                conn, self.step.id, state=StepState.SENDING, payload=json.dumps({**self.payload, **payload})
            )
        self.step = dataclasses.replace(self.step, state=StepState.SENDING, payload={**self.payload, **payload})

    def steps(self) -> list[StepRow]:
        if self.known_steps is None:
            self.known_steps = self.store.steps_for(self.booking.booking_id)
        return self.known_steps

    def done_steps(self, kind: StepKind) -> list[StepRow]:
        return [s for s in self.steps() if s.kind == kind and s.state == StepState.DONE]

    def lookups(self) -> tuple[rules.PersonAnswer, rules.AccountAnswer]:
        """LK-01 then LK-02, each failure captured as an answer (LK-03 decides)."""
        client, pnr = self.client(), self.booking.personnummer
        person = self.engine.take_prefetched(pnr)  # a campaign's batched LK-01 (worker.py)
        if person is None:
            try:
                person = calls.look_up_person(client, self.endpoint("pu"), pnr)
            except RivtaError as exc:
                return rules.PersonAnswer(status=LookupStatus.UNAVAILABLE, error=exc.reason), rules.UNKNOWN_ACCOUNT
        self.engine.people[self.booking.booking_id] = person
        if person.status != LookupStatus.OK or person.deregistered:
            return person, rules.AccountAnswer(status=LookupStatus.NOT_ASKED)
        try:
            return person, calls.look_up_account(client, self.endpoint("userprofile"), pnr)
        except RivtaError as exc:
            return person, rules.AccountAnswer(status=LookupStatus.UNAVAILABLE, error=exc.reason)

    def add_decision(
        self,
        conn,
        key: str,
        decision: rules.Decision,
        person: rules.PersonAnswer,
        account: rules.AccountAnswer,
        extra: dict[str, Any],
    ) -> bool:
        """Store a decision of the rules once under ``key`` (False: already stored), with
        its record: every input the rules saw (no address, no name)."""
        record = {
            "key": key,
            "clock": self.now.isoformat(),
            "booking": self.booking.to_json(),
            "pu": person.as_dict(),
            "userprofile": account.as_dict(),
            "profile": self.profile.as_dict(),
            **decision.as_dict(),
            **extra,
        }
        return self.store.add_decision(
            conn, self.booking.booking_id, key, self.now, decision.outcome, decision.rule_ids, record
        )
