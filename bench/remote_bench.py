"""Remote benchmark: push and pull of N cards against a real PostgreSQL, and search --remote.

    python bench/remote_bench.py --n 100000 [--dir /work/bench-data/remote] [--url URL]

The library is bench/search_bench.generate's (DebateSum bodies reshuffled: real card files,
mean ~4 KB), made once under --dir. The server is --url (a superuser's URL), else a
throwaway cluster started here from the server binaries (Unix socket only, fsync off, as the
tests run it) and stopped at the end. Each figure comes with a baseline measured in the same
run on the same cards, since the machine's load moves absolute times:

- push: `evcards push --all` into an empty remote, against the floor of moving the same
  bytes (read every file, COPY its id and text into a bare table), and the rate at which one
  server backend makes the English tsvector of the same texts (what bounds a push);
- pull: `evcards pull` into an empty library, against the floor of the same bytes back
  (SELECT the texts, write each to a file);
- an incremental push and pull of 100 changed cards;
- `search --remote` latency over search_bench's QUERIES (top 20, in process, a new
  connection each, as the CLI makes), against a bare connect + `SELECT 1`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO / "bench"))


def cards_in(root: Path) -> list[Path]:
    return [
        root / e.name for e in os.scandir(root) if e.name.endswith(".toml") and e.name[0] != "."
    ]


def distinct(root: Path, dest: Path) -> Path:
    """The generated library without its exact duplicates (same cut, so the same id: a real
    library stores a card once, and push refuses one stored twice), hard-linked."""
    if dest.is_dir():
        return dest
    tmp = dest.with_name(dest.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    shutil.copy(root / ".evcards.toml", tmp / ".evcards.toml")
    seen = set()
    for p in sorted(cards_in(root)):
        card_id = p.name[-21:-5]
        if card_id not in seen:
            seen.add(card_id)
            os.link(p, tmp / p.name)
    tmp.rename(dest)
    return dest


def floor_push(url: str, paths: list[Path]) -> float:
    import psycopg

    t = time.perf_counter()
    with psycopg.connect(url) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS floor (card_id text PRIMARY KEY, toml text)")
        conn.execute("TRUNCATE floor")
        with conn.cursor().copy("COPY floor (card_id, toml) FROM STDIN") as copy:
            for p in paths:
                copy.write_row((p.name[-21:-5], p.read_text(encoding="utf-8")))
    return time.perf_counter() - t


def vector_rate(url: str, n: int) -> float:
    """Cards a second one backend turns into an English tsvector (over each card's whole
    TOML text, about the bytes of its tag, cite and body): what bounds a push."""
    import psycopg

    with psycopg.connect(url) as conn:
        t = time.perf_counter()
        conn.execute(
            "SELECT sum(length(to_tsvector('english', toml))) FROM"
            " (SELECT toml FROM floor LIMIT %s) AS f",
            [n],
        ).fetchone()
        return n / (time.perf_counter() - t)


def floor_pull(url: str, dest: Path) -> float:
    import psycopg

    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    t = time.perf_counter()
    with psycopg.connect(url) as conn, conn.cursor(name="all") as cur:
        cur.execute("SELECT card_id, toml FROM floor")
        for card_id, toml in cur:
            with open(dest / f"{card_id}.toml", "w", encoding="utf-8") as f:
                f.write(toml)
    os.sync()
    return time.perf_counter() - t


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def server(args: argparse.Namespace) -> tuple[str, object]:
    if args.url:
        return args.url, None
    from remote_pg import short_tmp, start_cluster

    cluster = start_cluster(short_tmp("bench"))
    return cluster.url, cluster


def setup(url: str):  # type: ignore[no-untyped-def]
    from remote_pg import grants_sql, make_team_db

    from evcards.remote.connect import session
    from evcards.remote.migrations import init
    from evcards.remote.remotes import Remote

    t = make_team_db(url)
    with session(Remote("own", t.url("owner"))) as s:
        init(s)
    for statement in grants_sql(t.suffix):
        t.sql(statement)
    return t


def with_remote(root: Path, t) -> object:  # type: ignore[no-untyped-def]
    from evcards.remote import remotes
    from evcards.remote.state import state_path
    from evcards.store.library import Library

    lib = Library.open(root, create=True)
    with lib.lock():
        if not any(r.name == "squad" for r in remotes.remotes(lib)):
            remotes.add(lib, "squad", t.url("alice"), t.team("a"))
        else:  # a library of an earlier run: point it at this run's server
            remotes.remove(lib, "squad")
            remotes.add(lib, "squad", t.url("alice"), t.team("a"))
    state_path(lib, "squad").unlink(missing_ok=True)
    return lib


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--dir", type=Path, default=Path("/work/bench-data/remote"))
    ap.add_argument("--url", help="a superuser's URL (default: a throwaway cluster)")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()

    from search_bench import QUERIES, generate

    root = args.dir / f"lib-{args.n}"
    have = len(cards_in(root)) if root.is_dir() else 0
    if have < args.n * 0.99:  # generate's duplicates share a file: a few short of N
        print(f"generating {args.n} cards into {root} ...", flush=True)
        generate(root, args.n)
    root = distinct(root, args.dir / f"distinct-{args.n}")
    paths = cards_in(root)
    print(
        f"N = {len(paths):,} cards in {root}  ({os.cpu_count()} cores,"
        f" load {os.getloadavg()[0]:.1f})"
    )
    url, cluster = server(args)
    try:
        run(args, url, root, paths, QUERIES)
    finally:
        if cluster is not None:
            cluster.stop("immediate")  # type: ignore[attr-defined]
            shutil.rmtree(cluster.folder, ignore_errors=True)  # type: ignore[attr-defined]


def run(args, url, root, paths, queries) -> None:  # type: ignore[no-untyped-def]
    from remote_pg import drop_team_db

    from evcards.remote import remotes
    from evcards.remote.pull import pull
    from evcards.remote.push import push

    t = setup(url)
    n = len(paths)
    lib = with_remote(root, t)
    squad = remotes.get(lib, "squad")
    floor = floor_push(t.url("owner"), paths)
    rate = vector_rate(t.url("owner"), min(n, 5000))
    print(
        f"vectors      one backend {rate:7.0f} cards/s ({os.cpu_count()} cores: a push computing"
        f" them on every core is bound near {rate * (os.cpu_count() or 1):.0f} cards/s)"
    )
    started = time.perf_counter()
    r = push(lib, squad, everything=True)
    took = time.perf_counter() - started
    print(
        f"push --all   {took:7.1f} s  {n / took:7.0f} cards/s  ({r.sent} sent)"
        f"   floor (read + COPY) {floor:6.1f} s  {n / floor:7.0f} cards/s   x{took / floor:.1f}"
    )

    dest = args.dir / f"pull-{args.n}"
    shutil.rmtree(dest, ignore_errors=True)
    other = with_remote(dest, t)
    ffloor = floor_pull(t.url("owner"), args.dir / "floor-pull")
    shutil.rmtree(args.dir / "floor-pull", ignore_errors=True)
    started = time.perf_counter()
    got = pull(other, remotes.get(other, "squad"))
    took = time.perf_counter() - started
    print(
        f"pull         {took:7.1f} s  {n / took:7.0f} cards/s  ({got.added} added)"
        f"  floor (SELECT + write) {ffloor:6.1f} s  {n / ffloor:7.0f} cards/s"
        f"   x{took / ffloor:.1f}"
    )
    incremental(lib, other, squad)
    # What autovacuum does a minute after a big load (ANALYZE needs the owner): without
    # statistics the planner would not use the GIN index for a while.
    t.sql("ANALYZE cards")

    import psycopg

    bare = []
    for _ in range(20):
        s0 = time.perf_counter()
        with psycopg.connect(squad.url) as conn:
            conn.execute("SELECT 1").fetchone()
        bare.append(time.perf_counter() - s0)
    times = searches(lib, squad, queries, args.rounds)
    # The floor: the server only finding the matches (GIN, heap, team), none ranked.
    found = []
    with psycopg.connect(squad.url) as conn:
        conn.execute("SELECT set_config('evcards.team', %s, false)", [squad.team])
        for q in queries:
            s0 = time.perf_counter()
            conn.execute(
                "SELECT count(*) FROM cards WHERE NOT deleted"
                " AND search @@ websearch_to_tsquery('english', %s)",
                [q],
            ).fetchone()
            found.append((time.perf_counter() - s0) * 1000)
    print(f"matches counted  p50 {pct(found, 50):6.1f} ms  (the floor: no ranking, no snippet)")
    ms = [x * 1000 for x in times]
    print(
        f"search --remote  p50 {pct(ms, 50):6.1f} ms  p95 {pct(ms, 95):6.1f} ms"
        f"  worst {max(ms):6.1f} ms  ({len(ms)} queries, top 20)"
        f"   bare connect + SELECT 1 p50 {pct(bare, 50) * 1000:5.1f} ms"
    )
    cli_searches(root, queries)
    # README's step for a superuser: `@@` marked LEAKPROOF, so that row-level security lets
    # the planner use the GIN indexes.
    t.sql("ALTER FUNCTION ts_match_vq(tsvector, tsquery) LEAKPROOF")
    try:
        ms = [x * 1000 for x in searches(lib, squad, queries, args.rounds)]
    finally:
        t.sql("ALTER FUNCTION ts_match_vq(tsvector, tsquery) NOT LEAKPROOF")
    print(
        f"  @@ LEAKPROOF p50 {pct(ms, 50):6.1f} ms  p95 {pct(ms, 95):6.1f} ms"
        f"  worst {max(ms):6.1f} ms  (GIN used under row-level security)"
    )
    drop_team_db(url, t)


def cli_searches(root: Path, queries: list[str]) -> None:
    """`evcards search --remote squad Q` end to end in a new process each, in a library
    searched here before (it has its index), beside a bare `python -c "import typer"` and a
    new process listing the whole library (`Library.ids()`, what the CLI paid for the hits'
    paths before they came from the catalog)."""
    import subprocess

    from search_bench import timed_run

    from evcards.index.sync import ensure

    ensure(root).close()
    env = {**os.environ, "EVCARDS_LIBRARY": str(root), "COLUMNS": "120"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    py = sys.executable
    cmd = [py, "-m", "evcards", "search", "--remote", "squad"]
    done = subprocess.run([*cmd, queries[0]], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        print(f"CLI search --remote failed: {done.stderr.strip()}")
        return
    runs = min(len(queries), 15)
    cli = [timed_run([*cmd, queries[i]], env) for i in range(runs)]
    bare = [timed_run([py, "-c", "import typer"], env) for _ in range(runs)]
    walk = "import sys; from evcards.store.library import Library; Library(sys.argv[1]).ids()"
    walks = [timed_run([py, "-c", walk, str(root)], env) for _ in range(3)]
    print(
        f"CLI `evcards search --remote` p50 {pct(cli, 50) * 1000:6.1f} ms ({runs} queries)"
        f"   bare `import typer` p50 {pct(bare, 50) * 1000:5.1f} ms"
        f"   a process listing the library (the walk it no longer does) p50"
        f" {pct(walks, 50) * 1000:6.1f} ms"
    )


def searches(lib, squad, queries, rounds) -> list[float]:  # type: ignore[no-untyped-def]
    from evcards.remote.search import search

    times = []
    for _ in range(rounds):
        for q in queries:
            s0 = time.perf_counter()
            search(lib, squad, q, limit=20)
            times.append(time.perf_counter() - s0)
    return times


def incremental(lib, other, squad) -> None:  # type: ignore[no-untyped-def]
    from evcards.remote import remotes
    from evcards.remote.pull import pull
    from evcards.remote.push import push

    with lib.lock():
        for path in list(lib.paths())[:100]:
            c = lib.read(path)
            lib.write(c.model_copy(update={"tag": c.tag + " (updated)"}), path)
    s0 = time.perf_counter()
    r = push(lib, squad)
    s1 = time.perf_counter()
    got = pull(other, remotes.get(other, "squad"))
    s2 = time.perf_counter()
    print(
        f"incremental  push {s1 - s0:5.2f} s ({r.sent} sent, every file hashed)"
        f"   pull {s2 - s1:5.2f} s ({got.updated} updated)"
    )


if __name__ == "__main__":
    main()
