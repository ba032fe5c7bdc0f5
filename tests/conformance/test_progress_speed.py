"""How long a run takes: every rule against the reference engine within 60 s, and a vendor
whose traffic never reaches the simulator gets every verdict within 3 minutes (one shared
"nothing arrived" deadline, not a wait per expectation). The progress a CI log shows is
checked on the way."""

from __future__ import annotations

import json
import threading
import time

import pytest
from click.testing import CliRunner
from flask import Flask, jsonify, request
from werkzeug.serving import make_server

from conformance.catalog import RULES
from conformance.cli import conformance
from tests.support import free_port

pytestmark = pytest.mark.slow
CLEAN_RUN_SECONDS = 60
SILENT_VENDOR_SECONDS = 180


class SilentVendor:
    """An adapter that accepts every booking and is always idle, but whose system never
    calls the simulator: no lookup, no AddMessage, no letter, no SMS."""

    def __init__(self):
        app = Flask("silent")
        self.bookings: dict[str, dict] = {}

        @app.get("/health")
        def health():
            return jsonify(
                vendor="Silent AB",
                system="never sends",
                version="1",
                profiles=["rjl", "vgr"],
                clock="simulator",
                paper="simulator",
                sms="adapter",
                settle=True,
                consumer_hsa_id="SE0000000000-SILENT",
            )

        @app.post("/bookings")
        def book():
            body = request.get_json()
            self.bookings[body["booking_id"]] = body
            return jsonify(booking_id=body["booking_id"]), 201

        @app.put("/bookings/<booking_id>")
        def update(booking_id):
            return jsonify(booking_id=booking_id)

        @app.post("/bookings/<booking_id>/cancel")
        def cancel(booking_id):
            return jsonify(booking_id=booking_id)

        @app.get("/idle")
        def idle():
            return jsonify(idle=True)

        @app.get("/sent/sms")
        def sms():
            return jsonify(items=[])

        self.server = make_server("127.0.0.1", free_port(), app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()


def run_all(adapter_url: str, simulator_url: str, report, tmp_path) -> tuple[object, float]:
    began = time.monotonic()
    result = CliRunner().invoke(
        conformance,
        [
            "run",
            "--profile",
            "rjl",
            "--adapter",
            adapter_url,
            "--simulator",
            simulator_url,
            "--all",
            "--report",
            str(report),
            "--signing-key",
            str(tmp_path / "keys" / "conformance-signing-key.pem"),
            "--json-progress",
            str(tmp_path / "progress.json"),
        ],
    )
    return result, time.monotonic() - began


@pytest.fixture
def key(tmp_path):
    from conformance.certificate import init_keys

    init_keys(tmp_path / "keys")


def test_every_rule_against_the_reference_engine_within_a_minute(reference, tmp_path, key):
    reference.reset()
    result, seconds = run_all(reference.adapter_url, reference.url, tmp_path / "report", tmp_path)
    print(f"clean run --all against the reference engine: {seconds:.1f} s")
    assert result.exit_code == 0, result.output
    assert seconds <= CLEAN_RUN_SECONDS
    progress = json.loads((tmp_path / "progress.json").read_text("utf-8"))
    assert progress["state"] == "finished" and progress["exit_code"] == 0
    assert sorted(r["rule_id"] for r in progress["rules"]) == sorted(RULES)  # each rule reported once
    assert "\x1b[" not in result.output  # CliRunner is no terminal: no bar drawn


def test_a_vendor_that_never_reaches_the_simulator_gets_all_verdicts_within_three_minutes(reference, tmp_path, key):
    vendor = SilentVendor()
    try:
        result, seconds = run_all(vendor.url, reference.url, tmp_path / "report", tmp_path)
    finally:
        vendor.stop()
    print(f"silent vendor, run --all: {seconds:.1f} s")
    assert result.exit_code == 1, result.output
    assert seconds <= SILENT_VENDOR_SECONDS
    data = json.loads((tmp_path / "report" / "report.json").read_text("utf-8"))
    verdicts = {r["rule_id"]: r["status"] for r in data["rules"]}
    assert sorted(verdicts) == sorted(RULES)
    assert "pass" not in {verdicts[r] for r in ("CH-01", "CH-02", "LK-01", "MC-05", "FB-01", "RM-01")}
    assert vendor.bookings  # it was asked to book: the suite did its part
