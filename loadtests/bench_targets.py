"""Reference WSGI apps the SOAP benchmark runs under the same gunicorn settings as the
simulator, to show where the simulator's time goes:

* ``floor_app()`` — the least any validating SOAP server must do: read the body, lxml
  parse, check the envelope and SOAPAction, XSD-validate against the same contract, answer;
  one such app per measured operation (AddMessage, GetUserProfile, GetSubjectOfCare,
  GetPersonsForProfile, GetMessageStatus), each at the simulator's path for it.
* ``floor_commit_app()`` — the floor plus one SQLite insert+commit per request (the
  storage cost alone, without the simulator's domain code).

The answer envelope is the simulator's own (``simulator.soap.envelope.response``: the
same three lxml calls), so the only server-side envelope builder is the simulator's.
The group-commit writer and the spyne app, measured and rejected, live outside the
installed package in ``bench/`` (run from a checkout).

Settings come from the environment (``BENCH_CONTRACTS``, ``BENCH_DB``), since gunicorn
builds the app in each worker.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from lxml import etree

from contracts.bundle import Contract, builtin_bundle, secure_parser
from simulator.soap.envelope import SOAP11_NS, response

_PARSER = secure_parser()


def _contract(interaction: str = "AddMessage") -> Contract:
    folder = os.environ.get("BENCH_CONTRACTS")
    return builtin_bundle(Path(folder) if folder else None)[interaction]


def _answer(start_response: StartResponse, status: str, body: bytes) -> list[bytes]:
    start_response(status, [("Content-Type", "text/xml; charset=utf-8"), ("Content-Length", str(len(body)))])
    return [body]


def _ok_response(response_element: str) -> bytes:
    ns = response_element[1:].split("}")[0]
    answer = etree.Element(response_element)
    etree.SubElement(answer, f"{{{ns}}}resultCode").text = "OK"
    return response(answer)


def _result_ok(contract: Contract, payload: etree._Element) -> bytes:
    """The lean answer of a contract with a resultCode: resultCode OK."""
    return _ok_response(contract.response_element)


def _persons_answer(contract: Contract, payload: etree._Element) -> bytes:
    """GetPersonsForProfile's lean answer: one requestedPersonRecord per requested
    identity (the contract's rule #1), echoing it, without a person record."""
    responder, core = contract.responder_namespace, contract.core_namespace
    answer = etree.Element(contract.response_element, nsmap={None: responder, "core": core})
    for person in payload.iterfind(f"{{{responder}}}personId"):
        record = etree.SubElement(answer, f"{{{responder}}}requestedPersonRecord")
        identity = etree.SubElement(record, f"{{{core}}}requestedPersonalIdentity")
        etree.SubElement(identity, f"{{{core}}}root").text = person.findtext(f"{{{core}}}root")
        etree.SubElement(identity, f"{{{core}}}extension").text = person.findtext(f"{{{core}}}extension")
    return response(answer)


Answer = Callable[[Contract, etree._Element], bytes]
StartResponse = Callable[..., object]
WsgiApp = Callable[[dict, StartResponse], Iterable[bytes]]
# The floor of every operation the bench measures: its endpoint path, and how it answers.
FLOOR_OPERATIONS: dict[str, tuple[str, Answer]] = {
    "AddMessage": ("/inbox/AddMessage/2/rivtabp21", _result_ok),
    "GetUserProfile": ("/userprofile/GetUserProfile/2/rivtabp21", _result_ok),
    "GetSubjectOfCare": ("/userprofile/GetSubjectOfCare/2/rivtabp21", _result_ok),
    "GetMessageStatus": ("/inbox/GetMessageStatus/1/rivtabp21", _result_ok),
    "GetPersonsForProfile": ("/pu/GetPersonsForProfile/5/rivtabp21", _persons_answer),
}


def validating_app(
    store: Callable[[etree._Element], None] | None = None, interaction: str = "AddMessage", answer: Answer = _result_ok
) -> WsgiApp:
    """parse -> envelope/SOAPAction check -> validate -> optional ``store(payload)`` -> answer.
    The answer is built per request (as a producer would), not cached."""
    contract = _contract(interaction)
    schema = contract.schema
    expected_action = contract.soap_action

    def app(environ: dict, start_response: StartResponse) -> list[bytes]:
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        try:
            root = etree.fromstring(body, _PARSER)
        except etree.XMLSyntaxError:
            return _answer(start_response, "500 Internal Server Error", b"not well-formed")
        soap_body = root.find(f"{{{SOAP11_NS}}}Body")
        if soap_body is None or len(soap_body) != 1:
            return _answer(start_response, "500 Internal Server Error", b"no request element")
        payload = soap_body[0]
        action = (environ.get("HTTP_SOAPACTION") or "").strip('"')
        if action != expected_action or payload.tag != contract.request_element or not schema.validate(payload):
            return _answer(start_response, "500 Internal Server Error", b"invalid request")
        if store is not None:
            store(payload)
        return _answer(start_response, "200 OK", answer(contract, payload))

    return app


def floor_app() -> WsgiApp:
    """The floor of every measured operation, each at the simulator's path for it (the
    same lean parse, check, validate and answer per contract)."""
    apps = {path: validating_app(None, name, answer) for name, (path, answer) in FLOOR_OPERATIONS.items()}

    def app(environ: dict, start_response: StartResponse) -> Iterable[bytes]:
        found = apps.get(environ.get("PATH_INFO", ""))
        if found is None:
            return _answer(start_response, "404 Not Found", b"no such endpoint")
        return found(environ, start_response)

    return app


# --- storage cost: one commit per request --------------------------


def bench_table(url: str | None = None, create: bool = False) -> tuple[Any, Any]:
    """The storage targets' table (made by the bench before the workers start, so that
    they do not race to create it)."""
    import sqlalchemy as sa

    from simulator.storage import Database

    db = Database(url or os.environ["BENCH_DB"])
    table = sa.Table(
        "bench_messages",
        sa.MetaData(),
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("business_object_id", sa.String(255)),
        sa.Column("message_xml", sa.Text, nullable=False),
    )
    if create:
        table.drop(db.engine, checkfirst=True)
        table.create(db.engine)
    return db, table


def row_of(payload: etree._Element) -> dict:
    bo = payload.find(".//{*}businessObjectId")
    return {
        "business_object_id": bo.text if bo is not None else None,
        "message_xml": etree.tostring(payload, encoding="unicode"),
    }


def floor_commit_app() -> WsgiApp:
    db, table = bench_table()

    insert = table.insert()  # compiled once; parameters per call (as the inbox store does)

    def store(payload: etree._Element) -> None:
        with db.begin() as conn:
            conn.execute(insert, row_of(payload))

    return validating_app(store)
