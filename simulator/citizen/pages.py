"""The citizen's 1177 inbox, server-rendered: simulated log-in, the list of threads,
a thread with every message, archive, and the booking buttons."""

from __future__ import annotations

import datetime as dt
import functools
from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from markupsafe import Markup

from simulator.citizen.booking import ACTIONS
from simulator.citizen.core import CitizenSide, NotAllowed
from simulator.citizen.web import check_csrf
from simulator.population.domain import FieldError, validate_personnummer

FILTERS = {"aktiva": "Active", "arkiverade": "Archived"}


@functools.lru_cache(maxsize=4)
def _seed_rank(today: dt.date) -> dict[str, int]:
    """The demo persons' personnummer -> place in the seed, for one simulator date. The
    seed builds every persona with faker (~4 ms): built once per date, not per page view
    (the campaign's read sample logs in 150-200 citizens)."""
    try:
        from simulator.population.seed import demo_persons
    except ImportError:
        return {}
    return {c.personnummer: index for index, c in enumerate(demo_persons(today))}


def demo_people(runtime) -> list:
    """The persons with a persona label (the seeded demo persons, in the seed's order)."""
    rank = _seed_rank(runtime.clock.local_now().date())
    return sorted(runtime.citizens.labelled(), key=lambda c: (rank.get(c.personnummer, len(rank)), c.personnummer))


PersonChoice = tuple[str, str, str]  # personnummer, display name, persona label


@functools.lru_cache(maxsize=8)
def _people_list(choices: tuple[PersonChoice, ...]) -> Markup:
    """The log-in page's list of test persons, rendered once per set of persons: it is
    the same for every visitor until a citizen changes, and rendering its ~200 buttons was
    most of the page's CPU (the campaign's read sample logs in 150-200 citizens)."""
    return Markup(render_template("citizen/_people.html", choices=choices))


def people_list(runtime) -> Markup:
    """The rendered test persons of the log-in page (empty when there are none)."""
    choices = tuple((c.personnummer, c.display_name, c.label or "") for c in demo_people(runtime))
    return _people_list(choices) if choices else Markup("")


def _local_path(target: str | None) -> str | None:
    """Only a path on this site is a safe place to go after log-in (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None  # browsers read a backslash as a slash: "/\host" means "//host"
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


def create_blueprint(side: CitizenSide) -> Blueprint:
    pages = Blueprint(
        "citizen_pages",
        __name__,
        template_folder="templates",
        static_folder="static",
        static_url_path="/static/citizen",
    )
    runtime = side.runtime

    def citizen_only(view):
        """Calls ``view(personnummer, ...)`` for the logged-in citizen, else shows the
        log-in page; a form (POST) must also carry the session's token."""

        @functools.wraps(view)
        def wrapper(**kwargs):
            if request.method == "POST":
                check_csrf()
            personnummer = session.get("personnummer")
            if not personnummer:
                return redirect(url_for("citizen_pages.login", next=request.full_path.rstrip("?")))
            return view(personnummer, **kwargs)

        return wrapper

    @pages.get("/inkorg/logga-in")
    def login():
        return render_template("citizen/login.html", people=people_list(runtime), next=request.args.get("next"))

    @pages.post("/inkorg/logga-in")
    def do_login():
        check_csrf()
        typed = (request.form.get("personnummer") or "").replace("-", "").replace(" ", "").strip()
        try:
            personnummer = validate_personnummer(typed)
        except FieldError as exc:
            flash(f"Ogiltigt personnummer: {exc.message}.", "error")
            return render_template(
                "citizen/login.html", people=people_list(runtime), typed=typed, next=request.form.get("next")
            ), 400
        session.clear()
        session["personnummer"] = personnummer
        return redirect(_local_path(request.form.get("next")) or url_for("citizen_pages.inbox"))

    @pages.post("/inkorg/logga-ut")
    def logout():
        check_csrf()
        session.clear()
        return redirect(url_for("citizen_pages.login"))

    @pages.get("/inkorg")
    @citizen_only
    def inbox(personnummer: str):
        shown = request.args.get("visa", "aktiva")
        if shown not in FILTERS:
            abort(400, "visa måste vara aktiva eller arkiverade")
        return render_template(
            "citizen/inbox.html",
            citizen=runtime.citizens.get(personnummer),
            personnummer=personnummer,
            shown=shown,
            threads=side.threads(personnummer, FILTERS[shown]),
        )

    @pages.get("/inkorg/arende/<message_id>")
    @citizen_only
    def thread(personnummer: str, message_id: str):
        found = side.open_thread(personnummer, message_id)
        if found is None:
            abort(404, "Meddelandet finns inte i din inkorg.")
        return render_template(
            "citizen/thread.html",
            thread=found,
            personnummer=personnummer,
            citizen=runtime.citizens.get(personnummer),
            actions=ACTIONS,
        )

    @pages.post("/inkorg/arende/<message_id>/<status>")
    @citizen_only
    def select(personnummer: str, message_id: str, status: str):
        wanted = {"arkivera": "Archived", "aktivera": "Active"}.get(status)
        if wanted is None or not side.set_selection(personnummer, message_id, wanted):
            abort(404)
        flash("Ärendet är arkiverat." if wanted == "Archived" else "Ärendet är flyttat till aktiva.", "info")
        return redirect(url_for("citizen_pages.inbox", visa="arkiverade" if wanted == "Active" else "aktiva"))

    @pages.post("/inkorg/arende/<message_id>/bokning/<action>")
    @citizen_only
    def booking_action(personnummer: str, message_id: str, action: str):
        if action not in ACTIONS:
            abort(404)
        try:
            side.act(personnummer, message_id, action)
        except NotAllowed:
            flash("Det går inte att " + ACTIONS[action].lower() + " den här tiden.", "error")
        else:
            flash(
                "Din avbokning är skickad till mottagningen."
                if action == "cancel"
                else "Din begäran om ny tid är skickad till mottagningen.",
                "info",
            )
        return redirect(url_for("citizen_pages.thread", message_id=message_id))

    return pages
