"""Routing and authorization as NTjP does them, from a routing file.

The real platform reads two registers from TAK (tjänsteadresseringskatalogen): *vägval*
(contract + logical address -> producer) and *anropsbehörigheter* (consumer HSA-id +
contract + logical address). A routing file holds the same two lists::

    [platform]
    instance = "kallelse-testbed"

    [[routes]]
    contract = "AddMessage"
    logical_addresses = ["5565594230"]

    [[authorizations]]
    consumer = "SE2321000016-ABCD"
    contract = "AddMessage"
    logical_addresses = ["5565594230"]

Without a file the simulator is a forgiving platform: the LogicalAddress header is still
required (VP003) but any address reaches the built-in producers and every consumer is
authorized. A file switches on exact routing (VP004) and authorization (VP007); either
check can be switched off per contract under ``[checks.<contract>]``.
This module is pure: it decides, the gate (simulator.platform.gate) answers.
"""

from __future__ import annotations

import dataclasses
import tomllib
from pathlib import Path

from simulator.errors import FieldError

ANY = "*"
DEFAULT_INSTANCE = "kallelse-testbed"
DEFAULT_TIMEOUT = 29.0  # seconds; NTjP's default producer timeout (29000 ms)


class ConfigError(FieldError):
    """A routing file problem, naming the place: ``routes[1].contract: unknown contract``."""


@dataclasses.dataclass(frozen=True)
class Checks:
    logical_address: bool = True  # VP003
    routing: bool = False  # VP004
    authorization: bool = False  # VP007


@dataclasses.dataclass(frozen=True)
class Route:
    """Where a contract at a logical address is produced: the built-in producer, or an
    upstream URL (passthrough) reached with an optional client certificate."""

    contract: str
    logical_address: str
    upstream: str | None = None
    timeout: float | None = None
    client_cert: str | None = None
    client_key: str | None = None
    ca: str | None = None

    def as_dict(self) -> dict:
        return {k: v for k, v in dataclasses.asdict(self).items() if v is not None}


@dataclasses.dataclass(frozen=True)
class Rejection:
    code: str  # VP code
    detail: str


@dataclasses.dataclass(frozen=True)
class RoutingTable:
    instance: str = DEFAULT_INSTANCE
    producer_timeout: float = DEFAULT_TIMEOUT
    routes: dict = dataclasses.field(default_factory=dict)  # (contract, address) -> Route
    authorizations: frozenset = frozenset()  # {(consumer, contract, address)}
    checks: dict = dataclasses.field(default_factory=dict)  # contract or "*" -> Checks
    original_consumer_senders: tuple | None = None  # VP013 allow-list (None: anyone)
    source: str | None = None  # file path, for display

    @property
    def default_checks(self) -> Checks:
        return self.checks.get(ANY, Checks())

    def checks_for(self, contract: str) -> Checks:
        return self.checks.get(contract, self.default_checks)

    def route(self, contract: str, address: str | None) -> Route | None:
        return self.routes.get((contract, address)) or self.routes.get((contract, ANY))

    def is_authorized(self, consumer: str, contract: str, address: str | None) -> bool:
        return any(
            key in self.authorizations
            for key in (
                (consumer, contract, address),
                (consumer, contract, ANY),
                (consumer, ANY, address),
                (consumer, ANY, ANY),
            )
        )

    def may_set_original_consumer(self, sender: str) -> bool:
        return self.original_consumer_senders is None or sender in self.original_consumer_senders

    def decide(
        self, contract: str, namespace: str, address: str | None, consumer: str | None
    ) -> Route | Rejection | None:
        """The route (None: built-in producer) or why NTjP would refuse the call, in the
        platform's order: receiver (VP003), vägval (VP004), behörighet (VP002/VP007)."""
        checks = self.checks_for(contract)
        if not address and checks.logical_address:
            return Rejection("VP003", f"serviceNamespace: {namespace}")
        route = self.route(contract, address)
        if checks.routing and route is None:
            hint = ". Whitespace detected in incoming request!" if address and " " in address else ""
            return Rejection("VP004", f"serviceNamespace: {namespace}, receiverId: {address}{hint}")
        if checks.authorization:
            if not consumer:
                return Rejection(
                    "VP002",
                    "No consumer HSA-id: present a client certificate with serialNumber "
                    "(--tls) or send HTTP header x-rivta-original-serviceconsumer-hsaid",
                )
            if not self.is_authorized(consumer, contract, address):
                return Rejection("VP007", f"serviceNamespace: {namespace}, receiverId: {address}, senderId: {consumer}")
        return route

    def as_dict(self) -> dict:
        return {
            "source": self.source,
            "instance": self.instance,
            "producer_timeout": self.producer_timeout,
            "routes": [r.as_dict() for r in self.routes.values()],
            "authorizations": [
                {"consumer": c, "contract": k, "logical_address": a} for c, k, a in sorted(self.authorizations)
            ],
            "checks": {k: dataclasses.asdict(v) for k, v in sorted(self.checks.items())},
            "original_consumer_senders": (
                None if self.original_consumer_senders is None else list(self.original_consumer_senders)
            ),
        }


def default_table() -> RoutingTable:
    return RoutingTable()


