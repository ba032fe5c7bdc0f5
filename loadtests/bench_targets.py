"""Reference WSGI apps the SOAP benchmark runs under the same gunicorn settings as the
simulator, to show where the simulator's time goes:

* ``floor_app()`` — the least any validating SOAP server must do: read the body, lxml
  parse, check the envelope and SOAPAction, XSD-validate against the same contract, answer.
* ``floor_commit_app()`` — the floor plus one SQLite insert+commit per request (the
  storage cost alone, without the simulator's domain code).

The group-commit writer and the spyne app, measured and rejected, live outside the
installed package in ``bench/`` (run from a checkout).

Settings come from the environment (``BENCH_CONTRACTS``, ``BENCH_DB``), since gunicorn
builds the app in each worker.
"""

from __future__ import annotations

import os
from pathlib import Path

from lxml import etree

from contracts.bundle import builtin_bundle, secure_parser

SOAP_NS = "http://schemas.xmlsoap.org/soap/envelope/"
_PARSER = secure_parser()


def _contract():
    folder = os.environ.get("BENCH_CONTRACTS")
    return builtin_bundle(Path(folder) if folder else None)["AddMessage"]


def _answer(start_response, status: str, body: bytes):
    start_response(status, [("Content-Type", "text/xml; charset=utf-8"), ("Content-Length", str(len(body)))])
    return [body]


def _ok_response(response_element: str) -> bytes:
    ns = response_element[1:].split("}")[0]
    env = etree.Element(f"{{{SOAP_NS}}}Envelope", nsmap={"soap": SOAP_NS})
    answer = etree.SubElement(etree.SubElement(env, f"{{{SOAP_NS}}}Body"), response_element)
    etree.SubElement(answer, f"{{{ns}}}resultCode").text = "OK"
    return etree.tostring(env, xml_declaration=True, encoding="UTF-8")


def validating_app(store=None):
    """parse -> envelope/SOAPAction check -> validate -> optional ``store(payload)`` -> answer.
    The answer is built per request (as a producer would), not cached."""
    contract = _contract()
    schema = contract.schema
    expected_action = contract.soap_action

    def app(environ, start_response):
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        try:
            root = etree.fromstring(body, _PARSER)
        except etree.XMLSyntaxError:
            return _answer(start_response, "500 Internal Server Error", b"not well-formed")
        payload = root.find(f"{{{SOAP_NS}}}Body")[0]
        action = (environ.get("HTTP_SOAPACTION") or "").strip('"')
        if action != expected_action or payload.tag != contract.request_element or not schema.validate(payload):
            return _answer(start_response, "500 Internal Server Error", b"invalid request")
        if store is not None:
            store(payload)
        return _answer(start_response, "200 OK", _ok_response(contract.response_element))

    return app


def floor_app():
    return validating_app()


# --- storage cost: one commit per request --------------------------


def bench_table(url: str | None = None, create: bool = False):
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


def row_of(payload) -> dict:
    bo = payload.find(".//{*}businessObjectId")
    return {
        "business_object_id": bo.text if bo is not None else None,
        "message_xml": etree.tostring(payload, encoding="unicode"),
    }


def floor_commit_app():
    db, table = bench_table()

    insert = table.insert()  # compiled once; parameters per call (as the inbox store does)

    def store(payload):
        with db.begin() as conn:
            conn.execute(insert, row_of(payload))

    return validating_app(store)
