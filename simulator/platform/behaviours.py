"""Behaviour rules: what a tester asks the platform to do to matching calls instead of (or
before) the producer's answer — the WireMock/Mountebank idea with NTjP's vocabulary.

A rule is plain data, checked here and stored by simulator.platform.store::

    {"match": {"contract": "AddMessage", "personnummer": "191212121212"},
     "action": {"type": "soap_fault", "code": "Server", "text": "database deadlock"},
     "times": 2, "probability": 1.0}

``match`` keys (all optional, all must hold): contract, logical_address, consumer,
personnummer (subjectOfCareId / subjectOfCare / personId), source_system,
business_object_id. ``times`` limits the rule to its next N firings; ``probability``
makes it fire on that share of matching calls. Every action may carry a delay (``ms`` or
``min_ms``..``max_ms``) that is slept first; ``delay`` alone then lets the producer answer.
"""

from __future__ import annotations

import dataclasses
import random

from simulator.errors import FieldError
from simulator.platform.vpcodes import CODES

MATCH_KEYS = ("contract", "logical_address", "consumer", "personnummer", "source_system", "business_object_id")
ACTIONS = {
    # type: (allowed keys besides type/ms/min_ms/max_ms, replaces the producer's answer)
    "delay": (set(), False),
    "soap_fault": ({"code", "text"}, True),
    "result_code": ({"code", "text"}, True),
    "http_status": ({"status", "body", "content_type"}, True),
    "connection_reset": (set(), True),
    "truncated": (set(), True),
    "malformed": (set(), True),
    "platform_fault": ({"code", "detail"}, True),
}
DELAY_KEYS = {"ms", "min_ms", "max_ms"}
MAX_DELAY_MS = 100_000  # below gunicorn's 120 s worker timeout


class RuleError(FieldError):
    """A behaviour rule the control API refuses, naming the field."""


@dataclasses.dataclass(frozen=True)
class Facts:
    """What a rule can match on, read from one call."""

    contract: str
    logical_address: str | None = None
    consumer: str | None = None
    personnummer: tuple[str, ...] = ()
    source_system: str | None = None
    business_object_id: str | None = None


@dataclasses.dataclass
class Rule:
    match: dict
    action: dict
    times: int | None = None
    probability: float = 1.0
    description: str = ""
    id: int | None = None
    fired: int = 0
    remaining: int | None = None
    created: str | None = None

    @property
    def kind(self) -> str:
        return self.action["type"]

    @property
    def replaces_answer(self) -> bool:
        return ACTIONS[self.kind][1]

    def matches(self, facts: Facts) -> bool:
        for key, wanted in self.match.items():
            if key == "personnummer":
                if wanted not in facts.personnummer:
                    return False
            elif getattr(facts, key) != wanted:
                return False
        return True

    def chosen(self, rng: random.Random = random) -> bool:
        """The probability draw; a rule with probability 1 always fires."""
        return self.probability >= 1.0 or rng.random() < self.probability

    def delay_seconds(self, rng: random.Random = random) -> float:
        action = self.action
        if "ms" in action:
            return action["ms"] / 1000
        if "min_ms" in action:
            return rng.uniform(action["min_ms"], action["max_ms"]) / 1000
        return 0.0

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "match": self.match,
            "action": self.action,
            "times": self.times,
            "probability": self.probability,
            "description": self.description,
            "fired": self.fired,
            "remaining": self.remaining,
            "expired": self.remaining == 0,
            "created": self.created,
        }


def parse_rule(data, known_contracts=None, result_code_check=None) -> Rule:
    """A Rule from the JSON a tester posted; RuleError names the field that is wrong.
    ``result_code_check(contract, code)`` may refuse a result_code action the contract's
    response cannot carry."""
    if not isinstance(data, dict):
        raise RuleError("body", "must be a JSON object")
    _only(data, "", {"match", "action", "times", "probability", "description"})
    match = _match(data.get("match", {}))
    contract = match.get("contract")
    if contract is not None and known_contracts is not None and contract not in known_contracts:
        raise RuleError(
            "match.contract", f"unknown contract {contract!r} (known: {', '.join(sorted(known_contracts))})"
        )
    action = _action(data.get("action"))
    times = data.get("times")
    if times is not None and (isinstance(times, bool) or not isinstance(times, int) or times < 1):
        raise RuleError("times", "must be a whole number of at least 1 (or null for no limit)")
    probability = data.get("probability", 1.0)
    if isinstance(probability, bool) or not isinstance(probability, (int, float)) or not 0 < probability <= 1:
        raise RuleError("probability", "must be a number greater than 0 and at most 1")
    description = data.get("description", "")
    if not isinstance(description, str) or len(description) > 500:
        raise RuleError("description", "must be a string of at most 500 characters")
    if action["type"] == "result_code" and result_code_check is not None:
        if "contract" not in match:
            raise RuleError("match.contract", "a result_code action needs the contract whose response it builds")
        result_code_check(match["contract"], action["code"])
    return Rule(
        match=match,
        action=action,
        times=times,
        probability=float(probability),
        description=description,
        remaining=times,
    )


