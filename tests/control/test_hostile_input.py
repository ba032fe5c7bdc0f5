"""What a careless or hostile client sends to the JSON API answers 4xx JSON naming the
field, never a 500, never HTML, and never leaves a state the service cannot serve
(issue #13: deep JSON, year-1/9999 dates, P999999999D, integers past 64 bits, a
personnummer with a newline, month 13)."""

from __future__ import annotations

import pytest

HUGE = 2**70


@pytest.fixture()
def client(web):
    return web.test_client()


def refused(response, field: str, status: int = 400) -> None:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json, response.get_data(as_text=True)[:200]
    assert response.get_json()["field"] == field, response.get_json()


def test_100000_deep_json_is_refused_before_it_is_parsed(client):
    deep = "[" * 100_000 + "]" * 100_000
    refused(client.post("/api/reset", data=deep, content_type="application/json"), "body")
    refused(
        client.post("/api/citizens", data='{"a":' * 50_000 + "1" + "}" * 50_000, content_type="application/json"),
        "body",
    )


def test_nesting_is_bounded_at_exactly_max_json_depth(client):
    """The guard counts the body's brackets first and scans only a body with more of them
    than the limit: one level past MAX_JSON_DEPTH is refused as ``body``, the limit itself
    reaches the view (which names its own field)."""
    from simulator.control.guard import MAX_JSON_DEPTH

    def nested(levels: int) -> str:  # the body object plus levels - 1 objects in "label"
        return '{"personnummer": "195001011005", "label": ' + '{"a": ' * (levels - 1) + "1" + "}" * levels

    refused(client.post("/api/citizens", data=nested(MAX_JSON_DEPTH + 1), content_type="application/json"), "body")
    answer = client.post("/api/citizens", data=nested(MAX_JSON_DEPTH), content_type="application/json")
    assert answer.status_code == 400 and answer.get_json()["field"] != "body", answer.get_json()


def test_brackets_inside_strings_are_not_nesting(client):
    label = "[" * 1000 + "{" * 1000
    body = {"personnummer": "195001011005", "given_name": "Tolvan", "surname": "T", "label": label[:200]}
    assert client.post("/api/citizens", json=body).status_code == 201


def test_json_body_size_and_type_are_bounded(client):
    from simulator.control.guard import MAX_JSON_BYTES

    big = '{"label": "' + "x" * MAX_JSON_BYTES + '"}'
    refused(client.post("/api/reset", data=big, content_type="application/json"), "body")
    refused(client.post("/api/reset", data="{not json", content_type="application/json"), "body")
    refused(client.post("/api/reset", data="[1, 2]", content_type="application/json"), "body")
    refused(client.post("/api/reset", data="reseed", content_type="text/plain"), "body")


@pytest.mark.parametrize(
    "command, field",
    [
        ({"set": "9999-12-31T22:00:00+00:00", "speed": 100000}, "set"),
        ({"set": "0001-01-01T00:00:00+00:00"}, "set"),
        ({"set": "1899-12-31T23:00:00+00:00"}, "set"),
        ({"advance": "P999999999D"}, "advance"),
        ({"advance": "-P999999999D"}, "advance"),
        ({"advance": "PT99999999999999999999S"}, "advance"),
        ({"speed": 1e300}, "speed"),
        ({"speed": 0}, "speed"),
        ({"speed": True}, "speed"),
        ({"set": "2199-12-31T12:00:00+00:00", "speed": 100000}, "set"),  # leaves the range within the hour
        ({"freeze": "yes"}, "freeze"),
        ({"tick": 1}, "tick"),
        ({}, "body"),
    ],
)
def test_the_clock_refuses_what_it_could_not_serve(client, command, field):
    before = client.get("/api/clock").get_json()
    refused(client.post("/api/clock", json=command), field)
    after = client.get("/api/clock")
    assert after.status_code == 200
    assert after.get_json()["speed"] == before["speed"]
    assert client.get("/api/health").status_code == 200


