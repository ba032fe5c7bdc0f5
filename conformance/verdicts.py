"""What a check concludes about one rule: the verdict, the evidence it saw (SOAP
messages, decision inputs, timestamps) and, for a failure, what was expected and what
was seen. Plain data, so the JSON, JUnit and HTML reports render the same thing."""

from __future__ import annotations

import dataclasses

PASS, FAIL, NOT_APPLICABLE, ERROR = "pass", "fail", "not_applicable", "error"
STATUSES = (PASS, FAIL, NOT_APPLICABLE, ERROR)
MAX_EVIDENCE_CHARS = 20_000


@dataclasses.dataclass
class Evidence:
    """One thing the check looked at. ``kind``: soap (a request/response body), record
    (JSON the simulator or the adapter returned), note (plain words), time."""

    kind: str
    title: str
    content: str = ""
    at: str | None = None  # the simulator time it refers to, when there is one

    def as_dict(self) -> dict:
        content = (
            self.content
            if len(self.content) <= MAX_EVIDENCE_CHARS
            else (self.content[:MAX_EVIDENCE_CHARS] + f"\n… ({len(self.content) - MAX_EVIDENCE_CHARS} more characters)")
        )
        return {"kind": self.kind, "title": self.title, "content": content, "at": self.at}


@dataclasses.dataclass
class Finding:
    """One expectation of a check: met or not, with what was expected and seen."""

    ok: bool
    expected: str
    seen: str

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)


@dataclasses.dataclass
class Verdict:
    rule_id: str
    status: str
    title: str = ""
    source: str = ""
    summary: str = ""
    findings: list[Finding] = dataclasses.field(default_factory=list)
    evidence: list[Evidence] = dataclasses.field(default_factory=list)
    scenario: str = ""
    started_at: str | None = None  # simulator time when the scenario began
    seconds: float = 0.0  # wall-clock duration of the scenario

    @property
    def failed_findings(self) -> list[Finding]:
        return [f for f in self.findings if not f.ok]

    def as_dict(self) -> dict:
        return {
            "rule_id": self.rule_id,
            "status": self.status,
            "title": self.title,
            "source": self.source,
            "summary": self.summary,
            "scenario": self.scenario,
            "started_at": self.started_at,
            "seconds": round(self.seconds, 3),
            "findings": [f.as_dict() for f in self.findings],
            "evidence": [e.as_dict() for e in self.evidence],
        }


class Judgement:
    """Collects the findings and evidence of one rule while a scenario runs, then
    becomes a Verdict: fail if any expectation failed, pass if at least one held,
    not applicable when the scenario never reached anything to judge."""

    def __init__(self, rule_id: str):
        self.rule_id = rule_id
        self.findings: list[Finding] = []
        self.evidence: list[Evidence] = []
        self.not_applicable_reason: str | None = None

    def expect(self, ok: bool, expected: str, seen: str) -> bool:
        self.findings.append(Finding(bool(ok), expected, seen))
        return bool(ok)

    def note(self, title: str, content: str = "", kind: str = "note", at: str | None = None) -> None:
        self.evidence.append(Evidence(kind, title, content, at))

    def not_applicable(self, reason: str) -> None:
        self.not_applicable_reason = reason

    def verdict(self) -> tuple[str, str]:
        failed = [f for f in self.findings if not f.ok]
        if failed:
            return FAIL, f"Expected {failed[0].expected}; saw {failed[0].seen}."
        if self.not_applicable_reason and not self.findings:
            return NOT_APPLICABLE, self.not_applicable_reason
        if not self.findings:
            return ERROR, "The check reached no expectation to judge."
        return PASS, f"{len(self.findings)} expectation(s) held."
