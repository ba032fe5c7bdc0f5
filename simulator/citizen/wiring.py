"""Plugs the citizen side into the application (see simulator.app.PARTS): the inbox
pages, the trainer pages, the control API, the notification listener and the reset hook
(the API documents itself: simulator.control.spec). (The GetMessageStatus SOAP service is in simulator.app's
SERVICES: simulator.citizen.readstatus.)"""

from __future__ import annotations

import os
from pathlib import Path

from simulator.citizen import api, pages, trainer, web
from simulator.citizen.core import CitizenSide


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
