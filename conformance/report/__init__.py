"""The report files of a run: report.json (everything), junit.xml (one test case per rule,
for CI), certificate.json (the signed verdicts, see conformance/certificate.py) and
index.html (for people, printable, ending with the certificate and how to verify it)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from conformance import certificate as signing
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
    profile_sha256: str = ""  # of the profile's content (the TOML file when there is one)
    suite_version: str = ""
    simulator_finished: str = ""  # simulator time at the end
    wall_started: str = ""  # UTC, ISO 8601
    wall_finished: str = ""
    identity: dict = dataclasses.field(default_factory=dict)  # vendor/system/version/consumer from /health

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


def signed_payload(data: dict, evidence: dict[str, str]) -> dict:
    """What the certificate asserts, from the report data and the evidence digests."""
    meta = data["certificate"]
    return {
        "suite": {"name": "kallelse-testbed conformance", "version": meta["suite_version"]},
        "vendor": {"name": meta["vendor"], "system": meta["system"], "version": meta["version"]},
        "health": meta["identity"],
        "profile": {"key": meta["profile"], "name": meta["profile_name"], "sha256": meta["profile_sha256"]},
        "mode": meta["mode"],
        "adapter": meta["adapter"],
        "simulator": meta["simulator"],
        "simulator_time": {"started": meta["simulator_time"], "finished": meta["simulator_finished"]},
        "wall_time": {"started": meta["wall_started"], "finished": meta["wall_finished"]},
        "verdicts": [{"rule_id": r["rule_id"], "status": r["status"]} for r in data["rules"]],
        "summary": dict(data["summary"]),
        "evidence_sha256": evidence,
    }


def write(
    directory: Path,
    certificate: Certificate,
    verdicts: list[Verdict],
    seconds: float,
    signing_key: Ed25519PrivateKey | None = None,
    verify_command: str = "",
) -> dict:
    """report.json and junit.xml first: their digests go into the certificate, which is
    signed before index.html (which shows it) is rendered."""
    directory.mkdir(parents=True, exist_ok=True)
    data = document(certificate, verdicts, seconds)
    (directory / "report.json").write_text(json.dumps(data, ensure_ascii=False, indent=2), "utf-8")
    (directory / "junit.xml").write_bytes(junit.render(data))
    signed = None
    if signing_key is not None:
        signed = signing.sign(signed_payload(data, signing.evidence_digests(directory)), signing_key)
        signing.write(directory, signed)
    (directory / "index.html").write_text(html.render(data, signed, verify_command), "utf-8")
    return data
