"""Running evcards on hostile input in a subprocess with hard time and memory limits."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

MEMORY_LIMIT = 2 * 1024**3  # address space, bytes: a bomb that gets past a check dies here
TIME_LIMIT = 30.0  # seconds; the assertion on wall time is much tighter


@dataclass
class Outcome:
    code: int
    stdout: str
    stderr: str
    seconds: float


def _limit() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def evcards(
    *args: object,
    library: Path,
    stdin: bytes | None = None,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
) -> Outcome:
    cmd = [sys.executable, "-m", "evcards", "--library", str(library), *map(str, args)]
    full_env = {**os.environ, **(env or {})}
    full_env.pop("EVCARDS_DEBUG", None)
    start = time.perf_counter()
    proc = subprocess.run(
        cmd,
        input=stdin if stdin is not None else b"",
        capture_output=True,
        timeout=TIME_LIMIT,
        preexec_fn=_limit,
        cwd=cwd,
        env=full_env,
    )
    return Outcome(
        proc.returncode,
        proc.stdout.decode("utf-8", "replace"),
        proc.stderr.decode("utf-8", "replace"),
        time.perf_counter() - start,
    )


def assert_clean_failure(out: Outcome, fragment: str, code: int = 1, seconds: float = 10.0):
    assert out.code == code, (out.code, out.stderr, out.stdout)
    assert "Traceback" not in out.stderr, out.stderr
    errors = [line for line in out.stderr.splitlines() if line.startswith("Error: ")]
    if code == 1:
        assert errors, out.stderr
        assert all(len(line) < 2000 for line in errors)
    assert fragment.lower() in out.stderr.lower(), out.stderr
    assert out.seconds < seconds, f"took {out.seconds:.1f}s"
