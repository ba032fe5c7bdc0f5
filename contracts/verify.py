"""Prove that our authored contracts are wire-identical to an official bundle.

``compare(official_dir, authored_dir)`` answers with a :class:`Report` built from three
independent checks:

1. **Component models.** Every official ``.xsd``/``.wsdl`` must have an authored file at
   the same relative path (so ``--contracts OFFICIAL`` overrides ours path for path), and
   the two must declare the same components (:mod:`contracts.components`). The only
   difference allowed is the corrected ``SubjectOfCareIdType`` pattern: the official
   ``^...$`` with its literal anchors removed, exactly what
   :func:`contracts.bundle.correct_schema_text` does to official files when loading them.
2. **Corpus.** Per interaction, N valid documents generated from the schema models
   (alternately from the official and the authored model) and N mutated twins are
   validated by lxml against the official schemas (correction applied, via
   :func:`contracts.bundle.load_schema`) and against the authored ones as written; every
   document must get the same verdict from both.
3. **Defect proof.** The raw official core schema rejects the personnummer
   ``191212121212`` while the corrected official and the authored schema accept it.
"""

from __future__ import annotations

import dataclasses
import random
import re
import tempfile
from pathlib import Path

from lxml import etree

from contracts import BUILTIN_DIR
from contracts.bundle import ContractBundle, correct_schema_text, load_schema, secure_parser
from contracts.components import Description, describe, load_xsd
from contracts.corpus import DocumentFactory, GeneratorError, Mutator
from contracts.findings import (
    PROBE_VALUES,
    CorpusResult,
    DefectProbe,
    Difference,
    Disagreement,
    Report,
)

DEFAULT_DOCUMENTS = 500
DEFAULT_SEED = 2014
_ANCHORS = re.compile(r"^\^(.*)\$$", re.S)


# --- 1. component models --------------------------------------------------------------


def contract_files(folder: Path) -> list[str]:
    return sorted(
        p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.suffix in (".xsd", ".wsdl") and p.is_file()
    )


def diff_descriptions(file: str, official: Description, authored: Description) -> list[Difference]:
    out = []
    for key in sorted(set(official) | set(authored)):
        if key not in authored or key not in official:
            out.append(
                Difference(
                    file,
                    key,
                    "(component)",
                    "present" if key in official else "absent",
                    "present" if key in authored else "absent",
                )
            )
            continue
        for prop in sorted(set(official[key]) | set(authored[key])):
            before, after = official[key].get(prop), authored[key].get(prop)
            if before != after:
                out.append(
                    Difference(
                        file,
                        key,
                        prop,
                        before,
                        after,
                        allowed=prop == "pattern" and _only_anchors_removed(before, after),
                    )
                )
        patterns = authored[key].get("pattern") or []
        for pattern in patterns if isinstance(patterns, list) else [patterns]:
            if _ANCHORS.match(str(pattern)):
                out.append(Difference(file, key, "pattern keeps the literal ^...$ defect", None, pattern))
    return out


def _only_anchors_removed(official, authored) -> bool:
    if not official or not authored or len(official) != len(authored):
        return False
    stripped = [_ANCHORS.sub(r"\1", p) for p in official]
    return stripped == list(authored) and stripped != list(official)


def compare_components(report: Report) -> None:
    for relative in contract_files(report.official_dir):
        authored = report.authored_dir / relative
        if not authored.is_file():
            report.missing.append(relative)
            continue
        report.files.append(relative)
        try:
            report.differences += diff_descriptions(
                relative, describe(report.official_dir / relative), describe(authored)
            )
        except Exception as exc:
            report.errors.append(f"{relative}: cannot be read: {exc}")


# --- 2. corpus ---------------------------------------------------------------------------


@dataclasses.dataclass
class SchemaPair:
    """Both schema sets for one interaction: lxml validators and xmlschema models."""

    interaction: str
    official: etree.XMLSchema  # official, correction applied
    authored: etree.XMLSchema  # authored, as written
    models: tuple  # xmlschema models to generate from (official corrected, authored)


def raw_schema(path: Path) -> etree.XMLSchema:
    """A file exactly as written, imports included: no correction."""
    return etree.XMLSchema(etree.parse(str(path), secure_parser()))


def corrected_copy(official_dir: Path, target: Path) -> Path:
    """The official tree with :func:`correct_schema_text` applied, for xmlschema to read."""
    for relative in contract_files(official_dir):
        destination = target / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_text(
            correct_schema_text((official_dir / relative).read_text("utf-8"), str(official_dir / relative)), "utf-8"
        )
    return target


def schema_pairs(official_dir: Path, authored_dir: Path) -> list[SchemaPair]:
    pairs = []
    with tempfile.TemporaryDirectory(prefix="kallelse-corrected-") as tmp:
        corrected = corrected_copy(official_dir, Path(tmp))
        for contract in ContractBundle(official_dir).contracts.values():
            relative = contract.relative(contract.responder_xsd)
            authored = authored_dir / relative
            if not authored.is_file():
                continue
            pairs.append(
                SchemaPair(
                    contract.interaction,
                    load_schema(contract.responder_xsd),
                    raw_schema(authored),
                    (load_xsd(corrected / relative), load_xsd(authored)),
                )
            )
    return sorted(pairs, key=lambda p: p.interaction)


