"""Native memory of a server process: glibc's malloc arenas.

glibc gives each thread that allocates while another holds the lock an arena of its own,
up to 8 per core, and an arena keeps what it freed for reuse instead of returning it. With
64 gthread threads per worker, native allocations (lxml trees of a 500-identity
GetPersonsForProfile answer, SQLite pages, compiled statements) land in up to 16 arenas,
each growing to its own high-water mark: resident memory climbed ~5 MB a minute per web
worker in the soak while the Python heap (tracemalloc) and SQLite's own accounting
(sqlite3_memory_used) stayed flat (docs/loadtests.md, "Soak"). Two arenas cap that.

``MALLOC_ARENA_MAX`` in the environment cannot do it from here: glibc reads it at the
first malloc, long before Python runs. ``mallopt`` sets the same limit at run time, and a
fork inherits it, so ``kallelse serve`` calls this once before gunicorn forks."""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os

log = logging.getLogger(__name__)

M_ARENA_MAX = -8  # glibc malloc.h
DEFAULT_ARENAS = 2


def limit_arenas(env: dict[str, str] | None = None) -> int | None:
    """Cap glibc's malloc arenas at ``KALLELSE_MALLOC_ARENAS`` (default 2; 0 leaves glibc's
    default). Returns the cap set, or None (0, not glibc, or the call failed)."""
    raw = (env if env is not None else os.environ).get("KALLELSE_MALLOC_ARENAS", str(DEFAULT_ARENAS))
    try:
        arenas = int(raw)
    except ValueError:
        log.warning("KALLELSE_MALLOC_ARENAS=%r is not a number; malloc arenas left as they are", raw[:40])
        return None
    if arenas <= 0:
        return None
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
        mallopt = getattr(libc, "mallopt", None)
    except OSError:
        mallopt = None
    if mallopt is None or not mallopt(M_ARENA_MAX, arenas):
        return None  # not glibc (musl, macOS): nothing to cap
    return arenas
