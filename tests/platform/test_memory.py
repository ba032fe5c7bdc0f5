"""The malloc arena cap kallelse serve sets before gunicorn forks (simulator/memory.py)."""

from __future__ import annotations

import platform

import pytest

from simulator.memory import limit_arenas


def test_zero_or_nonsense_leaves_malloc_alone():
    assert limit_arenas({"KALLELSE_MALLOC_ARENAS": "0"}) is None
    assert limit_arenas({"KALLELSE_MALLOC_ARENAS": "many"}) is None


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="mallopt is glibc's")
def test_the_cap_is_set_on_glibc():
    assert limit_arenas({}) == 2
    assert limit_arenas({"KALLELSE_MALLOC_ARENAS": "4"}) == 4
    assert limit_arenas({}) == 2
