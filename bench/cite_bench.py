"""How fast is the cite parser on every cite of the corpus, against older code?

    python bench/cite_bench.py --base DIR [--rounds N]

The inputs are `tests/cite_golden.py`'s: the runs the .docx reader hands `parse_cite_runs`
for each cite of ../shared/corpus/docx, the same cites as text, each card's cite paragraph
(`citeline.reparsed`'s route, what a dataset row's cite goes through) and DebateSum's 1,000
`Citation`s. Each turn is a process of its own that parses them all once with the code on
its path (DIR for the base, e.g. `git archive COMMIT evcards | tar -x -C DIR`, else this
checkout), in CPU time; base and branch by turns, `--rounds` each, best of each printed.
`--twice` parses everything a second time in the same process, to show what the parse
cache gives a cite read again (the first pass is the figure that counts).
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


def one_turn(twice: bool) -> dict[str, float]:
    sys.path.insert(0, str(REPO / "tests"))
    import cite_golden

    from evcards.core.citeparse import parse_cite, parse_cite_runs

    sources = cite_golden.inputs(cite_golden.CORPUS)
    for module in [m for n, m in list(sys.modules.items()) if n.startswith("evcards.")]:
        for value in list(vars(module).values()):
            if callable(getattr(value, "cache_clear", None)):
                value.cache_clear()  # the reader filled them while the inputs were found
    work = [
        (parse_cite_runs if kind == "runs" else parse_cite, items)
        for kind, items in sources.values()
    ]
    out = {"cites": float(sum(len(items) for _, items in work))}
    for key in ("first", "second") if twice else ("first",):
        t = time.process_time()
        for parse, items in work:
            for item in items:
                parse(item)
        out[key] = time.process_time() - t
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base", type=Path, required=True)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--twice", action="store_true")
    parser.add_argument("--turn", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.turn:
        print(json.dumps(one_turn(args.twice)))
        return
    argv = [__file__, "--turn", "--base", str(args.base), *(["--twice"] if args.twice else [])]
    got = by_turns(argv, args.base, args.rounds)
    first = {side: min(t["first"] for t in turns) for side, turns in got.items()}
    n = int(got["base"][0]["cites"])
    print(f"{n} cites, {args.rounds} processes each by turns, CPU, best first pass:")
    for side, turns in got.items():
        line = f"    {side:>6}: {first[side]:.3f}s  {1e6 * first[side] / n:.0f} us a cite"
        if args.twice:
            line += f"  (again in the same process: {min(t['second'] for t in turns):.3f}s)"
        print(line)
    print(f"base / branch: {first['base'] / first['branch']:.2f}x  load {os.getloadavg()}")


if __name__ == "__main__":
    main()
