"""The vendor's adapter (conformance/adapter-openapi.yaml) for many installations at once:
``/v/<name>/...`` is installation ``name`` (its own consumer HSA-id, profile and switches),
so the whole defect matrix runs against one simulator side by side. One worker thread
reads the simulator clock and runs every installation's due jobs on a small pool."""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import requests
from flask import Flask, jsonify, request
from werkzeug.serving import make_server

from tests.conformance.vendor.system import LOGICAL_ADDRESSES, System
from tests.support import free_port

logging.getLogger("werkzeug").setLevel(logging.ERROR)
# The installation applies its own region's parameters whatever ``profile`` a booking names:
# that is what "a vendor configured for one region" means when another region judges it.
FIELDS = ("booking_id", "personnummer", "type", "profile", "facility")


def create_app(systems: dict[str, System]) -> Flask:
    app = Flask("example-vendor")

    def system(name: str) -> System:
        if name not in systems:
            raise LookupError(f"no installation {name!r}")
        return systems[name]

    def found(name: str, booking_id: str):
        booking = system(name).bookings.get(booking_id)
        if booking is None:
            raise LookupError(f"no booking {booking_id!r}")
        return booking

    @app.errorhandler(LookupError)
    def unknown(exc):
        return jsonify(error=str(exc.args[0]), field="booking_id"), 404

    @app.errorhandler(ValueError)
    def bad(exc):
        return jsonify(error=str(exc), field="body"), 400

    def status(booking, code=200):
        return jsonify(booking_id=booking.data["booking_id"], status=booking.status), code

    @app.get("/v/<name>/health")
    def health(name):
        s = system(name)
        return jsonify(
            status="ok",
            vendor="Exempelleverantören AB",
            system="Enkel kallelse",
            version="1.0",
            profiles=[s.profile["key"]],
            clock="simulator",
            paper="simulator",
            sms="adapter",
            settle=True,
            booking_status=True,
            reports=True,
            consumer_hsa_id=s.consumer,
            source_systems=[s.consumer],
            logical_addresses=LOGICAL_ADDRESSES,
        )

    @app.get("/v/<name>/idle")
    def idle(name):
        s = system(name)
        return jsonify(idle=s.idle(s.now()))

    @app.post("/v/<name>/bookings")
    def book(name):
        data = request.get_json(silent=True)
        missing = [f for f in FIELDS if not isinstance(data, dict) or f not in data]
        if missing:
            return jsonify(error="is required", field=missing[0]), 400
        booking, created = system(name).book(data)
        return status(booking, 201 if created else 200)

    @app.get("/v/<name>/bookings/<booking_id>")
    def get(name, booking_id):
        return status(found(name, booking_id))

    @app.put("/v/<name>/bookings/<booking_id>")
    def update(name, booking_id):
        booking = found(name, booking_id)
        system(name).update(booking, request.get_json(silent=True) or {})
        return status(booking)

    @app.post("/v/<name>/bookings/<booking_id>/cancel")
    def cancel(name, booking_id):
        booking = found(name, booking_id)
        system(name).cancel(booking)
        return status(booking)

    @app.get("/v/<name>/sent/sms")
    def sms(name):
        pnr = request.args.get("personnummer")
        return jsonify(items=[m for m in system(name).sms if m["personnummer"] == pnr])

    @app.get("/v/<name>/reports")
    def report(name):
        return jsonify(system(name).report(request.args.getlist("booking_id")))

    return app


class Vendor:
    """The adapter server and the job worker, in threads of the test process."""

    def __init__(self, simulator: str):
        self.simulator = simulator.rstrip("/")
        self.systems: dict[str, System] = {}
        self.server = make_server("127.0.0.1", free_port(), create_app(self.systems), threaded=True)
        self.pool = ThreadPoolExecutor(max_workers=32)  # a clock jump makes every installation's timers due at once
        self.http = requests.Session()
        self._stop = threading.Event()
        self.threads = [
            threading.Thread(target=self.server.serve_forever, daemon=True),
            threading.Thread(target=self.work, daemon=True),
        ]

    def install(self, name: str, profile: dict, switches=frozenset(), consumer: str | None = None) -> str:
        """A new installation; its adapter base URL."""
        consumer = consumer or f"SE2321000065-EX{len(self.systems):04d}"
        self.systems[name] = System(self.simulator, consumer, profile, frozenset(switches))
        return f"http://127.0.0.1:{self.server.server_port}/v/{name}"

    def start(self) -> Vendor:
        for thread in self.threads:
            thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self.server.shutdown()
        self.pool.shutdown(wait=False, cancel_futures=True)

    def work(self) -> None:
        while not self._stop.is_set():
            try:
                now = dt.datetime.fromisoformat(self.http.get(f"{self.simulator}/api/clock", timeout=30).json()["now"])
            except (requests.RequestException, ValueError):
                time.sleep(0.5)
                continue
            for system in list(self.systems.values()):
                jobs = system.take_due(now)
                if jobs:
                    self.pool.submit(self.run, system, jobs, now)
            time.sleep(0.1)

    @staticmethod
    def run(system: System, jobs, now) -> None:
        try:
            system.run(jobs, now)
        except Exception:  # a vendor bug must not stop the worker; the suite sees what was not sent
            logging.getLogger(__name__).exception("example vendor job failed")
        finally:
            system.finished(len(jobs))
