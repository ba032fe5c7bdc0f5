"""The trainer demo's story: a care system sends a few kallelser to the seeded demo
persons over real AddMessage, hands some letters to the paper outbox, and two citizens
act in their inbox, so every page has something to show in a different state:

* Tolvan Tolvansson (digital only, SMS): an unread kallelse with "Boka om"/"Avboka", a
  read thread whose booking was cancelled (MC-10), an archived booking confirmation.
* Anna Andersson (e-mail, wants paper too): an unread kallelse plus its paper letter
  (CH-02), and a message from a careless vendor showing the mismatch marker (MC-02).
* Karl Bengtsson (SMS and e-mail): an unread kallelse, notified both ways.
* David Dahl (no 1177 account): AddMessage answers INFO, so a paper letter (CH-06).
* Lova Lind (protected identity): a paper letter by the protected-address route (CH-10).

Run by ``kallelse demo`` against the server it starts (``python -m
simulator.citizen.demo URL`` runs it against any simulator)."""

from __future__ import annotations

import datetime as dt
import sys
import time

import requests

from contracts.bundle import builtin_bundle
from simulator.citizen.client import CitizenBrowser, Kallelse, SimulatorClient
from simulator.clock import SWEDEN

# The demo persons by name (docs/population.md); their numbers are looked up at run time.
PEOPLE = {
    "tolvan": "Tolvan Tolvansson",
    "anna": "Anna Andersson",
    "karl": "Bertil Karl Bengtsson",
    "david": "David Dahl",
    "lova": "Lova Lind",
}
FACILITY = {
    "hsaId": "SE2321000016-DEMO1",
    "healthCareFacilityName": "Vårdcentralen Testvik",
    "healthCareFacilityAddress": "Storgatan 1",
    "healthCareFacilityPostalCode": "553 20",
    "healthCareFacilityPostalCity": "Jönköping",
    "healthCareFacilityTelephone": "036-10 10 10",
}
SENDER = {"name": FACILITY["healthCareFacilityName"], "hsa_id": FACILITY["hsaId"]}


def kallelse_msg(title: str, when: dt.datetime, visit: str, extra: str = "") -> str:
    """DocBook within the TKB subset: what, when, where, how to prepare, directions (MC-05, MC-08)."""
    local = when.astimezone(SWEDEN)
    return (
        f"<article><info><title>{title}</title></info>"
        f"<para>Du är välkommen till {FACILITY['healthCareFacilityName']}.</para>"
        "<variablelist><title>Din tid</title>"
        f"<varlistentry><term>Tid:</term><listitem>{local:%Y-%m-%d} kl. {local:%H:%M}</listitem></varlistentry>"
        f"<varlistentry><term>Typ av besök:</term><listitem>{visit}</listitem></varlistentry>"
        f"<varlistentry><term>Mottagning:</term><listitem>{FACILITY['healthCareFacilityName']}, "
        f"{FACILITY['healthCareFacilityAddress']}</listitem></varlistentry></variablelist>"
        "<section><title>Förberedelser</title><para>Du får inte äta eller dricka två timmar före besöket."
        "</para></section>"
        '<para><ulink url="https://karta.example/vardcentralen-testvik" type="_blank">Hitta hit</ulink></para>'
        f"{extra}<bibliography>Personalen på {FACILITY['healthCareFacilityName']}</bibliography></article>"
    )


def booking(booking_id: str, when: dt.datetime | None, **flags) -> dict:
    values = {"bookingId": booking_id, "isInvitation": True}
    values.update(flags)
    if when is not None:
        values["bookingDate"] = when.astimezone(SWEDEN).replace(tzinfo=None).isoformat(timespec="seconds")
    return values


def visit(now: dt.datetime, days: int, hour: int = 9, minute: int = 30) -> dt.datetime:
    """A plausible visit time ``days`` from now, Swedish time."""
    day = (now + dt.timedelta(days=days)).astimezone(SWEDEN)
    return day.replace(hour=hour, minute=minute, second=0, microsecond=0)


