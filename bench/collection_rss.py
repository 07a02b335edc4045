"""A collection build's memory, process by process: `evcards collection add` of a generated
OpenDebateEvidence CSV (tests/odegen.py, as bench/collection_bench.py makes it), with each of
its processes' /proc status sampled every half second; prints the peak RssAnon (what the
process allocated), RssFile (mapped files: tantivy's segments, page cache the kernel can
drop) and VmHWM (the RSS as the OS counts it) of each. Linux only.

    nice .venv/bin/python bench/collection_rss.py --n 1000000 --dir /work/bench-data/coll1m
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

import odegen  # noqa: E402

FIELDS = ("RssAnon", "RssFile", "VmHWM")


def _status(pid: int) -> dict[str, int]:
    """The FIELDS of a process's status, in MB (empty once it has ended)."""
    found: dict[str, int] = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                name, _, value = line.partition(":")
                if name in FIELDS:
                    found[name] = int(value.split()[0]) // 1024
    except OSError:
        pass
    return found


def _tree(pid: int) -> list[int]:
    """The process and its descendants."""
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            children = [int(c) for c in f.read().split()]
    except OSError:
        return [pid]
    return [pid, *(p for c in children for p in _tree(c))]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--n", type=int, default=100_000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--dir", type=Path, required=True, help="holds the CSV (reused) and the home")
    args = p.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    csv_path = args.dir / f"ode-{args.n}.csv"
    if not csv_path.exists():
        t0 = time.perf_counter()
        odegen.write_csv(csv_path, args.n, args.seed)
        print(f"CSV of {args.n:,} rows written in {time.perf_counter() - t0:.0f} s", flush=True)
    env = dict(os.environ, EVCARDS_HOME=str(args.dir / f"home-{args.n}"))
    evcards = str(Path(sys.executable).with_name("evcards"))
    t0 = time.perf_counter()
    proc = subprocess.Popen([evcards, "collection", "add", "bench", str(csv_path)], env=env)
    peaks: dict[tuple[int, str], tuple[int, float]] = {}
    while proc.poll() is None:
        for pid in _tree(proc.pid):
            for name, mb in _status(pid).items():
                if mb > peaks.get((pid, name), (-1, 0.0))[0]:
                    peaks[(pid, name)] = (mb, time.perf_counter() - t0)
        time.sleep(0.5)
    print(f"exit {proc.returncode} after {time.perf_counter() - t0:.0f} s")
    for pid in sorted({pid for pid, _ in peaks}):
        role = "writer" if pid == proc.pid else "child"
        parts = [
            f"{name} {peaks[(pid, name)][0]:,} MB at {peaks[(pid, name)][1]:.0f} s"
            for name in FIELDS
            if (pid, name) in peaks
        ]
        print(f"{role} {pid}: " + ", ".join(parts))


if __name__ == "__main__":
    main()
