"""Search over the library and a built collection, two code trees by turns (issue 15).

    git -C /work/main archive BASE evcards | tar -x -C /tmp/base
    nice .venv/bin/python bench/collection_search_ab.py --home DIR/home --lib DIR/lib \\
        --lib /path/to/a/library --base /tmp/base --rounds 4

Each turn is a process of its own (bench/turns.by_turns: base and this checkout alternated,
the side first switching every round) that searches with `search_all` over one library
(`--lib`, each in turn; an empty folder is the bench's empty library) and every collection
under `--home` (EVCARDS_HOME): the 12 queries of bench/collection_bench.py once to warm up,
then 3 rounds of them, each search timed by the clock and by the process's CPU (tantivy's
threads included). Printed per side and library: p50 and p99 of both, the first search of
the process, and a digest of every result's JSON (`as_json`: ids, ranks, scores, snippets)
so that the two trees can be seen to give the same answers. No figure is asserted.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

# collection_bench.py's queries, copied: importing it would put this checkout first on
# sys.path, and a turn of the base tree would search with this one's code.
QUERIES = (
    "nuclear war",
    "economy",
    "china",
    "extinction",
    "hegemony",
    "climate change",
    "capitalism",
    "deterrence",
    "russia",
    "democracy",
    "terrorism",
    "warming",
)


def worker(home: str, lib: Path, rounds: int) -> None:
    """One side's turn: searches timed, printed as one JSON object."""
    os.environ["EVCARDS_HOME"] = home
    from evcards.collections.searching import search_all

    digest = hashlib.sha256()
    t0, c0 = time.perf_counter(), time.process_time()
    first = search_all(lib, QUERIES[0])
    first_ms = ((time.perf_counter() - t0) * 1e3, (time.process_time() - c0) * 1e3)
    digest.update(json.dumps([h.as_json() for h in first]).encode())
    for q in QUERIES[1:]:
        digest.update(json.dumps([h.as_json() for h in search_all(lib, q)]).encode())
    wall, cpu = [], []
    for _ in range(rounds):
        for q in QUERIES:
            t, c = time.perf_counter(), time.process_time()
            search_all(lib, q)
            wall.append((time.perf_counter() - t) * 1e3)
            cpu.append((time.process_time() - c) * 1e3)
    print(json.dumps({"wall": wall, "cpu": cpu, "first": first_ms, "digest": digest.hexdigest()}))


def _pct(values: list[float], p: int) -> float:
    return statistics.quantiles(values, n=100)[p - 1]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--home", required=True, help="EVCARDS_HOME holding the collections")
    p.add_argument("--lib", type=Path, action="append", required=True, help="repeatable")
    p.add_argument("--base", type=Path, required=True, help="the other code tree")
    p.add_argument("--rounds", type=int, default=4, help="turns of each side")
    p.add_argument("--searches", type=int, default=3, help="rounds of the queries a turn")
    p.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.worker is not None:
        worker(a.home, a.worker, a.searches)
        return
    from turns import by_turns

    me = str(Path(__file__).resolve())
    for lib in a.lib:
        lib.mkdir(parents=True, exist_ok=True)
        argv = [me, "--home", a.home, "--lib", str(lib), "--base", str(a.base)]
        argv += ["--searches", str(a.searches), "--worker", str(lib)]
        load = os.getloadavg()[0]
        got = by_turns(argv, a.base, a.rounds)
        print(f"library {lib} (load {load:.1f} -> {os.getloadavg()[0]:.1f})")
        for side in ("base", "branch"):
            turns = got[side]
            p50 = [statistics.median(t["wall"]) for t in turns]
            c50 = [statistics.median(t["cpu"]) for t in turns]
            p99 = [_pct(t["wall"], 99) for t in turns]
            first = [t["first"][0] for t in turns]
            digests = {t["digest"][:12] for t in turns}
            print(
                f"  {side:6} p50 {min(p50):5.1f}-{max(p50):5.1f} ms"
                f"  cpu p50 {min(c50):5.1f}-{max(c50):5.1f}"
                f"  p99 {min(p99):5.1f}-{max(p99):5.1f}"
                f"  first {min(first):5.1f}-{max(first):5.1f}"
                f"  results {','.join(sorted(digests))}"
            )


if __name__ == "__main__":
    main()
