"""SQLite WAL checkpoints off the commit path.

Why: SQLite copies the write-ahead log back into the database file when a commit finds
the log over ``wal_autocheckpoint`` pages (1,000 by default), inside that commit. Under
group commit (scope.py) that commit holds the process's leader lock and the lock file
the other processes wait on, so about every hundred AddMessages the whole server stood
still for the copy: 4–8 ms of CPU for that one request, against a median of 0.9 ms
(per-request CPU in-process, docs/performance.md). Now the group-commit connection
checkpoints only as a safety net (``SAFETY_PAGES``), and a thread of the process runs a
PASSIVE checkpoint on a connection of its own every ``EVERY_SETS`` committed write sets.
A passive checkpoint neither waits for a writer nor blocks one, so the writers go on
while the log is copied; a checkpoint cut short by a stop is safe (SQLite finishes or
redoes it)."""

from __future__ import annotations

import logging
import threading

log = logging.getLogger(__name__)

EVERY_SETS = 100  # about the 1,000 pages SQLite's own auto-checkpoint waits for (~10 pages a set)
SAFETY_PAGES = 10_000  # the group-commit connection still checkpoints past this (~40 MB of log)


class Checkpointer:
    """One per SQLite engine and process, owned by its :class:`scope.GroupCommit`."""

    def __init__(self, engine):
        self.engine = engine
        self._due = threading.Event()
        self._since = 0
        self._thread: threading.Thread | None = None
        self.runs = 0  # for the tests

    def committed(self, sets: int) -> None:
        """Called by the group-commit leader after each commit (cheap: a counter and an event)."""
        self._since += sets
        if self._since < EVERY_SETS:
            return
        self._since = 0
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, daemon=True, name="kallelse-wal-checkpoint")
            self._thread.start()
        self._due.set()

    def _run(self) -> None:
        while True:
            self._due.wait()
            self._due.clear()
            try:
                with self.engine.connect() as conn:
                    conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")
                self.runs += 1
            except Exception:
                log.warning("WAL checkpoint failed; the next one tries again", exc_info=True)
