"""Plugs the NTjP-like platform into the application (see simulator.app.PARTS): the gate
and the traffic recorder go first among the SOAP interceptors, the WSGI wrapper around
everything (TLS identity, broken connections), the control API and /metrics beside it."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from pathlib import Path
from typing import TYPE_CHECKING

from simulator.clock import parse_duration
from simulator.platform.api import create_blueprint
from simulator.platform.delayslots import DelaySlots, share_from_env, slot_count
from simulator.platform.gate import PlatformGate, PlatformView
from simulator.platform.passthrough import Upstream
from simulator.platform.recorder import TrafficRecorder
from simulator.platform.routing import parse
from simulator.platform.store import PlatformStore
from simulator.platform.trafficstore import Retention, TrafficStore
from simulator.platform.wsgi import PlatformWsgi
from simulator.storage.alarms import Alarms

if TYPE_CHECKING:
    from simulator.runtime import Runtime


def retention_from_env(env=os.environ) -> Retention:
    """KALLELSE_TRAFFIC_MAX_ROWS (default 20000) and KALLELSE_TRAFFIC_MAX_AGE (ISO 8601
    duration, default P7D) bound the recorded traffic."""
    default = Retention()
    try:
        rows = int(env.get("KALLELSE_TRAFFIC_MAX_ROWS", default.max_rows))
        age = (
            parse_duration(env["KALLELSE_TRAFFIC_MAX_AGE"]) if env.get("KALLELSE_TRAFFIC_MAX_AGE") else default.max_age
        )
    except ValueError as exc:
        raise SystemExit(f"KALLELSE_TRAFFIC_MAX_ROWS / KALLELSE_TRAFFIC_MAX_AGE: {exc}") from None
    if rows < 1 or age <= dt.timedelta(0):
        raise SystemExit("KALLELSE_TRAFFIC_MAX_ROWS and KALLELSE_TRAFFIC_MAX_AGE must be positive")
    return Retention(rows, age)


@dataclasses.dataclass
class Platform:
    runtime: Runtime
    store: PlatformStore
    view: PlatformView
    traffic: TrafficStore

    @property
    def routing_file(self) -> Path | None:
        return getattr(self.runtime.config, "routing", None)

    def load_routing_file(self) -> bool:
        """Read the routing file (checked before anything is stored) and make it the one
        every process uses; without a file, the forgiving defaults. True if it changed."""
        path = self.routing_file
        if path is None:
            return self.store.set_routing(None, None)
        source = Path(path).read_text(encoding="utf-8")
        parse(source, self.view.known, str(path))
        return self.store.set_routing(str(Path(path).resolve()), source)

    def reset(self, include_seed: bool) -> None:
        self.traffic.clear()
        self.store.clear_rules()


def install(runtime, web, endpoints) -> None:
    store = PlatformStore(runtime.db)
    view = PlatformView(store, set(runtime.contracts.contracts))
    platform = Platform(runtime, store, view, TrafficStore(runtime.db, retention_from_env()))
    platform.load_routing_file()
    alarms = Alarms(runtime.db, runtime.clock.real_now)
    slots = DelaySlots(
        Path(runtime.config.data_dir) / "delay-slots", slot_count(runtime.config.workers, share_from_env())
    )
    runtime.interceptors[:0] = [
        PlatformGate(view, store, Upstream(), slots),
        TrafficRecorder(runtime, platform.traffic, alarms),
    ]
    runtime.wsgi_wrappers.append(PlatformWsgi)
    runtime.reset_hooks.append(platform.reset)
    web.register_blueprint(create_blueprint(runtime, platform))
