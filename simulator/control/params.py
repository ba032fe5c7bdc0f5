"""Query-string and path values of the control API, checked so a typo answers 400 naming
the parameter instead of being ignored."""

from __future__ import annotations

from flask import request

from simulator.control.errors import BadRequest
from simulator.population.domain import FieldError, validate_personnummer

_BOOLEANS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}


def query_int(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(name, f"must be a whole number from {low} to {high}") from None
    if not low <= value <= high:
        raise BadRequest(name, f"must be a whole number from {low} to {high}")
    return value


def query_bool(name: str) -> bool | None:
    raw = request.args.get(name)
    if raw is None:
        return None
    if raw.lower() not in _BOOLEANS:
        raise BadRequest(name, "must be true or false")
    return _BOOLEANS[raw.lower()]


def query_choice(name: str, choices: tuple[str, ...]) -> str | None:
    raw = request.args.get(name)
    if raw is not None and raw not in choices:
        raise BadRequest(name, f"must be one of {', '.join(choices)}")
    return raw


def personnummer(value: str) -> str:
    """A personnummer from the URL, in the 12-character contract form."""
    try:
        return validate_personnummer(value)
    except FieldError as exc:
        raise BadRequest("personnummer", exc.message) from None


def body_flags(body: dict, names: tuple[str, ...]) -> dict[str, bool]:
    """Optional true/false members of a JSON body; anything else is a 400 naming it."""
    unknown = sorted(set(body) - set(names))
    if unknown:
        raise BadRequest(unknown[0], f"unknown field (allowed: {', '.join(names)})")
    for name, value in body.items():
        if not isinstance(value, bool):
            raise BadRequest(name, "must be true or false")
    return {name: body.get(name, False) for name in names}
