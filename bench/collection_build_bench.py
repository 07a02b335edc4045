"""Collection build speed, size and search latency (issue 15), with baselines from the same run.

    nice .venv/bin/python bench/collection_build_bench.py --n 20000 [--dir /tmp/evcards-coll]

Generates an OpenDebateEvidence-format CSV of N rows from the shared DebateSum sample
(`tests/odegen.py`: synthetic articles of DebateSum sentences, half the rows re-cuts,
markup with real underline and highlight, the dataset's round columns), then in fresh
processes:
- a bare `csv.DictReader` over the file (the floor any build stands on),
- the reader alone (`formats.rowstream.read_dataset`: every row made a card),
- `evcards collection add` (wall time, rows/s, the child's peak RSS via
  resource.getrusage(RUSAGE_CHILDREN)), and the collection's size on disk against the CSV,
- a library index build (`index.build.rebuild`) of 2,000 of the same cards as TOML files, for
  the cost per card of a library's own build,
and in this process the search p50/p99 over the library and the collection
(`collections.searching.search_all`, 30 queries, 3 rounds after a warm-up). No test times
anything; the figures go to bench/README.md ("Collections (issue 15)").
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))  # odegen.py: the generator the tests use

QUERIES = (
    "nuclear war", "economy", "china", "extinction", "hegemony", "climate change",
    "ontology", "capitalism", "deterrence", "russia", "trade", "democracy", "biopower",
    "terrorism", "space", "warming", "growth", "security", "violence", "power",
    "\"global politics\"", "econ*", "state NOT war", "india OR pakistan", "heidegger",
    "military", "regime", "sanctions", "collapse", "innovation",
)  # fmt: skip

_CSV = r"""
import csv, sys, time
csv.field_size_limit(1 << 26)
t = time.perf_counter()
with open(sys.argv[1], newline="", encoding="utf-8") as f:
    n = sum(1 for _ in csv.DictReader(f))
print(n, time.perf_counter() - t)
"""
_READER = r"""
import sys, time
from pathlib import Path
from evcards.formats.rowstream import read_dataset
t = time.perf_counter()
n = sum(1 for _ in read_dataset([Path(sys.argv[1])]))
print(n, time.perf_counter() - t)
"""
_LIBRARY = r"""
import sys, time
from pathlib import Path
from evcards.index.build import rebuild
t = time.perf_counter()
r = rebuild(Path(sys.argv[1]))
print(r.added, time.perf_counter() - t)
"""


def _python(script: str, *args: str, env: dict[str, str]) -> tuple[int, float]:
    out = subprocess.run(
        [sys.executable, "-c", script, *args], env=env, capture_output=True, text=True, check=True
    )
    n, secs = out.stdout.split()
    return int(n), float(secs)


def _build(csv_path: Path, env: dict[str, str]) -> tuple[float, float, str]:
    """`evcards collection add` in a child: wall seconds, its peak RSS (MB), its summary."""
    t = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "evcards", "collection", "add", "bench", str(csv_path)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    wall = time.perf_counter() - t
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return wall, rss, out.stdout.strip()


def _library(home: Path, lib: Path, n: int) -> None:
    """n of the collection's cards as TOML files: a library to index."""
    from evcards.collections.store import unpack
    from evcards.index.schema import INDEX_NAME, connect

    os.environ["EVCARDS_HOME"] = str(home)
    from evcards.collections import places

    db = connect(places.known("bench") / INDEX_NAME)
    lib.mkdir(parents=True, exist_ok=True)
    for key, blob in db.execute("SELECT key, toml FROM rows LIMIT ?", (n,)):
        (lib / f"card-{key}.toml").write_text(unpack(blob), encoding="utf-8")
    db.close()


def _search(lib: Path) -> list[float]:
    from evcards.collections.searching import search_all

    search_all(lib, "warm up")
    times = []
    for _ in range(3):
        for q in QUERIES:
            t = time.perf_counter()
            search_all(lib, q, limit=20)
            times.append((time.perf_counter() - t) * 1000)
    return times


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=20_000)
    ap.add_argument("--dir", type=Path, default=Path("/tmp/evcards-coll-bench"))
    args = ap.parse_args()
    import odegen

    shutil.rmtree(args.dir, ignore_errors=True)
    args.dir.mkdir(parents=True)
    home, lib, csv_path = args.dir / "home", args.dir / "lib", args.dir / "ode.csv"
    env = dict(os.environ, EVCARDS_HOME=str(home), EVCARDS_LIBRARY=str(lib))
    t = time.perf_counter()
    odegen.write_csv(csv_path, args.n)  # tests/odegen.py: re-cuts with known groups
    size = csv_path.stat().st_size
    took = time.perf_counter() - t
    print(f"generated {args.n:,} rows, {size / 1e6:.1f} MB CSV in {took:.1f} s")
    rows, secs = _python(_CSV, str(csv_path), env=env)
    csv_rate = rows / secs
    print(f"baseline csv.DictReader      {csv_rate:>10,.0f} rows/s")
    rows, secs = _python(_READER, str(csv_path), env=env)
    reader = rows / secs
    print(f"rowstream.read_dataset alone {reader:>10,.0f} rows/s  ({reader / csv_rate:.3f}x csv)")
    wall, rss, summary = _build(csv_path, env)
    rate = args.n / wall
    print(f"collection add (wall)        {rate:>10,.0f} rows/s", end="")
    print(f"  ({rate / reader:.2f}x the reader alone, {rate / csv_rate:.3f}x csv)")
    print(f"  {summary}")
    from evcards.collections.store import facts

    os.environ["EVCARDS_HOME"] = str(home)
    from evcards.collections import places

    on_disk = facts("bench", places.known("bench")).size_bytes
    print(f"size on disk {on_disk / 1e6:.1f} MB = {on_disk / size:.2f}x the CSV", end="")
    print(f"; peak RSS {rss:.0f} MB")
    _library(home, lib, 2000)
    cards, secs = _python(_LIBRARY, str(lib), env=env)
    lib_rate = cards / secs
    print(f"library rebuild of {cards:,} card files {lib_rate:>8,.0f} cards/s", end="")
    print(f"  (collection add: {rate / lib_rate:.2f}x per card)")
    times = sorted(_search(lib))
    p50, p99 = statistics.median(times), times[int(len(times) * 0.99) - 1]
    print(f"search lib + collection, {len(QUERIES)} queries x 3: p50 {p50:.1f} ms", end="")
    print(f", p99 {p99:.1f} ms, worst {times[-1]:.1f} ms")
    figures = {"n": args.n, "csv_mb": size / 1e6, "rows_s": rate, "reader_rows_s": reader}
    figures |= {"csv_rows_s": csv_rate, "size_x": on_disk / size, "rss_mb": rss}
    figures |= {"lib_cards_s": lib_rate, "p50_ms": p50, "p99_ms": p99}
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
