"""Behaviour rules against a real server with two worker processes: every action seen
by a real HTTP client (connection reset and truncated body included), matching on each
key, N-times and probability limits counted across workers, and the 400s that name the
field a tester got wrong."""

from __future__ import annotations

import socket
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from lxml import etree

from tests.inbox import wire
from tests.platform.support import (
    ADD_MESSAGE,
    CARE_SYSTEM,
    VP_ADDRESS,
    add_message,
    behaviour,
    clear,
    fault,
    gate_sleeps,
    new_person,
    result_code,
    rule_state,
    traffic,
)


@pytest.fixture(autouse=True)
def clean(simulator):
    clear(simulator.url)
    yield
    clear(simulator.url)


def stored(server, pnr: str) -> int:
    return len(wire.inbox_store(server).messages_for(pnr))


def raw_add_message(server, pnr: str) -> tuple[socket.socket, bytes]:
    """An AddMessage request over a plain socket, to see exactly what comes back."""
    body = wire.envelope(wire.add_message_body(pnr), VP_ADDRESS).encode()
    request = (
        f"POST {ADD_MESSAGE} HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
        f'Content-Type: text/xml; charset=utf-8\r\nSOAPAction: "{wire.ADD_MESSAGE_ACTION}"\r\n'
        f"x-rivta-original-serviceconsumer-hsaid: {CARE_SYSTEM}\r\nContent-Length: {len(body)}\r\n"
        "Connection: close\r\n\r\n"
    ).encode() + body
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=30)
    sock.sendall(request)
    return sock, body


def test_soap_fault_instead_of_the_producer(simulator):
    pnr = new_person(simulator)
    rule = behaviour(
        simulator.url,
        {
            "match": {"contract": "AddMessage", "personnummer": pnr},
            "action": {"type": "soap_fault", "code": "Server", "text": "Deadlock i databasen"},
        },
    )
    assert fault(add_message(simulator.url, pnr)) == ("soap:Server", "Deadlock i databasen")
    behaviour(simulator.url, {"match": {"personnummer": pnr}, "action": {"type": "soap_fault", "code": "Client"}})
    assert stored(simulator, pnr) == 0  # a rule that answers never stores the message
    [record] = traffic(simulator.url, personnummer=pnr)
    assert (record["outcome"], record["fault_code"], record["behaviour_id"]) == ("server_fault", "Server", rule["id"])
    assert rule_state(simulator.url, rule["id"])["fired"] == 1


def test_result_code_error_and_info_are_schema_valid_answers(simulator):
    pnr = new_person(simulator)
    behaviour(
        simulator.url,
        {
            "match": {"personnummer": pnr, "contract": "AddMessage"},
            "times": 1,
            "action": {"type": "result_code", "code": "ERROR", "text": "Inkorgen är stängd"},
        },
    )
    behaviour(
        simulator.url,
        {
            "match": {"personnummer": pnr, "contract": "AddMessage"},
            "times": 1,
            "action": {"type": "result_code", "code": "INFO", "text": "Meddelandet köades"},
        },
    )
    for code, text in (("ERROR", "Inkorgen är stängd"), ("INFO", "Meddelandet köades")):
        payload = wire.response_payload(add_message(simulator.url, pnr))
        wire.assert_schema_valid("AddMessage", payload)
        assert payload.findtext(f"{{{wire.INBOX}}}resultCode") == code
        assert payload.findtext(f"{{{wire.INBOX}}}resultText") == text
    assert stored(simulator, pnr) == 0
    assert result_code(add_message(simulator.url, pnr)) == "OK"  # both used up: the producer answers
    assert stored(simulator, pnr) == 1
    assert [r["outcome"] for r in traffic(simulator.url, personnummer=pnr)] == ["ok", "info", "error"]


def test_http_status(simulator):
    pnr = new_person(simulator)
    behaviour(
        simulator.url,
        {
            "match": {"personnummer": pnr},
            "action": {"type": "http_status", "status": 503, "body": "Service Unavailable"},
        },
    )
    response = add_message(simulator.url, pnr)
    assert response.status_code == 503 and response.text == "Service Unavailable"
    assert response.headers["Content-Type"].startswith("text/plain")
    assert traffic(simulator.url, personnummer=pnr)[0]["outcome"] == "http_error"


def test_platform_fault(simulator):
    pnr = new_person(simulator)
    behaviour(simulator.url, {"match": {"personnummer": pnr}, "action": {"type": "platform_fault", "code": "VP009"}})
    code, text = fault(add_message(simulator.url, pnr))
    assert code == "soap:Server" and text.startswith("VP009 [kallelse-testbed] Fel vid kontakt med tjänsteproducenten")


