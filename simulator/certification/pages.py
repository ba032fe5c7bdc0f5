"""The certification pages: the start form with the history of runs, one page per run
that refreshes itself while the run goes on (a meta refresh: no script, within the
citizen pages' CSP), and the downloads (HTML report, signed certificate, JSON, JUnit,
the public key that verifies)."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, send_file, url_for

from conformance.catalog import RULES
from conformance.certificate import fingerprint, load_public_key
from conformance.profiles import PROFILES
from simulator.auth.access import caller_consumer
from simulator.certification import form
from simulator.certification.runs import DOWNLOADS, Runs
from simulator.citizen.web import check_csrf, security_headers

REFRESH_SECONDS = 2
# The report is a self-contained file with inline CSS and no script.
REPORT_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; frame-ancestors 'none'"
)


def builtin_profiles() -> dict[str, str]:
    """Key -> region name of the profiles the suite ships (seam: conformance.profiles.PROFILES)."""
    return {key: profile.name for key, profile in PROFILES.items()}


def accepts_profile_files() -> bool:
    """Whether this suite's ``conformance run`` takes --profile-file (an uploaded TOML)."""
    from conformance.cli import run

    return any(param.name == "profile_file" for param in run.params)


def create_blueprint(runs: Runs) -> Blueprint:
    pages = Blueprint("certification", __name__, template_folder="templates", url_prefix="/certifiering")
    pages.after_request(security_headers)

    def start_page(values: dict, errors: dict[str, str], status: int = 200):
        html = render_template(
            "certification/index.html",
            values=values,
            errors=errors,
            profiles=builtin_profiles(),
            uploads=accepts_profile_files(),
            catalog=RULES,
            runs=runs.history(caller_consumer()),
            active=runs.active(caller_consumer()),
        )
        return html, status

    @pages.get("/")
    def index():
        return start_page({"adapter_url": "", "profile": "rjl", "rules": list(RULES)}, {})

    @pages.post("/")
    def start():
        check_csrf()
        values = {
            "adapter_url": request.form.get("adapter_url", ""),
            "profile": request.form.get("profile", ""),
            "rules": request.form.getlist("rules"),
        }
        errors: dict[str, str] = {}
        url, problem = form.adapter_url(values["adapter_url"])
        if problem:
            errors["adapter_url"] = problem
        rules, problem = form.rule_ids(values["rules"], list(RULES))
        if problem:
            errors["rules"] = problem
        profile, upload, name = values["profile"], None, ""
        if profile == form.UPLOAD:
            upload = _read_upload()
            name, problem = form.uploaded_profile(upload)
            if not problem and not accepts_profile_files():
                problem = "Den här versionen av sviten tar inte emot profilfiler (conformance run --profile-file)."
            if problem:
                errors["profile_file"] = problem
        elif profile in builtin_profiles():
            name = builtin_profiles()[profile]
        else:
            errors["profile"] = "Välj en av profilerna."
        if not errors and runs.active():  # anyone's: a run moves the one shared clock
            errors["form"] = "En körning pågår redan; den flyttar simulatorns klocka, så vänta tills den är klar."
        if errors:
            return start_page(values, errors, 400)
        run_id = runs.start(form.Request(url, profile, rules, upload, name), caller_consumer())
        return redirect(url_for("certification.run", run_id=run_id), code=303)

    @pages.get("/korningar/<run_id>")
    def run(run_id: str):
        view = runs.get(run_id, caller_consumer()) or abort(404)
        html = render_template("certification/run.html", run=view, refresh=REFRESH_SECONDS, catalog=RULES)
        headers = {"Refresh": str(REFRESH_SECONDS)} if view.active else {}
        return html, 200, headers

    @pages.get("/korningar/<run_id>/<name>")
    def download(run_id: str, name: str):
        path = runs.download(run_id, name, caller_consumer()) or abort(404)
        if name == "index.html":
            response = send_file(path, mimetype=DOWNLOADS[name])
            response.headers["Content-Security-Policy"] = REPORT_CSP
            return response
        return send_file(path, mimetype=DOWNLOADS[name], as_attachment=True, download_name=name)

    @pages.get("/nyckel.pub.pem")
    def public_key():
        path = runs.public_key()
        response = send_file(path, mimetype="application/x-pem-file", as_attachment=True, download_name=path.name)
        response.headers["X-Key-Fingerprint"] = fingerprint(load_public_key(path))
        return response

    return pages


def _read_upload() -> bytes | None:
    """At most one byte more than allowed, so an oversized file is named, not read whole."""
    upload = request.files.get("profile_file")
    if upload is None or not upload.filename:
        return None
    return upload.stream.read(form.MAX_PROFILE_BYTES + 1)