def _match(match) -> dict:
    if not isinstance(match, dict):
        raise RuleError("match", "must be an object")
    _only(match, "match", set(MATCH_KEYS))
    for key, value in match.items():
        if not isinstance(value, str) or not value.strip():
            raise RuleError(f"match.{key}", "must be a non-empty string")
    return {k: v.strip() for k, v in match.items()}


def _action(action) -> dict:
    if not isinstance(action, dict):
        raise RuleError("action", f"must be an object with a type: {', '.join(ACTIONS)}")
    kind = action.get("type")
    if kind not in ACTIONS:
        raise RuleError("action.type", f"must be one of {', '.join(ACTIONS)}")
    _only(action, "action", {"type"} | DELAY_KEYS | ACTIONS[kind][0])
    _delay(action)
    check = _ACTION_CHECKS.get(kind)
    return check(dict(action)) if check else dict(action)


def _delay(action: dict) -> None:
    for key in DELAY_KEYS & set(action):
        value = action[key]
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_DELAY_MS:
            raise RuleError(f"action.{key}", f"must be whole milliseconds between 0 and {MAX_DELAY_MS}")
    if "ms" in action and ({"min_ms", "max_ms"} & set(action)):
        raise RuleError("action.ms", "give either ms (fixed) or min_ms and max_ms (uniform range)")
    if ("min_ms" in action) != ("max_ms" in action):
        raise RuleError("action.min_ms", "min_ms and max_ms go together")
    if "min_ms" in action and action["min_ms"] > action["max_ms"]:
        raise RuleError("action.max_ms", "must not be less than min_ms")
    if action["type"] == "delay" and not (DELAY_KEYS & set(action)):
        raise RuleError("action.ms", "a delay needs ms or min_ms and max_ms")


def _soap_fault(action: dict) -> dict:
    action.setdefault("code", "Server")
    if action["code"] not in ("Client", "Server"):
        raise RuleError("action.code", "must be Client or Server")
    action["text"] = _required_text(action, "text", "Simulated fault injected by a behaviour rule")
    return action


def _result_code(action: dict) -> dict:
    if action.get("code") not in ("ERROR", "INFO"):
        raise RuleError("action.code", "must be ERROR or INFO")
    if not isinstance(action.get("text"), str) or not action["text"].strip():
        raise RuleError("action.text", "resultText is shown to the citizen: give a non-empty text")
    return action


def _http_status(action: dict) -> dict:
    status = action.get("status")
    if isinstance(status, bool) or not isinstance(status, int) or not (400 <= status <= 599 or 300 <= status <= 399):
        raise RuleError("action.status", "must be an HTTP status between 300 and 599")
    action["body"] = _required_text(action, "body", f"HTTP {status} from the service platform")
    action["content_type"] = _required_text(action, "content_type", "text/plain; charset=utf-8")
    return action


def _platform_fault(action: dict) -> dict:
    if action.get("code") not in CODES:
        raise RuleError("action.code", f"must be one of {', '.join(CODES)}")
    action["detail"] = _required_text(action, "detail", "injected by a behaviour rule")
    return action


_ACTION_CHECKS = {
    "soap_fault": _soap_fault,
    "result_code": _result_code,
    "http_status": _http_status,
    "platform_fault": _platform_fault,
}


def _required_text(action: dict, key: str, default: str) -> str:
    value = action.get(key, default)
    if not isinstance(value, str) or not value.strip() or len(value) > 10_000:
        raise RuleError(f"action.{key}", "must be a non-empty string of at most 10000 characters")
    return value


def _only(data: dict, where: str, allowed: set[str]) -> None:
    extra = sorted(set(data) - allowed)
    if extra:
        prefix = f"{where}." if where else ""
        raise RuleError(f"{prefix}{extra[0]}", f"unknown key (allowed: {', '.join(sorted(allowed))})")
