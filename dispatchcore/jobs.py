"""Scale-out on PostgreSQL with procrastinate (an established PostgreSQL job queue, see
docs/dispatch.md for why): ``kallelse worker --database-url postgresql+psycopg://...``,
as many processes as wanted.

Two tasks. ``dispatch.tick`` runs every second (a procrastinate periodic task, deferred
once per second whatever the number of workers): it reads the *simulator* clock, finds the
bookings with steps due (new bookings, timers, retries) and defers ``dispatch.work`` for
each. A queue cannot schedule on the simulator clock, which a tester moves by days — so the
due times live in the steps table and the tick turns them into jobs. ``dispatch.work`` works
one booking (engine.work); the booking lease in our table keeps two workers apart, and a
booking whose worker was killed is deferred again once its lease and ``REQUEUE_AFTER`` ran
out."""

from __future__ import annotations

import datetime as dt
import logging

import procrastinate
import sqlalchemy as sa

from dispatchcore.engine import Engine, worker_name

log = logging.getLogger(__name__)

REQUEUE_AFTER = dt.timedelta(seconds=20)
SCHEMA_LOCK = 7_331_001  # pg advisory lock id while creating procrastinate's tables

_engine: Engine | None = None


def _current() -> Engine:
    """The engine this worker process set up before it took jobs."""
    if _engine is None:
        raise RuntimeError("the dispatch worker's engine is not set up")
    return _engine


def conninfo(database_url: str) -> str:
    """libpq URI from the SQLAlchemy URL (keeps ``options=-csearch_path=...``)."""
    url = sa.engine.make_url(database_url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def make_app(database_url: str) -> procrastinate.App:
    app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=conninfo(database_url)))

    @app.task(name="dispatch.work", queue="dispatch")
    def work(booking_id: str) -> None:
        _current().work(booking_id, worker_name())

    @app.periodic(cron="* * * * * *")
    @app.task(name="dispatch.tick", queue="dispatch", queueing_lock="dispatch.tick")
    def tick(timestamp: int) -> None:
        real_now = _current().clock.real_now()
        due = _current().due(limit=2000, requeue_after=REQUEUE_AFTER)
        if due:
            _current().register_callbacks_now_and_then()
        for booking_id in due:
            if _current().store.mark_queued(booking_id, real_now, REQUEUE_AFTER):
                try:
                    work.configure(queueing_lock=f"booking:{booking_id}").defer(booking_id=booking_id)
                except procrastinate.exceptions.AlreadyEnqueued:
                    pass

    return app


def ensure_schema(app: procrastinate.App, engine: Engine) -> None:
    """Create procrastinate's tables once (concurrent workers wait on an advisory lock)."""
    raw = engine.store.db.engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute(f"SELECT pg_advisory_xact_lock({SCHEMA_LOCK})")
        cursor.execute("SELECT to_regclass('procrastinate_jobs')")
        found = cursor.fetchone()
        if found is None or found[0] is None:
            cursor.execute(app.schema_manager.get_schema())
            log.info("created the procrastinate schema")
        raw.commit()
    finally:
        raw.close()


def run_queue_worker(engine: Engine, database_url: str, concurrency: int = 1) -> None:
    global _engine
    _engine = engine
    app = make_app(database_url)
    ensure_schema(app, engine)
    log.info("dispatch worker %s: procrastinate on %s", worker_name(), engine.store.db)
    app.run_worker(
        queues=["dispatch"],
        concurrency=concurrency,
        name=worker_name(),
        delete_jobs="successful",
        update_heartbeat_interval=5,
        stalled_worker_timeout=15,
    )