def _verdict(schema: etree.XMLSchema, doc) -> tuple[bool, str]:
    ok = schema.validate(doc)
    return ok, "" if ok else str(schema.error_log.last_error)


def check_document(pair: SchemaPair, result: CorpusResult, data: bytes, label: str, should_be_valid: bool) -> bool:
    """Validate one document with both schema sets and record the outcome; returns
    whether both accepted it."""
    doc = etree.fromstring(data, secure_parser())
    official, official_error = _verdict(pair.official, doc)
    authored, authored_error = _verdict(pair.authored, doc)
    if official != authored:
        result.disagreements.append(Disagreement(label, official, authored, data, official_error or authored_error))
    elif should_be_valid and not official:
        result.generator_misses.append(Disagreement(label, official, authored, data, official_error))
    elif should_be_valid:
        result.valid_accepted += 1
    elif not official:
        result.mutated_rejected += 1
    return official and authored


def run_corpus(pair: SchemaPair, rnd, documents: int, result: CorpusResult | None = None) -> CorpusResult:
    """Add ``documents`` valid and ``documents`` mutated documents to ``result``."""
    result = result or CorpusResult(pair.interaction)
    factories = [DocumentFactory(model, rnd) for model in pair.models]
    mutator = Mutator(rnd)
    for index in range(documents):
        generated = factories[index % len(factories)].document()
        result.valid += 1
        check_document(pair, result, generated.bytes(), f"valid #{result.valid}", True)
        kind = mutator.mutate(generated)
        result.mutated += 1
        result.mutations[kind] += 1
        if check_document(pair, result, generated.bytes(), f"mutated #{result.mutated} ({kind})", False):
            result.mutations_still_valid[kind] += 1
    return result


def compare_corpus(report: Report) -> None:
    try:
        pairs = schema_pairs(report.official_dir, report.authored_dir)
    except Exception as exc:
        report.errors.append(f"schemas cannot be loaded for the corpus check: {exc}")
        return
    for pair in pairs:
        rnd = random.Random(f"{report.seed}:{pair.interaction}")
        try:
            report.corpus.append(run_corpus(pair, rnd, report.documents))
        except GeneratorError as exc:
            report.errors.append(f"{pair.interaction}: corpus generation failed: {exc}")


# --- 3. defect proof --------------------------------------------------------------------


_PROBE_XSD = """<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:c="{ns}"
  targetNamespace="urn:kallelse-testbed:probe" elementFormDefault="qualified">
  <xs:import namespace="{ns}" schemaLocation="{location}"/>
  <xs:element name="probe" type="c:{local}"/>
</xs:schema>"""


def _probe_schema(folder: Path, core: Path, qname: str, name: str) -> Path:
    namespace, local = qname[1:].split("}")
    path = folder / f"probe-{name}-{local}.xsd"
    path.write_text(_PROBE_XSD.format(ns=namespace, location=core.resolve().as_uri(), local=local), "utf-8")
    return path


def probe_defect(report: Report) -> None:
    """Validate identity numbers against each corrected pattern type with every schema set."""
    for deviation in report.deviations:
        qname = deviation.component.removeprefix("type ")
        official_core = report.official_dir / deviation.file
        authored_core = report.authored_dir / deviation.file
        with tempfile.TemporaryDirectory(prefix="kallelse-probe-") as tmp:
            folder = Path(tmp)
            validators = {
                "published/lxml": raw_schema(_probe_schema(folder, official_core, qname, "raw")),
                "corrected/lxml": load_schema(_probe_schema(folder, official_core, qname, "corrected")),
                "authored/lxml": raw_schema(_probe_schema(folder, authored_core, qname, "authored")),
            }
            raw_type = load_xsd(official_core).maps.types[qname]
            authored_type = load_xsd(authored_core).maps.types[qname]
            for value in PROBE_VALUES:
                doc = etree.Element("{urn:kallelse-testbed:probe}probe")
                doc.text = value
                verdicts = {label: bool(schema.validate(doc)) for label, schema in validators.items()}
                verdicts["published/xmlschema"] = raw_type.is_valid(value)
                verdicts["authored/xmlschema"] = authored_type.is_valid(value)
                report.defect.append(DefectProbe(f"{deviation.file} {qname}", value, verdicts))


# --- entry point --------------------------------------------------------------------------


def resolve_dirs(official_dir: Path, authored_dir: Path | None) -> tuple[Path, Path]:
    """``--official`` may point at the bundle root or at one TD_* folder in it."""
    official = Path(official_dir).resolve()
    authored = Path(authored_dir).resolve() if authored_dir else BUILTIN_DIR
    if official.name.startswith("TD_") and (authored / official.name).is_dir() and authored.name != official.name:
        authored = authored / official.name
    return official, authored


def compare(
    official_dir: Path,
    authored_dir: Path | None = None,
    documents: int = DEFAULT_DOCUMENTS,
    seed: int = DEFAULT_SEED,
    corpus: bool = True,
) -> Report:
    official, authored = resolve_dirs(official_dir, authored_dir)
    report = Report(official, authored, seed, documents)
    if not contract_files(official):
        report.errors.append(f"no .xsd or .wsdl files under {official}")
        return report
    compare_components(report)
    if corpus and documents > 0:
        compare_corpus(report)
    probe_defect(report)
    return report
