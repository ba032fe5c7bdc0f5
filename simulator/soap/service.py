"""How a service package offers its SOAP producers to the application factory."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable


@dataclasses.dataclass(frozen=True)
class ServiceSpec:
    """``prefix`` is the first path segment (``inbox`` -> ``/inbox/AddMessage/2/rivtabp21``);
    ``producers(runtime)`` returns ``{interaction name: producer callable}``; the
    interaction name is looked up in the contract bundle."""

    prefix: str
    producers: Callable[[object], dict]
