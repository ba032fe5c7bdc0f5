"""Control API of the platform: recorded traffic, behaviour rules, the routing table,
and ``/metrics`` for Prometheus."""

from __future__ import annotations

import json
import re

from flask import Blueprint, Response, jsonify, request

from simulator.clock import parse_instant
from simulator.control.errors import BadRequest, json_body
from simulator.control.params import query_bool, query_choice, query_int
from simulator.platform import metrics, responses
from simulator.platform.behaviours import RuleError, parse_rule
from simulator.platform.routing import ConfigError
from simulator.platform.trafficstore import TrafficFilter
from simulator.population.personnummer import mask

OUTCOMES = ("ok", "info", "error", "client_fault", "server_fault", "platform_fault", "http_error", "broken")
_PNR_LIKE = re.compile(r"(?<![0-9])(?:19|20)[0-9]{6}[0-9pPtTfF][0-9]{3}(?![0-9])")


def traffic_filter() -> TrafficFilter:
    text = {
        key: request.args.get(key) or None
        for key in ("contract", "consumer", "logical_address", "personnummer", "business_object_id", "rule_id")
    }
    times = {}
    for key in ("since", "until"):
        if request.args.get(key):
            try:
                times[key] = parse_instant(request.args[key])
            except ValueError:
                raise BadRequest(key, "must be an ISO 8601 date-time, e.g. 2026-03-01T08:00:00+01:00") from None
    return TrafficFilter(
        **text,
        **times,
        verdict=query_choice("verdict", ("valid", "invalid")),
        outcome=query_choice("outcome", OUTCOMES),
    )


def masked(record: dict) -> dict:
    """The record with every personnummer shown as its birth date only."""
    known = sorted(set(record["personnummer"]), key=len, reverse=True)

    def hide(text):
        if not text:
            return text
        for pnr in known:
            text = text.replace(pnr, mask(pnr))
        return _PNR_LIKE.sub(lambda m: mask(m.group(0)), text)

    record = dict(record, personnummer=[mask(p) for p in record["personnummer"]])
    for key in ("request_body", "response_body", "fault_text"):
        record[key] = hide(record.get(key))
    return record


def create_blueprint(runtime, platform) -> Blueprint:
    api = Blueprint("platform", __name__)
    traffic, store = platform.traffic, platform.store

    @api.get("/api/traffic")
    def list_traffic():
        where = traffic_filter()
        limit = query_int("limit", 50, 1, 500)
        before = query_int("before", 0, 1, 2**62) or None
        records = traffic.query(where, limit, before, bodies=bool(query_bool("bodies")))
        if query_bool("mask"):
            records = [masked(r) for r in records]
        return jsonify(items=records, limit=limit, next_before=records[-1]["id"] if len(records) == limit else None)

    @api.get("/api/traffic/<int:record_id>")
    def get_traffic(record_id: int):
        record = traffic.get(record_id)
        if record is None:
            return jsonify(error=f"no traffic record {record_id}", field="record_id"), 404
        return jsonify(masked(record) if query_bool("mask") else record)

    @api.get("/api/traffic/export")
    def export_traffic():
        where = traffic_filter()
        hide = query_bool("mask") is not False

        def lines():
            for record in traffic.iterate(where):
                yield json.dumps(masked(record) if hide else record, ensure_ascii=False) + "\n"

        return Response(
            lines(),
            mimetype="application/x-ndjson",
            headers={"Content-Disposition": 'attachment; filename="traffic.jsonl"'},
        )

    @api.delete("/api/traffic")
    def clear_traffic():
        return jsonify(deleted=traffic.clear())

    @api.get("/api/behaviours")
    def list_behaviours():
        return jsonify(items=[r.as_dict() for r in store.rules()])

    def check_result_code(contract: str, code: str) -> None:
        try:
            responses.check_result_code(runtime.contracts[contract], code)
        except responses.Unsupported as exc:
            raise RuleError("action.code", str(exc)) from None

    @api.post("/api/behaviours")
    def add_behaviour():
        try:
            rule = parse_rule(json_body(), set(runtime.contracts.contracts), check_result_code)
        except RuleError as exc:
            raise BadRequest(exc.field, exc.message) from None
        return jsonify(store.add_rule(rule, runtime.clock.now()).as_dict()), 201

    @api.get("/api/behaviours/<int:rule_id>")
    def get_behaviour(rule_id: int):
        rule = store.rule(rule_id)
        if rule is None:
            return jsonify(error=f"no behaviour rule {rule_id}", field="rule_id"), 404
        return jsonify(rule.as_dict())

    @api.delete("/api/behaviours/<int:rule_id>")
    def delete_behaviour(rule_id: int):
        if not store.delete_rule(rule_id):
            return jsonify(error=f"no behaviour rule {rule_id}", field="rule_id"), 404
        return jsonify(deleted=1)

    @api.delete("/api/behaviours")
    def clear_behaviours():
        return jsonify(deleted=store.clear_rules())

    @api.get("/api/platform/routing")
    def get_routing():
        table, _ = platform.view.current()
        return jsonify(table.as_dict())

    @api.post("/api/platform/routing/reload")
    def reload_routing():
        try:
            changed = platform.load_routing_file()
        except ConfigError as exc:
            raise BadRequest(exc.field, exc.message) from None
        except FileNotFoundError as exc:
            raise BadRequest("routing", str(exc)) from None
        table, _ = platform.view.current()
        return jsonify(changed=changed, routing=table.as_dict())

    @api.get("/metrics")
    def prometheus():
        return Response(metrics.exposition(traffic.totals()), content_type=metrics.CONTENT_TYPE)

    return api