def parse(text: str, known_contracts: set[str], source: str | None = None) -> RoutingTable:
    """Parse and check a routing file (TOML); raises ConfigError naming the field."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError("file", f"not valid TOML: {exc}") from None
    base = Path(source).resolve().parent if source else Path.cwd()
    unknown = set(data) - {"platform", "routes", "authorizations", "checks"}
    if unknown:
        raise ConfigError(sorted(unknown)[0], "unknown section (expected platform, routes, authorizations, checks)")
    platform = _table(data.get("platform", {}), "platform")
    _only(platform, "platform", {"instance", "producer_timeout", "original_consumer_senders"})
    senders = platform.get("original_consumer_senders")
    return RoutingTable(
        instance=_text(platform.get("instance", DEFAULT_INSTANCE), "platform.instance"),
        producer_timeout=_seconds(platform.get("producer_timeout", DEFAULT_TIMEOUT), "platform.producer_timeout"),
        routes=_routes(data.get("routes", []), known_contracts, base),
        authorizations=_authorizations(data.get("authorizations", []), known_contracts),
        checks=_checks(data.get("checks", {}), known_contracts),
        original_consumer_senders=None
        if senders is None
        else tuple(_texts(senders, "platform.original_consumer_senders")),
        source=source,
    )


def _routes(items, known: set[str], base: Path) -> dict:
    routes = {}
    for i, item in enumerate(_list(items, "routes")):
        where = f"routes[{i}]"
        item = _table(item, where)
        _only(
            item,
            where,
            {
                "contract",
                "logical_address",
                "logical_addresses",
                "upstream",
                "timeout",
                "client_cert",
                "client_key",
                "ca",
            },
        )
        contract = _contract(item.get("contract"), known, f"{where}.contract", wildcard=False)
        upstream = item.get("upstream")
        if upstream is not None and not (_text(upstream, f"{where}.upstream").startswith(("http://", "https://"))):
            raise ConfigError(f"{where}.upstream", "must be an http:// or https:// URL")
        files = {
            key: str((base / _text(item[key], f"{where}.{key}")).resolve())
            for key in ("client_cert", "client_key", "ca")
            if key in item
        }
        for key, path in files.items():
            if not Path(path).is_file():
                raise ConfigError(f"{where}.{key}", f"no such file: {path}")
        timeout = _seconds(item["timeout"], f"{where}.timeout") if "timeout" in item else None
        for address in _addresses(item, where):
            if (contract, address) in routes:
                raise ConfigError(
                    where, f"{contract} at logical address {address!r} is routed twice (NTjP would answer VP006)"
                )
            routes[(contract, address)] = Route(contract, address, upstream, timeout, **files)
    return routes


def _authorizations(items, known: set[str]) -> frozenset:
    keys = set()
    for i, item in enumerate(_list(items, "authorizations")):
        where = f"authorizations[{i}]"
        item = _table(item, where)
        _only(item, where, {"consumer", "consumers", "contract", "contracts", "logical_address", "logical_addresses"})
        consumers = _one_or_many(item, "consumer", "consumers", where)
        contracts = [
            _contract(c, known, f"{where}.contract", wildcard=True)
            for c in _one_or_many(item, "contract", "contracts", where)
        ]
        for consumer in consumers:
            for contract in contracts:
                for address in _addresses(item, where):
                    keys.add((consumer, contract, address))
    return frozenset(keys)


def _checks(table, known: set[str]) -> dict:
    """With a file every check is on; ``[checks."*"]`` changes that for all contracts and
    ``[checks.<contract>]`` for one (starting from the "*" values)."""
    table = _table(table, "checks")
    star = dataclasses.replace(Checks(True, True, True), **_check_values(table.get(ANY, {}), f"checks.{ANY}"))
    checks = {ANY: star}
    for contract, values in table.items():
        if contract != ANY:
            where = f"checks.{contract}"
            checks[_contract(contract, known, where, wildcard=False)] = dataclasses.replace(
                star, **_check_values(values, where)
            )
    return checks


def _check_values(values, where: str) -> dict:
    values = _table(values, where)
    _only(values, where, {"logical_address", "routing", "authorization"})
    for key, value in values.items():
        if not isinstance(value, bool):
            raise ConfigError(f"{where}.{key}", "must be true or false")
    return values


def _addresses(item: dict, where: str) -> list[str]:
    return _one_or_many(item, "logical_address", "logical_addresses", where)


def _one_or_many(item: dict, one: str, many: str, where: str) -> list[str]:
    if (one in item) == (many in item):
        raise ConfigError(f"{where}.{one}", f"give either {one} or {many}")
    values = [item[one]] if one in item else _list(item[many], f"{where}.{many}")
    if not values:
        raise ConfigError(f"{where}.{many}", "must not be empty")
    return _texts(values, f"{where}.{one if one in item else many}")


def _contract(name, known: set[str], field: str, wildcard: bool) -> str:
    name = _text(name, field)
    if name == ANY and wildcard:
        return name
    if name not in known:
        raise ConfigError(field, f"unknown contract {name!r} (known: {', '.join(sorted(known))})")
    return name


def _seconds(value, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 100:
        raise ConfigError(field, "must be a number of seconds above 0 and at most 100")
    return float(value)


def _text(value, field: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(field, "must be a non-empty string")
    return value.strip()


def _texts(values, field: str) -> list[str]:
    return [_text(v, f"{field}[{i}]") for i, v in enumerate(_list(values, field))]


def _list(value, field: str) -> list:
    if not isinstance(value, list):
        raise ConfigError(field, "must be a list")
    return value


def _table(value, field: str) -> dict:
    if not isinstance(value, dict):
        raise ConfigError(field, "must be a table")
    return value


def _only(item: dict, where: str, allowed: set[str]) -> None:
    extra = sorted(set(item) - allowed)
    if extra:
        raise ConfigError(f"{where}.{extra[0]}", f"unknown key (allowed: {', '.join(sorted(allowed))})")
