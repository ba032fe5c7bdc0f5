"""simulator.sessions.CheapSessions skips Flask's per-request session work when there is
nothing to read or write, and is otherwise Flask's own signed-cookie session: the same
cookie, readable by the stock interface, the same refusals and the same Vary header."""

from __future__ import annotations

from flask import Flask, session
from flask.sessions import SecureCookieSessionInterface

from simulator.sessions import CheapSessions


def app(interface) -> Flask:
    web = Flask("sessions")
    web.secret_key = "s" * 32
    web.session_interface = interface

    @web.get("/none")
    def untouched():
        return "x"

    @web.get("/read")
    def read():
        return str(session.get("who", "-"))

    @web.get("/write")
    def write():
        session["who"] = "anna"
        return "x"

    @web.get("/clear")
    def clear():
        session.clear()
        return "x"

    return web


def exchange(interface, path: str, cookie: str | None = None):
    client = app(interface).test_client()
    if cookie is not None:
        client.set_cookie("session", cookie)
    return client.get(path)


def test_without_a_cookie_nothing_is_set_and_an_untouched_session_adds_nothing():
    for interface in (CheapSessions(), SecureCookieSessionInterface()):
        answer = exchange(interface, "/none")
        assert "Set-Cookie" not in answer.headers and "Vary" not in answer.headers
        read = exchange(interface, "/read")
        assert read.text == "-" and read.headers.get("Vary") == "Cookie" and "Set-Cookie" not in read.headers


def test_the_cookie_is_flasks_own_both_ways():
    written = exchange(CheapSessions(), "/write").headers["Set-Cookie"].split(";")[0].split("=", 1)[1]
    assert exchange(SecureCookieSessionInterface(), "/read", written).text == "anna"
    stock = exchange(SecureCookieSessionInterface(), "/write").headers["Set-Cookie"].split(";")[0].split("=", 1)[1]
    assert exchange(CheapSessions(), "/read", stock).text == "anna"


def test_a_forged_cookie_is_an_empty_session_and_clearing_deletes_the_cookie():
    assert exchange(CheapSessions(), "/read", "forged.value.sig").text == "-"
    written = exchange(CheapSessions(), "/write").headers["Set-Cookie"].split(";")[0].split("=", 1)[1]
    cleared = exchange(CheapSessions(), "/clear", written)
    assert "session=;" in cleared.headers["Set-Cookie"] and "Expires=Thu, 01 Jan 1970" in cleared.headers["Set-Cookie"]


def test_the_serializer_follows_a_new_secret_key():
    interface = CheapSessions()
    web = app(interface)
    first = interface.get_signing_serializer(web)
    assert interface.get_signing_serializer(web) is first
    web.secret_key = "t" * 32
    assert interface.get_signing_serializer(web) is not first
