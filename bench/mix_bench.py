"""search_bench's 30-query mix on an existing library, this checkout against an older one by
turns: in process (the catalog opened read-only, so a shared library is left as it is) and
as the CLI beside `import typer`.

    python bench/mix_bench.py LIB --base /path/to/old/checkout [--cli COPY] [--rounds 3]

`--base`: older evcards code (`git archive COMMIT evcards | tar -x -C DIR`). In process, each
checkout runs in its own subprocess, base first, twice by turns: `search_db` and `rank` over
the mix x 3 (search_bench.latency_report), then a few queries alone. `--cli COPY`: the
library to run `evcards search` on, each query of the mix in turn with `import typer` and
the base (a search syncs, and a no-change sync moves its stat cursor in the catalog: give it
a `cp -al` copy of a shared library, with the catalog copied, not linked).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

ALONE = ["econ*", "cap*", "biopower", "russia OR china", '"climate change"']


def in_process(lib: Path) -> None:
    """The mix in this process, on the code first on sys.path."""
    import sqlite3

    import evcards
    from evcards.index.search import rank, search_db
    from evcards.index.sync import Index

    # isort: split
    from search_bench import QUERIES, latency_report  # after evcards: it puts the repo first

    uri = f"file:{lib}/.evcards/index.sqlite?mode=ro"
    ix = Index(lib, sqlite3.connect(uri, uri=True, isolation_level=None))
    print("code:", Path(evcards.__file__).parent)
    latency_report("search_db", QUERIES, lambda q: search_db(ix, q, limit=20))
    latency_report("  ranking alone", QUERIES, lambda q: rank(ix, q, limit=20))
    for q in ALONE:
        took = []
        for _ in range(9):
            t = time.perf_counter()
            search_db(ix, q, limit=20)
            took.append(time.perf_counter() - t)
        took.sort()
        print(f"  {q!r}: p50 {1000 * took[4]:.1f} ms, worst {1000 * took[-1]:.1f} ms")


def cli(copy: Path, base: Path, rounds: int) -> None:
    from search_bench import QUERIES
    from stats_bench import p50, run

    branch = HERE.parent
    for code in (base, branch):
        run(code, copy, ["search", "hegemony"])  # a first sync of the copy
    runs: dict[str, list[tuple[float, str, float]]] = {"typer": [], "base": [], "branch": []}
    for _ in range(rounds):
        for q in QUERIES:
            runs["typer"].append(run(None, copy, ["typer"]))
            for name, code in (("base", base), ("branch", branch)):
                runs[name].append(run(code, copy, ["search", q]))
    wall = p50([w for w, _, _ in runs["typer"]])
    cpu = p50([c for _, _, c in runs["typer"]])
    print(f"import typer: p50 {1000 * wall:.1f} ms, CPU {1000 * cpu:.1f} ms ({len(runs['typer'])})")
    for name in ("base", "branch"):
        w = p50([r[0] for r in runs[name]])
        c = p50([r[2] for r in runs[name]])
        print(
            f"{name} `evcards search`: p50 {1000 * w:.1f} ms = {w / wall:.2f}x typer,"
            f" CPU {1000 * c:.1f} ms = {c / cpu:.2f}x"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("lib", type=Path)
    ap.add_argument("--base", type=Path, required=True)
    ap.add_argument("--cli", type=Path, help="a copy of the library for the CLI runs")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--here", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.here:
        in_process(args.lib)
        return
    print(f"load average {os.getloadavg()[0]:.2f}")
    for _ in range(2):
        for code in (args.base, HERE.parent):
            env = {**os.environ, "PYTHONPATH": str(code)}
            cmd = [sys.executable, __file__, str(args.lib), "--base", str(args.base), "--here"]
            subprocess.run(cmd, env=env, check=True)
    if args.cli:
        cli(args.cli, args.base, args.rounds)
    print(f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
