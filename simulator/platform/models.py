"""Request and response models of the platform's control API: traffic filters, behaviour
rules, the routing table. The OpenAPI document is generated from them."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, StringConstraints

from simulator.control.models import MAX_ID, Instant, instant
from simulator.control.spec import Query, Strict
from simulator.platform.behaviours import ACTIONS, MATCH_KEYS, MAX_DELAY_MS

OUTCOMES = ("ok", "info", "error", "client_fault", "server_fault", "platform_fault", "http_error", "broken")
Key = Annotated[str, StringConstraints(max_length=255)]
# What callers put in a SOAP header or message with no limit in the contract (businessObjectId,
# LogicalAddress, consumer): a filter must be able to name any value the platform recorded.
RecordedValue = Annotated[str, StringConstraints(max_length=65536)]
Bounded = Annotated[StrictStr, StringConstraints(max_length=10_000)]
Filled = Annotated[StrictStr, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)]
Millis = Annotated[StrictInt, Field(ge=0, le=MAX_DELAY_MS)]


class TrafficQuery(Query):
    """Filters of ``/api/traffic`` and its export; times are simulated time."""

    contract: Key | None = None
    consumer: RecordedValue | None = None
    logical_address: RecordedValue | None = None
    personnummer: Key | None = None
    business_object_id: RecordedValue | None = None
    rule_id: Key | None = None
    verdict: Literal["valid", "invalid"] | None = None
    outcome: Literal[OUTCOMES] | None = None  # type: ignore[valid-type]
    since: Instant | None = None
    until: Instant | None = None
    mask: bool | None = Field(None, description="personnummer shown as the birth date only")

    def times(self) -> dict[str, dt.datetime]:
        return {key: instant(getattr(self, key)) for key in ("since", "until") if getattr(self, key)}


class TrafficPageQuery(TrafficQuery):
    limit: int = Field(50, ge=1, le=500)
    before: int | None = Field(None, ge=1, le=MAX_ID, description="next page: next_before of the last answer")
    bodies: bool = False


class MaskQuery(Query):
    mask: bool = False


class TrafficRecord(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: int
    time: str | None = None
    contract: str | None
    consumer: str | None
    outcome: str | None
    verdict: str | None
    personnummer: list[str]
    rule_ids: list[str]


class TrafficPage(BaseModel):
    items: list[TrafficRecord]
    limit: int
    next_before: int | None


class Deleted(BaseModel):
    deleted: int


class Match(Strict):
    """Every member given must hold for a call to match."""

    contract: Filled | None = None
    logical_address: Filled | None = None
    consumer: Filled | None = None
    personnummer: Filled | None = None
    source_system: Filled | None = None
    business_object_id: Filled | None = None


assert set(Match.model_fields) == set(MATCH_KEYS)


class Action(Strict):
    """What the platform does; which members a type takes is in docs/platform.md."""

    type: Literal[tuple(ACTIONS)]  # type: ignore[valid-type]
    ms: Millis | None = None
    min_ms: Millis | None = None
    max_ms: Millis | None = None
    code: Annotated[StrictStr, StringConstraints(max_length=16)] | None = None
    text: Bounded | None = None
    status: Annotated[StrictInt, Field(ge=300, le=599)] | None = None
    body: Bounded | None = None
    content_type: Annotated[StrictStr, StringConstraints(max_length=200)] | None = None
    detail: Bounded | None = None


class BehaviourRuleRequest(Strict):
    """Types, sizes and ranges are checked here; what each action type needs and the
    contract's own constraints by ``behaviours.parse_rule`` (domain)."""

    match: Match = Field(default_factory=Match)
    action: Action
    times: Annotated[StrictInt, Field(ge=1, le=MAX_ID)] | None = Field(
        None, description="fire at most this often (null: no limit)"
    )
    probability: float = Field(1.0, gt=0, le=1, allow_inf_nan=False)
    description: Annotated[StrictStr, StringConstraints(max_length=500)] = ""


class BehaviourRule(BaseModel):
    id: int
    match: dict
    action: dict
    times: int | None
    probability: float
    description: str
    fired: int
    remaining: int | None
    expired: bool
    created: str | None


class BehaviourRules(BaseModel):
    items: list[BehaviourRule]


class RoutingTable(BaseModel):
    model_config = ConfigDict(extra="allow")


class RoutingReload(BaseModel):
    changed: bool
    routing: dict
