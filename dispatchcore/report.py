"""RP-01 (channel shares, paper letters avoided, savings, progress against the VGR goals)
and RP-02 (read receipts per thread), computed from what was actually delivered, plus a
server-rendered SVG chart of the digital share per day. No address or personnummer is
shown: threads are named by booking id (CH-10)."""

from __future__ import annotations

import collections
import datetime as dt
from xml.sax.saxutils import escape

import sqlalchemy as sa

from dispatchcore import calls
from dispatchcore.localtime import SWEDEN
from dispatchcore.store import bookings, steps
from rivta import RivtaError

MAIN_PURPOSES = ("kallelse", "open_invitation", "confirmation", "update")
READ_RECEIPTS = 200  # RP-02 rows in the report (the first digital threads)


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
    """RP-01 from booking rows and their delivery steps (the adapter's per-booking view)."""
    channels = delivered_channels(steps)
    done = collections.Counter(s["kind"] for s in steps if s["state"] == "done")
    entries = [(booking, channels.get(booking["booking_id"], set())) for booking in bookings]
    return _summarize(entries, [1] * len(entries), done, profiles)


def _kind(got: set[str], manual: bool) -> str:
    if got == {"digital"}:
        return "digital_only"
    if got == {"digital", "paper"}:
        return "digital_and_paper"
    if got == {"paper"}:
        return "paper_only"
    return "manual" if manual else "nothing_sent"


def _summarize(entries: list[tuple[dict, set[str]]], weights: list[int], done, profiles: dict) -> dict:
    """``entries``: (booking with manual, profile, created_at; its delivered channels),
    each standing for ``weights[i]`` bookings; ``done``: done steps per kind."""
    counts: collections.Counter[str] = collections.Counter()
    avoided: collections.Counter[str] = collections.Counter()
    per_day: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for (booking, got), weight in zip(entries, weights, strict=True):
        kind = _kind(got, bool(booking["manual"]))
        counts[kind] += weight
        if kind == "digital_only":
            avoided[booking["profile"]] += weight
        day = booking["created_at"].astimezone(SWEDEN).date().isoformat()
        per_day[day]["all"] += weight
        per_day[day]["digital"] += weight * ("digital" in got)
        per_day[day]["digital_only"] += weight * (kind == "digital_only")
    sent = counts["digital_only"] + counts["digital_and_paper"] + counts["paper_only"]
    digital = counts["digital_only"] + counts["digital_and_paper"]
    savings = {key: round(avoided[key] * profile.cost_per_letter_sek, 2) for key, profile in profiles.items()}
    goals = next(iter(profiles.values()))
    return {
        "rules": ["RP-01", "RP-02"],
        "bookings": sum(weights),
        "sent": sent,
        "counts": dict(counts),
        "shares": {k: _share(counts[k], sent) for k in ("digital_only", "digital_and_paper", "paper_only")},
        "paper_letters_sent": done.get("paper", 0),
        "sms_reminders_sent": done.get("sms", 0),
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
    return _receipts(engine, [b for b in bookings if b["booking_id"] in digital][:limit], refresh)


def _receipts(engine, threads: list[dict], refresh: bool) -> list[dict]:
    rows = []
    settings = engine.settings(fresh=True) if refresh else None
    for booking in threads:
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


def _delivered():
    """Per booking with a done delivery of the kallelse itself (not a cancellation, not a
    reminder): whether it reached 1177 (AddMessage answered OK) and paper —
    ``delivered_channels`` as one grouped scan of the steps (a subquery per booking lets
    SQLite pick the state index and read every done step for each booking)."""
    ok = steps.c.result.like('%"code": "OK"%')  # as json.dumps writes Context.finish's result
    return (
        sa.select(
            steps.c.booking_id,
            sa.func.max(sa.case((sa.and_(steps.c.kind == "addmessage", ok), 1), else_=0)).label("digital"),
            sa.func.max(sa.case((steps.c.kind == "paper", 1), else_=0)).label("paper"),
        )
        .where(
            steps.c.state == "done",
            steps.c.kind.in_(("addmessage", "paper")),
            sa.not_(steps.c.key.like("%:cancel")),
            sa.not_(steps.c.key.like("%reminder%")),
        )
        .group_by(steps.c.booking_id)
        .subquery()
    )


def _hour(db, column):
    """The instant's UTC hour as text: Swedish days are whole UTC hours apart."""
    if db.is_sqlite:
        return sa.func.strftime("%Y-%m-%dT%H:00:00+00:00", column)
    return sa.func.to_char(sa.func.timezone("UTC", column), 'YYYY-MM-DD"T"HH24":00:00+00:00"')


def summary_rows(engine) -> tuple[list[dict], dict[str, int], list[dict]]:
    """The report's inputs as aggregates: (one row per profile, hour, manual flag and
    delivered channels with its booking count; done paper and SMS counts; the first
    digital threads for RP-02). A campaign of 50,000 bookings is a few hundred rows."""
    db = engine.store.db
    delivered = _delivered()
    digital = sa.func.coalesce(delivered.c.digital, 0).label("digital")
    paper = sa.func.coalesce(delivered.c.paper, 0).label("paper")
    hour = _hour(db, bookings.c.created_at).label("hour")
    joined = bookings.outerjoin(delivered, delivered.c.booking_id == bookings.c.booking_id)
    inner = sa.select(bookings.c.profile, bookings.c.manual, hour, digital, paper).select_from(joined).subquery()
    grouped = sa.select(
        inner.c.profile, inner.c.manual, inner.c.hour, inner.c.digital, inner.c.paper, sa.func.count().label("n")
    ).group_by(inner.c.profile, inner.c.manual, inner.c.hour, inner.c.digital, inner.c.paper)
    done = (
        sa.select(steps.c.kind, sa.func.count().label("n"))
        .where(steps.c.state == "done", steps.c.kind.in_(("paper", "sms")))
        .group_by(steps.c.kind)
    )
    threads = (
        sa.select(bookings.c.booking_id, bookings.c.personnummer, bookings.c.business_object_id, bookings.c.read_at)
        .select_from(bookings.join(delivered, delivered.c.booking_id == bookings.c.booking_id))
        .where(delivered.c.digital == 1)
        .limit(READ_RECEIPTS)
    )
    with db.connect() as conn:
        groups = [dict(r._mapping) for r in conn.execute(grouped)]
        counts = {r.kind: r.n for r in conn.execute(done)}
        digital_threads = [dict(r._mapping) for r in conn.execute(threads)]
    return groups, counts, digital_threads


def summarize_groups(groups: list[dict], done: dict[str, int], profiles: dict) -> dict:
    """``summarize`` from ``summary_rows``' aggregates (the same figures)."""
    entries = []
    for group in groups:
        got = {"digital"} if group["digital"] else set()
        got |= {"paper"} if group["paper"] else set()
        created = dt.datetime.fromisoformat(group["hour"])
        entries.append(({"manual": bool(group["manual"]), "profile": group["profile"], "created_at": created}, got))
    return _summarize(entries, [g["n"] for g in groups], done, profiles)


def build(engine, refresh: bool = False) -> dict:
    groups, done, threads = summary_rows(engine)
    data = summarize_groups(groups, done, engine.settings().region_parameters())
    data["read_receipts"] = _receipts(engine, threads, refresh)
    now = engine.clock.now()
    data["clock"] = now.isoformat()
    data["work_due"] = engine.store.count_due(now)
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
