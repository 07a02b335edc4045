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
        t, cpu = time.perf_counter(), time.thread_time()
        hits = search_db(ix, query, limit=20)
        took, cpu = time.perf_counter() - t, time.thread_time() - cpu
        rows = [[h.id, h.seen, h.copies, h.snippet] for h in hits]
        print(json.dumps({"took": took, "cpu": cpu, "hits": rows}), flush=True)


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
    cpus: dict[str, list[float]] = {name: [] for name in workers}
    answers: dict[str, dict[str, object]] = {name: {} for name in workers}
    for q in QUERIES:  # warm-up, and the answers compared below
        for name, w in workers.items():
            answers[name][q] = w.ask(q)["hits"]
    for r in range(rounds):
        for i, q in enumerate(QUERIES):
            order = list(workers) if (i + r) % 2 else list(workers)[::-1]
            for name in order:
                answer = workers[name].ask(q)
                times[name].append(float(answer["took"]))  # type: ignore[arg-type]
                cpus[name].append(float(answer["cpu"]))  # type: ignore[arg-type]
    for w in workers.values():
        w.close()
    for what, table in (("wall", times), ("CPU", cpus)):
        for name, lat in table.items():
            print(
                f"{name:6} search_db {what:4} ({len(QUERIES)} x {rounds}): p50 {ms(pct(lat, 50))},"
                f" p95 {ms(pct(lat, 95))}, p99 {ms(pct(lat, 99))}"
            )
        b, n = table["base"], table["branch"]
        print(
            f"base / branch {what}: p50 {pct(b, 50) / pct(n, 50):.1f}x,"
            f" p95 {pct(b, 95) / pct(n, 95):.1f}x, p99 {pct(b, 99) / pct(n, 99):.1f}x"
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
    """This checkout's search_db in process, and its parts, each timed on its own in the same
    round: tantivy's first page alone (the top 50, no catalog), the ranking (`rank`: pages,
    their dupkeys from the catalog, ties, collapsing), the hits without snippets (+ their
    catalog rows) and whole (+ stored text and snippets)."""
    from evcards.index import search
    from evcards.index.query import WEIGHTS, Filters, combine, filter_queries, text_query
    from evcards.index.sync import ensure

    ix = ensure(lib, fulltext=True)

    def tantivy_page(q: str) -> None:
        query = combine(text_query(q, WEIGHTS), filter_queries(Filters(), "card"))
        hits = ix.searcher().search(query, 50, count=False).hits
        ix.searcher().fast_field_values("key", [a for _, a in hits])

    parts = {
        "tantivy page": tantivy_page,
        "ranking": lambda q: search.rank(ix, q, limit=20),
        "+ rows": lambda q: search.search_db(ix, q, limit=20, snippets=False),
        "+ snippets": lambda q: search.search_db(ix, q, limit=20),
    }
    times: dict[str, list[float]] = {name: [] for name in parts}
    cpus: dict[str, list[float]] = {name: [] for name in parts}
    for q in QUERIES:
        for run in parts.values():
            run(q)
    for _ in range(rounds):
        for q in QUERIES:
            for name, run in parts.items():
                t, cpu = time.perf_counter(), time.thread_time()
                run(q)
                times[name].append(time.perf_counter() - t)
                cpus[name].append(time.thread_time() - cpu)
    ix.close()
    print(f"branch split (in process, {len(QUERIES)} x {rounds}; wall p50/p99, CPU p50/p99):")
    for name, lat in times.items():
        cpu = cpus[name]
        print(
            f"  {name:13} wall {ms(pct(lat, 50))} / {ms(pct(lat, 99))},"
            f" CPU {ms(pct(cpu, 50))} / {ms(pct(cpu, 99))}"
        )
    whole, ranking = cpus["+ snippets"], cpus["ranking"]
    rest = sum(whole) / len(whole) - sum(ranking) / len(ranking)
    print(
        f"  ranking is {sum(ranking) / sum(whole):.0%} of search_db's CPU; the rest"
        f" (rows, stored text, snippets) {ms(rest)} of CPU a query, on average"
    )


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
