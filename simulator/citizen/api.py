"""Control API of the citizen side (JSON; errors name the field): notifications,
threads with read status, the paper outbox, citizen actions and callback URLs.
Request and response models below; they are the OpenAPI document's description too."""

from __future__ import annotations

import json
from typing import Annotated, Literal

from flask import Blueprint, Response, jsonify, request
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    RootModel,
    StrictBool,
    StrictStr,
    StringConstraints,
    ValidationError,
    model_validator,
)

from simulator.auth.access import caller_consumer
from simulator.citizen import callbacks, paper
from simulator.citizen.core import CitizenSide
from simulator.control.errors import field_error, json_body
from simulator.control.models import Personnummer, Text
from simulator.control.spec import API, Error, Query, Strict, answers, body, query
from simulator.errors import FieldError, Forbidden, NotFound
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
Key = Annotated[str, StringConstraints(max_length=255)]
# A care system's identifiers and names in a letter: trimmed, never empty, at most 255.
Name = Annotated[StrictStr, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)]


class Row(BaseModel):
    """Answers that are store rows: the members listed are always there."""

    model_config = ConfigDict(extra="allow")


class ByPerson(Query):
    personnummer: Personnummer | None = None


class ByPersonAndThread(ByPerson):
    business_object_id: Key | None = None


class LetterQuery(ByPersonAndThread):
    status: Literal["in_transit", "delivered"] | None = None


class Notification(Row):
    id: int
    personnummer: str
    channel: str
    recipient: str | None
    text: str | None
    created_at: str


class ThreadMessage(Row):
    message_id: str
    case_read_status: str | None
    read_at: str | None


class ThreadReadStatus(BaseModel):
    business_object_id: str
    messages: list[ThreadMessage]


class SenderFacility(Strict):
    name: Name | None = None
    hsa_id: Name | None = None

    @model_validator(mode="after")
    def _someone(self) -> SenderFacility:
        if not self.name and not self.hsa_id:
            raise ValueError("name or hsa_id is required")
        return self


class LetterAddress(Strict):
    name: Text | None = None
    care_of: Text | None = None
    street: Text | None = None
    postal_code: Text | None = None
    city: Text | None = None


class PaperLetterSubmission(Strict):
    """JSON form; or multipart/form-data with ``metadata`` (these members but the letter)
    and ``document`` (a PDF or text/plain file)."""

    personnummer: Personnummer
    sender_facility: SenderFacility
    business_object_id: Name | None = None
    booking_id: Name | None = None
    reason_rule_ids: list[Annotated[StrictStr, StringConstraints(pattern=r"^[A-Z]{2}-[0-9]{2}$")]] | None = Field(
        None, max_length=50
    )
    protected_address_route: StrictBool = False
    address: LetterAddress | None = Field(None, description="Refused for a protected person (CH-10)")
    postal_delivery_days: int | None = Field(None, ge=0, le=30)
    pdf_base64: StrictStr | None = Field(None, description="The letter as a PDF; or send text")
    text: StrictStr | None = Field(None, description="The letter as plain text; or send pdf_base64")


LETTER_BATCH = 100  # letters in one POST /api/paper-letters/batch


class PaperLetterBatch(Strict):
    """Several letters at once (JSON only), stored together or not at all."""

    letters: list[PaperLetterSubmission] = Field(min_length=1, max_length=LETTER_BATCH)


class PaperLetter(Row):
    letter_id: str
    personnummer: str
    status: str
    received_at: str
    delivered_at: str


class CitizenAction(Row):
    event_id: str = Field(description="The same in every delivery attempt: de-duplicate on it")
    action: str
    personnummer: str
    callback_status: Literal["none", "pending", "delivered", "failed"]
    callback_attempts: int
    callback_last_error: str | None
    callback_next_attempt_at: str | None = Field(description="While pending: when it is tried again (real time)")


class CallbackRegistration(Strict):
    source_system: Annotated[StrictStr, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)] = Field(
        description="The sourceSystem (HSA-id) the care system sends in AddMessage"
    )
    url: Annotated[StrictStr, StringConstraints(max_length=2000)] = Field(description="absolute http(s) URL")


class Callback(Row):
    source_system: str
    url: str


def _list(model: type[BaseModel]) -> type[RootModel]:
    """A JSON array of ``model``, named ``<Model>List`` in the OpenAPI document."""
    return type(f"{model.__name__}List", (RootModel[list[model]],), {"__module__": __name__})  # type: ignore[valid-type]


