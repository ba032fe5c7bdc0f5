"""SMS and e-mail notifications for a new inbox message (TKB-INBOX ``notify``).

1177 notifies the citizen by the channels the citizen turned on in the user profile.
The text says only that a new message is waiting (MC-12): never the facility, the case
type, the header or anything of the visit, because an SMS or e-mail is read on a lock
screen or a shared computer."""

from __future__ import annotations

import datetime as dt

from simulator.population.domain import Citizen

SMS_TEXT = "Du har fått ett nytt meddelande i 1177 Inkorg. Logga in på 1177.se för att läsa det."
EMAIL_SUBJECT = "Nytt meddelande i 1177 Inkorg"
EMAIL_TEXT = (
    "Hej!\n\nDu har fått ett nytt meddelande i din inkorg på 1177.se. "
    "Logga in för att läsa det.\n\nDetta meddelande går inte att svara på.\n\n1177 Vårdguiden"
)


def notifications_for(citizen: Citizen | None, message: dict, now: dt.datetime) -> list[dict]:
    """Rows for the notification outbox; none unless ``notify`` was true and the citizen
    has an active account with that channel on."""
    if citizen is None or not message.get("notify"):
        return []
    account = citizen.account
    if not (account.exists and account.active):
        return []
    base = {
        "personnummer": citizen.personnummer,
        "message_id": message["message_id"],
        "source_system": message.get("source_system"),
        "consumer": message.get("consumer"),
        "created_at": now,
    }
    rows = []
    if account.sms_notification:
        rows.append({**base, "channel": "sms", "recipient": account.mobile, "subject": None, "text": SMS_TEXT})
    if account.email_notification:
        rows.append(
            {**base, "channel": "email", "recipient": account.email, "subject": EMAIL_SUBJECT, "text": EMAIL_TEXT}
        )
    return rows
