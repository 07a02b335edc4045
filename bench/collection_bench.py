"""Collections (issue 15): near-duplicate grouping measured against known groups, and (once
`evcards collection` exists) the build and search of a generated OpenDebateEvidence CSV.

    nice .venv/bin/python bench/collection_bench.py --n 100000
    nice .venv/bin/python bench/collection_bench.py --n 1000000 --build   # + collection part
    nice .venv/bin/python bench/collection_bench.py --n 1000000 --build --dir DIR  # kept

Rows come from tests/odegen.py: synthetic articles of DebateSum sentences, half of all rows
a re-cut of an article cut before (trimmed start and end, other underlining and highlighting,
now and then a word changed), with the true group of each row. Grouping part: each row's
`fulltext` keyed (evcards.core.neardup.keys_of), the keys written to a SQLite file as a
collection build writes them (index.cuts.store_keys) and grouped there (index.cuts.group);
printed: pairwise precision and recall against the true groups (targets 0.98 and 0.95), the
cost per card of keying and of grouping (CPU seconds: the machine is shared) as a ratio to a
baseline measured in the same run (the exact-duplicate key: one hash of the whole
whitespace-normalised text, what collapsing exact copies costs), that baseline's own
precision and recall, and the peak RSS of the process (generation included).
"""

from __future__ import annotations

import argparse
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO))

import odegen  # noqa: E402

from evcards.core import neardup  # noqa: E402
from evcards.index import cuts  # noqa: E402


def _exact(text: str) -> int:
    return neardup._hash(" ".join(text.split()))


def grouping(n: int, seed: int, folder: Path) -> None:
    made = odegen.Generated()
    db = sqlite3.connect(folder / "cuts.sqlite", isolation_level=None)
    db.execute("PRAGMA journal_mode=OFF")
    db.execute("PRAGMA synchronous=OFF")
    db.executescript(cuts.CUTKEYS)
    db.execute("BEGIN")
    batch: list[tuple[int, list[int]]] = []
    keying = baseline = 0.0
    exact: dict[int, int] = {}
    exact_found: list[int] = []
    clock = time.process_time
    for i, row in enumerate(odegen.generate(n, seed, made)):
        text = row["fulltext"]
        t0 = clock()
        keys = neardup.keys_of(text)
        t1 = clock()
        e = _exact(text)
        t2 = clock()
        keying += t1 - t0
        baseline += t2 - t1
        exact_found.append(exact.setdefault(e, i))
        batch.append((i, keys))
        if len(batch) >= 5000:
            t0 = clock()
            cuts.store_keys(db, batch)
            keying += clock() - t0
            batch.clear()
    t0 = clock()
    cuts.store_keys(db, batch)
    multi = cuts.group(db)
    db.execute("COMMIT")
    grouping_s = clock() - t0
    grp = dict(db.execute("SELECT key, grp FROM cutgroups"))
    found = [grp.get(i, -1 - i) for i in range(n)]  # a card with no keys: a group of one
    del grp
    lookups(db, n, seed)
    db.close()
    precision, recall = neardup.pair_scores(made.groups, found)
    e_precision, e_recall = neardup.pair_scores(made.groups, exact_found)
    recut = 1 - made.articles / n
    per = (keying + grouping_s) / n * 1e6
    key_us, group_us = keying / n * 1e6, grouping_s / n * 1e6
    print(f"rows {n:,}  articles {made.articles:,}  re-cuts {recut:.1%} of rows")
    print(f"groups of 2+ found: {multi:,}")
    print(f"cuts grouping: precision {precision:.4f}  recall {recall:.4f}")
    print(f"exact-key baseline: precision {e_precision:.4f}  recall {e_recall:.4f}")
    print(
        f"cost per card: keys (and storing them) {key_us:.1f} us + group {group_us:.1f} us"
        f" = {per:.1f} us (CPU); baseline {baseline / n * 1e6:.1f} us:"
        f" {per / max(baseline / n * 1e6, 1e-9):.1f}x"
    )
    size = (folder / "cuts.sqlite").stat().st_size
    print(f"key file {size / n:.0f} bytes/card; peak RSS {_rss_mb():.0f} MB (generation included)")


def lookups(db: sqlite3.Connection, n: int, seed: int) -> None:
    """What the library's grouping costs a search: `component` (the group followed from one
    hit through the key index, as index.search does for each result) for 500 random cards
    of the N, against one indexed lookup of a card's keys (the baseline), wall time."""
    import random

    db.executescript(cuts.CUTKEYS_INDEXES)
    rng = random.Random(seed)
    picks = [rng.randrange(n) for _ in range(500)]
    walk, one = [], []
    for key in picks:
        t0 = time.perf_counter()
        cuts.component(db, key)
        t1 = time.perf_counter()
        db.execute("SELECT bucket FROM cutkeys WHERE key = ?", (key,)).fetchall()
        t2 = time.perf_counter()
        walk.append((t1 - t0) * 1e3)
        one.append((t2 - t1) * 1e3)
    q, b = statistics.quantiles(walk, n=100), statistics.median(one)
    print(
        f"library grouping per hit at {n:,} cards: p50 {q[49]:.3f} ms  p99 {q[98]:.3f} ms"
        f" ({q[49] / b:.1f}x one key lookup, {b:.3f} ms); 20 hits: ~{20 * q[49]:.1f} ms"
    )


