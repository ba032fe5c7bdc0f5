"""A vendor adapter in front of the reference dispatch core's REST API (/dispatch/api),
served from a thread: used while the dispatch core has no /dispatch/adapter of its own,
and as a worked example of the protocol (conformance/adapter-openapi.yaml) for vendors
whose system has a booking REST API."""

from __future__ import annotations

import datetime as dt
import logging
import threading

import requests
from flask import Flask, jsonify, request
from werkzeug.serving import make_server

from tests.support import free_port

logging.getLogger("werkzeug").setLevel(logging.ERROR)


def create_app(dispatch_url: str, own_outputs: bool = False) -> Flask:
    """``own_outputs``: behave like a vendor with its own clock and print service - accept
    POST /clock (here passed on to the simulator clock the engine reads) and report the
    letters itself (GET /sent/paper, here read back from the simulator's outbox)."""
    app = Flask("bridge")
    http = requests.Session()
    api = f"{dispatch_url}/dispatch/api"

    def relay(answer):
        return answer.content, answer.status_code, {"Content-Type": "application/json"}

    @app.get("/health")
    def health():
        settings = http.get(f"{api}/settings", timeout=30).json()
        return jsonify(
            status="ok",
            vendor="Kallelse Testbed",
            system="reference dispatch core (bridge)",
            version="0.1.0",
            profiles=sorted(settings["profiles"]),
            clock="adapter" if own_outputs else "simulator",
            paper="adapter" if own_outputs else "simulator",
            sms="adapter",
            settle=True,
            booking_status=True,
            consumer_hsa_id=settings["consumer_hsa_id"],
        )

    @app.post("/bookings")
    def book():
        return relay(http.post(f"{api}/bookings", json=request.get_json(), timeout=30))

    @app.put("/bookings/<booking_id>")
    def update(booking_id):
        return relay(http.put(f"{api}/bookings/{booking_id}", json=request.get_json(), timeout=30))

    @app.post("/bookings/<booking_id>/cancel")
    def cancel(booking_id):
        return relay(http.post(f"{api}/bookings/{booking_id}/cancel", timeout=30))

    @app.get("/bookings/<booking_id>")
    def status(booking_id):
        """The booking's status and the engine's own explanation of its decision."""
        answer = http.get(f"{api}/bookings/{booking_id}", timeout=30)
        if answer.status_code != 200:
            return relay(answer)
        decision = http.get(f"{api}/bookings/{booking_id}/decision", timeout=30).json()
        return jsonify(booking_id=booking_id, status=answer.json()["status"], decision=decision)

    @app.get("/idle")
    def idle():
        own = http.get(f"{dispatch_url}/dispatch/adapter/health", timeout=30)
        if own.status_code == 200 and isinstance(own.json().get("idle"), bool):  # the engine's cheap count
            return jsonify(idle=own.json()["idle"])
        now = dt.datetime.fromisoformat(http.get(f"{dispatch_url}/api/clock", timeout=30).json()["now"])
        pending = 0
        offset = 0
        while True:
            page = http.get(f"{api}/bookings", params={"limit": 1000, "offset": offset}, timeout=30).json()
            for booking in page:
                pending += booking["status"] == "pending"
                pending += sum(
                    1
                    for s in booking["steps"]
                    if s["state"] in ("todo", "sending") and dt.datetime.fromisoformat(s["due_at"]) <= now
                )
            if len(page) < 1000:
                break
            offset += 1000
        return jsonify(idle=pending == 0, pending=pending)

    @app.get("/sent/sms")
    def sms():
        items = http.get(
            f"{dispatch_url}/api/sms-gateway/messages",
            params={"personnummer": request.args["personnummer"]},
            timeout=30,
        ).json()
        return jsonify(
            items=[{"recipient": m["recipient"], "text": m["text"], "sent_at": m["received_at"]} for m in items]
        )

    @app.post("/clock")
    def clock():
        body = request.get_json()
        answer = http.post(f"{dispatch_url}/api/clock", json={"set": body["set"], "freeze": True}, timeout=30)
        return jsonify(now=answer.json()["now"]), answer.status_code

    @app.get("/sent/paper")
    def sent_paper():
        letters = http.get(
            f"{dispatch_url}/api/paper-letters", params={"personnummer": request.args["personnummer"]}, timeout=30
        ).json()
        return jsonify(
            items=[
                {
                    "booking_id": letter["booking_id"],
                    "protected_address_route": letter["protected_route"],
                    "address": letter["address"],
                    "sent_at": letter["received_at"],
                }
                for letter in letters
            ]
        )

    return app


class Bridge:
    def __init__(self, dispatch_url: str, own_outputs: bool = False):
        self.server = make_server("127.0.0.1", free_port(), create_app(dispatch_url, own_outputs), threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def start(self) -> Bridge:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