def test_the_clock_accepts_the_documented_range(client):
    assert client.post("/api/clock", json={"set": "1900-01-02T00:00", "freeze": True}).status_code == 200
    assert client.post("/api/clock", json={"set": "2199-12-30T00:00:00+00:00"}).status_code == 200
    assert client.get("/api/clock").get_json()["now"].startswith("2199-12-30")
    refused(client.post("/api/clock", json={"advance": "P3D"}), "advance")
    assert client.post("/api/clock", json={"reset": True}).status_code == 200


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31T23:59:59", "2026-13-01", "yesterday"])
def test_traffic_filters_refuse_dates_out_of_range(client, value):
    refused(client.get("/api/traffic", query_string={"since": value}), "since")
    refused(client.get("/api/traffic/export", query_string={"until": value}), "until")


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31", "2026-02-30"])
def test_citizen_dates_out_of_range_are_refused(client, value):
    body = {"personnummer": "195001011005", "given_name": "T", "surname": "T", "deceased_date": value}
    refused(client.post("/api/citizens", json=body), "deceased_date")


def test_integers_past_64_bits_are_refused(client):
    refused(client.post("/api/behaviours", json={"action": {"type": "delay", "ms": 1}, "times": HUGE}), "times")
    refused(client.post("/api/behaviours", json={"action": {"type": "delay", "ms": HUGE}}), "action.ms")
    refused(client.get("/api/traffic", query_string={"before": HUGE}), "before")
    refused(client.get("/api/citizens", query_string={"offset": HUGE}), "offset")
    for path in (f"/api/behaviours/{HUGE}", f"/api/traffic/{HUGE}"):
        refused(client.get(path), "path", 404)
    too_big = client.delete(f"/api/behaviours/{2**31}")  # no route takes it: 404 or 405, JSON
    assert too_big.status_code in (404, 405) and too_big.get_json()["field"] in ("path", "method")


@pytest.mark.parametrize(
    "personnummer, reason",
    [
        ("191212121212\n", "12 characters"),
        (" 191212121212", "12 characters"),
        ("191213121212", "real date"),  # month 13 (check digit is right for the digits)
        ("191212001212", "real date"),  # day 00
        ("191212921212", "real date"),  # samordningsnummer day 92 = 32
    ],
)
def test_impossible_personnummer_are_refused(client, personnummer, reason):
    from simulator.population.personnummer import with_check_digit

    if personnummer.strip().isdigit() and len(personnummer.strip()) == 12:
        personnummer = personnummer.replace(personnummer.strip(), with_check_digit(personnummer.strip()[:11]))
    response = client.post("/api/citizens", json={"personnummer": personnummer, "given_name": "T", "surname": "T"})
    refused(response, "personnummer")
    assert reason in response.get_json()["error"]


def test_a_newline_does_not_create_a_second_citizen(client):
    first = client.post("/api/citizens", json={"personnummer": "191212121212", "given_name": "T", "surname": "T"})
    assert first.status_code in (201, 409)
    refused(
        client.post("/api/citizens", json={"personnummer": "191212121212\n", "given_name": "T", "surname": "T"}),
        "personnummer",
    )
    listed = client.get("/api/citizens", query_string={"limit": 1000}).get_json()["items"]
    assert [c["personnummer"] for c in listed].count("191212121212") == 1


@pytest.mark.parametrize(
    "method, path, field, status",
    [
        ("get", "/api/no-such-thing", "path", 404),
        ("put", "/api/citizens", "method", 405),
        ("put", "/api/traffic", "method", 405),
        ("get", "/api/threads/no-such-thread", "business_object_id", 404),
        ("get", "/api/paper-letters/nope", "letter_id", 404),
        ("delete", "/api/callbacks/nobody", "source_system", 404),
        ("get", "/api/behaviours/123", "rule_id", 404),
        ("get", "/api/traffic/123", "record_id", 404),
    ],
)
def test_not_found_and_wrong_method_are_json_in_every_part(client, method, path, field, status):
    refused(getattr(client, method)(path), field, status)


def test_unknown_members_and_wrong_json_types_name_the_field(client):
    refused(client.post("/api/reset", json={"reseed": 1}), "reseed")
    refused(client.post("/api/reset", json={"reseeed": True}), "reseeed")
    refused(client.patch("/api/citizens/191212121212", json={"account": {"mobil": "+4670"}}), "account.mobil")
    refused(client.post("/api/behaviours", json={"action": {"type": "nap"}}), "action.type")
    refused(client.post("/api/callbacks", json={"source_system": "SE1", "url": "ftp://x"}), "url")