def minhash(n: int, seed: int) -> None:
    """The other proven method, for comparison: MinHash LSH (datasketch, `pip install
    datasketch`; not a dependency of evcards) over word 5-shingles, 64 permutations,
    threshold 0.5, in memory, a card joined to every earlier card the LSH returns."""
    from datasketch import MinHash, MinHashLSH

    made = odegen.Generated()
    rows = [r["fulltext"] for r in odegen.generate(n, seed, made)]
    lsh = MinHashLSH(threshold=0.5, num_perm=64)
    uf = neardup.UnionFind(n)
    clock = time.process_time
    t0 = clock()
    for i, text in enumerate(rows):
        words = text.lower().split()
        shingles = {" ".join(words[j : j + 5]).encode() for j in range(max(1, len(words) - 4))}
        m = MinHash(num_perm=64)
        m.update_batch(list(shingles))
        for j in lsh.query(m):
            uf.union(i, j)
        lsh.insert(i, m)
    spent = clock() - t0
    found = [uf.find(i) for i in range(n)]
    precision, recall = neardup.pair_scores(made.groups, found)
    print(f"MinHash LSH ({n:,} rows): precision {precision:.4f}  recall {recall:.4f}")
    print(f"MinHash LSH cost per card {spent / n * 1e6:.1f} us (CPU), index in memory")


def _rss_mb(children: bool = False) -> float:
    who = resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF
    return resource.getrusage(who).ru_maxrss / 1024


def _has_collections() -> bool:
    from evcards.cli.app import COMMANDS

    return "collection" in COMMANDS


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


def build(n: int, seed: int, folder: Path) -> None:
    """The collection part, for the integrator: only once `evcards collection` exists (the
    collections branch, whose bench/collection_build_bench.py measures the build against its
    baselines in more detail). The same generated rows as a CSV, `evcards collection add` in
    a child process (rows/s, the child's peak RSS), the size on disk against the CSV, then the
    search p50/p99 over an empty library and the collection (`search_all`, in this process,
    after a warm-up)."""
    if not _has_collections():
        print("collection build: skipped (no `evcards collection` command yet)")
        return
    import os

    csv_path = folder / "ode.csv"
    home = folder / "home"
    os.environ["EVCARDS_HOME"] = str(home)
    from evcards.collections import places

    if places.current("bench") is None:
        odegen.write_csv(csv_path, n, seed)
        evcards = str(Path(sys.executable).with_name("evcards"))
        t0 = time.perf_counter()
        subprocess.run([evcards, "collection", "add", "bench", str(csv_path)], check=True)
        wall = time.perf_counter() - t0
        disk = sum(p.stat().st_size for p in home.rglob("*") if p.is_file())
        print(f"build: {n / wall:,.0f} rows/s; size {disk / csv_path.stat().st_size:.2f}x the CSV")
        print(f"build peak RSS {_rss_mb(children=True):.0f} MB")
    else:
        print(f"collection built before in {folder}: searched, not built again")
    from evcards.collections.searching import search_all

    lib = folder / "lib"
    lib.mkdir(exist_ok=True)
    for q in QUERIES:
        search_all(lib, q)
    times = []
    for _ in range(3):
        for q in QUERIES:
            t0 = time.perf_counter()
            search_all(lib, q)
            times.append((time.perf_counter() - t0) * 1000)
    qs = statistics.quantiles(times, n=100)
    print(f"search (library + collection) p50 {qs[49]:.1f} ms  p99 {qs[98]:.1f} ms")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--n", type=int, default=100_000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--build", action="store_true", help="also build and search a collection")
    p.add_argument("--minhash", type=int, default=0, help="also MinHash LSH over this many rows")
    p.add_argument(
        "--dir",
        type=Path,
        help="with --build: build in this folder and keep it (the CSV, the collection's home"
        " and an empty library); a collection built there before is searched again, not"
        " rebuilt, and the grouping part is left out",
    )
    a = p.parse_args()
    if a.minhash:
        minhash(a.minhash, a.seed)
    if a.dir is not None and a.build:
        a.dir.mkdir(parents=True, exist_ok=True)
        build(a.n, a.seed, a.dir)
        return
    with tempfile.TemporaryDirectory(prefix="evcards-cuts-") as tmp:
        grouping(a.n, a.seed, Path(tmp))
        if a.build:
            build(a.n, a.seed, Path(tmp))


if __name__ == "__main__":
    main()
