"""Worker processes that leave Ctrl-C to the command: the one way evcards starts a pool.

Ctrl-C reaches the whole process group. The command answers it (one `Interrupted:` line,
nothing half-written); a worker that also took it would print a traceback, and one that died
holding the pool's queue lock hung `terminate()` (tests/test_export_rows.py caught both, one
run in three). So workers are born with SIGINT blocked (a forked child, and the pool's own
threads that fork its later workers, keep the creating thread's mask) and then ignore it.
A Ctrl-C that comes while the pool starts stays pending and arrives once the caller is
inside the pool's `with`, which terminates it.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from multiprocessing.pool import Pool


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@contextmanager
def worker_pool(workers: int) -> Iterator[Pool]:
    """A pool of `workers` processes (forked where the OS can), terminated on the way out."""
    import multiprocessing

    ctx = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
    blocking = hasattr(signal, "pthread_sigmask")  # not on Windows, which spawns anyway
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT}) if blocking else None
    try:
        pool = ctx.Pool(workers, initializer=_ignore_sigint)
    except BaseException:
        if mask is not None:
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        raise
    with pool:
        if mask is not None:
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)  # a pending Ctrl-C arrives here
        yield pool
