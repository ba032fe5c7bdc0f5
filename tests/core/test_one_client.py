"""One RIVTA client library (issue #11): every SOAP request the repository sends — the
dispatch core, the trainer demo, the load generators, the conformance suite, the tests —
gets its envelope from ``rivta``, and every answer the simulator gives gets its envelope
from ``simulator/soap``. A second, hand-built envelope would drift from the library (a
header, a prefix, an escaping rule) without any test noticing, so this test reads every
Python file for the signs of one, and names the file and line.

Exempt: the client library, the server's SOAP layer, the platform's VP faults (answers,
built beside the platform's codes), and ``tests/soap/handwritten.py``, where the broken
and foreign-spelled envelopes the tests need are written by hand on purpose. Third-party
stacks (zeep, node-soap, the Java client) build their own envelopes: that is what the
interop tests are for, and they give them only a LogicalAddress element."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXEMPT = {
    "rivta": "the client library",
    "simulator/soap": "the server's envelope, answers and faults",
    "tests/soap/handwritten.py": "broken and foreign-spelled envelopes, hand-written on purpose",
}
SKIPPED_DIRECTORIES = {"node_modules", "__pycache__", "artifacts", "build", "dist"}
# Each sign of a hand-built envelope, and what to use instead.
SIGNS = {
    "a SOAP Envelope or Fault written out as markup (use rivta.envelope; for a broken one, tests/soap/handwritten)": (
        re.compile(r"</?(?:[\w.-]+:)?(?:Envelope|Fault)\b")
    ),
    "a LogicalAddress header written out as markup (rivta.envelope adds it)": re.compile(
        r"</?(?:[\w.-]+:)?LogicalAddress\b"
    ),
    "an Envelope, Header, Body or Fault element built with lxml (rivta.envelope; a server answer: simulator.soap)": (
        re.compile(r"\b(?:Sub)?Element\(.*\}(?:Envelope|Header|Body|Fault)\b")
    ),
    "the SOAP 1.1 namespace restated (import rivta.SOAP11_NS)": re.compile(r"schemas\.xmlsoap\.org/soap/envelope"),
}


def python_files(root: Path) -> list[Path]:
    """Every .py file under ``root`` outside hidden directories (.venv, .git) and
    installed or generated trees."""
    return [
        path
        for path in root.rglob("*.py")
        if not any(part.startswith(".") or part in SKIPPED_DIRECTORIES for part in path.relative_to(root).parts[:-1])
    ]


def exempt(relative: str) -> bool:
    return any(relative == allowed or relative.startswith(allowed + "/") for allowed in EXEMPT)


def hand_built_envelopes(root: Path) -> tuple[list[str], int]:
    """``file:line: sign`` for every line outside the exemptions that shows a sign (comment
    lines are skipped), and how many files were read."""
    found, read = [], 0
    for path in python_files(root):
        relative = path.relative_to(root).as_posix()
        if exempt(relative):
            continue
        read += 1
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.lstrip().startswith("#"):
                continue
            found += [f"{relative}:{number}: {sign}" for sign, pattern in SIGNS.items() if pattern.search(line)]
    return found, read


def test_no_request_envelope_is_built_outside_the_client_library():
    for allowed in EXEMPT:
        assert (ROOT / allowed).exists(), f"exempted path {allowed} is gone: update EXEMPT"
    found, read = hand_built_envelopes(ROOT)
    assert read > 200, f"only {read} files read: is the scan looking at the repository?"
    assert not found, "hand-built SOAP envelopes outside rivta/:\n" + "\n".join(found)


def test_the_scan_finds_each_sign_with_file_and_line(tmp_path):
    """The rule can fail: one planted file shows each sign once and is named for each; the
    same lines in an exempted path or a comment are not. (The markup is split so that this
    file does not show the signs itself.)"""
    tag, namespace = "<soapenv:" + "Envelope", "http://schemas.xmlsoap.org/" + "soap/envelope/"
    planted = [
        f"BODY = '{tag} xmlns:soapenv=\"x\"/>'",
        "HEADER = '<la:" + "LogicalAddress>SE2321000016-MVK'",
        "env = etree.Element(" + 'f"{{{NS}}}' + 'Envelope")',
        f'NS = "{namespace}"',
    ]
    (tmp_path / "care").mkdir()
    (tmp_path / "care" / "client.py").write_text("\n".join(planted) + "\n")
    (tmp_path / "tests" / "soap").mkdir(parents=True)
    (tmp_path / "tests" / "soap" / "handwritten.py").write_text("\n".join(planted) + "\n")
    (tmp_path / "care" / "notes.py").write_text("\n".join("# " + line for line in planted) + "\n")
    found, read = hand_built_envelopes(tmp_path)
    assert read == 2
    assert [entry.split(": ", 1)[0] for entry in found] == [f"care/client.py:{n}" for n in range(1, 5)], found
    assert {entry.split(": ", 1)[1] for entry in found} == set(SIGNS)
