"""The dataset reader on OpenDebateEvidence rows, older code against this checkout.

    python bench/ode_reader_ab.py --base DIR [--n 4000] [--rounds 3]

Writes (once) a CSV of N generated rows (tests/odegen.py: DebateSum windows, real cite
paragraphs, re-cut groups), then times `read_dataset(spans=False)` over it, the reader a
collection build runs, in a process of its own per turn: base (DIR, e.g. `git archive
COMMIT evcards | tar -x -C DIR`) and this checkout by turns, `--rounds` each. Each turn
empties every `functools` cache of evcards and odecard's cite cache before each of its two
passes (a build's reader meets its file's cites for the first time) and keeps the better
pass; CPU time per row, best turn of each side printed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from turns import by_turns

REPO = Path(__file__).resolve().parents[1]


def one_turn(csv: Path) -> float:
    from evcards.formats import odecard
    from evcards.formats.rowstream import read_dataset

    best = float("inf")
    for _ in range(2):
        for module in [m for n, m in list(sys.modules.items()) if n.startswith("evcards.")]:
            for value in list(vars(module).values()):
                if callable(getattr(value, "cache_clear", None)):
                    value.cache_clear()
        odecard._CITES.clear()
        t = time.process_time()
        n = sum(1 for _ in read_dataset([csv], spans=False))
        best = min(best, (time.process_time() - t) / n)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base", type=Path, required=True)
    parser.add_argument("--n", type=int, default=4000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--csv", type=Path, default=None)
    parser.add_argument("--turn", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    csv = args.csv or Path(f"/tmp/evcards-ode-reader-{args.n}.csv")
    if args.turn:
        print(json.dumps(one_turn(csv)))
        return
    if not csv.exists():
        sys.path.insert(0, str(REPO / "tests"))
        import odegen

        odegen.write_csv(csv, args.n)
    got = by_turns(
        [__file__, "--turn", "--base", str(args.base), "--csv", str(csv)], args.base, args.rounds
    )
    print(f"{csv}: {args.rounds} processes each by turns, CPU per row, best pass of each:")
    for side, turns in got.items():
        each = ", ".join(f"{1e6 * t:.0f}" for t in turns)
        print(f"    {side:>6}: {1e6 * min(turns):.0f} us a row  ({each})")
    print(f"base / branch: {min(got['base']) / min(got['branch']):.2f}x  load {os.getloadavg()}")


if __name__ == "__main__":
    main()
