"""The dispatch engine: takes bookings in, and works each booking's due steps — lookups and
decision, AddMessage, paper letter, SMS, fallback and reminder timers, lookup retries.

Transport (SOAP, REST calls to the paper outbox and SMS gateway) is in ``calls``/``outputs``,
the rules are pure in ``rules``, storage is ``store``. The engine is what ties them to the
simulator clock: every "now" is ``clock.now()``, so advancing the clock fires timers."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import os
import socket
import threading
from collections.abc import Callable
from typing import Any

import requests
from sqlalchemy.engine import Connection

from dispatchcore import calls, outputs, rules
from dispatchcore.apitoken import authorize
from dispatchcore.context import Context
from dispatchcore.domain import Booking, booking_from_json
from dispatchcore.grouped import LetterPost
from dispatchcore.localtime import UTC
from dispatchcore.models import CitizenActionIn
from dispatchcore.personnummer import mask
from dispatchcore.rows import BookingRow, StepRow
from dispatchcore.settings import Settings, load
from dispatchcore.states import Channel, LookupStatus, Outcome, StepKind, StepState
from dispatchcore.store import DispatchStore
from dispatchcore.transport import LeanSession
from rivta import Endpoint, RivtaClient, RivtaError

log = logging.getLogger(__name__)

LEASE = dt.timedelta(seconds=30)
SETTINGS_TTL = dt.timedelta(seconds=1)
CALLBACK_REFRESH = dt.timedelta(seconds=30)
PREFETCH_TTL = dt.timedelta(seconds=30)
SERVICE_PATHS = {
    "pu": ("GetPersonsForProfile", "/pu/GetPersonsForProfile/5/rivtabp21"),
    "userprofile": ("GetUserProfile", "/userprofile/GetUserProfile/2/rivtabp21"),
    "inbox": ("AddMessage", "/inbox/AddMessage/2/rivtabp21"),
    "message_status": ("GetMessageStatus", "/inbox/GetMessageStatus/1/rivtabp21"),
}
REST_PATHS = {"paper_outbox": "/api/paper-letters", "sms_gateway": "/api/sms-gateway/messages"}


class BookingConflict(Exception):
    """The booking id exists with other content, or the booking cannot change any more."""


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def business_object_id(booking: Booking) -> str:
    """Stable per booking (MC-09): every message of the booking joins one thread."""
    return f"kallelse:{booking.profile}:{booking.booking_id}"


class Engine:
    def __init__(self, db, clock, contracts, base_url: str, settings: Settings | None = None):
        self.store = DispatchStore(db)
        self.clock = clock
        self.contracts = contracts
        self.base_url = base_url.rstrip("/")
        self.base_settings = settings or load()
        self._client: RivtaClient | None = None
        self._settings: tuple[dt.datetime, Settings, Any] | None = None  # (read at, settings, stored endpoints)
        self._callbacks_at: dt.datetime | None = None
        # PU answers of the booking being worked on, so that the paper letter right after
        # the decision needs no second lookup; dropped when the work unit ends (never stored).
        self.people: dict[str, rules.PersonAnswer] = {}
        # LK-01 answers fetched ahead for many due decisions in one GetPersonsForProfile call
        # (worker.prefetch_people): personnummer -> (real time fetched, answer, decisions it
        # was fetched for), used once by each of those decisions.
        self.prefetched: dict[str, tuple[dt.datetime, rules.PersonAnswer, int]] = {}
        self._prefetched_lock = threading.Lock()
        self.letter_post = LetterPost()  # the threads' paper letters, posted together when they coincide

    # --- configuration ------------------------------------------------------------------

    def settings(self, fresh: bool = False) -> Settings:
        """The file's settings with the runtime changes (PUT /dispatch/api/settings) applied:
        kept in the database so that every process uses the same; re-read at most every
        SETTINGS_TTL seconds by a worker (the API reads them fresh)."""
        real_now = self.clock.real_now()
        if fresh or self._settings is None or real_now - self._settings[0] > SETTINGS_TTL:
            return self._use_settings(self.store.stored_settings(), real_now)
        return self._settings[1]

    def _use_settings(self, stored: dict | None, real_now: dt.datetime) -> Settings:
        """The runtime changes as just read from the database, applied (and kept)."""
        endpoints = (stored or {}).get("endpoints")
        if self._settings is None or self._settings[2] != endpoints:
            self._settings = (real_now, self.base_settings.with_endpoints(endpoints), endpoints)
        else:
            self._settings = (real_now, self._settings[1], endpoints)
        return self._settings[1]

    def url(self, settings: Settings, name: str) -> str:
        return settings.endpoints.get(name) or self.base_url + (
            SERVICE_PATHS.get(name, (None, None))[1] or REST_PATHS[name]
        )

    def endpoint(self, settings: Settings, name: str) -> Endpoint:
        interaction = SERVICE_PATHS[name][0]
        return Endpoint(self.contracts[interaction], self.url(settings, name), settings.logical_addresses.get(name, ""))

    def client(self, settings: Settings) -> RivtaClient:
        client = self._client
        if client is None or (client.consumer, client.timeout) != (settings.consumer_hsa_id, settings.timeout_seconds):
            client = self._client = RivtaClient(
                settings.consumer_hsa_id, settings.timeout_seconds, session=LeanSession()
            )
            authorize(client.session, self.base_url)  # shared mode's KALLELSE_API_TOKEN
        return client

    # --- bookings in (the REST API calls these) --------------------------------------------

    def create(self, booking: Booking, now: dt.datetime | None = None) -> tuple[bool, BookingRow, list[StepRow] | None]:
        """Idempotent by booking id: the same booking again is a no-op (False), other
        content under the same id is a conflict. Returns the booking as stored and, when it
        is new, the one step planned for it (the API shows it without reading it back)."""
        now = now or self.clock.now()
        data = booking.to_json()
        row = BookingRow(
            booking_id=booking.booking_id,
            personnummer=booking.personnummer,
            profile=booking.profile,
            kind=booking.kind,
            data=data,
            revision=1,
            business_object_id=business_object_id(booking),
            cancelled=False,
            manual=False,
            outcome=None,
            read_at=None,
            created_at=now,
            updated_at=now,
        )
        values = {field.name: getattr(row, field.name) for field in dataclasses.fields(row)}
        values["data"] = json.dumps(data, ensure_ascii=False)
        with self.store.db.begin() as conn:
            first = None
            if self.store.insert_booking(conn, values):
                purpose = {"revision": 1, "purpose": booking.kind}
                first = self.store.new_step(
                    conn, booking.booking_id, "decide:1", StepKind.DECIDE, now, "LK-01", purpose
                )
        if first is None:
            existing = self.store.existing(booking.booking_id)
            stored = self._first_version(booking.booking_id) or existing.data
            if stored != data:
                raise BookingConflict(f"booking {booking.booking_id} exists with other content; use PUT to update it")
            return False, existing, None
        return True, row, [first]

    def _first_version(self, booking_id: str) -> dict | None:
        for step in self.store.steps_for(booking_id):
            if step.key == "decide:1":
                return step.payload.get("booking")
        return None

    def update(self, booking: Booking) -> BookingRow:
        """A new time or place: a new revision, re-decided and sent in the same thread."""
        now = self.clock.now()
        with self.store.db.begin() as conn:
            row = self.store.booking(booking.booking_id, conn)
            if row is None:
                raise KeyError(booking.booking_id)
            if row.cancelled:
                raise BookingConflict("the booking is cancelled; create a new booking instead")
            if row.data == booking.to_json():
                return row
            revision = row.revision + 1
            self.store.update_booking(
                conn,
                booking.booking_id,
                revision=revision,
                updated_at=now,
                data=json.dumps(booking.to_json(), ensure_ascii=False),
            )
            self.store.skip_open_steps(
                conn,
                booking.booking_id,
                (StepKind.FALLBACK, StepKind.REMINDER, StepKind.RELOOKUP),
                f"superseded by revision {revision}",
            )
            self.store.add_step(
                conn,
                booking.booking_id,
                f"decide:{revision}",
                StepKind.DECIDE,
                now,
                "MC-09",
                {"revision": revision, "purpose": "update"},
            )
        return self.store.existing(booking.booking_id)

    def cancel(self, booking_id: str) -> BookingRow:
        now = self.clock.now()
        with self.store.db.begin() as conn:
            row = self.store.booking(booking_id, conn)
            if row is None:
                raise KeyError(booking_id)
            _cancel(self.store, conn, row, now)
        return self.store.existing(booking_id)

    def citizen_action(self, event: CitizenActionIn) -> tuple[int, dict[str, Any]]:
        """The citizen pressed "Avboka"/"Boka om" in the 1177 inbox (the simulator's callback,
        MC-06 buttons). Recorded here as a step of the booking — one insert, idempotent by the
        event id — and carried out by the worker with the lease and retries of every step, so
        a web worker or dispatch worker that dies never loses it (``citizen`` below)."""
        row = self.store.booking(event.booking_id)
        if row is None or event.personnummer != row.personnummer:
            return 404, {"error": "no such booking for this citizen", "field": "booking_id"}
        with self.store.db.begin() as conn:
            self.store.add_step(
                conn,
                event.booking_id,
                f"citizen:{event.event_id}",
                StepKind.CITIZEN,
                self.clock.now(),
                "MC-06",
                {"event": event.model_dump()},
            )
        return 202, {"booking_id": event.booking_id, "event_id": event.event_id, "recorded": True}

    def register_callbacks_now_and_then(self) -> None:
        """Ask the simulator to send the citizens' booking actions (for our sourceSystems)
        here. Done by the worker while it has work, and again every CALLBACK_REFRESH
        (a POST /api/reset drops callbacks); a simulator nobody books through is left alone."""
        real_now = self.clock.real_now()
        if self._callbacks_at is not None and real_now - self._callbacks_at < CALLBACK_REFRESH:
            return
        self._callbacks_at = real_now
        settings = self.settings(fresh=True)
        client = self.client(settings)
        for profile in settings.profiles.values():
            try:
                client.session.post(
                    f"{self.base_url}/api/callbacks",
                    timeout=5,
                    json={
                        "source_system": profile.source_system,
                        "url": f"{self.base_url}/dispatch/api/citizen-actions",
                    },
                )
            except requests.RequestException:
                log.info("could not register the citizen-action callback (simulator not reachable yet)")
                return

    def sent_sms(self, personnummer: str) -> list[dict]:
        """The RM-01 reminders the SMS gateway (the simulator's outbox) holds for a person."""
        settings = self.settings()
        answer = self.client(settings).session.get(
            self.url(settings, "sms_gateway"), params={"personnummer": personnummer}, timeout=10
        )
        answer.raise_for_status()
        return [{**m, "received_at": dt.datetime.fromisoformat(m["received_at"])} for m in answer.json()]

    # --- the worker's side -----------------------------------------------------------------

    def due(self, limit: int = 500, requeue_after: dt.timedelta | None = None) -> list[str]:
        return self.store.due_bookings(self.clock.now(), self.clock.real_now(), limit, requeue_after)

    def take_prefetched(self, pnr: str) -> rules.PersonAnswer | None:
        """A batched PU answer for ``pnr`` if one was fetched within PREFETCH_TTL, once for
        each due decision of the person it was fetched for."""
        with self._prefetched_lock:
            entry = self.prefetched.pop(pnr, None)
            if entry is None or self.clock.real_now() - entry[0] > PREFETCH_TTL:
                return None
            if entry[2] > 1:
                self.prefetched[pnr] = (entry[0], entry[1], entry[2] - 1)
        return entry[1]

    def work(self, booking_id: str, worker: str | None = None, max_steps: int = 40) -> int:
        """Run every due step of one booking, one at a time; returns how many ran. Another
        worker holding the booking means nothing to do here (it is being worked on).

        One work unit reads the simulator clock once (a clock moved meanwhile applies from
        the next unit) and the settings once. The claim, the settings, the booking and its
        steps are read in one transaction; after each step the booking and its steps are
        read again together (the handlers see that list, ``Context.steps``), and the read
        that finds nothing more due also releases the booking."""
        worker = worker or worker_name()
        ran = 0
        renewed = self.clock.real_now()
        with self.store.db.begin() as conn:
            if not self.store.claim_in(conn, booking_id, worker, renewed, LEASE):
                return ran
            self._use_settings(self.store.stored_settings(conn), renewed)  # applies from this unit on
            row, steps = self.store.booking_and_steps(booking_id, conn)
        released = False
        now = self.clock.now()
        try:
            self._prefetched_for_letter(row, _next_due(steps, now))
            while ran < max_steps:
                if self.clock.real_now() - renewed > LEASE / 3:  # long work: keep the lease
                    if not self.store.claim(booking_id, worker, self.clock.real_now(), LEASE):
                        return ran
                    renewed = self.clock.real_now()
                step = _next_due(steps, now)
                if step is None or row is None:
                    return ran
                self._run(step, worker, now, steps, row)
                ran += 1
                with self.store.db.begin() as conn:
                    row, steps = self.store.booking_and_steps(booking_id, conn)
                    if _next_due(steps, now) is None or ran >= max_steps:
                        self.store.release(booking_id, worker, conn)
                        released = True
        finally:
            self.people.pop(booking_id, None)
            if not released:
                self.store.release(booking_id, worker)
        return ran

    def _prefetched_for_letter(self, row: BookingRow | None, step: StepRow | None) -> None:
        """A unit that starts with a due fallback may send the FB-01 letter, which needs the
        citizen's address: a batched PU answer fetched ahead for it (worker.prefetch_people)
        is kept for the letter of this unit only (``people`` is dropped when it ends)."""
        if row is None or step is None or step.kind != StepKind.FALLBACK:
            return
        person = self.take_prefetched(row.personnummer)
        if person is not None:
            self.people[row.booking_id] = person

    def _run(
        self, step: StepRow, worker: str, now: dt.datetime, steps: list[StepRow], row: BookingRow | None = None
    ) -> None:
        row = row or self.store.existing(step.booking_id)
        context = Context(self, self.settings(), row, booking_from_json(row.data), step, now, steps)
        handler = HANDLERS[step.kind]
        log.debug("step %s %s for %s", step.key, step.kind, mask(row.personnummer))
        try:
            handler(context)
        except Exception:  # a bug must not wedge the booking: record it, retry later
            log.exception("step %s of booking %s failed", step.key, step.booking_id)
            # marked sending in this run (or before): the delivery may have gone out, so the
            # retry verifies with the receiver first instead of sending blind
            sending = context.step.state == StepState.SENDING
            context.retry_or_fail("internal error (see the worker log)", state=StepState.to_retry(sending))


def _next_due(steps: list[StepRow], now: dt.datetime) -> StepRow | None:
    return next((s for s in steps if s.open and s.due_at <= now), None)


# --- step handlers -------------------------------------------------------------------------


def _cancel(store: DispatchStore, conn: Connection, row: BookingRow, now: dt.datetime) -> None:
    """The booking cancelled and its ``cancel`` step planned (MC-10), idempotently."""
    if not row.cancelled:
        store.update_booking(conn, row.booking_id, cancelled=True, updated_at=now)
        store.add_step(conn, row.booking_id, "cancel", StepKind.CANCEL, now, "MC-10", {})


def citizen(ctx: Context) -> None:
    """MC-06: what the citizen asked for in 1177, carried out in one transaction with the
    step's end. Avboka cancels the booking (the cancellation then goes where the kallelse
    went, MC-10); Boka om is recorded for the clinic, which answers with an update."""
    event = CitizenActionIn.model_validate(ctx.payload["event"])
    with ctx.store.db.begin() as conn:
        if event.type == "cancel":
            _cancel(ctx.store, conn, ctx.store.existing(ctx.booking.booking_id, conn), ctx.now)
            text = "The citizen cancelled the booking in the 1177 inbox."
        else:
            text = "The citizen asked for a new time in the 1177 inbox; the clinic answers with an update."
            ctx.store.add_decision(
                conn,
                ctx.booking.booking_id,
                f"citizen:{event.event_id[:30]}",
                ctx.now,
                Outcome.NONE,
                ["MC-06"],
                {"reasons": [{"rule": "MC-06", "text": text}], "event": event.model_dump()},
            )
        ctx.finish(StepState.DONE, conn, rule="MC-06", text=text)


def _plan_deliveries(ctx: Context, conn, decision: rules.Decision, revision: int, purpose: str, mobile: str) -> None:
    booking_id = ctx.booking.booking_id
    if Channel.DIGITAL in decision.channels:
        ctx.store.add_step(
            conn,
            booking_id,
            f"addmessage:{revision}",
            StepKind.ADDMESSAGE,
            ctx.now,
            "MC-01",
            {"purpose": purpose, "revision": revision},
        )
        timer = rules.fallback_timer(decision, ctx.now, revision, ctx.profile.region)
        if timer:
            ctx.store.add_step(
                conn,
                booking_id,
                timer.key,
                StepKind.FALLBACK,
                timer.due,
                timer.rule,
                {"revision": revision, "purpose": purpose, "sent_at": ctx.now.isoformat()},
            )
    if Channel.PAPER in decision.channels:
        ctx.store.add_step(
            conn,
            booking_id,
            f"paper:{revision}",
            StepKind.PAPER,
            ctx.now,
            decision.rule_ids[-1],
            {"purpose": purpose, "revision": revision, "rules": decision.rule_ids, "protected": decision.protected},
        )
    if decision.retry_lookups:
        ctx.store.add_step(
            conn,
            booking_id,
            f"relookup:{revision}:1",
            StepKind.RELOOKUP,
            ctx.now + dt.timedelta(minutes=ctx.profile.region.lookup_retry_minutes[0]),
            "LK-03",
            {"revision": revision, "attempt": 1, "purpose": purpose},
        )
    if not decision.manual:
        for timer in rules.reminder_timers(ctx.booking, ctx.now, ctx.profile.region):
            ctx.store.add_step(
                conn,
                booking_id,
                timer.key,
                StepKind.REMINDER,
                timer.due,
                timer.rule,
                {"day": timer.key.split(":", 1)[1], "mobile_from_profile": bool(mobile)},
            )


def decide(ctx: Context) -> None:
    """LK-01/LK-02 lookups, the channel decision, and the steps it asks for — stored in
    one transaction with the decision, so a decision is never half-planned."""
    revision, purpose = ctx.payload["revision"], ctx.payload["purpose"]
    if ctx.row.cancelled:
        ctx.finish(StepState.SKIPPED, text="The booking was cancelled before it was dispatched: nothing is sent.")
        return
    person, account = ctx.lookups()
    decision = rules.decide(ctx.booking, person, account, ctx.now, ctx.profile.region)
    key = f"dispatch:{revision}"
    with ctx.store.db.begin() as conn:
        if ctx.add_decision(conn, key, decision, person, account, {"purpose": purpose}):
            _plan_deliveries(ctx, conn, decision, revision, purpose, account.mobile)
            ctx.store.update_booking(conn, ctx.booking.booking_id, outcome=decision.outcome, manual=decision.manual)
        ctx.store.set_step(
            conn,
            ctx.step.id,
            state=StepState.DONE,
            done_at=ctx.now,
            payload=json.dumps({**ctx.payload, "booking": ctx.booking.to_json()}),
            result={"outcome": decision.outcome, "rules": decision.rule_ids},
        )


def relookup(ctx: Context) -> None:
    """LK-03: a lookup failed at dispatch; paper went out. Retry the lookups and add the
    digital message when the citizen turns out to be reachable."""
    revision, attempt = ctx.payload["revision"], ctx.payload["attempt"]
    if ctx.row.cancelled or ctx.row.revision != revision:
        ctx.finish(StepState.SKIPPED, text="The booking changed or was cancelled; no retry needed.")
        return
    person, account = ctx.lookups()
    if LookupStatus.UNAVAILABLE in (person.status, account.status):
        backoff = ctx.profile.region.lookup_retry_minutes
        with ctx.store.db.begin() as conn:
            if attempt < len(backoff):
                ctx.store.add_step(
                    conn,
                    ctx.booking.booking_id,
                    f"relookup:{revision}:{attempt + 1}",
                    StepKind.RELOOKUP,
                    ctx.now + dt.timedelta(minutes=backoff[attempt]),
                    "LK-03",
                    {**ctx.payload, "attempt": attempt + 1},
                )
            ctx.store.set_step(
                conn,
                ctx.step.id,
                state=StepState.DONE,
                done_at=ctx.now,
                result={"rule": "LK-03", "text": "Still unavailable: " + (person.error or account.error)},
            )
        return
    decision = rules.decide(ctx.booking, person, account, ctx.now, ctx.profile.region)
    key = f"relookup:{revision}:{attempt}"
    with ctx.store.db.begin() as conn:
        ctx.add_decision(conn, key, decision, person, account, {"purpose": ctx.payload["purpose"]})
        added = False
        if Channel.DIGITAL in decision.channels:
            added = ctx.store.add_step(
                conn,
                ctx.booking.booking_id,
                f"addmessage:{revision}",
                StepKind.ADDMESSAGE,
                ctx.now,
                "LK-03",
                {"purpose": ctx.payload["purpose"], "revision": revision},
            )
        ctx.store.update_booking(
            conn,
            ctx.booking.booking_id,
            manual=decision.manual,
            outcome=Outcome.DIGITAL_AND_PAPER if added else ctx.row.outcome,
        )
        ctx.store.set_step(
            conn,
            ctx.step.id,
            state=StepState.DONE,
            done_at=ctx.now,
            result={
                "rule": "LK-03",
                "text": "Lookups answered; "
                + ("the digital kallelse is added." if added else "paper stays the channel."),
            },
        )


def cancel(ctx: Context) -> None:
    """MC-10: the cancellation goes where the kallelse went, digital in the same thread.
    One transaction: open steps stopped, the cancellation's deliveries and its decision."""
    with ctx.store.db.begin() as conn:
        ctx.store.skip_open_steps(
            conn,
            ctx.booking.booking_id,
            (
                StepKind.ADDMESSAGE,
                StepKind.PAPER,
                StepKind.FALLBACK,
                StepKind.REMINDER,
                StepKind.RELOOKUP,
                StepKind.DECIDE,
            ),
            "the booking was cancelled",
        )
        done = {s.kind for s in ctx.store.steps_for(ctx.booking.booking_id, conn) if s.state == StepState.DONE}
        had_digital, had_paper = StepKind.ADDMESSAGE in done, StepKind.PAPER in done
        fired = [("MC-10", "The booking was cancelled.")]
        if had_digital:
            fired.append(("MC-09", "The cancellation goes to 1177 in the kallelse's thread (same businessObjectId)."))
            ctx.store.add_step(
                conn,
                ctx.booking.booking_id,
                "addmessage:cancel",
                StepKind.ADDMESSAGE,
                ctx.now,
                "MC-10",
                {"purpose": "cancel", "revision": ctx.row.revision},
            )
        if had_paper:
            fired.append(("MC-10", "The kallelse went on paper, so the cancellation does too."))
            ctx.store.add_step(
                conn,
                ctx.booking.booking_id,
                "paper:cancel",
                StepKind.PAPER,
                ctx.now,
                "MC-10",
                {"purpose": "cancel", "revision": ctx.row.revision, "rules": ["MC-10"]},
            )
        channels: set[Channel] = {Channel.DIGITAL} if had_digital else set()
        channels |= {Channel.PAPER} if had_paper else set()
        decision = rules.Decision(frozenset(channels), tuple(fired))
        ctx.store.add_decision(
            conn,
            ctx.booking.booking_id,
            "cancel",
            ctx.now,
            decision.outcome,
            decision.rule_ids,
            {"key": "cancel", "clock": ctx.now.isoformat(), **decision.as_dict()},
        )
        ctx.store.set_step(
            conn, ctx.step.id, state=StepState.DONE, done_at=ctx.now, result={"rules": decision.rule_ids}
        )


def fallback(ctx: Context) -> None:
    """FB-01/FB-02: paper if the digital-only kallelse is still unread at the deadline."""
    revision = ctx.payload["revision"]
    if any(
        s.kind == StepKind.PAPER
        and s.payload.get("revision") == revision
        and s.state in (StepState.DONE, StepState.TODO, StepState.SENDING)
        for s in ctx.steps()
    ):
        ctx.finish(StepState.DONE, rule="FB-02", text="Paper has already been sent for this kallelse (LK-03/LK-04).")
        return
    read_at = None
    if not ctx.row.cancelled:
        try:
            status = calls.thread_status(
                ctx.client(), ctx.endpoint("message_status"), ctx.booking.personnummer, ctx.row.business_object_id
            )
            read_at = status.first_read_since(dt.datetime.fromisoformat(ctx.payload["sent_at"]))
        except RivtaError as exc:
            if ctx.retry_or_fail(f"GetMessageStatus: {exc.reason}"):
                return
            read_at = None  # never answered: safer to send paper than to miss the visit
    send, rule, text = rules.fallback_outcome(
        ctx.row.cancelled, ctx.booking.visit_start, read_at, ctx.step.due_at, ctx.now
    )
    with ctx.store.db.begin() as conn:
        if read_at is not None:
            ctx.store.update_booking(conn, ctx.booking.booking_id, read_at=read_at)
        if send:
            ctx.store.add_step(
                conn,
                ctx.booking.booking_id,
                f"paper:fallback:{revision}",
                StepKind.PAPER,
                ctx.now,
                "FB-01",
                {
                    "purpose": ctx.payload["purpose"],
                    "revision": revision,
                    "rules": ["FB-01"],
                    "protected": _decided_protected(ctx, revision),
                },
            )
        ctx.store.set_step(
            conn,
            ctx.step.id,
            state=StepState.DONE,
            done_at=ctx.now,
            result={"rule": rule, "text": text, "read_at": read_at.isoformat() if read_at else None},
        )


def _decided_protected(ctx: Context, revision: int) -> bool:
    for decision in ctx.store.decisions_for(ctx.booking.booking_id):
        if decision.key == f"dispatch:{revision}":
            return bool(decision.record.get("protected"))
    return False


def reminder(ctx: Context) -> None:
    """RM-01 SMS reminder; RM-02 the reminder also joins an unread 1177 thread."""
    day = ctx.payload["day"]
    sent_days = {s.key.split(":", 1)[1] for s in ctx.done_steps(StepKind.SMS)}
    send, text = rules.reminder_outcome(ctx.row.cancelled, ctx.booking.visit_start, ctx.now, day, sent_days)
    if not send:
        ctx.finish(StepState.DONE, rule="RM-01", text=text)
        return
    thread = _thread_reminder(ctx)  # asks GetMessageStatus: never inside a transaction
    with ctx.store.db.begin() as conn:
        ctx.store.add_step(conn, ctx.booking.booking_id, f"sms:{day}", StepKind.SMS, ctx.now, "RM-01", {"day": day})
        if thread:
            ctx.store.add_step(
                conn,
                ctx.booking.booking_id,
                f"addmessage:reminder:{day}",
                StepKind.ADDMESSAGE,
                ctx.now,
                "RM-02",
                {"purpose": "reminder", "revision": ctx.row.revision},
            )
        ctx.store.set_step(
            conn,
            ctx.step.id,
            state=StepState.DONE,
            done_at=ctx.now,
            result={"rule": "RM-01", "text": text, "thread_reminder": thread},
        )


def _thread_reminder(ctx: Context) -> bool:
    """RM-02: only when the profile wants it and the thread's last message is unread."""
    if not ctx.profile.region.thread_reminder or ctx.row.cancelled or not ctx.done_steps(StepKind.ADDMESSAGE):
        return False
    try:
        status = calls.thread_status(
            ctx.client(), ctx.endpoint("message_status"), ctx.booking.personnummer, ctx.row.business_object_id
        )
    except RivtaError:
        return False
    return status.messages > len(status.reads)


def addmessage(ctx: Context) -> None:
    outputs.deliver_message(ctx)


def paper(ctx: Context) -> None:
    outputs.deliver_letter(ctx)


def sms(ctx: Context) -> None:
    outputs.deliver_sms(ctx)


HANDLERS: dict[StepKind, Callable[[Context], None]] = {
    StepKind.DECIDE: decide,
    StepKind.RELOOKUP: relookup,
    StepKind.CANCEL: cancel,
    StepKind.FALLBACK: fallback,
    StepKind.REMINDER: reminder,
    StepKind.ADDMESSAGE: addmessage,
    StepKind.PAPER: paper,
    StepKind.SMS: sms,
    StepKind.CITIZEN: citizen,
}


def utc(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value).astimezone(UTC)
