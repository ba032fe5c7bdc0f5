"""The dispatch core's web part, mounted into the simulator's application when
``kallelse serve`` asks for it (``dispatchcore.cli.SIMULATOR_PART``): its REST API, the
trainer pages and the conformance adapter under ``/dispatch``. The host is duck-typed —
the part reads the host database's URL (to open its *own* engine on the same file, with its
own tables), the host clock's ``now`` (the embedded clock shortcut), the contracts, the
base URL, and adds a reset hook. The work itself runs in ``kallelse worker``."""

from __future__ import annotations


def install(host, web, endpoints) -> None:
    from dispatchcore import adapter, api, pages
    from dispatchcore.clock import HostClock
    from dispatchcore.engine import Engine
    from dispatchcore.storage import Database

    db = Database(host.db.url)  # migrated by ``kallelse serve`` before the web workers start
    dispatch = Engine(db, HostClock(host.clock.now), host.contracts, host.config.base_url)
    web.register_blueprint(api.create_blueprint(dispatch))
    web.register_blueprint(pages.create_blueprint(dispatch))
    web.register_blueprint(adapter.create_blueprint(dispatch))
    api.answer_routing_errors(web)  # 404/405 under /dispatch/api and /dispatch/adapter: JSON

    def reset(include_seed: bool) -> None:
        dispatch.store.clear()

    host.reset_hooks.append(reset)
