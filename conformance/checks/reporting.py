"""RP-01 and RP-02: the vendor's own report (the adapter's optional GET /reports) against
what the suite observed for the same bookings - the channels it used, the letters it
avoided, the savings at the profile's cost parameters, and the citizen's reads."""

from __future__ import annotations

import datetime as dt

from conformance.scenario import Delivery, Scenario

CHANNELS = ("digital_only", "digital_and_paper", "paper_only")
CASES: dict[str, dict] = {
    "digital_only": {"optout": True},
    "digital_and_paper": {},
    "paper_only": {"account": "none"},
}


def channel(found: Delivery) -> str:
    """How the kallelse went: digital = an AddMessage 1177 accepted."""
    digital = any(r.contract == "AddMessage" and r.record.get("outcome") == "ok" for r in found.requests)
    paper = bool(found.letters)
    if digital:
        return "digital_and_paper" if paper else "digital_only"
    return "paper_only" if paper else "none"


class Reporting(Scenario):
    rules = ("RP-01", "RP-02")

    def start(self) -> None:
        booked = {}
        for label, person in CASES.items():
            pnr = self.citizen(**person)
            booked[label] = (pnr, self.book(self.booking(pnr)))
            for rule in self.rules:
                self.show_booking(rule, booked[label][1], f"{label}: booking")
        observed = {}
        for label, (pnr, booking) in booked.items():
            observed[booking["booking_id"]] = (
                pnr,
                channel(self.delivered(pnr, label != "paper_only", label != "digital_only")),
            )
        reader = booked["digital_only"][0]
        messages = self.eventually(lambda: self.messages(reader), bool)
        if messages:
            self.run.sim.read_as_citizen(reader, messages[0]["message_id"])
        self.settle()
        report = self.run.adapter.reports(list(observed))
        if report is None:
            for rule in self.rules:
                self.j(rule).not_applicable("The adapter offers no GET /reports (Health.reports false).")
            return
        for rule in self.rules:
            self.j(rule).note("the vendor's report (GET /reports)", _dump(report), kind="record")
        items = {i.get("booking_id"): i for i in report.get("items", [])}
        self.rp01(report, items, observed)
        self.rp02(items, observed)

    def rp01(self, report: dict, items: dict, observed: dict) -> None:
        j = self.j("RP-01")
        for booking_id, (_, seen) in observed.items():
            told = (items.get(booking_id) or {}).get("channel")
            j.expect(told == seen, f"booking {booking_id}: reported channel {seen} (as observed)", f"{told!r}")
        counts = {c: sum(1 for _, seen in observed.values() if seen == c) for c in CHANNELS}
        shares = report.get("shares") or {}
        for name, count in counts.items():
            share = count / len(observed)
            j.expect(
                abs(float(shares.get(name, -1)) - share) < 0.005,
                f"share {name} = {share:.2f} of these {len(observed)} bookings",
                f"{shares.get(name)!r}",
            )
        avoided = counts["digital_only"]
        j.expect(
            report.get("paper_letters_avoided") == avoided,
            f"paper letters avoided = {avoided}",
            f"{report.get('paper_letters_avoided')!r}",
        )
        savings = avoided * self.run.profile.cost_per_letter_sek
        j.expect(
            abs(float(report.get("savings_sek", -1)) - savings) < 0.01,
            f"savings = {savings:.2f} SEK ({avoided} x {self.run.profile.cost_per_letter_sek:.2f} SEK per letter: "
            "postage + envelope and print + handling minutes x staff cost, from the profile)",
            f"{report.get('savings_sek')!r}",
        )

    def rp02(self, items: dict, observed: dict) -> None:
        j = self.j("RP-02")
        if not any(seen.startswith("digital") for _, seen in observed.values()):
            j.not_applicable("No kallelse of the scenario reached the 1177 inbox, so there is no read receipt.")
        for booking_id, (pnr, seen) in observed.items():
            if not seen.startswith("digital"):
                continue
            reads = [m["read_at"] for m in self.messages(pnr) if m.get("read_at")]
            item = items.get(booking_id) or {}
            j.expect(
                bool(item.get("read")) == bool(reads),
                f"booking {booking_id}: {'read' if reads else 'not read'} (the 1177 inbox)",
                f"read={item.get('read')!r}",
            )
            if reads and item.get("read_at"):
                told = dt.datetime.fromisoformat(str(item["read_at"]).replace("Z", "+00:00"))
                first = min(dt.datetime.fromisoformat(r) for r in reads)
                if told.tzinfo is None:
                    told = told.replace(tzinfo=first.tzinfo)
                j.expect(
                    abs(told - first) < dt.timedelta(minutes=1),
                    f"booking {booking_id}: read at {first.isoformat()}",
                    f"read_at {item['read_at']!r}",
                )


def _dump(value) -> str:
    from conformance.scenario import dump

    return dump(value)


SCENARIOS: list[type[Scenario]] = [Reporting]
