"""Plugs the citizen side into the application (see simulator.app.PARTS): the inbox
pages, the trainer pages, the control API, the notification listener, the reset hook and
the callback sweeper (the API documents itself: simulator.control.spec). (The
GetMessageStatus SOAP service is in simulator.app's SERVICES: simulator.citizen.readstatus.)"""

from __future__ import annotations

import json
import os
from pathlib import Path

from simulator.citizen import api, callbacks, pages, smsgateway, trainer, web
from simulator.citizen.core import CitizenSide
from simulator.storage.alarms import AlarmKind, Alarms
from simulator.storage.scope import failure_handler

SMS_GATEWAY_OPENAPI = Path(__file__).resolve().parent / "smsgateway_openapi.json"


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
    runtime.message_listeners.append(alarmed_listener(side, Alarms(runtime.db, runtime.clock.real_now)))
    runtime.reset_hooks.append(side.store.clear)
    # Callback deliveries are durable work: this process's sweeper takes over what is
    # pending (a killed worker's) now, and new actions wake it. Held by the app.
    web_app.extensions["citizen_callbacks"] = callbacks.start(side.store, runtime.clock.real_now)
    sms = smsgateway.SmsGateway(runtime.db)
    web_app.register_blueprint(smsgateway.create_blueprint(sms, runtime.clock))
    runtime.reset_hooks.append(sms.clear)
    # the gateway is plain REST a care system calls; its routes are documented by a fragment
    runtime.openapi_fragments.append(json.loads(SMS_GATEWAY_OPENAPI.read_text("utf-8")))


def alarmed_listener(side: CitizenSide, alarms: Alarms):
    """The notification listener runs after AddMessage committed and answered OK/INFO: a
    notification it cannot store is an alarm (ERROR log, ``kallelse_alarms_total``), and
    the message itself — and what the citizen does with it — is unaffected."""

    def on_message(citizen, message: dict) -> None:
        def lost(exc: BaseException) -> None:
            alarms.raise_alarm(
                AlarmKind.NOTIFICATION_LOST, f"notification for message {message.get('message_id')} not stored", exc
            )

        try:
            with failure_handler(lost):  # the rows are written when the request commits (storage/scope.py)
                side.on_message(citizen, message)
        except Exception as exc:
            lost(exc)

    return on_message