def test_connection_reset_before_any_answer(simulator_process):  # needs gunicorn's client socket
    simulator = simulator_process
    pnr = new_person(simulator)
    rule = behaviour(simulator.url, {"match": {"personnummer": pnr}, "action": {"type": "connection_reset"}})
    sock, _ = raw_add_message(simulator, pnr)
    with pytest.raises(ConnectionResetError):
        data = sock.recv(65536)
        assert data == b"", f"the server answered: {data[:200]!r}"  # an orderly close would also fail here
        raise AssertionError("the connection was closed, not reset")
    sock.close()
    with pytest.raises(requests.ConnectionError) as error:
        add_message(simulator.url, pnr)
    assert "reset" in str(error.value).lower()
    assert rule_state(simulator.url, rule["id"])["fired"] == 2
    assert stored(simulator, pnr) == 0
    assert {r["outcome"] for r in traffic(simulator.url, personnummer=pnr)} == {"broken"}


def test_answer_lost_after_the_message_was_stored(simulator_process):  # needs gunicorn's client socket
    """The producer stores the message, then the connection is reset instead of the answer:
    what a consumer sees after a network failure on the way back (it must not assume the
    call failed)."""
    simulator = simulator_process
    pnr = new_person(simulator)
    rule = behaviour(simulator.url, {"match": {"personnummer": pnr}, "action": {"type": "answer_lost"}, "times": 1})
    sock, _ = raw_add_message(simulator, pnr)
    with pytest.raises(ConnectionResetError):
        data = sock.recv(65536)
        assert data == b"", f"the server answered: {data[:200]!r}"
        raise AssertionError("the connection was closed, not reset")
    sock.close()
    assert rule_state(simulator.url, rule["id"])["fired"] == 1
    assert stored(simulator, pnr) == 1  # committed before the reset
    [record] = traffic(simulator.url, personnummer=pnr)
    assert record["outcome"] == "broken" and record["result_code"] == "OK"
    add_message(simulator.url, pnr)  # the rule is used up: the next call is answered
    assert stored(simulator, pnr) == 2


def test_truncated_body(simulator_process):  # needs gunicorn's client socket
    simulator = simulator_process
    pnr = new_person(simulator)
    behaviour(simulator.url, {"match": {"personnummer": pnr}, "action": {"type": "truncated"}})
    sock, _ = raw_add_message(simulator, pnr)
    received = b""
    while chunk := sock.recv(65536):
        received += chunk
    sock.close()
    head, _, body = received.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200")
    length = int(
        next(line.split(b":")[1] for line in head.split(b"\r\n") if line.lower().startswith(b"content-length"))
    )
    assert 0 < len(body) < length  # the server promised more than it sent
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        add_message(simulator.url, pnr)
    assert stored(simulator, pnr) == 0


def test_malformed_body(simulator):
    pnr = new_person(simulator)
    behaviour(simulator.url, {"match": {"personnummer": pnr}, "action": {"type": "malformed"}})
    response = add_message(simulator.url, pnr)
    assert response.status_code == 200 and response.headers["Content-Length"] == str(len(response.content))
    assert response.content.startswith(b"<?xml")
    with pytest.raises(etree.XMLSyntaxError):
        etree.fromstring(response.content)
    assert traffic(simulator.url, personnummer=pnr)[0]["outcome"] == "broken"


def test_fixed_delay_then_the_producer_answers(simulator, monkeypatch):
    slept = gate_sleeps(simulator, monkeypatch)
    pnr = new_person(simulator)
    behaviour(simulator.url, {"match": {"personnummer": pnr}, "action": {"type": "delay", "ms": 700}})
    assert result_code(add_message(simulator.url, pnr)) == "OK"
    assert slept == [0.7]
    assert stored(simulator, pnr) == 1  # a delay alone lets the producer store it


def test_uniform_delay_range_and_delay_before_a_fault(simulator, monkeypatch):
    slept = gate_sleeps(simulator, monkeypatch)
    pnr = new_person(simulator)
    behaviour(
        simulator.url,
        {
            "match": {"personnummer": pnr},
            "action": {"type": "soap_fault", "code": "Server", "text": "sent", "min_ms": 300, "max_ms": 500},
        },
    )
    for _ in range(3):
        assert fault(add_message(simulator.url, pnr))[1] == "sent"
    assert len(slept) == 3 and all(0.3 <= s <= 0.5 for s in slept), slept
    assert len(traffic(simulator.url, personnummer=pnr)) == 3


def test_matching_on_each_key(simulator):
    pnr, other = new_person(simulator), new_person(simulator)
    behaviour(
        simulator.url,
        {
            "match": {
                "contract": "AddMessage",
                "logical_address": VP_ADDRESS,
                "consumer": CARE_SYSTEM,
                "personnummer": pnr,
                "source_system": "SE-SOURCE",
                "business_object_id": "BO-1",
            },
            "action": {"type": "soap_fault", "text": "all six matched"},
        },
    )
    call = dict(source_system="SE-SOURCE", business_object_id="BO-1")
    assert fault(add_message(simulator.url, pnr, **call))[1] == "all six matched"
    misses = [
        add_message(simulator.url, other, **call),
        add_message(simulator.url, pnr, logical_address="SE-OTHER-ADDRESS", **call),
        add_message(simulator.url, pnr, consumer="SE-OTHER-CONSUMER", **call),
        add_message(simulator.url, pnr, source_system="SE-ELSEWHERE", business_object_id="BO-1"),
        add_message(simulator.url, pnr, source_system="SE-SOURCE", business_object_id="BO-2"),
        wire.ask_profile(simulator.url, "GetUserProfile", pnr),
    ]
    assert [r.status_code for r in misses] == [200] * 6


