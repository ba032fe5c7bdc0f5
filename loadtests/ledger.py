"""What the load generators were told, written down as it happens, so a run can be
reconciled with what the simulator stored: every acknowledged AddMessage, every accepted
booking, every message a citizen opened.

Each locust process (the local runner, or every worker of a distributed run) appends JSON
lines to a file of its own in one folder (``KALLELSE_LOAD_LEDGER``); the runner reads the
folder after the run. A file per process needs no locking and survives a worker that
crashes half-way (lines are flushed as written)."""

from __future__ import annotations

import json
import os
import uuid
from collections import defaultdict
from pathlib import Path
from typing import TextIO


class Ledger:
    def __init__(self, folder: str | Path | None):
        self.path = None
        self._file: TextIO | None = None
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
            self.path = Path(folder) / f"ledger-{os.getpid()}-{uuid.uuid4().hex[:8]}.jsonl"

    def record(self, kind: str, **fields) -> None:
        if self.path is None:
            return
        if self._file is None:
            self._file = open(self.path, "a", buffering=1, encoding="utf-8")  # line-buffered: flushed per line
        self._file.write(json.dumps({"kind": kind, **fields}, ensure_ascii=False) + "\n")

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


def read(folder: str | Path) -> dict[str, list[dict]]:
    """kind -> entries, from every process's file in ``folder``."""
    entries: dict[str, list[dict]] = defaultdict(list)
    for path in sorted(Path(folder).glob("ledger-*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                try:
                    entry = json.loads(line)
                except json.JSONDecodeError:  # a process killed mid-line: the half line is not an ack
                    continue
                entries[entry.pop("kind")].append(entry)
    return entries