Notifications = _list(Notification)
PaperLetters = _list(PaperLetter)
CitizenActions = _list(CitizenAction)
Callbacks = _list(Callback)


def _iso(row: dict) -> dict:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row.items()}


def letter_submission(data: dict) -> paper.Submission:
    """The one door for a letter's metadata: the model, then the domain's value."""
    try:
        asked = PaperLetterSubmission.model_validate(data)
    except ValidationError as exc:
        raise field_error(exc) from None
    address = {k: v for k, v in asked.address.model_dump().items() if v} if asked.address else {}
    return paper.Submission(
        personnummer=asked.personnummer,
        sender_name=asked.sender_facility.name,
        sender_hsa_id=asked.sender_facility.hsa_id,
        business_object_id=asked.business_object_id,
        booking_id=asked.booking_id,
        reason_rule_ids=tuple(asked.reason_rule_ids or ()),
        protected_route=asked.protected_address_route,
        address=address or None,
        postal_delivery_days=asked.postal_delivery_days,
    )


def _submission() -> tuple[paper.Submission, paper.Document]:
    """JSON (letter as ``pdf_base64`` or ``text``) or multipart/form-data with a
    ``metadata`` JSON field and a ``document`` file (PDF or text/plain). The letter is
    checked first (what a care system most often gets wrong), then the metadata model."""
    if request.mimetype != "multipart/form-data":
        data = json_body()
        document = paper.json_document(data)
    else:
        try:
            data = json.loads(request.form.get("metadata") or "")
        except (ValueError, RecursionError):
            raise FieldError("metadata", "must be a JSON object (form field)") from None
        if not isinstance(data, dict):
            raise FieldError("metadata", "must be a JSON object (form field)")
        document = _uploaded()
    return letter_submission(data), document


def _batch() -> list[tuple[paper.Submission, paper.Document]]:
    """The letters of ``POST /api/paper-letters/batch``, each checked as ``_submission``
    checks a JSON letter; a bad one is named by its place in the list."""
    letters = json_body().get("letters")
    if not isinstance(letters, list) or not 1 <= len(letters) <= LETTER_BATCH:
        raise FieldError("letters", f"must be a list of 1 to {LETTER_BATCH} letters")
    found = []
    for index, data in enumerate(letters):
        try:
            if not isinstance(data, dict):
                raise FieldError("body", "must be a JSON object")
            document = paper.json_document(data)
            found.append((letter_submission(data), document))
        except FieldError as exc:
            raise exc.within(f"letters[{index}]") from None
    return found


def _uploaded() -> paper.Document:
    upload = request.files.get("document")
    if upload is None:
        raise FieldError("document", "is required (the letter as a PDF or text/plain file)")
    raw = upload.read(paper.MAX_PDF_BYTES + 1)
    if upload.mimetype == "text/plain":
        try:
            return paper.text_document(raw.decode("utf-8"), "document")
        except UnicodeDecodeError:
            raise FieldError("document", "text must be UTF-8") from None
    return paper.pdf_document(raw, "document")


