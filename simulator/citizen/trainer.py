"""The trainer's pages: a start page and control views of every inbox, the two
outboxes, the citizens' booking actions and the clock (with +1/+3 day buttons), so a
whole kallelse story can be run from a browser."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from simulator.citizen import paper
from simulator.citizen.core import CitizenSide
from simulator.citizen.web import check_csrf
from simulator.population.domain import FieldError, validate_personnummer

CLOCK_BUTTONS = {
    "+1 timme": {"advance": "PT1H"},
    "+1 dag": {"advance": "P1D"},
    "+3 dagar": {"advance": "P3D"},
    "Frys": {"freeze": True},
    "Starta": {"freeze": False},
    "Återställ till verklig tid": {"reset": True},
}


def _personnummer_filter() -> str | None:
    value = (request.args.get("personnummer") or "").replace("-", "").strip()
    if not value:
        return None
    try:
        return validate_personnummer(value)
    except FieldError as exc:
        flash(f"Ogiltigt personnummer i filtret: {exc.message}.", "error")
        return None


def create_blueprint(side: CitizenSide) -> Blueprint:
    trainer = Blueprint("trainer_pages", __name__, template_folder="templates")
    runtime = side.runtime

    def clock_view() -> dict:
        return runtime.clock.state().as_dict(runtime.clock.real_now()) | {"local": runtime.clock.local_now()}

    @trainer.get("/")
    def start():
        return render_template("citizen/start.html", clock=clock_view(), buttons=CLOCK_BUTTONS)

    @trainer.get("/kontroll/inkorgar")
    def inboxes():
        messages = side.store.recent_messages()
        people = runtime.citizens.get_many(sorted({m["subject_of_care_id"] for m in messages}))
        return render_template("citizen/inboxes.html", messages=messages, people=people)

    @trainer.get("/kontroll/aviseringar")
    def notifications():
        personnummer = _personnummer_filter()
        return render_template(
            "citizen/notifications.html",
            personnummer=personnummer,
            notifications=side.store.notifications(personnummer),
        )

    @trainer.get("/kontroll/pappersbrev")
    def letters():
        personnummer = _personnummer_filter()
        status = request.args.get("status") or None
        status = status if status in paper.STATUS_LABELS else None
        return render_template(
            "citizen/letters.html",
            personnummer=personnummer,
            status=status,
            letters=side.letters(personnummer, status=status),
            labels=paper.STATUS_LABELS,
        )

    @trainer.get("/kontroll/handelser")
    def actions():
        return render_template("citizen/actions.html", actions=side.store.actions(), callbacks=side.store.callbacks())

    @trainer.get("/kontroll/klocka")
    def clock():
        return render_template(
            "citizen/clock.html", clock=clock_view(), buttons=CLOCK_BUTTONS, audit=runtime.clock_store.audit(20)
        )

    @trainer.post("/kontroll/klocka")
    def move_clock():
        check_csrf()
        command = CLOCK_BUTTONS.get(request.form.get("button", ""))
        if command is None and request.form.get("set"):
            command = {"set": request.form["set"]}
        if command is None:
            flash("Okänt klockkommando.", "error")
        else:
            try:
                runtime.clock_store.command(command, actor="trainer page")
                flash(f"Klockan: {request.form.get('button') or 'ställd'}.", "info")
            except ValueError as exc:
                flash(f"Klockan ändrades inte: {exc}", "error")
        target = request.form.get("back")
        return redirect(url_for("trainer_pages.start") if target == "start" else url_for("trainer_pages.clock"))

    return trainer
