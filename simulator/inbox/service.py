"""The AddMessage producer: read the request, decide (domain), store (one INSERT in one
transaction, committed before the answer), tell the message listeners, answer."""

from __future__ import annotations

import logging
import uuid

from simulator.inbox import domain, soap
from simulator.inbox.store import InboxStore, row_values
from simulator.population.personnummer import mask
from simulator.soap.service import ServiceSpec

log = logging.getLogger(__name__)


class AddMessageProducer:
    """``runtime.message_listeners`` are called as ``listener(citizen_or_None, message)``
    for every stored message (OK and INFO; ``message["result_code"]`` tells which), inside
    the request's one transaction (storage/scope.py): what a listener writes with
    ``scope.transaction`` (the citizen notifications) is committed together with the
    message, before the answer. A failing listener is logged and never fails the call."""

    def __init__(self, runtime, store: InboxStore):
        self.runtime = runtime
        self.store = store

    def __call__(self, call):
        request = soap.read_add_message(call.contract, call.payload)
        pnr = request.subject_of_care_id
        citizen = self.runtime.citizens.lookup(pnr)
        outcome = domain.add_message(request, citizen, self.runtime.clock.now(), str(uuid.uuid4()))
        call.notes.update(
            personnummer=pnr,
            business_object_id=request.business_object_id,
            result_code=outcome.result_code,
            rule_ids=list(outcome.rule_ids),
        )
        if outcome.message is not None:
            stored = self.store.insert(row_values(outcome.message, call.consumer, call.logical_address))
            call.notes["message_id"] = stored["message_id"]
            self.tell_listeners(citizen, stored)
        if log.isEnabledFor(logging.DEBUG):  # the masked number is worked out only then
            log.debug(
                "AddMessage %s for %s: %s %s",
                call.notes.get("message_id", "-"),
                mask(pnr),
                outcome.result_code,
                ",".join(outcome.rule_ids),
            )
        return soap.add_message_response(call.contract, outcome)

    def tell_listeners(self, citizen, stored: dict) -> None:
        for listener in self.runtime.message_listeners:
            try:
                listener(citizen, stored)
            except Exception:
                log.exception(
                    "message listener %r failed for message %s (%s)",
                    listener,
                    stored["message_id"],
                    mask(stored["subject_of_care_id"]),
                )


def producers(runtime) -> dict:
    return {"AddMessage": AddMessageProducer(runtime, InboxStore(runtime.db))}


SERVICE = ServiceSpec(prefix="inbox", producers=producers)
