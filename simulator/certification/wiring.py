"""Plugs the certification pages into the application (see simulator.app.PARTS)."""

from __future__ import annotations


def install(runtime, web, endpoints) -> None:
    from simulator.certification import pages
    from simulator.certification.runs import Runs

    data_dir = runtime.config.data_dir
    runs = Runs(
        data_dir / "certification", runtime.config.base_url, data_dir / "conformance-keys", runtime.clock.real_now
    )
    web.register_blueprint(pages.create_blueprint(runs))
