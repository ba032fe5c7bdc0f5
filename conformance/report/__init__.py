"""The three report files of a run: report.json (everything), junit.xml (one test case per
rule, for CI) and index.html (for people, printable, ending with the certificate)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from conformance.catalog import RULES
from conformance.report import html, junit
from conformance.verdicts import Verdict


@dataclasses.dataclass
class Certificate:
    vendor: str
    system: str
    version: str
    profile: str
    profile_name: str
    date: str  # real date of the run (what a certificate is dated)
    simulator_time: str  # T0 on the simulator clock
    simulator: str
    adapter: str
    mode: str  # automated | manual | passive

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)


def counts(verdicts: list[Verdict]) -> dict[str, int]:
    result = {"pass": 0, "fail": 0, "not_applicable": 0, "error": 0}
    for verdict in verdicts:
        result[verdict.status] += 1
    return result


def document(certificate: Certificate, verdicts: list[Verdict], seconds: float) -> dict:
    summary = counts(verdicts)
    return {
        "certificate": certificate.as_dict(),
        "summary": {**summary, "total": len(verdicts), "passed": summary["pass"] == len(verdicts)},
        "seconds": round(seconds, 1),
        "rules": [v.as_dict() for v in verdicts],
        "catalog": {r: {"title": RULES[r].title, "source": RULES[r].source} for r in (v.rule_id for v in verdicts)},
    }


def write(directory: Path, certificate: Certificate, verdicts: list[Verdict], seconds: float) -> dict:
    directory.mkdir(parents=True, exist_ok=True)
    data = document(certificate, verdicts, seconds)
    (directory / "report.json").write_text(json.dumps(data, ensure_ascii=False, indent=2), "utf-8")
    (directory / "junit.xml").write_bytes(junit.render(data))
    (directory / "index.html").write_text(html.render(data), "utf-8")
    return data
