"""The citizen side's use cases, shared by the pages, the control API and the SOAP
read-status producer: read a thread (marking it read at the clock's time), archive it,
press a booking button, notify, post a letter. Every timestamp comes from the
simulator clock."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import uuid
from pathlib import Path

from simulator.citizen import booking, callbacks, docbook_html, links, notifications, paper
from simulator.citizen.store import CitizenSideStore
from simulator.errors import FieldError
from simulator.inbox.store import InboxStore
from simulator.population.personnummer import mask

log = logging.getLogger(__name__)


class NotAllowed(Exception):
    """The citizen asked for something the page would not have offered."""


@dataclasses.dataclass
class MessageView:
    message: dict
    html: str
    link: links.Link | None


class CitizenSide:
    def __init__(self, runtime, link_table_path: Path | None = None):
        self.runtime = runtime
        self.inbox = InboxStore(runtime.db)
        self.store = CitizenSideStore(runtime.db)
        self.link_table = links.load_table(link_table_path)

    @property
    def clock(self):
        return self.runtime.clock

    # inbox -------------------------------------------------------------------
    def threads(self, personnummer: str, selection_status: str | None = "Active") -> list[dict]:
        return self.inbox.threads(personnummer, selection_status)

    def thread_of(self, personnummer: str, message_id: str) -> dict | None:
        """The thread a message belongs to, only if it is this citizen's."""
        message = self.inbox.message(message_id)
        if message is None or message["subject_of_care_id"] != personnummer:
            return None
        return self.inbox.thread(personnummer, message["thread_key"])

    def open_thread(self, personnummer: str, message_id: str) -> dict | None:
        """Show every message of the thread; each shown message is now Read, at the
        clock's time (the first read time is kept; it is what a care system asks for)."""
        thread = self.thread_of(personnummer, message_id)
        if thread is None:
            return None
        now = self.clock.now()
        for message in thread["messages"]:
            if message["case_read_status"] != "Read":
                self.inbox.mark_read(message["message_id"], now)
        shown = self.inbox.thread(personnummer, thread["thread_key"])
        assert shown is not None  # read marks never remove a message
        shown["views"] = [self.view(m) for m in shown["messages"]]
        shown["booking"] = self.booking_state(shown)
        return shown

    def view(self, message: dict) -> MessageView:
        config = json.loads(message["url_configuration"]) if message.get("url_configuration") else None
        return MessageView(message, docbook_html.render(message["msg"]), links.resolve(config, self.link_table))

    def booking_state(self, thread: dict) -> booking.BookingState | None:
        actions = self.store.actions(
            personnummer=thread["subject_of_care_id"], business_object_id=thread["business_object_id"]
        )
        actions = [a for a in actions if a["business_object_id"] == thread["business_object_id"]]
        return booking.booking_state(thread["messages"], actions, self.clock.now())

    def set_selection(self, personnummer: str, message_id: str, status: str) -> bool:
        thread = self.thread_of(personnummer, message_id)
        if thread is None:
            return False
        return self.inbox.set_selection_status(personnummer, thread["thread_key"], status) > 0

    # booking buttons -----------------------------------------------------------
    def act(self, personnummer: str, message_id: str, action: str) -> dict:
        """Record the citizen's "Avboka"/"Boka om" and send it to the care system's
        callback URL, if it registered one."""
        thread = self.thread_of(personnummer, message_id)
        state = self.booking_state(thread) if thread else None
        if thread is None or state is None or not state.allows(action):
            raise NotAllowed(action)
        message = next(m for m in thread["messages"] if m["message_id"] == state.message_id)
        source = message["source_system"] or message["consumer"]
        url = self.store.callback_url(source, message["consumer"])
        row = {
            "event_id": str(uuid.uuid4()),
            "action": action,
            "personnummer": personnummer,
            "message_id": message["message_id"],
            "business_object_id": message["business_object_id"],
            "booking_id": state.booking_id,
            "source_system": source,
            "consumer": message["consumer"],
            "created_at": self.clock.now(),
            "callback_url": url,
            "callback_status": "pending" if url else "none",
            "callback_attempts": 0,
        }
        self.store.add_action(row)
        log.info("citizen %s pressed %s on booking %s", mask(personnummer), action, row["booking_id"])
        if url:
            callbacks.deliver_in_background(self.store, row, url)
        return row

    # notifications -----------------------------------------------------------
    def on_message(self, citizen, message: dict) -> None:
        """runtime.message_listeners hook: called after AddMessage stored a message."""
        rows = notifications.notifications_for(citizen, message, self.clock.now())
        self.store.add_notifications(rows)

    # paper outbox ------------------------------------------------------------
    def submit_letter(
        self,
        submission: paper.Submission,
        document: paper.Document,
        submitted_by: str | None,
        consumer: str | None = None,
    ) -> dict:
        """``consumer``: the sender's consumer HSA-id, which scopes the letter in shared mode."""
        now = self.clock.now()  # one reading of the clock (a database read) for the row and its answer
        return self._received([self._letter_row(submission, document, now, submitted_by, consumer)], now)[0]

    def submit_letters(
        self,
        letters: list[tuple[paper.Submission, paper.Document]],
        submitted_by: str | None,
        consumer: str | None = None,
    ) -> list[dict]:
        """Several letters, stored together or not at all (a CH-10 refusal names the
        letter's place, ``letters[i].address``); one clock reading for all."""
        now = self.clock.now()
        rows = []
        for index, (submission, document) in enumerate(letters):
            try:
                rows.append(self._letter_row(submission, document, now, submitted_by, consumer))
            except FieldError as exc:
                raise exc.within(f"letters[{index}]") from None
        return self._received(rows, now)

    def _letter_row(
        self,
        submission: paper.Submission,
        document: paper.Document,
        now: dt.datetime,
        submitted_by: str | None,
        consumer: str | None,
    ) -> dict:
        citizen = self.runtime.citizens.lookup(submission.personnummer)  # read only
        return paper.new_letter(submission, document, citizen, now, submitted_by) | {"consumer": consumer}

    def _received(self, rows: list[dict], now: dt.datetime) -> list[dict]:
        """Stored in one transaction, logged (masked), and answered as the outbox shows them."""
        self.store.add_letters(rows)
        for row in rows:
            log.info("paper letter %s for %s received", row["letter_id"], mask(row["personnummer"]))
        return [self.letter_json(row, now) for row in rows]

    def letter_json(self, letter: dict, now: dt.datetime | None = None) -> dict:
        now = now or self.clock.now()
        data = {k: v for k, v in letter.items() if k not in ("document", "seq")}
        data["received_at"] = letter["received_at"].isoformat()
        data["delivered_at"] = paper.delivered_at(letter).isoformat()
        data["status"] = paper.status(letter, now)
        data["size"] = len(letter["document"]) if "document" in letter else letter.get("size")
        if letter["protected_citizen"]:
            data["address"] = None
        return data

    def letters(self, personnummer=None, business_object_id=None, status=None, consumer=None) -> list[dict]:
        stored = self.store.letters(personnummer, business_object_id, consumer=consumer)
        now = self.clock.now()
        found = [self.letter_json(letter, now) for letter in stored]
        return [letter for letter in found if status is None or letter["status"] == status]
