"""Plugs the citizen side into the application (see simulator.app.PARTS): the inbox
pages, the trainer pages, the control API, the notification listener, the reset hook
and the OpenAPI fragment. (The GetMessageStatus SOAP service is in simulator.app's
SERVICES: simulator.citizen.readstatus.)"""

from __future__ import annotations

import json
import os
from pathlib import Path

from simulator.citizen import api, pages, smsgateway, trainer, web
from simulator.citizen.core import CitizenSide

OPENAPI = Path(__file__).resolve().parent / "openapi.json"


def install(runtime, web_app, endpoints) -> None:
    table = os.environ.get("KALLELSE_LINK_SYSTEMS")
    side = CitizenSide(runtime, Path(table) if table else None)
    citizen_pages = pages.create_blueprint(side)
    web.install(web_app, side.store.secret(), citizen_pages)
    web_app.register_blueprint(citizen_pages)
    trainer_pages = trainer.create_blueprint(side)
    trainer_pages.after_request(web.security_headers)
    web_app.register_blueprint(trainer_pages)
    web_app.register_blueprint(api.create_blueprint(side))
    runtime.message_listeners.append(side.on_message)
    runtime.reset_hooks.append(side.store.clear)
    sms = smsgateway.SmsGateway(runtime.db)
    web_app.register_blueprint(smsgateway.create_blueprint(sms, runtime.clock))
    runtime.reset_hooks.append(sms.clear)
    runtime.openapi_fragments.append(json.loads(OPENAPI.read_text("utf-8")))
