"""Path values of the control API that a model cannot check (Flask hands them to the view)."""

from __future__ import annotations

from simulator.errors import FieldError
from simulator.population.personnummer import problem


def personnummer(value: str) -> str:
    """A personnummer from the URL, in the 12-character contract form."""
    reason = problem(value)
    if reason is not None:
        raise FieldError("personnummer", reason)
    return value
