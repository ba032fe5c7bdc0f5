"""The layering in pyproject.toml ([tool.importlinter]) holds: domain code knows nothing
of transport or storage, the three service stand-ins are independent, layers point down."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_import_contracts_hold():
    lint = shutil.which("lint-imports") or str(Path(sys.executable).parent / "lint-imports")
    result = subprocess.run([lint, "--config", str(ROOT / "pyproject.toml")], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "broken" in result.stdout and "0 broken" in result.stdout


def test_domain_code_reads_the_simulator_clock_not_the_wall_clock():
    """Time is injected: no datetime.now()/date.today()/time.time() outside the clocks, in
    the simulator and in the dispatch core (its clock source is ``dispatchcore.clock``)."""
    allowed = {ROOT / "simulator" / "clock.py", ROOT / "dispatchcore" / "clock.py"}
    offenders, scanned = [], {}
    for package in ("simulator", "dispatchcore", "regions"):
        paths = [p for p in (ROOT / package).rglob("*.py") if p not in allowed]
        scanned[package] = len(paths)
        for path in paths:
            text = path.read_text()
            for needle in ("datetime.now(", "date.today(", "dt.datetime.now(", "time.time()", "datetime.utcnow("):
                if needle in text:
                    offenders.append(f"{path.relative_to(ROOT)}: {needle}")
    assert all(count > 0 for count in scanned.values()), scanned  # a moved package is not silently skipped
    assert not offenders, offenders
