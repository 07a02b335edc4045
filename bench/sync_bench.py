"""A no-change sync in a fresh process (SQLite's page cache empty), base code against this
checkout, by turns:

    python bench/sync_bench.py LIB --base /path/to/old/checkout [--runs 7]

Each run is a new interpreter that times `ensure(LIB)` (the catalog opened, then a sync that
finds nothing), the base's with PYTHONPATH pointing at it. Both must read the same schema
version (the index is shared). Prints the p50 wall and CPU time of each.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CODE = (
    "import sys, time\n"
    "from pathlib import Path\n"
    "from evcards.index.sync import ensure\n"
    "t, c = time.perf_counter(), time.process_time()\n"
    "ensure(Path(sys.argv[1])).close()\n"
    "print((time.perf_counter() - t) * 1000, (time.process_time() - c) * 1000)\n"
)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("lib", type=Path)
    ap.add_argument("--base", type=Path, required=True)
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    out: dict[str, list[tuple[float, float]]] = {"base": [], "branch": []}
    for _ in range(args.runs):
        for name, code in (("base", args.base.resolve()), ("branch", REPO)):
            env = {**os.environ, "PYTHONPATH": str(code)}
            # From the library's parent: not a checkout, and not a folder of a million names.
            done = subprocess.run(
                [sys.executable, "-c", CODE, str(args.lib)],
                env=env,
                capture_output=True,
                text=True,
                cwd=args.lib.parent,
                check=True,
            )
            wall, cpu = map(float, done.stdout.split())
            out[name].append((wall, cpu))
    for name, runs in out.items():
        print(
            f"{name}: ensure() in a fresh process p50 {statistics.median(w for w, _ in runs):.1f}"
            f" ms wall, {statistics.median(c for _, c in runs):.1f} ms CPU ({args.runs} runs)"
        )


if __name__ == "__main__":
    main()
