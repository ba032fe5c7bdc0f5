"""What a contract verification found: the differences between component models, the
corpus verdicts and the ^...$ defect probes. Plain data, shared by :mod:`contracts.verify`
(which finds it) and :mod:`contracts.report` (which writes it down)."""

from __future__ import annotations

import collections
import dataclasses
from pathlib import Path

PROBE_VALUES = ("191212121212", "197010632391", "^191212121212$")
ALLOWED_DEVIATION = (
    "literal ^...$ removed from the pattern (XML Schema patterns have no anchors; see docs/contracts.md)"
)


@dataclasses.dataclass
class Difference:
    file: str
    component: str
    prop: str
    official: object
    authored: object
    allowed: bool = False

    def __str__(self) -> str:
        return f"{self.file}: {self.component} [{self.prop}]: official {self.official!r}, authored {self.authored!r}"


@dataclasses.dataclass
class Disagreement:
    label: str
    official_accepts: bool
    authored_accepts: bool
    document: bytes
    error: str


@dataclasses.dataclass
class CorpusResult:
    interaction: str
    valid: int = 0
    mutated: int = 0
    valid_accepted: int = 0
    mutated_rejected: int = 0
    disagreements: list[Disagreement] = dataclasses.field(default_factory=list)
    generator_misses: list[Disagreement] = dataclasses.field(default_factory=list)
    mutations: collections.Counter = dataclasses.field(default_factory=collections.Counter)
    mutations_still_valid: collections.Counter = dataclasses.field(default_factory=collections.Counter)

    @property
    def ok(self) -> bool:
        return not self.disagreements and not self.generator_misses


@dataclasses.dataclass
class DefectProbe:
    type_name: str
    value: str
    verdicts: dict[str, bool]


@dataclasses.dataclass
class Report:
    official_dir: Path
    authored_dir: Path
    seed: int
    documents: int
    files: list[str] = dataclasses.field(default_factory=list)
    missing: list[str] = dataclasses.field(default_factory=list)
    differences: list[Difference] = dataclasses.field(default_factory=list)
    corpus: list[CorpusResult] = dataclasses.field(default_factory=list)
    defect: list[DefectProbe] = dataclasses.field(default_factory=list)
    errors: list[str] = dataclasses.field(default_factory=list)

    @property
    def deviations(self) -> list[Difference]:
        return [d for d in self.differences if d.allowed]

    @property
    def problems(self) -> list[Difference]:
        return [d for d in self.differences if not d.allowed]

    @property
    def ok(self) -> bool:
        return not (self.missing or self.problems or self.errors) and all(c.ok for c in self.corpus)


def defect_proven(report: Report) -> bool:
    """True when the raw official schema rejects 191212121212 and ours accepts it."""
    probes = [p for p in report.defect if p.value == PROBE_VALUES[0]]
    return bool(probes) and all(
        not p.verdicts["published/lxml"]
        and not p.verdicts["published/xmlschema"]
        and p.verdicts["corrected/lxml"]
        and p.verdicts["authored/lxml"]
        and p.verdicts["authored/xmlschema"]
        for p in probes
    )
