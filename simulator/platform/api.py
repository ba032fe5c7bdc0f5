"""Control API of the platform: recorded traffic, behaviour rules, the routing table,
and ``/metrics`` for Prometheus."""

from __future__ import annotations

import json
import re

from flask import Blueprint, Response, jsonify, request

from simulator.auth.access import caller_consumer
from simulator.control.spec import API, Error, answers, body, query, streamed_operation
from simulator.errors import FieldError, NotFound
from simulator.platform import metrics, responses
from simulator.platform import models as m
from simulator.platform.behaviours import RuleError, new_rule
from simulator.platform.routing import ConfigError
from simulator.platform.trafficstore import TrafficFilter
from simulator.population.personnummer import mask
from simulator.storage.alarms import Alarms

_PNR_LIKE = re.compile(r"(?<![0-9])(?:19|20)[0-9]{6}[0-9pPtTfF][0-9]{3}(?![0-9])")
ID = f"int(min=1, max={m.MAX_ID})"  # larger ids are no route (404), not a database overflow
TAGS = ["platform"]


def traffic_filter(asked: m.TrafficQuery) -> TrafficFilter:
    """The filter asked for; a vendor (shared mode) sees only its own consumer's calls."""
    own = caller_consumer()
    return TrafficFilter(
        contract=asked.contract or None,
        consumer=own if own is not None else (asked.consumer or None),
        logical_address=asked.logical_address or None,
        personnummer=asked.personnummer or None,
        business_object_id=asked.business_object_id or None,
        rule_id=asked.rule_id or None,
        verdict=asked.verdict,
        outcome=asked.outcome,
        **asked.times(),
    )


def _visible(record: dict | None) -> bool:
    own = caller_consumer()
    return record is not None and (own is None or record.get("consumer") == own)


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
    @API.validate(query=m.TrafficPageQuery, resp=answers(HTTP_200=m.TrafficPage), tags=TAGS)
    def list_traffic():
        """Recorded calls, newest first; ``before`` pages back."""
        asked = query(m.TrafficPageQuery)
        records = traffic.query(traffic_filter(asked), asked.limit, asked.before, bodies=asked.bodies)
        if asked.mask:
            records = [masked(r) for r in records]
        next_before = records[-1]["id"] if len(records) == asked.limit else None
        return jsonify(items=records, limit=asked.limit, next_before=next_before)

    @api.get(f"/api/traffic/<{ID}:record_id>")
    @API.validate(query=m.MaskQuery, resp=answers(HTTP_200=m.TrafficRecord, HTTP_404=Error), tags=TAGS)
    def get_traffic(record_id: int):
        """One recorded call with its bodies."""
        record = traffic.get(record_id)
        if not _visible(record):
            raise NotFound("record_id", f"no traffic record {record_id}")
        return jsonify(masked(record) if query(m.MaskQuery).mask else record)

    @api.get("/api/traffic/export")
    def export_traffic():
        """JSON Lines, oldest first, with bodies; masked unless ``mask=false``."""
        asked = m.TrafficQuery.model_validate(request.args.to_dict())
        where = traffic_filter(asked)
        hide = asked.mask is not False

        def lines():
            for record in traffic.iterate(where):
                yield json.dumps(masked(record) if hide else record, ensure_ascii=False) + "\n"

        return Response(
            lines(),
            mimetype="application/x-ndjson",
            headers={"Content-Disposition": 'attachment; filename="traffic.jsonl"'},
        )

    runtime.openapi_fragments.append(
        streamed_operation(
            "/api/traffic/export",
            "get",
            m.TrafficQuery,
            "Recorded calls as JSON Lines (export)",
            "application/x-ndjson",
        )
    )

    @api.delete("/api/traffic")
    @API.validate(resp=answers(HTTP_200=m.Deleted), tags=TAGS)
    def clear_traffic():
        """Forget every recorded call (and reset the metrics' counters)."""
        return jsonify(deleted=traffic.clear())

    @api.get("/api/behaviours")
    @API.validate(resp=answers(HTTP_200=m.BehaviourRules), tags=TAGS)
    def list_behaviours():
        """The behaviour rules, in the order they are tried."""
        return jsonify(items=[r.as_dict() for r in store.rules()])

    def check_result_code(contract: str, code: str) -> None:
        try:
            responses.check_result_code(runtime.contracts[contract], code)
        except responses.Unsupported as exc:
            raise RuleError("action.code", str(exc)) from None

    @api.post("/api/behaviours")
    @API.validate(json=m.BehaviourRuleRequest, resp=answers(HTTP_201=m.BehaviourRule), tags=TAGS)
    def add_behaviour():
        """Add a fault-injection rule (docs/platform.md, "Behaviour rules")."""
        asked = body(m.BehaviourRuleRequest)
        rule = new_rule(
            asked.match.model_dump(exclude_none=True),
            asked.action.model_dump(exclude_none=True),
            asked.times,
            asked.probability,
            asked.description,
            set(runtime.contracts.contracts),
            check_result_code,
        )
        return jsonify(store.add_rule(rule, runtime.clock.now()).as_dict()), 201

    @api.get(f"/api/behaviours/<{ID}:rule_id>")
    @API.validate(resp=answers(HTTP_200=m.BehaviourRule, HTTP_404=Error), tags=TAGS)
    def get_behaviour(rule_id: int):
        """One rule with its counts."""
        rule = store.rule(rule_id)
        if rule is None:
            raise NotFound("rule_id", f"no behaviour rule {rule_id}")
        return jsonify(rule.as_dict())

    @api.delete(f"/api/behaviours/<{ID}:rule_id>")
    @API.validate(resp=answers(HTTP_200=m.Deleted, HTTP_404=Error), tags=TAGS)
    def delete_behaviour(rule_id: int):
        """Remove one rule."""
        if not store.delete_rule(rule_id):
            raise NotFound("rule_id", f"no behaviour rule {rule_id}")
        return jsonify(deleted=1)

    @api.delete("/api/behaviours")
    @API.validate(resp=answers(HTTP_200=m.Deleted), tags=TAGS)
    def clear_behaviours():
        """Remove every rule."""
        return jsonify(deleted=store.clear_rules())

    @api.get("/api/platform/routing")
    @API.validate(resp=answers(HTTP_200=m.RoutingTable), tags=TAGS)
    def get_routing():
        """The routing and authorization table in force."""
        table, _ = platform.view.current()
        return jsonify(table.as_dict())

    @api.post("/api/platform/routing/reload")
    @API.validate(resp=answers(HTTP_200=m.RoutingReload), tags=TAGS)
    def reload_routing():
        """Read the routing file again; a bad file is a 400 naming its place (the table in force stays)."""
        try:
            changed = platform.load_routing_file()
        except ConfigError as exc:
            raise FieldError(exc.field, exc.message) from None
        except FileNotFoundError as exc:
            raise FieldError("routing", str(exc)) from None
        table, _ = platform.view.current()
        return jsonify(changed=changed, routing=table.as_dict())

    @api.get("/metrics")
    def prometheus():
        text = metrics.exposition(traffic.totals()) + Alarms(runtime.db, runtime.clock.real_now).exposition().encode()
        return Response(text, content_type=metrics.CONTENT_TYPE)

    return api
