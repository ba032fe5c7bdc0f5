"""Control API of the citizen side (JSON; errors name the field): notifications,
threads with read status, the paper outbox, citizen actions and callback URLs.
Described for /api/openapi.json in openapi.json beside this module."""

from __future__ import annotations

import json

from flask import Blueprint, Response, abort, jsonify, request

from simulator.citizen import callbacks, paper
from simulator.citizen.core import CitizenSide
from simulator.control.errors import BadRequest, json_body
from simulator.population.domain import FieldError, validate_personnummer
from simulator.soap.endpoint import CONSUMER_HEADER

THREAD_FIELDS = (
    "message_id",
    "subject_of_care_id",
    "business_object_id",
    "case_read_status",
    "read_at",
    "user_selection_status",
    "action_date",
    "action_time",
    "received_at",
    "case_type_description",
    "header_text",
    "facility_hsa_id",
    "facility_name",
    "booking_id",
    "booking_cancelled",
    "source_system",
    "notify",
)


def _iso(row: dict) -> dict:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row.items()}


def _personnummer_arg(name: str = "personnummer") -> str | None:
    value = request.args.get(name)
    if value is None:
        return None
    try:
        return validate_personnummer(value, name)
    except FieldError as exc:
        raise BadRequest(exc.field, exc.message) from None


def _submission() -> tuple[dict, paper.Document]:
    """JSON (letter as ``pdf_base64`` or ``text``) or multipart/form-data with a
    ``metadata`` JSON field and a ``document`` file (PDF or text/plain)."""
    if request.mimetype != "multipart/form-data":
        data = json_body()
        return data, paper.json_document(data)
    try:
        data = json.loads(request.form.get("metadata") or "")
    except ValueError:
        raise FieldError("metadata", "must be a JSON object (form field)") from None
    if not isinstance(data, dict):
        raise FieldError("metadata", "must be a JSON object (form field)")
    upload = request.files.get("document")
    if upload is None:
        raise FieldError("document", "is required (the letter as a PDF or text/plain file)")
    raw = upload.read(paper.MAX_PDF_BYTES + 1)
    if upload.mimetype == "text/plain":
        try:
            return data, paper.text_document(raw.decode("utf-8"), "document")
        except UnicodeDecodeError:
            raise FieldError("document", "text must be UTF-8") from None
    return data, paper.pdf_document(raw, "document")


def create_blueprint(side: CitizenSide) -> Blueprint:
    api = Blueprint("citizen_api", __name__, url_prefix="/api")
    store = side.store

    @api.errorhandler(FieldError)
    def _field_error(exc: FieldError):
        return jsonify(error=exc.message, field=exc.field), 400

    @api.get("/notifications")
    def notifications():
        return jsonify([_iso(n) for n in store.notifications(_personnummer_arg())])

    @api.get("/threads/<path:business_object_id>")
    def thread(business_object_id: str):
        messages = side.inbox.messages_by_business_object(business_object_id, _personnummer_arg())
        if not messages:
            abort(404, f"no messages with businessObjectId {business_object_id!r}")
        return jsonify(
            business_object_id=business_object_id, messages=[_iso({k: m[k] for k in THREAD_FIELDS}) for m in messages]
        )

    @api.post("/paper-letters")
    def submit_letter():
        data, document = _submission()
        letter = side.submit_letter(data, document, request.environ.get(CONSUMER_HEADER) or request.remote_addr)
        return jsonify(_iso(letter)), 201

    @api.get("/paper-letters")
    def letters():
        status = request.args.get("status")
        if status is not None and status not in paper.STATUS_LABELS:
            raise BadRequest("status", f"must be one of {sorted(paper.STATUS_LABELS)}")
        return jsonify(side.letters(_personnummer_arg(), request.args.get("business_object_id"), status))

    @api.get("/paper-letters/<letter_id>")
    def letter(letter_id: str):
        found = store.letter(letter_id)
        if found is None:
            abort(404, f"no paper letter {letter_id!r}")
        return jsonify(side.letter_json(found))

    @api.get("/paper-letters/<letter_id>/document")
    def letter_document(letter_id: str):
        found = store.letter(letter_id)
        if found is None:
            abort(404, f"no paper letter {letter_id!r}")
        suffix = "pdf" if found["content_type"] == "application/pdf" else "txt"
        return Response(
            found["document"],
            content_type=found["content_type"],
            headers={
                "Content-Disposition": f'attachment; filename="brev-{letter_id}.{suffix}"',
                "X-Content-Type-Options": "nosniff",
            },
        )

    @api.get("/citizen-actions")
    def actions():
        rows = store.actions(_personnummer_arg(), request.args.get("business_object_id"))
        return jsonify([_iso(r) for r in rows])

    @api.get("/callbacks")
    def list_callbacks():
        return jsonify([_iso(c) for c in store.callbacks()])

    @api.post("/callbacks")
    def register_callback():
        body = json_body()
        source = body.get("source_system")
        if not isinstance(source, str) or not source.strip() or len(source) > 255:
            raise BadRequest("source_system", "must be the sourceSystem (HSA-id) the care system sends in AddMessage")
        try:
            url = callbacks.check_url(body.get("url"))
        except ValueError as exc:
            raise BadRequest("url", str(exc)) from None
        store.register_callback(source.strip(), url, side.clock.now())
        return jsonify(source_system=source.strip(), url=url), 201

    @api.delete("/callbacks/<path:source_system>")
    def delete_callback(source_system: str):
        if not store.delete_callback(source_system):
            abort(404, f"no callback registered for {source_system!r}")
        return "", 204

    return api
