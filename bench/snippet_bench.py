"""A search as the user sees it (ranking, catalog rows, collapsing, snippets), base code against
this checkout, by turns in one run, on an indexed library:

    git archive 25af3c4 evcards | tar -x -C /work/bench-data/snippets/base
    python bench/snippet_bench.py --lib /work/bench-data/snippets/lib-100000 \\
        --base /work/bench-data/snippets/base [--rounds 3]

Each code tree runs in its own worker process (both are the package `evcards`), opened on the
same index; the parent sends each of search_bench's 30 QUERIES to one worker then the other,
alternating which goes first, so that load from other sessions falls on both alike. Prints
`search_db`'s p50/p95/p99 for each and their ratios, how many of the hits and snippets the two
agree on, and this checkout's time split (in-process): ranking (tantivy's top hits, the
catalog's dupkeys, collapsing) against the rest (catalog rows, stored text, snippets).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))

from search_bench import QUERIES, ms, pct  # noqa: E402


def worker(code: Path, lib: Path) -> None:
    """Answer one query a line on stdin with its time and hits, as one JSON line."""
    sys.path.insert(0, str(code))
    from evcards.index.search import search_db
    from evcards.index.sync import ensure

    ix = ensure(lib, fulltext=True)
    for line in sys.stdin:
        query = json.loads(line)
        t = time.perf_counter()
        hits = search_db(ix, query, limit=20)
        took = time.perf_counter() - t
        rows = [[h.id, h.seen, h.copies, h.snippet] for h in hits]
        print(json.dumps({"took": took, "hits": rows}), flush=True)


class Worker:
    def __init__(self, code: Path, lib: Path) -> None:
        cmd = [sys.executable, __file__, "--worker", str(code), "--lib", str(lib)]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def ask(self, query: str) -> dict[str, object]:
        assert self.proc.stdin and self.proc.stdout
        self.proc.stdin.write(json.dumps(query) + "\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())  # type: ignore[no-any-return]

    def close(self) -> None:
        assert self.proc.stdin
        self.proc.stdin.close()
        self.proc.wait()


def by_turns(base: Path, lib: Path, rounds: int) -> None:
    workers = {"base": Worker(base, lib), "branch": Worker(REPO, lib)}
    times: dict[str, list[float]] = {name: [] for name in workers}
    answers: dict[str, dict[str, object]] = {name: {} for name in workers}
    for q in QUERIES:  # warm-up, and the answers compared below
        for name, w in workers.items():
            answers[name][q] = w.ask(q)["hits"]
    for r in range(rounds):
        for i, q in enumerate(QUERIES):
            order = list(workers) if (i + r) % 2 else list(workers)[::-1]
            for name in order:
                times[name].append(float(workers[name].ask(q)["took"]))  # type: ignore[arg-type]
    for w in workers.values():
        w.close()
    b, n = times["base"], times["branch"]
    for name, lat in times.items():
        print(
            f"{name:6} search_db ({len(QUERIES)} x {rounds}): p50 {ms(pct(lat, 50))},"
            f" p95 {ms(pct(lat, 95))}, p99 {ms(pct(lat, 99))}"
        )
    print(
        f"base / branch: p50 {pct(b, 50) / pct(n, 50):.1f}x, p95 {pct(b, 95) / pct(n, 95):.1f}x,"
        f" p99 {pct(b, 99) / pct(n, 99):.1f}x"
    )
    same_hits = sum(answers["base"][q] == answers["branch"][q] for q in QUERIES)
    pairs = [
        (x, y)
        for q in QUERIES
        for x, y in zip(answers["base"][q], answers["branch"][q], strict=False)  # type: ignore[call-overload]
    ]
    same_ids = sum(x[:3] == y[:3] for x, y in pairs)
    same_snippets = sum(x == y for x, y in pairs)
    print(
        f"agreement: {same_hits}/{len(QUERIES)} queries identical; of {len(pairs)} hits,"
        f" {same_ids} same card, seen and copies, {same_snippets} also the same snippet"
    )


def split(lib: Path, rounds: int) -> None:
    """This checkout's search_db, in process: the whole, and its ranking alone."""
    from evcards.index import search
    from evcards.index.sync import ensure

    ix = ensure(lib, fulltext=True)
    whole: list[float] = []
    ranking: list[float] = []
    for q in QUERIES:
        search.search_db(ix, q, limit=20)
    for _ in range(rounds):
        for q in QUERIES:
            t = time.perf_counter()
            search.rank(ix, q, limit=20)
            ranking.append(time.perf_counter() - t)
            t = time.perf_counter()
            search.search_db(ix, q, limit=20)
            whole.append(time.perf_counter() - t)
    rest = [w - r for w, r in zip(whole, ranking, strict=True)]
    print(
        f"branch split (in process, {len(QUERIES)} x {rounds}): search_db p50 {ms(pct(whole, 50))},"
        f" p99 {ms(pct(whole, 99))}; ranking p50 {ms(pct(ranking, 50))},"
        f" p99 {ms(pct(ranking, 99))}; the rest (rows, stored text, snippets)"
        f" p50 {ms(pct(rest, 50))}, p99 {ms(pct(rest, 99))}"
    )
    ix.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--lib", type=Path, required=True, help="an indexed library")
    ap.add_argument("--base", type=Path, help="a folder holding the base code's evcards/")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker(args.worker, args.lib)
        return
    sys.path.insert(0, str(REPO))
    if args.base:
        by_turns(args.base, args.lib, args.rounds)
    split(args.lib, args.rounds)


if __name__ == "__main__":
    main()
