"""The building blocks of a reconciliation: a named :class:`Check` collecting problems,
and the simulator's control API (:class:`Api`) the checks read what was stored through.
Shared by :mod:`loadtests.reconcile` and :mod:`loadtests.dispatch_checks`."""

from __future__ import annotations

import concurrent.futures
import dataclasses
import threading

import requests

THREADS = 8  # concurrent reads of the control API


@dataclasses.dataclass
class Check:
    name: str
    checked: int = 0
    problems: list[str] = dataclasses.field(default_factory=list)
    problem_count: int = 0
    notes: dict = dataclasses.field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.problem_count == 0

    def problem(self, text: str) -> None:
        self.problem_count += 1
        if len(self.problems) < 20:  # the first ones say enough; the count says how many
            self.problems.append(text)

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "ok": self.ok,
            "checked": self.checked,
            "problems": self.problem_count,
            "first_problems": self.problems,
            **self.notes,
        }


class Api:
    """The control API, one HTTP session per thread."""

    def __init__(self, base_url: str):
        self.base_url = base_url.rstrip("/")
        self._local = threading.local()

    def get(self, path: str, **params):
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
        answer = session.get(f"{self.base_url}{path}", params=params or None, timeout=60)
        if answer.status_code == 404:
            return None
        answer.raise_for_status()
        return answer.json()

    def each(self, function, items) -> list:
        with concurrent.futures.ThreadPoolExecutor(THREADS) as pool:
            return list(pool.map(function, items))


def inbox_messages(api: Api, pnr: str) -> list[dict]:
    inbox = api.get(f"/api/citizens/{pnr}/inbox") or {"threads": []}
    return [m for t in inbox["threads"] for m in t["messages"]]
