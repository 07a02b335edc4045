"""Waiting on a process group in the interrupt and kill tests."""

from __future__ import annotations

import os
import time

HANG_GUARD = 60.0  # seconds: a process that takes this long has hung; not a timing check


def group_gone(pgid: int) -> bool:
    """Whether every process of the group has ended (workers included)."""
    deadline = time.monotonic() + HANG_GUARD
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.02)
    return False
