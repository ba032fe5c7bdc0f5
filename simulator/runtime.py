"""What every part of a running simulator shares: settings, database, clock, citizens and
contracts. Built once per process by the application factory."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from contracts.bundle import ContractBundle, builtin_bundle
from simulator.config import Config
from simulator.population.store import CitizenStore
from simulator.storage import Database
from simulator.storage.clockstore import ClockStore


@dataclasses.dataclass
class Runtime:
    config: Config
    db: Database
    clock_store: ClockStore
    citizens: CitizenStore
    contracts: ContractBundle
    interceptors: list = dataclasses.field(default_factory=list)
    # Extension points the parts fill in from their ``wiring.install``:
    # reset_hooks(include_seed) clear a part's tables on POST /api/reset;
    # message_listeners(citizen, stored_message) run after AddMessage stored a message
    #   (notifications, callbacks); wsgi_wrappers(app) -> app wrap the whole server
    #   (e.g. TLS consumer identity, metrics).
    reset_hooks: list[Callable[[bool], None]] = dataclasses.field(default_factory=list)
    message_listeners: list[Callable] = dataclasses.field(default_factory=list)
    wsgi_wrappers: list[Callable] = dataclasses.field(default_factory=list)
    # OpenAPI documents (dicts with "paths"/"components") each part adds for /api/openapi.json.
    openapi_fragments: list[dict] = dataclasses.field(default_factory=list)

    @property
    def clock(self):
        return self.clock_store.clock

    @classmethod
    def build(cls, config: Config) -> Runtime:
        db = Database(config.db_url)
        return cls(
            config=config,
            db=db,
            clock_store=ClockStore(db),
            citizens=CitizenStore(db),
            contracts=builtin_bundle(config.contracts),
        )