def kallelser(now: dt.datetime, pnr: dict[str, str]) -> list[Kallelse]:
    soon, later, past = visit(now, 9), visit(now, 14, 13, 15), visit(now, -20, 10, 0)
    form = {
        "systemId": "HALSODEKLARATION",
        "urlText": "Fyll i hälsodeklarationen",
        "queryString": "?besok=demo-tolvan-1",
        "urlLinkType": "NewWindow",
    }
    return [
        Kallelse(
            pnr["tolvan"],
            "<article><info><title>Bokningsbekräftelse</title></info><para>Tack för ditt besök.</para></article>",
            "demo-tolvan-0",
            "Bokningsbekräftelse",
            "Ditt besök är bokat",
            FACILITY,
            booking("B-DEMO-0", past, isInvitation=False),
        ),
        Kallelse(
            pnr["tolvan"],
            kallelse_msg("Kallelse till hälsokontroll", later, "Hälsokontroll"),
            "demo-tolvan-2",
            header="Kallelse till hälsokontroll",
            facility=FACILITY,
            booking=booking("B-DEMO-2", later, rebookingAllowed=True, cancelBookingAllowed=True),
        ),
        Kallelse(
            pnr["tolvan"],
            "<article><info><title>Tiden är avbokad</title></info><para>Din tid för hälsokontroll "
            "är avbokad. Vi skickar en ny kallelse.</para></article>",
            "demo-tolvan-2",
            "Avbokning",
            "Tiden är avbokad",
            FACILITY,
            booking("B-DEMO-2", later, cancelled=True),
        ),
        Kallelse(
            pnr["tolvan"],
            kallelse_msg("Kallelse till provtagning", soon, "Provtagning"),
            "demo-tolvan-1",
            header="Kallelse till provtagning",
            facility=FACILITY,
            url_configuration=form,
            booking=booking("B-DEMO-1", soon, rebookingAllowed=True, cancelBookingAllowed=True),
        ),
        Kallelse(
            pnr["anna"],
            kallelse_msg("Kallelse till mammografi", soon, "Mammografi"),
            "demo-anna-1",
            header="Kallelse till mammografi",
            facility=FACILITY,
            booking=booking("B-DEMO-3", soon, rebookingAllowed=True, cancelBookingAllowed=False),
        ),
        Kallelse(
            pnr["anna"],
            "<article><para>Meddelande från ett vårdsystem som inte följer DocBook-tabellen:"
            "</para><para><emphasis>Fetstil</emphasis> stöds inte.</para></article>",
            "demo-anna-2",
            "Meddelande",
            "Information från mottagningen",
            FACILITY,
        ),
        Kallelse(
            pnr["karl"],
            kallelse_msg("Kallelse till fysioterapi", later, "Fysioterapi"),
            "demo-karl-1",
            header="Kallelse till fysioterapi",
            facility=FACILITY,
            booking=booking("B-DEMO-4", later, rebookingAllowed=False, cancelBookingAllowed=True),
        ),
        Kallelse(
            pnr["david"],
            kallelse_msg("Kallelse till provtagning", soon, "Provtagning"),
            "demo-david-1",
            header="Kallelse till provtagning",
            facility=FACILITY,
            booking=booking("B-DEMO-5", soon),
        ),
    ]


def letters(now: dt.datetime, pnr: dict[str, str]) -> list[dict]:
    text = (
        "Kallelse till {visit}\n\nDu är välkommen till Vårdcentralen Testvik, Storgatan 1, Jönköping,\n"
        "den {when:%Y-%m-%d} kl. {when:%H:%M}.\n\nHälsningar\nPersonalen på Vårdcentralen Testvik\n"
    )
    soon = visit(now, 9)
    base = {"sender_facility": SENDER}
    return [
        {
            **base,
            "personnummer": pnr["anna"],
            "business_object_id": "demo-anna-1",
            "booking_id": "B-DEMO-3",
            "reason_rule_ids": ["CH-02"],
            "text": text.format(visit="mammografi", when=soon),
            "address": {
                "name": "Anna Andersson",
                "street": "Exempelgatan 2",
                "postal_code": "411 01",
                "city": "Göteborg",
            },
        },
        {
            **base,
            "personnummer": pnr["david"],
            "business_object_id": "demo-david-1",
            "booking_id": "B-DEMO-5",
            "reason_rule_ids": ["CH-06", "LK-04"],
            "text": text.format(visit="provtagning", when=soon),
            "postal_delivery_days": 3,
        },
        {
            **base,
            "personnummer": pnr["lova"],
            "booking_id": "B-DEMO-6",
            "reason_rule_ids": ["CH-10"],
            "protected_address_route": True,
            "text": text.format(visit="provtagning", when=soon),
        },
    ]


def wait_until_up(base_url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{base_url}/api/health", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"the simulator at {base_url} did not start")


def demo_numbers(client: SimulatorClient) -> dict[str, str]:
    """Personnummer of the demo persons, found by name in the simulator's population."""
    items = client.api("GET", "/api/citizens", params={"seeded": "true", "limit": 1000}).json()["items"]
    by_name = {f"{c['given_name']} {c['surname']}": c["personnummer"] for c in items}
    missing = [name for name in PEOPLE.values() if name not in by_name]
    if missing:
        raise RuntimeError(f"demo persons missing from the population (start with --seed): {missing}")
    return {key: by_name[name] for key, name in PEOPLE.items()}


def first_message_id(client: SimulatorClient, business_object_id: str) -> str:
    thread = client.api("GET", f"/api/threads/{business_object_id}").json()
    return thread["messages"][0]["message_id"]


def run(base_url: str) -> list[str]:
    """Play the story against a running simulator; returns what was done, line by line."""
    client = SimulatorClient(base_url, builtin_bundle())
    now = dt.datetime.fromisoformat(client.api("GET", "/api/clock").json()["now"])
    pnr = demo_numbers(client)
    done = []
    for kallelse in kallelser(now, pnr):
        code, _ = client.add_message(kallelse)
        done.append(f"AddMessage {kallelse.business_object_id}: {code}")
    for letter in letters(now, pnr):
        answer = client.api("POST", "/api/paper-letters", json=letter)
        answer.raise_for_status()
        done.append(f"pappersbrev {letter['reason_rule_ids']}: {answer.json()['status']}")
    tolvan = CitizenBrowser(base_url)
    tolvan.log_in(pnr["tolvan"])
    tolvan.open_thread(first_message_id(client, "demo-tolvan-2"))
    archived = first_message_id(client, "demo-tolvan-0")
    tolvan.post_form(f"/inkorg/arende/{archived}/arkivera", "/inkorg").raise_for_status()
    done.append("Tolvan läste avbokningstråden och arkiverade bokningsbekräftelsen")
    return done


def main(argv: list[str]) -> int:
    base_url = argv[1] if len(argv) > 1 else "http://127.0.0.1:8080"
    wait_until_up(base_url)
    for line in run(base_url):
        print(f"demo: {line}", flush=True)
    print(f"demo: klart – öppna {base_url}/ i en webbläsare", flush=True)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(sys.argv))
