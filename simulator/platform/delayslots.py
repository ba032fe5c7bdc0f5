"""How many calls may sleep a behaviour rule's delay at once, across every server process
on this machine (issue 13, item 6).

A sync gunicorn worker that sleeps serves nobody else, so delays without a bound let a
few slow rules starve the health check and every other vendor. The bound is a share of
the workers (``KALLELSE_DELAY_SHARE``, default 0.5: one of two workers, two of four; at
least one). Slots are lock files under the data folder taken with ``flock``: the kernel
frees a slot when its process dies, so a killed worker never leaks one. A delayed call
that finds every slot busy is answered at once with a Server fault saying so, and the
producer is not called (docs/platform.md, "Behaviour rules")."""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

DEFAULT_SHARE = 0.5


def slot_count(workers: int, share: float) -> int:
    return max(1, int(workers * share))


def share_from_env(env=os.environ) -> float:
    try:
        share = float(env.get("KALLELSE_DELAY_SHARE", DEFAULT_SHARE))
    except ValueError:
        raise SystemExit("KALLELSE_DELAY_SHARE must be a number between 0 and 1") from None
    if not 0 < share <= 1:
        raise SystemExit("KALLELSE_DELAY_SHARE must be a number between 0 and 1")
    return share


class DelaySlots:
    def __init__(self, folder: Path, count: int):
        self.folder = Path(folder)
        self.count = count
        self.folder.mkdir(parents=True, exist_ok=True)

    @contextlib.contextmanager
    def slot(self) -> Iterator[bool]:
        """Yields True while holding a free slot, False (at once) when all are busy."""
        for number in range(self.count):
            fd = os.open(self.folder / f"slot-{number}.lock", os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            try:
                yield True
            finally:
                os.close(fd)  # closing the descriptor releases the lock
            return
        yield False
