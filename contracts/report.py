"""The verification report as text a vendor or reviewer reads top to bottom."""

from __future__ import annotations

from contracts.findings import ALLOWED_DEVIATION, Report, defect_proven

SHOWN_DIFFERENCES = 40


def render(report: Report) -> str:
    lines = ["Contract verification", f"  official  {report.official_dir}", f"  authored  {report.authored_dir}", ""]
    lines += _components(report, ALLOWED_DEVIATION)
    lines += _corpus(report)
    lines += _defect(report, defect_proven(report))
    if report.errors:
        lines += ["", "Errors:"] + [f"  {error}" for error in report.errors]
    lines.append("")
    if report.ok:
        lines.append(
            f"RESULT: EQUIVALENT - wire-identical except the allowed pattern correction "
            f"({len(report.deviations)} place(s))"
        )
    else:
        lines.append("RESULT: DIFFERENT - see MISSING / DIFF / DISAGREE lines above")
    return "\n".join(lines)


def _components(report, allowed_text) -> list[str]:
    lines = [
        "1. Component models (xmlschema for XSD, lxml for WSDL)",
        f"   {len(report.files) + len(report.missing)} official files, "
        f"{len(report.files)} authored counterparts at the same relative paths",
    ]
    lines += [f"   MISSING  {relative}" for relative in report.missing]
    for relative in report.files:
        problems = [d for d in report.problems if d.file == relative]
        allowed = [d for d in report.deviations if d.file == relative]
        note = f"  ({len(allowed)} allowed deviation)" if allowed else ""
        lines.append(f"   {'DIFF' if problems else 'same'}     {relative}{note}")
    for difference in report.problems[:SHOWN_DIFFERENCES]:
        lines.append(f"   DIFF     {difference}")
    if len(report.problems) > SHOWN_DIFFERENCES:
        lines.append(f"   ... and {len(report.problems) - SHOWN_DIFFERENCES} more differences")
    if report.deviations:
        lines += ["", f"   Allowed deviation (the only one permitted): SubjectOfCareIdType pattern, {allowed_text}"]
        for deviation in report.deviations:
            lines += [
                f"     {deviation.component} in {deviation.file}",
                f"       official {deviation.official}",
                f"       authored {deviation.authored}",
            ]
    return lines + [""]


def _corpus(report) -> list[str]:
    if not report.corpus:
        return ["2. Corpus: not run", ""]
    lines = [
        f"2. Corpus (seed {report.seed}; every document validated by lxml against the official "
        "schemas with the correction applied and against the authored schemas)"
    ]
    for result in report.corpus:
        still = ", ".join(f"{k} {v}" for k, v in sorted(result.mutations_still_valid.items()))
        lines.append(
            f"   {result.interaction:<24} valid {result.valid}: {result.valid_accepted} accepted by both | "
            f"mutated {result.mutated}: {result.mutated_rejected} rejected by both"
            f"{f', still valid for both: {still}' if still else ''} | "
            f"disagreements {len(result.disagreements)}"
        )
        for miss in result.generator_misses[:3]:
            lines.append(f"     GENERATOR  {miss.label} rejected by both: {miss.error}")
        for disagreement in result.disagreements[:5]:
            lines += [
                f"     DISAGREE  {disagreement.label}: official "
                f"{'accepts' if disagreement.official_accepts else 'rejects'}, authored "
                f"{'accepts' if disagreement.authored_accepts else 'rejects'}: {disagreement.error}",
                f"               {disagreement.document[:400]!r}",
            ]
    kinds = sum((r.mutations for r in report.corpus), start=type(report.corpus[0].mutations)())
    lines.append("   mutations: " + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())))
    return lines + [""]


def _defect(report, proven: bool) -> list[str]:
    if not report.defect:
        return ["3. Defect proof: no anchored pattern found in the official bundle", ""]
    labels = list(report.defect[0].verdicts)
    lines = [
        "3. The ^...$ defect: which schema accepts which identity number",
        "   (published = official file as written, corrected = with ^/$ removed on load, "
        "authored = ours; validated by lxml/libxml2 and by xmlschema)",
    ]
    header = f"     {'value':<16}" + "".join(f"{label:>21}" for label in labels)
    current = None
    for probe in report.defect:
        if probe.type_name != current:
            current = probe.type_name
            lines += [f"   {current}", header]
        lines.append(
            f"     {probe.value:<16}"
            + "".join(f"{'accepts' if probe.verdicts[label] else 'REJECTS':>21}" for label in labels)
        )
    lines.append(
        "   => the published pattern rejects the personnummer 191212121212 (it only accepts the value "
        "with a literal ^ and $); the corrected and authored schemas accept it"
        if proven
        else "   => the defect was NOT reproduced as expected"
    )
    return lines + [""]
