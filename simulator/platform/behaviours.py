"""Behaviour rules: what a tester asks the platform to do to matching calls instead of (or
before) the producer's answer — the WireMock/Mountebank idea with NTjP's vocabulary.

A rule is plain data, checked by the control API's model (simulator.platform.models) and
stored by simulator.platform.store::

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
from collections.abc import Callable

from simulator.errors import FieldError

MATCH_KEYS = ("contract", "logical_address", "consumer", "personnummer", "source_system", "business_object_id")
ACTIONS = {
    # type: (allowed keys besides type/ms/min_ms/max_ms, replaces the producer's answer)
    "delay": (set(), False),
    "soap_fault": ({"code", "text"}, True),
    "result_code": ({"code", "text"}, True),
    "http_status": ({"status", "body", "content_type"}, True),
    "connection_reset": (set(), True),
    # the producer runs (an AddMessage is stored), then the connection is reset instead of
    # the answer: the consumer cannot tell whether its call arrived
    "answer_lost": (set(), False),
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

    def chosen(self, rng: random.Random | None = None) -> bool:
        """The probability draw; a rule with probability 1 always fires."""
        return self.probability >= 1.0 or (rng or random).random() < self.probability

    def delay_seconds(self, rng: random.Random | None = None) -> float:
        action = self.action
        if "ms" in action:
            return action["ms"] / 1000
        if "min_ms" in action:
            return (rng or random).uniform(action["min_ms"], action["max_ms"]) / 1000
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


def new_rule(
    match: dict[str, str],
    action: dict,
    times: int | None = None,
    probability: float = 1.0,
    description: str = "",
    known_contracts: set[str] | None = None,
    result_code_check: Callable[[str, str], None] | None = None,
) -> Rule:
    """A Rule from a request the control API's model let in (simulator.platform.models:
    the one door for the wire format). What is checked here depends on this simulator's
    contracts: the contract named exists, and ``result_code_check(contract, code)`` may
    refuse a resultCode the contract's response cannot carry (RuleError names the field)."""
    assert set(match) <= set(MATCH_KEYS) and action.get("type") in ACTIONS, "the model lets in no other"
    assert times is None or times >= 1, "the model lets in no other"
    assert 0 < probability <= 1, "the model lets in no other"
    contract = match.get("contract")
    if contract is not None and known_contracts is not None and contract not in known_contracts:
        raise RuleError(
            "match.contract", f"unknown contract {contract!r} (known: {', '.join(sorted(known_contracts))})"
        )
    if action["type"] == "result_code" and result_code_check is not None and contract is not None:
        result_code_check(contract, action["code"])
    return Rule(
        match=dict(match),
        action=dict(action),
        times=times,
        probability=float(probability),
        description=description,
        remaining=times,
    )
