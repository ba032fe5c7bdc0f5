"""Trainer pages of the dispatch core (server-rendered, no script): a booking form at
/dispatch/ that creates a booking like a booking system would, the booking's page with the
decision in plain words and links into the citizen's 1177 inbox and the paper outbox, and
the RP-01/RP-02 report with its SVG chart."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hmac
import secrets

import requests
from flask import Blueprint, abort, redirect, render_template, request, session, url_for
from markupsafe import Markup

from dispatchcore import explain, report
from dispatchcore.apitoken import authorize
from dispatchcore.domain import parse_booking
from dispatchcore.engine import BookingConflict, Engine
from dispatchcore.errors import FieldError
from dispatchcore.localtime import SWEDEN

CSRF_KEY = "dispatch_csrf"
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
FACILITIES = {
    "ryhov-kf": {
        "hsa_id": "SE2321000065-E12",
        "name": "Klinisk fysiologi, Länssjukhuset Ryhov",
        "address": "Sjukhusgatan 1",
        "postal_code": "55305",
        "city": "Jönköping",
        "phone": "010-242 00 00",
        "directions_url": "https://www.rjl.se/hitta/ryhov/klinisk-fysiologi",
    },
    "sahlgrenska-rtg": {
        "hsa_id": "SE2321000131-E7",
        "name": "Röntgen, Sahlgrenska Universitetssjukhuset",
        "address": "Blå stråket 5",
        "postal_code": "41345",
        "city": "Göteborg",
        "phone": "031-342 10 00",
        "directions_url": "https://www.sahlgrenska.se/hitta/rontgen",
    },
    "vc-torget": {
        "hsa_id": "SE2321000065-VC3",
        "name": "Vårdcentralen Torget",
        "address": "Torget 3",
        "postal_code": "57131",
        "city": "Nässjö",
        "phone": "0380-55 00 00",
        "directions_url": "https://www.rjl.se/hitta/vc-torget",
    },
}


def csrf_token() -> str:
    if CSRF_KEY not in session:
        session[CSRF_KEY] = secrets.token_urlsafe(24)
    return session[CSRF_KEY]


def check_csrf() -> None:
    sent = request.form.get("csrf_token", "")
    if not sent or not hmac.compare_digest(sent, session.get(CSRF_KEY, "")):
        abort(400, "The form has expired; reload the page and try again.")


def booking_from_form(form, now: dt.datetime, profiles: set[str]):
    """The form's fields as the API's JSON booking (validated by the same parse_booking)."""
    facility = FACILITIES.get(form.get("facility", ""))
    if facility is None:
        raise FieldError("facility", "choose a facility")
    data = {
        "booking_id": form.get("booking_id") or f"UI-{now.astimezone(SWEDEN):%Y%m%d-%H%M%S}-{secrets.token_hex(2)}",
        "personnummer": form.get("personnummer", "").replace("-", "").strip(),
        "type": form.get("type", "kallelse"),
        "profile": form.get("profile", "rjl"),
        "facility": facility,
        "visit_type": form.get("visit_type", ""),
        "preparations": form.get("preparations", ""),
        "interpreter": form.get("interpreter") == "on",
        "sms_reminder_consent": form.get("sms") == "on",
        "physical_enclosures": [e.strip() for e in form.get("enclosures", "").split(",") if e.strip()],
        "form_url": form.get("form_url", "").strip(),
        "mobile": form.get("mobile", "").strip(),
    }
    if data["type"] != "open_invitation":
        data["visit_start"] = form.get("visit_start") or None
    return parse_booking(data, profiles)


@dataclasses.dataclass(frozen=True)
class Patient:
    personnummer: str
    display_name: str
    label: str

    @classmethod
    def from_json(cls, data: dict) -> Patient:
        given = data.get("calling_name") or (data.get("given_name") or "").split(" ")[0]
        return cls(data["personnummer"], f"{given} {data.get('surname', '')}".strip(), data["label"])


def create_blueprint(engine: Engine) -> Blueprint:
    pages = Blueprint(
        "dispatch_pages", __name__, url_prefix="/dispatch", template_folder="templates", static_folder="static"
    )

    @pages.after_request
    def headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response

    @pages.app_template_global("dispatch_csrf")
    def _token():
        return csrf_token()

    simulator = authorize(requests.Session(), engine.base_url)  # shared mode: the care system's token

    def people() -> list[Patient]:
        """The simulator's demo persons (seeded, with a label), over its control API."""
        try:
            answer = simulator.get(
                f"{engine.base_url}/api/citizens", params={"seeded": "true", "limit": "1000"}, timeout=10
            )
            items = answer.json()["items"] if answer.ok else []
        except requests.RequestException:
            items = []
        return [Patient.from_json(c) for c in items if c.get("label")][:60]

    def default_visit() -> str:
        local = engine.clock.now().astimezone(SWEDEN) + dt.timedelta(days=10)
        return local.replace(hour=9, minute=30, second=0, microsecond=0).strftime("%Y-%m-%dT%H:%M")

    @pages.get("/")
    def form():
        recent = engine.store.list_bookings(limit=15)
        return render_template(
            "dispatch/form.html",
            people=people(),
            facilities=FACILITIES,
            recent=recent,
            visit=default_visit(),
            values={},
            error=None,
        )

    @pages.post("/")
    def submit():
        check_csrf()
        try:
            booking = booking_from_form(request.form, engine.clock.now(), set(engine.base_settings.profiles))
            if booking.visit_start is not None and booking.visit_start <= engine.clock.now():
                raise FieldError("visit_start", "the visit has already started on the simulator clock")
            engine.create(booking)
        except (FieldError, BookingConflict) as exc:
            error = f"{exc.field}: {exc.message}" if isinstance(exc, FieldError) else str(exc)
            return render_template(
                "dispatch/form.html",
                people=people(),
                facilities=FACILITIES,
                recent=engine.store.list_bookings(limit=15),
                visit=default_visit(),
                values=request.form,
                error=error,
            ), 400
        return redirect(url_for("dispatch_pages.booking", booking_id=booking.booking_id), 303)

    @pages.get("/bokningar/<booking_id>")
    def booking(booking_id: str):
        row = engine.store.booking(booking_id)
        if row is None:
            abort(404)
        steps = engine.store.steps_for(booking_id)
        explanation = explain.explain(row, engine.store.decisions_for(booking_id), steps)
        pending = any(s.state in ("todo", "sending") and s.due_at <= engine.clock.now() for s in steps)
        return render_template("dispatch/booking.html", row=row, explanation=explanation, pending=pending)

    @pages.post("/bokningar/<booking_id>/avboka")
    def cancel(booking_id: str):
        check_csrf()
        if engine.store.booking(booking_id) is None:
            abort(404)
        engine.cancel(booking_id)
        return redirect(url_for("dispatch_pages.booking", booking_id=booking_id), 303)

    @pages.get("/rapport")
    def report_page():
        data = report.build(engine, refresh=request.args.get("refresh") == "1")
        return render_template("dispatch/report.html", report=data, chart=Markup(report.svg_chart(data["per_day"])))

    return pages
