"""grouped.LetterPost: the worker threads' paper letters posted together when they come
together, each letter answered as if posted alone (outputs.deliver_letter's exactly once
rests on that: every step is ``sending`` before the call and reads its own answer). The
letters are the paper deliveries of CH-02, LK-03 and FB-01; a batch whose answer was lost
fails every letter in it, so each step verifies before it is sent again (LK-04)."""

from __future__ import annotations

import threading

import requests

from dispatchcore.grouped import LetterPost

URL = "http://print.example/api/paper-letters"


class Reply:
    def __init__(self, status: int, body):
        self.status_code, self.body, self.text = status, body, str(body)

    def json(self):
        return self.body


class Service:
    """A print service: answers each letter with its id; ``batch`` says how /batch answers."""

    def __init__(self, batch: int | None = 201, hold: threading.Event | None = None):
        self.batch, self.hold = batch, hold
        self.calls: list[tuple[str, object]] = []
        self.first_in = threading.Event()

    def post(self, url, json=None, timeout=None, headers=None):
        self.calls.append((url, json))
        self.first_in.set()
        if self.hold is not None:
            self.hold.wait(5)
            self.hold = None
        if url.endswith("/batch"):
            if isinstance(self.batch, Exception):
                raise self.batch
            if self.batch != 201:
                return Reply(self.batch, {"error": "no", "field": "letters[1].address"})
            return Reply(201, [{"letter_id": f"L-{b['n']}"} for b in json["letters"]])
        if json["n"] == "bad":
            return Reply(400, {"error": "bad", "field": "address"})
        return Reply(201, {"letter_id": f"L-{json['n']}"})


def post_together(service: Service, names: list[str], grouped: LetterPost | None = None) -> dict:
    """The first letter goes out alone and is held until the others have queued behind it."""
    grouped = grouped or LetterPost()
    answers: dict[str, object] = {}

    def one(n):
        try:
            answers[n] = grouped.post(service, URL, {"n": n}, 5, "SE1").json()
        except requests.RequestException as exc:
            answers[n] = exc

    first = threading.Thread(target=one, args=(names[0],))
    first.start()
    assert service.first_in.wait(5)
    rest = [threading.Thread(target=one, args=(n,)) for n in names[1:]]
    for thread in rest:
        thread.start()
    while len(grouped._waiting) < len(rest):  # all queued behind the held call
        threading.Event().wait(0.01)
    service.hold.set()
    for thread in [first, *rest]:
        thread.join(10)
    return answers


def test_letters_that_come_together_go_in_one_batch_each_with_its_own_answer():
    service = Service(hold=threading.Event())
    answers = post_together(service, ["a", "b", "c", "d"])
    assert answers == {n: {"letter_id": f"L-{n}"} for n in "abcd"}
    assert [url for url, _ in service.calls] == [URL, f"{URL}/batch"]
    assert sorted(b["n"] for b in service.calls[1][1]["letters"]) == ["b", "c", "d"]


def test_a_batch_refused_as_a_whole_is_posted_letter_by_letter():
    service = Service(batch=400, hold=threading.Event())
    answers = post_together(service, ["a", "b", "bad"])
    assert answers["a"] == {"letter_id": "L-a"} and answers["b"] == {"letter_id": "L-b"}
    assert answers["bad"]["field"] == "address"  # the bad letter's own verdict (outputs: FAILED)
    assert [url for url, _ in service.calls].count(URL) == 3


def test_a_print_service_without_batch_is_remembered():
    grouped = LetterPost()
    service = Service(batch=404, hold=threading.Event())
    post_together(service, ["a", "b", "c"], grouped)
    again = Service(hold=threading.Event())
    assert post_together(again, ["d", "e", "f"], grouped) == {n: {"letter_id": f"L-{n}"} for n in "def"}
    assert all(url == URL for url, _ in again.calls)


def test_a_batch_whose_answer_was_lost_fails_every_letter_in_it():
    service = Service(batch=requests.ReadTimeout("no answer"), hold=threading.Event())
    answers = post_together(service, ["a", "b", "c"])
    assert answers["a"] == {"letter_id": "L-a"}
    assert isinstance(answers["b"], requests.ReadTimeout) and isinstance(answers["c"], requests.ReadTimeout)


def test_a_letter_alone_goes_to_the_single_endpoint():
    service = Service()
    assert LetterPost().post(service, URL, {"n": "x"}, 5, "SE1").json() == {"letter_id": "L-x"}
    assert service.calls == [(URL, {"n": "x"})]
