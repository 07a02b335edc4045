"""`search --remote` of two code trees by turns, on one database of N cards.

    python bench/remote_search_ab.py --base DIR [--n 100000] [--rounds 4] [--url URL]

DIR holds an `evcards` package (e.g. `git archive main evcards | tar -x -C DIR`); the code
of this checkout is the other side. The library is remote_bench's (search_bench's generated
cards, exact duplicates left out), pushed once into a throwaway cluster (or --url, a
superuser's); each round then runs search_bench's queries in a new process per tree, base
and this tree alternated, each query once as a warm-up and timed `--times` times (a new
connection each, as the CLI makes). Printed: each tree's p50/p95/worst per round and over
all rounds, and a bare connect + `SELECT 1` measured in the same processes.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO / "bench"))

CHILD = r"""
import json, sys, time
from pathlib import Path
import psycopg
from evcards.remote import remotes
from evcards.remote.search import search
from evcards.store.library import Library
root, times, queries = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3])
lib = Library(Path(root))
squad = remotes.get(lib, "squad")
import evcards
out = {"search": [], "bare": [], "code": evcards.__file__}
for q in queries:
    search(lib, squad, q, limit=20)
for _ in range(times):
    for q in queries:
        s0 = time.perf_counter()
        search(lib, squad, q, limit=20)
        out["search"].append(time.perf_counter() - s0)
    s0 = time.perf_counter()
    with psycopg.connect(squad.url) as conn:
        conn.execute("SELECT 1").fetchone()
    out["bare"].append(time.perf_counter() - s0)
print(json.dumps(out))
"""


def run_tree(tree: Path, root: Path, times: int, queries: list[str]) -> dict[str, list[float]]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(root), str(times), json.dumps(queries)],
        env=env,
        cwd=tree,  # `-c` puts the working folder first on the path
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"{tree}: {done.stderr.strip()}")
    got = json.loads(done.stdout)
    if not Path(got["code"]).is_relative_to(tree):
        raise SystemExit(f"{tree}: the child ran {got['code']}")
    return got  # type: ignore[no-any-return]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--base", type=Path, required=True)
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--dir", type=Path, default=Path("/work/bench-data/remote"))
    ap.add_argument("--url", help="a superuser's URL (default: a throwaway cluster)")
    ap.add_argument("--rounds", type=int, default=4)
    ap.add_argument("--times", type=int, default=2)
    args = ap.parse_args()

    from remote_bench import cards_in, distinct, pct, server, setup, with_remote
    from search_bench import QUERIES, generate

    from evcards.remote import remotes
    from evcards.remote.push import push

    root = args.dir / f"lib-{args.n}"
    if not root.is_dir() or len(cards_in(root)) < args.n * 0.99:
        generate(root, args.n)
    root = distinct(root, args.dir / f"distinct-{args.n}")
    url, cluster = server(args)
    try:
        t = setup(url)
        lib = with_remote(root, t)
        s0 = time.perf_counter()
        push(lib, remotes.get(lib, "squad"), everything=True)  # type: ignore[arg-type]
        print(f"N = {len(cards_in(root)):,} cards pushed in {time.perf_counter() - s0:.0f} s")
        t.sql("ANALYZE cards")
        from evcards.index.sync import ensure

        ensure(root).close()  # the hits' files come from the catalog, as in a searched library
        trees = {"base": args.base.resolve(), "this": REPO}
        every: dict[str, list[float]] = {name: [] for name in trees}
        for n in range(args.rounds):
            order = list(trees) if n % 2 == 0 else list(reversed(trees))
            for name in order:
                got = run_tree(trees[name], root, args.times, QUERIES)
                ms = [x * 1000 for x in got["search"]]
                every[name] += ms
                print(
                    f"round {n + 1} {name:4}  p50 {pct(ms, 50):6.1f} ms  p95 {pct(ms, 95):6.1f}"
                    f"  worst {max(ms):7.1f}   bare connect p50"
                    f" {pct([x * 1000 for x in got['bare']], 50):5.1f} ms"
                    f"   load {os.getloadavg()[0]:.1f}",
                    flush=True,
                )
        for name, ms in every.items():
            print(
                f"all   {name:4}  p50 {pct(ms, 50):6.1f} ms  p95 {pct(ms, 95):6.1f}"
                f"  worst {max(ms):7.1f}  ({len(ms)} searches)"
            )
    finally:
        if cluster is not None:
            cluster.stop("immediate")  # type: ignore[attr-defined]
            shutil.rmtree(cluster.folder, ignore_errors=True)  # type: ignore[attr-defined]


if __name__ == "__main__":
    main()