def create_blueprint(side: CitizenSide) -> Blueprint:
    api = Blueprint("citizen_api", __name__, url_prefix="/api")
    store = side.store
    tags = ["citizen side"]

    @api.get("/notifications")
    @API.validate(query=ByPerson, resp=answers(HTTP_200=Notifications), tags=tags)
    def notifications():
        """SMS and e-mail notifications the inbox would have sent, newest first."""
        found = store.notifications(query(ByPerson).personnummer, consumer=caller_consumer())
        return jsonify([_iso(n) for n in found])

    @api.get("/threads/<path:business_object_id>")
    @API.validate(query=ByPerson, resp=answers(HTTP_200=ThreadReadStatus, HTTP_404=Error), tags=tags)
    def thread(business_object_id: str):
        """Read status of the messages of one businessObjectId (RP-02)."""
        messages = side.inbox.messages_by_business_object(
            business_object_id, query(ByPerson).personnummer, consumer=caller_consumer()
        )
        if not messages:
            raise NotFound("business_object_id", f"no messages with businessObjectId {business_object_id[:200]!r}")
        return jsonify(
            business_object_id=business_object_id, messages=[_iso({k: m[k] for k in THREAD_FIELDS}) for m in messages]
        )

    @api.post("/paper-letters")
    # Documented with the model; validated in _submission (the letter first, JSON or multipart).
    @API.validate(json=PaperLetterSubmission, resp=answers(HTTP_201=PaperLetter), tags=tags, skip_validation=True)
    def submit_letter():
        """Hand a letter to the paper outbox (FB-01): JSON, or multipart with metadata + document."""
        data, document = _submission()
        # A vendor token (shared mode) is its consumer, whatever header it sends.
        consumer = caller_consumer() or request.environ.get(CONSUMER_HEADER) or None
        letter = side.submit_letter(data, document, consumer or request.remote_addr, consumer)
        return jsonify(_iso(letter)), 201

    @api.post("/paper-letters/batch")
    # Documented with the model; each letter validated as one POST /api/paper-letters would be.
    @API.validate(
        json=PaperLetterBatch, resp=answers(HTTP_201=PaperLetters, HTTP_400=Error), tags=tags, skip_validation=True
    )
    def submit_letters():
        """Hand up to 100 letters to the paper outbox in one request (a print service's batch):
        every letter is checked as a single submission is, an error names its place
        (``letters[3].address``) and then none is stored; else all are, in one transaction.
        The answer lists the letters in the order sent."""
        consumer = caller_consumer() or request.environ.get(CONSUMER_HEADER) or None
        letters = side.submit_letters(_batch(), consumer or request.remote_addr, consumer)
        return jsonify([_iso(letter) for letter in letters]), 201

    @api.get("/paper-letters")
    @API.validate(query=LetterQuery, resp=answers(HTTP_200=PaperLetters), tags=tags)
    def letters():
        """The paper outbox, filtered."""
        asked = query(LetterQuery)
        return jsonify(side.letters(asked.personnummer, asked.business_object_id, asked.status, caller_consumer()))

    def _letter(letter_id: str) -> dict:
        found = store.letter(letter_id, consumer=caller_consumer())
        if found is None:
            raise NotFound("letter_id", f"no paper letter {letter_id[:100]!r}")
        return found

    @api.get("/paper-letters/<letter_id>")
    @API.validate(resp=answers(HTTP_200=PaperLetter, HTTP_404=Error), tags=tags)
    def letter(letter_id: str):
        """One paper letter."""
        return jsonify(side.letter_json(_letter(letter_id)))

    @api.get("/paper-letters/<letter_id>/document")
    @API.validate(resp=answers("HTTP_200", HTTP_404=Error), tags=tags)
    def letter_document(letter_id: str):
        """The letter as it was sent (PDF or text)."""
        found = _letter(letter_id)
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
    @API.validate(query=ByPersonAndThread, resp=answers(HTTP_200=CitizenActions), tags=tags)
    def actions():
        """What citizens did (Avboka, Omboka, ...) and the callbacks sent about it."""
        asked = query(ByPersonAndThread)
        found = store.actions(asked.personnummer, asked.business_object_id, consumer=caller_consumer())
        return jsonify([_iso(r) for r in found])

    @api.get("/callbacks")
    @API.validate(resp=answers(HTTP_200=Callbacks), tags=tags)
    def list_callbacks():
        """Registered callback URLs per sourceSystem."""
        return jsonify([_iso(c) for c in store.callbacks(consumer=caller_consumer())])

    @api.post("/callbacks")
    @API.validate(json=CallbackRegistration, resp=answers(HTTP_201=Callback), tags=tags)
    def register_callback():
        """Where citizen actions for a sourceSystem are posted."""
        registration = body(CallbackRegistration)
        try:
            url = callbacks.check_url(registration.url)
        except ValueError as exc:
            raise FieldError("url", str(exc)) from None
        if not store.register_callback(registration.source_system, url, side.clock.now(), caller_consumer()):
            raise Forbidden("source_system", "registered by another consumer; only its owner or an admin may change it")
        return jsonify(source_system=registration.source_system, url=url), 201

    @api.delete("/callbacks/<path:source_system>")
    @API.validate(resp=answers(HTTP_204=None, HTTP_404=Error), tags=tags)
    def delete_callback(source_system: str):
        """Forget a sourceSystem's callback URL."""
        if not store.delete_callback(source_system, consumer=caller_consumer()):
            raise NotFound("source_system", f"no callback registered for {source_system[:255]!r}")
        return "", 204

    return api
