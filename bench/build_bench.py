"""Index rebuild speed, this checkout against an older one, on the same library, by turns.

    git archive 25af3c4 evcards | tar -x -C /work/bench-data/build/base
    python bench/build_bench.py LIBRARY --base /work/bench-data/build/base [--runs 3] [--costs 3000]
    (--branch DIR: the new code from DIR, e.g. a `git archive HEAD` of it, instead of here)

Each run rebuilds LIBRARY's index from scratch (`index.build.rebuild`) in a fresh process,
once with the base code and once with this checkout's, in alternating order (the machine
is shared: each pair sees the same load). Printed per build: wall time, cards/s, the CPU
time of the build's processes (the main one, its reader processes and tantivy's threads),
the peak RSS of the main process and of the largest reader, and the index's size against
the card text (tag, cite and body, estimated from a sample). Then the medians and the ratio
branch / base. `--costs N`: also the cost per card on one core of the reader
(`build._read_chunk`) and of the index's own part (`build.insert`: catalog row and tantivy
document, one indexing thread), each code on the same N files, by turns.
A library to build: `search_bench.py --n 200000 --keep --dir DIR` generates one, or hard
links of a shared library's files into a folder of your own (a build never writes a card).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

_BUILD = r"""
import json, os, resource, shutil, sys, time
from pathlib import Path
root = Path(sys.argv[1])
shutil.rmtree(root / ".evcards", ignore_errors=True)
import evcards.index.build as build
t0, c0 = time.perf_counter(), os.times()
result = build.rebuild(root)
wall, c1 = time.perf_counter() - t0, os.times()
cpu = sum(c1[i] - c0[i] for i in range(4))
state = root / ".evcards"
size = sum(f.stat().st_size for f in state.rglob("*") if f.is_file() and "trash" not in f.parts)
print(json.dumps({
    "code": str(Path(build.__file__).parents[2]),
    "wall": wall, "cpu": cpu, "cards": result.added, "invalid": result.invalid,
    "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "rss_reader": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    "size": size,
}))
"""

_COSTS = r"""
import json, os, sqlite3, sys, tempfile, time
from pathlib import Path
from evcards.index import fulltext
from evcards.index.build import CardStat, _read_chunk, insert
from evcards.index.schema import SCHEMA
root, n = sys.argv[1], int(sys.argv[2])
names = sorted(e.name for e in os.scandir(root) if e.name.endswith(".toml") and e.name[0] != ".")
names = names[:: max(1, len(names) // n)][:n]
_read_chunk((root, names[:100]))  # imports and caches
t = time.process_time()
read = _read_chunk((root, names))
reader = (time.process_time() - t) / len(names)
with tempfile.TemporaryDirectory() as tmp:
    db = sqlite3.connect(Path(tmp) / "c.sqlite", isolation_level=None)
    db.executescript(SCHEMA)
    w = fulltext.writer(fulltext.create(Path(tmp) / "ft"), heap=200_000_000, threads=1)
    files = [CardStat(name, "", 0, 0) for name in names]
    t = time.process_time()
    db.execute("BEGIN")
    insert(db, w, files, read, 0)
    db.execute("COMMIT")
    w.commit()
    w.wait_merging_threads()
    index = (time.process_time() - t) / len(names)
print(json.dumps({"reader": reader * 1e6, "index": index * 1e6}))
"""


def run(code: Path, script: str, *args: str) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(code)}
    out = subprocess.run(
        [sys.executable, "-c", script, *args],
        env=env,
        cwd=code,  # `-c` puts the working folder first on sys.path
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def text_megabytes(root: Path) -> float:
    sys.path.insert(0, str(REPO / "bench"))
    import search_bench

    return search_bench.text_megabytes(root)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("library", type=Path)
    ap.add_argument("--base", type=Path, required=True, help="a folder holding the old evcards/")
    ap.add_argument(
        "--branch", type=Path, default=REPO, help="the new code (default: this checkout)"
    )
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--costs", type=int, default=0, help="per-card costs on N files (0: skip)")
    args = ap.parse_args()
    codes = {"base": args.base.resolve(), "branch": args.branch.resolve()}
    text_mb = text_megabytes(args.library)
    print(f"{args.library}: card text {text_mb:,.0f} MB ({os.cpu_count()} cores)")
    if args.costs:
        costs: dict[str, list[dict[str, float]]] = {"base": [], "branch": []}
        for turn in range(3):
            for which in ("base", "branch") if turn % 2 == 0 else ("branch", "base"):
                costs[which].append(run(codes[which], _COSTS, str(args.library), str(args.costs)))
        for which, got in costs.items():
            reader = statistics.median(c["reader"] for c in got)
            index = statistics.median(c["index"] for c in got)
            print(
                f"  {which:6s} per card on one core ({args.costs:,} cards, median of 3):"
                f" reader {reader:,.0f} us, index {index:,.0f} us CPU"
            )
    builds: dict[str, list[dict[str, float]]] = {"base": [], "branch": []}
    for turn in range(args.runs):
        for which in ("base", "branch") if turn % 2 == 0 else ("branch", "base"):
            r = run(codes[which], _BUILD, str(args.library))
            assert r["code"] == str(codes[which]), (r["code"], codes[which])
            builds[which].append(r)
            print(
                f"  {which:6s} {r['wall']:6.1f} s, {r['cards'] / r['wall']:7,.0f} cards/s,"
                f" CPU {r['cpu']:6.1f} s ({r['cpu'] / r['wall']:.2f} cores),"
                f" RSS {r['rss']:,.0f} MB (reader {r['rss_reader']:,.0f} MB),"
                f" size {r['size'] / 1e6:,.0f} MB = {r['size'] / 1e6 / text_mb:.2f}x the text",
                flush=True,
            )
    rate = {w: statistics.median(r["cards"] / r["wall"] for r in b) for w, b in builds.items()}
    cpu = {w: statistics.median(r["cpu"] / r["cards"] * 1e6 for r in b) for w, b in builds.items()}
    print(
        f"median cards/s: base {rate['base']:,.0f}, branch {rate['branch']:,.0f}"
        f" ({rate['branch'] / rate['base']:.2f}x); CPU per card: base {cpu['base']:,.0f} us,"
        f" branch {cpu['branch']:,.0f} us ({cpu['base'] / cpu['branch']:.2f}x less)"
    )


if __name__ == "__main__":
    main()
