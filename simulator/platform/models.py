"""Request and response models of the platform's control API: traffic filters, behaviour
rules, the routing table. The OpenAPI document is generated from them."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    StrictStr,
    StringConstraints,
    ValidationError,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from simulator.control.models import MAX_ID, Instant, instant
from simulator.control.spec import Query, Strict
from simulator.platform.behaviours import ACTIONS, DELAY_KEYS, MATCH_KEYS, MAX_DELAY_MS
from simulator.platform.vpcodes import CODES

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


def refuse(model: str, loc: tuple[str, ...], message: str) -> ValidationError:
    """A refusal of one member, by its path, from a check across members (a plain
    ValueError in a model validator would name only the model)."""
    detail = InitErrorDetails(type=PydanticCustomError("value_error", message), loc=loc, input=None)
    return ValidationError.from_exception_data(model, [detail])


class Action(Strict):
    """What the platform does; which members a type takes is in docs/platform.md. The
    checks that depend on the type (and the defaults it fills in) are here too: the model
    is the one door, ``behaviours.new_rule`` only asserts what it gets."""

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

    @model_validator(mode="after")
    def _fits_its_type(self) -> Action:
        allowed = DELAY_KEYS | ACTIONS[self.type][0]
        given = {name for name in type(self).model_fields if name != "type" and getattr(self, name) is not None}
        for name in sorted(given - allowed):
            raise refuse("Action", (name,), f"unknown key (allowed: {', '.join(sorted(allowed | {'type'}))})")
        self._delay(given)
        if self.type == "soap_fault":
            self.code = self.code or "Server"
            if self.code not in ("Client", "Server"):
                raise refuse("Action", ("code",), "must be Client or Server")
            self.text = _filled(self.text, "text", "Simulated fault injected by a behaviour rule")
        elif self.type == "result_code":
            if self.code not in ("ERROR", "INFO"):
                raise refuse("Action", ("code",), "must be ERROR or INFO")
            if not (self.text or "").strip():
                raise refuse("Action", ("text",), "resultText is shown to the citizen: give a non-empty text")
        elif self.type == "http_status":
            if self.status is None:
                raise refuse("Action", ("status",), "must be an HTTP status between 300 and 599")
            self.body = _filled(self.body, "body", f"HTTP {self.status} from the service platform")
            self.content_type = _filled(self.content_type, "content_type", "text/plain; charset=utf-8")
        elif self.type == "platform_fault":
            if self.code not in CODES:
                raise refuse("Action", ("code",), f"must be one of {', '.join(CODES)}")
            self.detail = _filled(self.detail, "detail", "injected by a behaviour rule")
        return self

    def _delay(self, given: set[str]) -> None:
        if self.ms is not None and given & {"min_ms", "max_ms"}:
            raise refuse("Action", ("ms",), "give either ms (fixed) or min_ms and max_ms (uniform range)")
        if (self.min_ms is None) != (self.max_ms is None):
            raise refuse("Action", ("min_ms",), "min_ms and max_ms go together")
        if self.min_ms is not None and self.max_ms is not None and self.min_ms > self.max_ms:
            raise refuse("Action", ("max_ms",), "must not be less than min_ms")
        if self.type == "delay" and not given & DELAY_KEYS:
            raise refuse("Action", ("ms",), "a delay needs ms or min_ms and max_ms")


def _filled(value: str | None, name: str, default: str) -> str:
    """An optional text member: its default when left out, never blank when given."""
    if value is None:
        return default
    if not value.strip():
        raise refuse("Action", (name,), "must be a non-empty string of at most 10000 characters")
    return value


class BehaviourRuleRequest(Strict):
    """A behaviour rule, checked whole here (types, sizes, ranges, what each action type
    needs); what depends on the simulator's contracts (a known contract, a resultCode its
    response can carry) is the domain's (``behaviours.new_rule``)."""

    match: Match = Field(default_factory=Match)
    action: Action
    times: Annotated[StrictInt, Field(ge=1, le=MAX_ID)] | None = Field(
        None, description="fire at most this often (null: no limit)"
    )
    probability: float = Field(1.0, gt=0, le=1, allow_inf_nan=False)
    description: Annotated[StrictStr, StringConstraints(max_length=500)] = ""

    @model_validator(mode="after")
    def _result_code_names_its_contract(self) -> BehaviourRuleRequest:
        if self.action.type == "result_code" and self.match.contract is None:
            raise refuse(
                "BehaviourRuleRequest",
                ("match", "contract"),
                "a result_code action needs the contract whose response it builds",
            )
        return self


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
