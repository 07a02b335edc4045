"""A library export's worker share in one process: `library_rows.rows_of` over the first N
card files of a library, chunk by chunk as the pool hands them out, spill files included.

    python bench/export_rows_cpu.py LIBRARY [--n 2000] [--fmt jsonl] [--base CHECKOUT --rounds 6]

Prints CPU microseconds a card (process_time, best of --repeat) as JSON. With --base, runs
itself by turns (bench/turns.by_turns) from that checkout and from this one and prints both
sides and their ratio. Under `valgrind --tool=cachegrind --cache-sim=no` with --repeat 1,
the difference between two values of --n gives instructions a card (the start-up cancels
out); `--n 0` reads nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path


def card_paths(library: str, n: int) -> list[str]:
    names = sorted(e.name for e in os.scandir(library) if e.name.endswith(".toml"))
    return [os.path.join(library, name) for name in names if name[0] != "."][:n]


def run(library: str, n: int, fmt: str, repeat: int) -> dict[str, float]:
    from evcards import library_rows

    paths = card_paths(library, max(n, 1))
    chunk = library_rows.CHUNK
    best = float("inf")
    with tempfile.TemporaryDirectory() as spill:
        library_rows.rows_of((fmt, paths[:1], os.path.join(spill, "warm"), ()))  # imports
        for _ in range(repeat):
            start = time.process_time()
            for k, i in enumerate(range(0, n, chunk)):
                library_rows.rows_of((fmt, paths[i : i + chunk], os.path.join(spill, str(k)), ()))
            best = min(best, time.process_time() - start)
    return {"us_a_card": best / max(n, 1) * 1e6, "cards": n}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("library")
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--fmt", default="jsonl", choices=("jsonl", "csv"))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--base", type=Path, help="a checkout holding evcards/: A/B by turns")
    parser.add_argument("--rounds", type=int, default=6)
    args = parser.parse_args()
    if args.base is None:
        print(json.dumps(run(args.library, args.n, args.fmt, args.repeat)))
        return
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from turns import by_turns

    argv = [str(Path(__file__).resolve()), args.library, "--n", str(args.n)]
    argv += ["--fmt", args.fmt, "--repeat", str(args.repeat)]
    got = by_turns(argv, args.base, args.rounds)
    sides = {side: [r["us_a_card"] for r in runs] for side, runs in got.items()}
    med = {side: statistics.median(v) for side, v in sides.items()}
    print(
        json.dumps(
            {
                "fmt": args.fmt,
                "cards": args.n,
                "us_a_card": {side: [round(x, 1) for x in v] for side, v in sides.items()},
                "median": {side: round(v, 1) for side, v in med.items()},
                "base/branch": round(med["base"] / med["branch"], 2),
            }
        )
    )


if __name__ == "__main__":
    main()
