"""Plugs the certification pages into the application (see simulator.app.PARTS)."""

from __future__ import annotations


def install(runtime, web, endpoints) -> None:
    from simulator.certification import pages
    from simulator.certification.runs import Runs

    data_dir = runtime.config.data_dir
    runs = Runs(
        data_dir / "certification",
        runtime.config.base_url,
        data_dir / "conformance-keys",
        runtime.clock.real_now,
        mint=_minter(runtime) if runtime.config.shared else None,
    )
    web.register_blueprint(pages.create_blueprint(runs))


def _minter(runtime):
    """Shared mode: each run gets an admin token of its own (the suite creates citizens,
    sets behaviour rules and moves the one shared clock), revoked when the run ends; the
    vendor who started it never sees it."""
    from simulator.auth.store import TokenStore
    from simulator.auth.tokens import Role

    tokens = TokenStore(runtime.db)

    def mint(name: str):
        token, secret = tokens.create(Role.ADMIN, None, name, runtime.clock.now())
        return secret, lambda: tokens.revoke(token.id, runtime.clock.now())

    return mint
