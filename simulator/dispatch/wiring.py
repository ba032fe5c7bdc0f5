"""Plugs the dispatch core into the application (see simulator.app.PARTS): its REST API,
the simulated SMS gateway, the trainer pages and the conformance adapter. The work itself
runs in the separate ``kallelse worker`` process (worker.py), never in a web worker."""

from __future__ import annotations


def install(runtime, web, endpoints) -> None:
    from simulator.dispatch import adapter, api, engine, pages

    dispatch = engine.Engine(runtime.db, runtime.clock, runtime.contracts, runtime.config.base_url)
    web.register_blueprint(api.create_blueprint(dispatch))
    web.register_blueprint(api.create_sms_gateway(dispatch))
    web.register_blueprint(pages.create_blueprint(dispatch, runtime.citizens))
    web.register_blueprint(adapter.create_blueprint(dispatch))

    def reset(include_seed: bool) -> None:
        dispatch.store.clear()

    runtime.reset_hooks.append(reset)
