"""RP-01 (channel shares, paper letters avoided, savings, progress against the VGR goals)
and RP-02 (read receipts per thread), computed from what was actually delivered, plus a
server-rendered SVG chart of the digital share per day. No address or personnummer is
shown: threads are named by booking id (CH-10)."""

from __future__ import annotations

import collections
from xml.sax.saxutils import escape

from dispatchcore import calls
from dispatchcore.clock import SWEDEN
from rivta import RivtaError

MAIN_PURPOSES = ("kallelse", "open_invitation", "confirmation", "update")


def delivered_channels(steps: list[dict]) -> dict[str, set[str]]:
    """booking id -> channels that actually reached the citizen for the kallelse itself."""
    channels: dict[str, set[str]] = collections.defaultdict(set)
    for step in steps:
        if step["state"] != "done" or step["key"].endswith(":cancel") or "reminder" in step["key"]:
            continue
        if step["kind"] == "addmessage" and (step["result"] or {}).get("code") == "OK":
            channels[step["booking_id"]].add("digital")
        elif step["kind"] == "paper":
            channels[step["booking_id"]].add("paper")
    return channels


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def summarize(bookings: list[dict], steps: list[dict], profiles: dict) -> dict:
    channels = delivered_channels(steps)
    counts: collections.Counter[str] = collections.Counter()
    avoided: collections.Counter[str] = collections.Counter()
    per_day: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for booking in bookings:
        got = channels.get(booking["booking_id"], set())
        kind = (
            "digital_only"
            if got == {"digital"}
            else "digital_and_paper"
            if got == {"digital", "paper"}
            else "paper_only"
            if got == {"paper"}
            else "manual"
            if booking["manual"]
            else "nothing_sent"
        )
        counts[kind] += 1
        if kind == "digital_only":
            avoided[booking["profile"]] += 1
        day = booking["created_at"].astimezone(SWEDEN).date().isoformat()
        per_day[day]["all"] += 1
        per_day[day]["digital"] += "digital" in got
        per_day[day]["digital_only"] += kind == "digital_only"
    sent = counts["digital_only"] + counts["digital_and_paper"] + counts["paper_only"]
    digital = counts["digital_only"] + counts["digital_and_paper"]
    savings = {key: round(avoided[key] * profile.cost_per_letter_sek, 2) for key, profile in profiles.items()}
    goals = next(iter(profiles.values()))
    sms = sum(1 for s in steps if s["kind"] == "sms" and s["state"] == "done")
    return {
        "rules": ["RP-01", "RP-02"],
        "bookings": len(bookings),
        "sent": sent,
        "counts": dict(counts),
        "shares": {k: _share(counts[k], sent) for k in ("digital_only", "digital_and_paper", "paper_only")},
        "paper_letters_sent": sum(1 for s in steps if s["kind"] == "paper" and s["state"] == "done"),
        "sms_reminders_sent": sms,
        "paper_letters_avoided": sum(avoided.values()),
        "estimated_savings_sek": {
            "total": round(sum(savings.values()), 2),
            "per_profile": savings,
            "cost_per_letter_sek": {k: p.cost_per_letter_sek for k, p in profiles.items()},
        },
        "goals": {
            "digital_possible": {
                "goal": goals.goal_digital_possible,
                "actual": _share(digital, sent),
                "met": sent > 0 and _share(digital, sent) >= goals.goal_digital_possible,
            },
            "digital_only_of_possible": {
                "goal": goals.goal_digital_only,
                "actual": _share(counts["digital_only"], digital),
                "met": digital > 0 and _share(counts["digital_only"], digital) >= goals.goal_digital_only,
            },
        },
        "per_day": [
            {
                "day": day,
                "kallelser": c["all"],
                "digital_share": _share(c["digital"], c["all"]),
                "digital_only_share": _share(c["digital_only"], c["all"]),
            }
            for day, c in sorted(per_day.items())
        ],
    }


def read_receipts(engine, bookings: list[dict], steps: list[dict], refresh: bool, limit: int = 200) -> list[dict]:
    """RP-02: per thread, whether and when the citizen read it (asked live with
    GetMessageStatus when ``refresh``; else what the fallback timers last saw)."""
    digital = {b for b, got in delivered_channels(steps).items() if "digital" in got}
    rows = []
    settings = engine.settings(fresh=True) if refresh else None
    for booking in [b for b in bookings if b["booking_id"] in digital][:limit]:
        read_at = booking["read_at"]
        if refresh:
            try:
                status = calls.thread_status(
                    engine.client(settings),
                    engine.endpoint(settings, "message_status"),
                    booking["personnummer"],
                    booking["business_object_id"],
                )
                read_at = min(status.reads) if status.reads else None
            except RivtaError:
                pass
        rows.append(
            {
                "booking_id": booking["booking_id"],
                "business_object_id": booking["business_object_id"],
                "read": read_at is not None,
                "read_at": read_at.isoformat() if read_at else None,
            }
        )
    return rows


def build(engine, refresh: bool = False) -> dict:
    bookings, steps = engine.store.report_rows()
    data = summarize(bookings, steps, engine.settings().region_parameters())
    data["read_receipts"] = read_receipts(engine, bookings, steps, refresh)
    data["clock"] = engine.clock.now().isoformat()
    data["work_due"] = engine.store.count_due(engine.clock.now())
    return data


def svg_chart(per_day: list[dict], width: int = 640, height: int = 240) -> str:
    """Digital share per day as bars with the 60 % goal line (server-rendered, no JS)."""
    pad, top = 40, 20
    inner_w, inner_h = width - 2 * pad, height - pad - top
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
        f'aria-label="Digital andel per dag">',
        f'<line x1="{pad}" y1="{top + inner_h}" x2="{width - pad}" y2="{top + inner_h}" stroke="#333"/>',
        f'<line x1="{pad}" y1="{top}" x2="{pad}" y2="{top + inner_h}" stroke="#333"/>',
    ]
    for value in (0, 50, 100):
        y = top + inner_h - inner_h * value / 100
        parts.append(f'<text x="{pad - 6}" y="{y + 4:.1f}" font-size="10" text-anchor="end">{value} %</text>')
    goal_y = top + inner_h * 0.4
    parts.append(
        f'<line x1="{pad}" y1="{goal_y:.1f}" x2="{width - pad}" y2="{goal_y:.1f}" stroke="#c00" '
        f'stroke-dasharray="4 3"/><text x="{width - pad}" y="{goal_y - 4:.1f}" font-size="10" '
        f'text-anchor="end" fill="#c00">mål 60 %</text>'
    )
    if per_day:
        slot = inner_w / len(per_day)
        for index, day in enumerate(per_day):
            bar_h = inner_h * day["digital_share"]
            x = pad + index * slot + slot * 0.15
            parts.append(
                f'<rect x="{x:.1f}" y="{top + inner_h - bar_h:.1f}" width="{slot * 0.7:.1f}" '
                f'height="{bar_h:.1f}" fill="#1f6feb"><title>{escape(day["day"])}: '
                f"{day['digital_share'] * 100:.0f} % digitalt</title></rect>"
            )
            if len(per_day) <= 14 or index % max(1, len(per_day) // 10) == 0:
                parts.append(
                    f'<text x="{x + slot * 0.35:.1f}" y="{height - pad + 14}" font-size="9" '
                    f'text-anchor="middle">{escape(day["day"][5:])}</text>'
                )
    parts.append("</svg>")
    return "".join(parts)
