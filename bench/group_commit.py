"""The group-commit target of the SOAP benchmark: the floor plus an INSERT through one
writer thread per process that commits whatever concurrent request threads queued (needs
``--worker-class gthread``); a request is answered only after its row is committed.
Measured and rejected for the simulator (docs/performance.md, "Decisions")."""

from __future__ import annotations

import queue
import threading

from loadtests.bench_targets import bench_table, row_of, validating_app


class GroupCommitter:
    """One writer thread per process: it takes every row queued by request threads,
    inserts them in one transaction and commits once, then releases the waiting requests.
    Durable: a request returns only after the commit that holds its row."""

    def __init__(self, db, table, max_batch: int = 256):
        self.db, self.table, self.max_batch = db, table, max_batch
        self.pending: queue.Queue = queue.Queue()
        threading.Thread(target=self._run, name="group-commit", daemon=True).start()

    def submit(self, row: dict) -> None:
        done = threading.Event()
        slot = {"row": row, "done": done, "error": None}
        self.pending.put(slot)
        done.wait()
        if slot["error"] is not None:
            raise slot["error"]

    def _run(self) -> None:
        while True:
            batch = [self.pending.get()]
            while len(batch) < self.max_batch:
                try:
                    batch.append(self.pending.get_nowait())
                except queue.Empty:
                    break
            try:
                with self.db.begin() as conn:
                    conn.execute(self.table.insert(), [slot["row"] for slot in batch])
            except Exception as exc:
                for slot in batch:
                    slot["error"] = exc
            for slot in batch:
                slot["done"].set()


def group_commit_app():
    committer = GroupCommitter(*bench_table())
    return validating_app(lambda payload: committer.submit(row_of(payload)))
