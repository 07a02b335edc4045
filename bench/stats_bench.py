"""`stats` benchmark: the CLI on a generated library, this checkout against an older one.

    python bench/stats_bench.py [--n 100000] [--dir /tmp/evcards-stats-bench]
                                [--base /path/to/old/checkout] [--runs 5]

The library is `search_bench.generate`'s (DebateSum bodies reshuffled, one flat folder),
written once and reused. Each command runs end to end in a fresh subprocess, output piped
away, first once to sync the index, then `--runs` times; with `--base` (a checkout of older
evcards code, e.g. `git archive COMMIT evcards | tar -x -C DIR`) the two versions run by
turns, so machine noise hits both alike, and each p50 is shown beside the base's with the
ratio. `stats --json` and `stats -l aff --json` also show whether the totals agree.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

COMMANDS = {
    "stats": ["stats"],
    "stats --json": ["stats", "--json"],
    "stats -l aff": ["stats", "-l", "aff"],
    "stats -l aff --json": ["stats", "-l", "aff", "--json"],
    "list -n 20": ["list", "-n", "20"],
}


def run(code: Path | None, root: Path, args: list[str]) -> tuple[float, str]:
    env = {**os.environ, "EVCARDS_LIBRARY": str(root), "COLUMNS": "120"}
    if code is not None:
        env["PYTHONPATH"] = str(code)
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "evcards", *args],
        env=env,
        capture_output=True,
        text=True,
        cwd=root,  # not this checkout: `-m` puts the working directory first on sys.path
    )
    return time.perf_counter() - started, out.stdout


def p50(values: list[float]) -> float:
    return sorted(values)[len(values) // 2]


def totals(stdout: str) -> object:
    try:
        return json.loads(stdout)["total"]
    except (ValueError, KeyError):
        return None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--dir", type=Path, default=Path("/tmp/evcards-stats-bench"))
    ap.add_argument("--base", type=Path, help="a checkout of the evcards code to compare with")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    root = args.dir / f"lib-{args.n}"
    if not root.is_dir():
        import search_bench

        print(f"generating {args.n} cards in {root}", flush=True)
        search_bench.generate(root, args.n)
    versions: dict[str, Path | None] = {"branch": None}
    if args.base:
        versions["base"] = args.base
    for name, cmd in COMMANDS.items():
        times: dict[str, list[float]] = {v: [] for v in versions}
        outputs = {v: run(code, root, cmd)[1] for v, code in versions.items()}  # syncs
        for _ in range(args.runs):
            for version, code in versions.items():
                times[version].append(run(code, root, cmd)[0])
        line = f"`{name}`: " + ", ".join(f"{v} {p50(t) * 1000:.0f} ms" for v, t in times.items())
        if args.base:
            line += f" ({p50(times['base']) / p50(times['branch']):.1f}x)"
        if "--json" in cmd and args.base:
            same = totals(outputs["branch"]) == totals(outputs["base"])
            line += f"; totals {'agree' if same else 'DIFFER'}: {totals(outputs['branch'])}"
        print(line, flush=True)


if __name__ == "__main__":
    main()
