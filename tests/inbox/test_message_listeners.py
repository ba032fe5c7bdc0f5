"""The hook other parts use to react to a stored message (notifications, callbacks):
``runtime.message_listeners`` are called in the message's transaction with (citizen or None, the
stored message), and a listener that fails never fails the AddMessage call. In-process,
because a listener is code installed into the server, not something a client can send."""

from __future__ import annotations

import pytest
from lxml import etree
from werkzeug.test import Client

from simulator import schema
from simulator.app import soap_endpoints
from simulator.config import Config
from simulator.inbox.store import InboxStore
from simulator.runtime import Runtime
from tests.inbox import wire


@pytest.fixture()
def runtime(tmp_path):
    built = Runtime.build(Config(data_dir=tmp_path))
    schema.upgrade(built.db)
    yield built
    built.db.dispose()


def call(runtime, pnr, **kwargs):
    endpoint = soap_endpoints(runtime)["/inbox/AddMessage/2/rivtabp21"]
    response = Client(endpoint).post(
        "/inbox/AddMessage/2/rivtabp21",
        data=wire.envelope(wire.add_message_body(pnr, **kwargs)).encode(),
        headers={"SOAPAction": wire.ADD_MESSAGE_ACTION, "Content-Type": "text/xml; charset=utf-8"},
    )
    assert response.status_code == 200, response.text
    return etree.fromstring(response.data).findtext(f".//{{{wire.INBOX}}}resultCode")


def test_listeners_see_the_committed_message_and_the_citizen(runtime):
    pnr = wire.new_pnr()
    runtime.citizens.save(wire.person(pnr))
    seen = []

    def listener(citizen, message):
        seen.append((citizen.personnummer, message["result_code"], message["notify"], message["message_id"]))

    runtime.message_listeners.append(listener)
    assert call(runtime, pnr, notify=True, source_system="SE1") == "OK"
    assert [entry[:3] for entry in seen] == [(pnr, "OK", True)]
    # Listeners write in the message's own transaction, committed before the answer.
    assert InboxStore(runtime.db).message(seen[0][3]) is not None


def test_listeners_get_none_for_an_unknown_citizen_and_the_info_result(runtime):
    seen = []
    runtime.message_listeners.append(lambda citizen, message: seen.append((citizen, message["result_code"])))
    assert call(runtime, wire.new_pnr()) == "INFO"
    assert seen == [(None, "INFO")]


def test_a_failing_listener_does_not_fail_the_call_or_the_others(runtime):
    pnr = wire.new_pnr()
    runtime.citizens.save(wire.person(pnr))
    after = []

    def broken(citizen, message):
        raise RuntimeError("listener bug")

    runtime.message_listeners += [broken, lambda citizen, message: after.append(message["message_id"])]
    assert call(runtime, pnr) == "OK"
    assert len(after) == 1
    assert InboxStore(runtime.db).message(after[0]) is not None


def test_listeners_are_not_called_when_nothing_is_stored(runtime):
    seen = []
    runtime.message_listeners.append(lambda citizen, message: seen.append(message))
    assert call(runtime, wire.new_pnr(), msg=None) == "ERROR"
    assert seen == []
