"""Paper letters handed to the print service together: a group commit over HTTP.

The embedded worker works several bookings at once (threads). A thread that reaches a
paper step marks it ``sending`` (outputs.deliver_letter), then hands its letter here: if no
letter is on its way, it posts at once; if one is, it waits, and the next thread to post
takes every letter that queued meanwhile in one ``POST {paper_outbox}/batch`` (the
simulator's print service stores them together or not at all). No letter waits for a
timer: a batch is what queued while the previous call was out.

Exactly once is the single letter's: every letter's step is ``sending`` before the call,
so an answer lost for a batch leaves each of its steps to ask the outbox first (LK-04). A batch
refused as a whole (a 4xx: one bad letter, or a print service without ``/batch``) stored
nothing, so each of its letters is then posted on its own and gets its own verdict; a
service that has no ``/batch`` is remembered and posted to one letter at a time."""

from __future__ import annotations

import dataclasses
import json
import threading
from typing import Any

import requests

LIMIT = 100  # the print service's most letters in one batch


@dataclasses.dataclass
class Answer:
    """What the callers of a single POST read of its answer (status, JSON body, text)."""

    status_code: int
    body: Any = None

    def json(self) -> Any:
        return self.body

    @property
    def text(self) -> str:
        return json.dumps(self.body, ensure_ascii=False)[:2000]


@dataclasses.dataclass
class _Letter:
    key: tuple[str, float, str]  # (url, timeout, consumer): letters posted together share it
    body: dict
    answer: Answer | requests.Response | None = None
    error: requests.RequestException | None = None
    finished: bool = False


class LetterPost:
    """Posts paper letters for the worker's threads, together when they come together."""

    def __init__(self, limit: int = LIMIT, gather: float = 0.0):
        self.limit = limit
        # seconds a letter that finds no other waits for the other threads' letters before
        # it goes out (0: never; the embedded worker's threads set a few milliseconds)
        self.gather = gather
        self._cond = threading.Condition()
        self._waiting: list[_Letter] = []
        self._posting = False
        self._single: set[str] = set()  # print services without /batch
        self.calls = 0  # POSTs made, single or batch (the campaign's figures)
        self.letters = 0

    def post(
        self, session: requests.Session, url: str, body: dict, timeout: float, consumer: str
    ) -> requests.Response | Answer:
        """The letter's answer (raises what the POST raised), as if posted on its own."""
        letter = _Letter((url, timeout, consumer), body)
        with self._cond:
            self._waiting.append(letter)
            while self._posting and not letter.finished:
                self._cond.wait()
            if not letter.finished:
                self._posting = True
                if self.gather > 0 and len(self._waiting) == 1:
                    self._cond.wait(self.gather)  # the others' letters join (they queue: _posting)
                batch = [letter] + [w for w in self._waiting if w is not letter and w.key == letter.key]
                batch = batch[: self.limit]
                for taken in batch:
                    self._waiting.remove(taken)
        if not letter.finished:
            try:
                self._send(session, batch)
            finally:
                with self._cond:
                    for taken in batch:
                        if taken.answer is None and taken.error is None:
                            taken.error = requests.ConnectionError("the letter's batch was not sent")
                        taken.finished = True
                    self._posting = False
                    self._cond.notify_all()
        if letter.error is not None:
            raise letter.error
        assert letter.answer is not None
        return letter.answer

    def _send(self, session: requests.Session, batch: list[_Letter]) -> None:
        url, timeout, consumer = batch[0].key
        if len(batch) > 1 and url not in self._single:
            try:
                answer = self._post(session, f"{url}/batch", {"letters": [b.body for b in batch]}, timeout, consumer)
            except requests.RequestException as exc:
                for taken in batch:
                    taken.error = exc
                return
            self.letters += len(batch)
            if answer.status_code == 201:
                stored = _json(answer)
                if isinstance(stored, list) and len(stored) == len(batch):
                    for taken, letter in zip(batch, stored, strict=True):
                        taken.answer = Answer(201, letter)
                    return
                for taken in batch:  # taken, but answered unreadably: each step asks the outbox
                    taken.answer = Answer(502, {})
                return
            if not 400 <= answer.status_code < 500:  # 5xx: may have been stored, each step asks first
                for taken in batch:
                    taken.answer = Answer(answer.status_code, {})
                return
            if answer.status_code in (404, 405):
                self._single.add(url)
            self.letters -= len(batch)
        for taken in batch:  # refused as a whole, nothing stored: each on its own
            try:
                taken.answer = self._post(session, url, taken.body, timeout, consumer)
                self.letters += 1
            except requests.RequestException as exc:
                taken.error = exc

    def _post(self, session: requests.Session, url: str, body: Any, timeout: float, consumer: str):
        self.calls += 1
        return post_json(session, url, body, timeout, consumer)


def post_json(session: requests.Session, url: str, body: Any, timeout: float, consumer: str) -> requests.Response:
    """One REST delivery to the platform's outboxes, naming the calling care system as the
    platform reads it (``x-rivta-original-serviceconsumer-hsaid``)."""
    return session.post(url, json=body, timeout=timeout, headers={"x-rivta-original-serviceconsumer-hsaid": consumer})


def _json(answer: requests.Response) -> Any:
    try:
        return answer.json()
    except ValueError:
        return None
