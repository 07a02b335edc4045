"""`collection add` of one CSV by two checkouts of evcards, alternated, in the same run.

    nice .venv/bin/python bench/collection_ab_bench.py --base /tmp/main-wt --n 10000 [--rounds 3]

`--base` is another checkout (e.g. `git worktree add --detach /tmp/main-wt main`): each
round builds the same generated OpenDebateEvidence CSV (tests/odegen.py) with the base's
code and with this one's, in fresh processes (PYTHONPATH puts the checkout first), so that
the load of a shared machine falls on both alike; it prints each build's wall rows/s, the
child's CPU seconds (user + sys: the producer's included) and the ratio of the two.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))


def _build(code: Path, csv_path: Path, home: Path) -> tuple[float, float]:
    """Wall seconds and CPU seconds of `collection add` run from the checkout `code`."""
    shutil.rmtree(home, ignore_errors=True)
    env = dict(os.environ, EVCARDS_HOME=str(home), PYTHONPATH=str(code))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "evcards", "collection", "add", "ab", str(csv_path)],
        env=env,
        cwd=home.parent,  # not a checkout: python -m puts the working folder first
        check=True,
        capture_output=True,
    )
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return wall, cpu


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", type=Path, required=True)
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--dir", type=Path, default=Path("/tmp/evcards-coll-ab"))
    args = ap.parse_args()
    import odegen

    args.dir.mkdir(parents=True, exist_ok=True)
    csv_path = args.dir / f"ode-{args.n}.csv"
    if not csv_path.exists():
        odegen.write_csv(csv_path, args.n)
    print(f"{args.n:,} rows, {csv_path.stat().st_size / 1e6:.1f} MB; load {os.getloadavg()}")
    for r in range(args.rounds):
        base_wall, base_cpu = _build(args.base, csv_path, args.dir / "home-base")
        wall, cpu = _build(REPO, csv_path, args.dir / "home-this")
        print(
            f"round {r + 1}: base {args.n / base_wall:,.0f} rows/s ({base_cpu:.1f} s cpu),"
            f" this {args.n / wall:,.0f} rows/s ({cpu:.1f} s cpu):"
            f" {base_wall / wall:.2f}x wall, {base_cpu / cpu:.2f}x cpu;"
            f" load {os.getloadavg()[0]:.1f}"
        )
    shutil.rmtree(args.dir / "home-base", ignore_errors=True)
    shutil.rmtree(args.dir / "home-this", ignore_errors=True)


if __name__ == "__main__":
    main()
