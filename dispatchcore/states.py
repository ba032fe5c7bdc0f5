"""The dispatch core's vocabulary as types: what a step is, where it stands, which channels
a decision chose and what that amounts to. ``StrEnum`` so a value is its own stored and JSON
form (the tables and the API keep the plain strings) while the code cannot misspell one."""

from __future__ import annotations

import enum


class StepKind(enum.StrEnum):
    DECIDE = "decide"  # LK-01/LK-02 lookups and the channel decision
    RELOOKUP = "relookup"  # LK-03: lookups retried after paper went out
    CANCEL = "cancel"  # MC-10
    FALLBACK = "fallback"  # FB-01 timer
    REMINDER = "reminder"  # RM-01 timer
    ADDMESSAGE = "addmessage"  # delivery: 1177 inbox
    PAPER = "paper"  # delivery: the paper outbox
    SMS = "sms"  # delivery: the SMS gateway
    CITIZEN = "citizen"  # MC-06: the citizen pressed Avboka/Boka om in 1177 (durable callback)


DELIVERIES = (StepKind.ADDMESSAGE, StepKind.PAPER, StepKind.SMS)


class StepState(enum.StrEnum):
    TODO = "todo"
    SENDING = "sending"  # marked before a delivery call: verify before sending again
    DONE = "done"
    SKIPPED = "skipped"  # superseded (update, cancellation)
    FAILED = "failed"  # given up

    @property
    def open(self) -> bool:
        return self in (StepState.TODO, StepState.SENDING)

    @classmethod
    def to_retry(cls, may_have_arrived: bool) -> StepState:
        """Where a failed delivery waits for its retry (LK-04): a request that may have
        reached the receiver stays ``sending``, so the retry asks the receiver before it
        sends again; only one that surely never left goes back to ``todo``."""
        return cls.SENDING if may_have_arrived else cls.TODO


class Channel(enum.StrEnum):
    DIGITAL = "digital"
    PAPER = "paper"


class Outcome(enum.StrEnum):
    DIGITAL_ONLY = "digital_only"
    DIGITAL_AND_PAPER = "digital_and_paper"
    PAPER_ONLY = "paper_only"
    NONE = "none"

    @classmethod
    def of(cls, channels: frozenset[Channel] | set[Channel]) -> Outcome:
        """What a set of channels amounts to (RP-01 counts by this)."""
        if channels == {Channel.DIGITAL}:
            return cls.DIGITAL_ONLY
        if channels == {Channel.DIGITAL, Channel.PAPER}:
            return cls.DIGITAL_AND_PAPER
        if channels == {Channel.PAPER}:
            return cls.PAPER_ONLY
        return cls.NONE


class LookupStatus(enum.StrEnum):
    """How a lookup (LK-01 PU, LK-02 1177) answered."""

    OK = "ok"
    NOT_FOUND = "not_found"  # PU: no such person
    NO_ACCOUNT = "no_account"  # 1177: INFO without a profile
    UNAVAILABLE = "unavailable"  # Fault, timeout, HTTP error
    NOT_ASKED = "not_asked"  # 1177 is not asked when PU already decided