def test_next_n_calls_across_workers(simulator):
    pnr = new_person(simulator)
    rule = behaviour(
        simulator.url,
        {"match": {"personnummer": pnr}, "times": 5, "action": {"type": "soap_fault", "text": "one of five"}},
    )
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: add_message(simulator.url, pnr), range(16)))
    assert sum(1 for a in answers if a.status_code == 500) == 5
    assert sum(1 for a in answers if a.status_code == 200) == 11
    state = rule_state(simulator.url, rule["id"])
    assert (state["fired"], state["remaining"], state["expired"]) == (5, 0, True)
    assert stored(simulator, pnr) == 11


def test_probability(simulator):
    pnr = new_person(simulator)
    rule = behaviour(
        simulator.url,
        {"match": {"personnummer": pnr}, "probability": 0.5, "action": {"type": "soap_fault", "text": "coin"}},
    )
    answers = [add_message(simulator.url, pnr).status_code for _ in range(60)]
    faults = answers.count(500)
    assert 10 <= faults <= 50, faults  # Binomial(60, 0.5): outside this range has p < 1e-7
    assert rule_state(simulator.url, rule["id"])["fired"] == faults
    rule = behaviour(
        simulator.url,
        {
            "match": {"personnummer": pnr},
            "probability": 0.5,
            "times": 3,
            "action": {"type": "soap_fault", "text": "coin"},
        },
    )
    requests.delete(f"{simulator.url}/api/behaviours/{rule['id'] - 1}", timeout=10)
    answers = [add_message(simulator.url, pnr).status_code for _ in range(60)]
    assert answers.count(500) == 3 and rule_state(simulator.url, rule["id"])["expired"] is True


def test_first_matching_rule_wins_and_deleting_a_rule(simulator):
    pnr = new_person(simulator)
    first = behaviour(simulator.url, {"match": {"personnummer": pnr}, "action": {"type": "soap_fault", "text": "1"}})
    behaviour(simulator.url, {"match": {"personnummer": pnr}, "action": {"type": "soap_fault", "text": "2"}})
    assert fault(add_message(simulator.url, pnr))[1] == "1"
    assert requests.delete(f"{simulator.url}/api/behaviours/{first['id']}", timeout=10).status_code == 200
    assert requests.get(f"{simulator.url}/api/behaviours/{first['id']}", timeout=10).status_code == 404
    assert fault(add_message(simulator.url, pnr))[1] == "2"
    listed = requests.get(f"{simulator.url}/api/behaviours", timeout=10).json()["items"]
    assert [(r["fired"], r["action"]["text"]) for r in listed] == [(1, "2")]


@pytest.mark.parametrize(
    "rule, field",
    [
        ({"action": {"type": "explode"}}, "action.type"),
        ({"action": {"type": "delay"}}, "action.ms"),
        ({"action": {"type": "delay", "ms": 200_000}}, "action.ms"),
        ({"action": {"type": "delay", "min_ms": 500, "max_ms": 100}}, "action.max_ms"),
        ({"action": {"type": "soap_fault", "code": "Sender"}}, "action.code"),
        ({"action": {"type": "http_status", "status": 200}}, "action.status"),
        ({"action": {"type": "result_code", "code": "ERROR", "text": "x"}}, "match.contract"),
        (
            {"match": {"contract": "AddMessage"}, "action": {"type": "result_code", "code": "OK", "text": "x"}},
            "action.code",
        ),
        ({"match": {"contract": "AddMessage"}, "action": {"type": "result_code", "code": "ERROR"}}, "action.text"),
        (
            {
                "match": {"contract": "GetPersonsForProfile"},
                "action": {"type": "result_code", "code": "ERROR", "text": "x"},
            },
            "action.code",
        ),
        ({"match": {"contract": "NoSuchThing"}, "action": {"type": "soap_fault"}}, "match.contract"),
        ({"match": {"person": "x"}, "action": {"type": "soap_fault"}}, "match.person"),
        ({"action": {"type": "soap_fault"}, "times": 0}, "times"),
        ({"action": {"type": "soap_fault"}, "probability": 1.5}, "probability"),
        ({"action": {"type": "platform_fault", "code": "VP999"}}, "action.code"),
    ],
)
def test_bad_rules_are_refused_naming_the_field(simulator, rule, field):
    answer = requests.post(f"{simulator.url}/api/behaviours", json=rule, timeout=10)
    assert answer.status_code == 400, answer.text
    assert answer.json()["field"] == field, answer.json()
    assert requests.get(f"{simulator.url}/api/behaviours", timeout=10).json()["items"] == []
