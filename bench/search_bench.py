"""Search benchmark: a synthetic library of N real-looking cards, indexed and searched.

    python bench/search_bench.py --n 100000 [--dir /tmp/evcards-bench] [--keep]

Bodies are DebateSum bodies (../shared/corpus/debatesum) reshuffled sentence by sentence, so
vocabulary and lengths are real while every card is distinct; about one card in 20 is an
exact duplicate of another (same cut, other tag and cite) so that collapsing has work to do.
Cards are written as real card files (cardfile.dumps) in one flat folder, as `evcards`
itself writes them. Prints, for evcards' engine (tantivy + the SQLite catalog) and, in the
same run on the same files, the FTS5 engine it replaced (`fts5_baseline`): build time,
cards/s, size against the card text, and in-process query latency p50/p95/p99 and the worst
query, top 20 over every match. Then, for evcards: peak memory of the build, the cost of a
no-change sync, `list -n 20`, `stats` and `show PREFIX` end to end, CLI `search` wall time
against a bare `python -c "import typer"`, and ripgrep over the same files.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import re
import shutil
import subprocess
import sys
import time
from multiprocessing import Pool
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
# ../shared beside the repo; from a worktree (/work/wt/NAME) it is two levels up.
CORPUS = (
    next(
        (p for p in (REPO.parent / "shared", REPO.parents[1] / "shared") if p.is_dir()),
        REPO.parent / "shared",
    )
    / "corpus"
    / "debatesum"
    / "train-DebateSum.jsonl.gz"
)

QUERIES = [
    "nuclear war",
    '"climate change"',
    "hegemony",
    "econ*",
    "russia OR china",
    "warming NOT nuclear",
    "extinction",
    "deterrence credibility",
    "biopower",
    "cap*",
    "trade deficit",
    '"free trade"',
    "embargo cuba",
    "terrorism",
    "heidegger",
    "capitalism",
    "drones",
    "arctic",
    "renewable energy",
    '"federal government"',
    "solar",
    "surveillance privacy",
    "immigration reform",
    "pandemic",
    "NATO",
    "midterm elections",
    "oil prices",
    "space",
    "cuba health care",
    "ontology",
]
RG_QUERIES = ["hegemony", "climate change", "midterm elections"]
LABELS = ["aff", "neg", "da", "cp", "k", "t", "impact", "case"]
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def load_corpus() -> list[dict[str, str]]:
    out = []
    with gzip.open(CORPUS, "rt", encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            sample = d["source_sample"]
            cite = sample.get("Citation", "").strip("'").replace("\n", " ")
            out.append(
                {
                    "body": str(d["docs"][0]["text"]),
                    "tag": d["instruction_context"].get("argument", "").replace("\n", " "),
                    "cite": cite,
                    "year": str(sample.get("Year", "2015")),
                    "file": sample.get("OriginalDebateFileName", "").strip("'"),
                }
            )
    return out


_RECORDS: list[dict[str, str]] = []
_SENTENCES: list[str] = []


def _init() -> None:
    global _RECORDS, _SENTENCES
    _RECORDS = load_corpus()
    _SENTENCES = [
        s.replace("\n", " ").strip()
        for r in _RECORDS
        for s in _SENTENCE.split(r["body"])
        if len(s.split()) >= 4
    ]


def make_card(i: int) -> object:
    from evcards.core.models import Cite, Location, Source, Span, new_card

    rng = random.Random(i)
    if i % 20 == 19:  # an exact duplicate of an earlier card: same cut, new tag and cite
        rng = random.Random(i - 7)
    base = rng.choice(_RECORDS)
    target = min(2000, len(base["body"].split()))  # DebateSum's own length distribution
    sentences: list[str] = []
    count = 0
    while count < target:
        sentences.append(rng.choice(_SENTENCES))
        count += len(sentences[-1].split())
    paragraphs = []
    per_paragraph = rng.randint(3, 8)
    for start in range(0, len(sentences), per_paragraph):
        spans = []
        for s in sentences[start : start + per_paragraph]:
            if rng.random() < 0.4:
                words = s.split(" ")
                a = rng.randrange(len(words))
                b = min(len(words), a + rng.randint(2, 8))
                if rng.random() < 0.7:
                    spans.append(Span(text=" ".join(words[:a]) + " ", underline=True))
                    spans.append(Span(text=" ".join(words[a:b]), underline=True, highlight="cyan"))
                    spans.append(Span(text=" " + " ".join(words[b:]) + " ", underline=True))
                else:
                    spans.append(Span(text=s + " ", underline=True))
            else:
                spans.append(Span(text=s + " ", size=8.0 if rng.random() < 0.3 else None))
        paragraphs.append(spans)
    trng = random.Random(i * 7 + 1)
    other = trng.choice(_RECORDS)
    author = (other["cite"].split(",")[0].split()[-1:] or ["Anon"])[0][:20]
    year = other["year"]
    return new_card(
        tag=other["tag"][:200],
        cite=Cite(short=f"{author} {year[-2:]}", full=other["cite"][:300], author=author),
        labels=trng.sample(LABELS, trng.randint(0, 2)),
        location=Location(pocket=other["file"].split("/")[0], block=other["tag"][:40]),
        sources=[Source(file=other["file"], position=i % 50)],
        body=paragraphs,
    )


def _write_range(args: tuple[str, int, int]) -> int:
    from evcards.store.cardfile import dumps
    from evcards.store.library import file_name

    root, lo, hi = args
    written = 0
    for i in range(lo, hi):
        card = make_card(i)
        path = os.path.join(root, file_name(card))  # type: ignore[arg-type]
        with open(path, "w", encoding="utf-8") as f:
            f.write(dumps(card))  # type: ignore[arg-type]
        written += 1
    return written


def generate(root: Path, n: int) -> float:
    root.mkdir(parents=True, exist_ok=True)
    (root / ".evcards.toml").write_text("version = 1\n")
    started = time.perf_counter()
    step = 2000
    jobs = [(str(root), lo, min(n, lo + step)) for lo in range(0, n, step)]
    with Pool(os.cpu_count(), initializer=_init) as pool:
        done = 0
        for k in pool.imap_unordered(_write_range, jobs):
            done += k
            if done % 100000 < step:
                print(f"  generated {done}/{n}", flush=True)
    return time.perf_counter() - started


def text_megabytes(root: Path, sample: int = 2000) -> float:
    """The card text (tag, cite, body) of the library, estimated from a sample of its files."""
    from evcards.index.build import _read_chunk

    names = sorted(e.name for e in os.scandir(root) if e.name.endswith(".toml"))
    step = max(1, len(names) // sample)
    rows = [r for r in _read_chunk((str(root), names[::step])) if not isinstance(r, str)]
    per_card = sum(len(r[2].encode()) + len(r[17].encode()) + len(r[19].encode()) for r in rows)
    return per_card / max(1, len(rows)) * len(names) / 1e6


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def timed_run(cmd: list[str], env: dict[str, str]) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - t


def fts5_baseline(root: Path, names: list[str], queries: list[str]) -> None:
    """The engine before tantivy, kept here as the reference: SQLite FTS5 over the same
    files (same reader), a plain table of tag, cite, spoken and body weighted 10/5/3/1, and
    the top 20 by bm25 over **all** matches (what FTS5 needed a 5,000 cap to do quickly)."""
    import sqlite3

    from evcards.index.build import read_all
    from evcards.index.query import CONTROL, quote_query

    path = root.parent / f"{root.name}-fts5.sqlite"
    path.unlink(missing_ok=True)
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=OFF")
    db.execute("PRAGMA synchronous=OFF")
    db.execute("CREATE VIRTUAL TABLE f USING fts5(tag, cite, spoken, body)")
    db.execute("BEGIN")
    t = time.perf_counter()
    rows = (
        (v[2], v[17], v[18], v[19]) for v in read_all(root, names) if not isinstance(v, str)
    )  # see build.values
    db.executemany("INSERT INTO f VALUES (?, ?, ?, ?)", rows)
    db.execute("INSERT INTO f (f) VALUES ('optimize')")
    db.execute("COMMIT")
    build = time.perf_counter() - t
    size = path.stat().st_size
    print(
        f"FTS5    build {build:.1f} s, {len(names) / build:,.0f} cards/s, size {size / 1e6:,.0f} MB"
    )
    sql = (
        "SELECT rowid, bm25(f, 10.0, 5.0, 3.0, 1.0) AS r FROM f WHERE f MATCH ? ORDER BY r LIMIT 20"
    )

    def one(q: str) -> None:
        db.execute(sql, (quote_query(CONTROL.sub(" ", q)),)).fetchall()

    latency_report("FTS5   ", queries, one)
    db.close()
    path.unlink(missing_ok=True)


def latency_report(engine: str, queries: list[str], run: object) -> None:
    """p50/p95/p99 over 3 timed rounds of `queries` (after one warm-up), and the worst query;
    then the CPU time of the same runs (this thread's), which other sessions' load on the
    machine inflates far less than the wall time."""
    for q in queries:
        run(q)  # type: ignore[operator]
    lat: list[float] = []
    cpu: list[float] = []
    worst: dict[str, float] = {}
    for _ in range(3):
        for q in queries:
            t, c = time.perf_counter(), time.thread_time()
            run(q)  # type: ignore[operator]
            took = time.perf_counter() - t
            cpu.append(time.thread_time() - c)
            lat.append(took)
            worst[q] = max(worst.get(q, 0.0), took)
    q, w = max(worst.items(), key=lambda kv: kv[1])
    print(
        f"{engine} query ({len(queries)} x 3, top 20 over every match): p50 {ms(pct(lat, 50))},"
        f" p95 {ms(pct(lat, 95))}, p99 {ms(pct(lat, 99))}, worst {q!r} {ms(w)};"
        f" CPU p50 {ms(pct(cpu, 50))}, p99 {ms(pct(cpu, 99))}"
    )


def search_split(ix: object) -> None:
    """search_db's ranking alone (tantivy's pages, their dupkeys from the catalog, ties,
    collapsing), then the hits without snippets (+ their catalog rows): what is left of the
    search_db line above is the stored text and the snippets."""
    from evcards.index.search import rank, search_db

    latency_report("  ranking alone", QUERIES, lambda q: rank(ix, q, limit=20))  # type: ignore[arg-type]
    latency_report(
        "  hits without snippets",
        QUERIES,
        lambda q: search_db(ix, q, limit=20, snippets=False),  # type: ignore[arg-type]
    )


def _bare_top20(ix: object) -> object:
    """The tantivy twin of the FTS5 baseline's query: the top 20 keys over every match, with
    evcards' own query (weights, analytics below cards), no snippets or collapsing."""
    from evcards.index.query import WEIGHTS, combine, filter_queries, text_query

    searcher = ix.searcher()  # type: ignore[attr-defined]

    def run(q: str) -> None:
        query = combine(text_query(q, WEIGHTS), filter_queries(Filters(), "card"))
        hits = searcher.search(query, 20, count=False).hits
        searcher.fast_field_values("key", [a for _, a in hits])

    from evcards.index.query import Filters

    return run


def build_costs(root: Path, n: int = 5000) -> None:
    """What a rebuild costs per card on one core, split: the card reader (parsing a file into
    its Values) and the index's own part (a catalog row and a tantivy document, committed)."""
    import sqlite3
    import tempfile

    from evcards.index import fulltext
    from evcards.index.build import CardStat, _read_chunk, insert
    from evcards.index.schema import SCHEMA

    names = sorted(e.name for e in os.scandir(root) if e.name.endswith(".toml"))[:n]
    t = time.process_time()
    read = _read_chunk((str(root), names))
    reader = (time.process_time() - t) / len(names)
    with tempfile.TemporaryDirectory() as tmp:
        db = sqlite3.connect(Path(tmp) / "c.sqlite", isolation_level=None)
        db.executescript(SCHEMA)
        index = fulltext.create(Path(tmp) / "ft")
        w = fulltext.writer(index, heap=200_000_000, threads=1)
        files = [CardStat(name, "", 0, 0) for name in names]
        t0, c0 = time.perf_counter(), time.process_time()
        db.execute("BEGIN")
        insert(db, w, files, read, 0)
        db.execute("COMMIT")
        w.commit()
        w.wait_merging_threads()
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(
        f"  per card, {len(names):,} cards on one core: reader {reader * 1e6:,.0f} us;"
        f" index (catalog row + tantivy document) {wall / len(names) * 1e6:,.0f} us wall,"
        f" {cpu / len(names) * 1e6:,.0f} us CPU (tantivy's indexing thread included)"
    )


def catalog_commands(root: Path, runs: int = 5) -> None:
    """`list -n 20`, `stats` (totals of every card; its table piped away) and `show PREFIX`
    end to end, p50 of `runs`, beside a bare `python -c "import typer"`."""
    import sqlite3

    from evcards.index.schema import index_path

    db = sqlite3.connect(index_path(root))
    card_id = db.execute("SELECT card_id FROM cards LIMIT 1").fetchone()[0]
    db.close()
    env = {**os.environ, "EVCARDS_LIBRARY": str(root), "COLUMNS": "120"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    evcards = [sys.executable, "-m", "evcards"]
    commands = {
        "list -n 20": ["list", "-n", "20"],
        "stats -l aff": ["stats", "-l", "aff"],
        "stats": ["stats"],
        f"show {card_id[:6]}": ["show", card_id[:6]],
    }
    bare = pct([timed_run([sys.executable, "-c", "import typer"], env) for _ in range(runs)], 50)
    out = [f"bare `import typer` {ms(bare)}"]
    for name, args in commands.items():
        timed_run([*evcards, *args], env)
        out.append(
            f"`{name}` {ms(pct([timed_run([*evcards, *args], env) for _ in range(runs)], 50))}"
        )
    print("CLI p50: " + ", ".join(out))


def folder_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--dir", type=Path, default=Path("/tmp/evcards-bench"))
    ap.add_argument("--keep", action="store_true", help="keep (and reuse) the generated library")
    ap.add_argument("--cli-runs", type=int, default=15)
    ap.add_argument(
        "--reuse", type=Path, help="benchmark this existing library as it is (N = its cards)"
    )
    ap.add_argument(
        "--keep-index", action="store_true", help="with --reuse: time searches on its index as is"
    )
    ap.add_argument("--no-fts5", action="store_true", help="skip the FTS5 baseline")
    args = ap.parse_args()
    root = args.reuse or args.dir / f"lib-{args.n}"
    if args.reuse:
        args.n = sum(1 for e in os.scandir(root) if e.name.endswith(".toml") and e.name[0] != ".")
        args.keep = True

    import resource

    from evcards.index import schema
    from evcards.index.build import rebuild
    from evcards.index.search import search_db
    from evcards.index.sync import STAT_WINDOW, ensure, sync

    print(
        f"N = {args.n:,} cards in {root}  ({os.cpu_count()} cores, Python {sys.version.split()[0]})"
    )
    count = sum(1 for e in os.scandir(root) if e.name[0] != ".") if root.is_dir() else 0
    if count < args.n and not args.reuse:
        # Generation is deterministic: a partly deleted library is filled in, not redone.
        gen = generate(root, args.n)
        print(f"generate: {gen:.1f} s ({args.n / gen:,.0f} cards/s)")
    else:
        print("generate: reused")
    files_mb = sum(e.stat().st_size for e in os.scandir(root)) / 1e6
    print(f"card files: {files_mb:,.0f} MB")

    text_mb = text_megabytes(root)
    print(f"card text (tag, cite, body): {text_mb:,.0f} MB")
    if args.keep_index and schema.index_path(root).exists():
        print("index build: skipped (--keep-index)")
    else:
        shutil.rmtree(root / ".evcards", ignore_errors=True)
        t = time.perf_counter()
        result = rebuild(root)
        build = time.perf_counter() - t
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(
            f"tantivy build {build:.1f} s, {result.added / build:,.0f} cards/s,"
            f" {result.added:,} cards, {result.invalid} invalid; peak RSS {rss:,.0f} MB"
            f" (largest reader process {kids:,.0f} MB)"
        )
        build_costs(root)
    catalog = schema.index_path(root).stat().st_size
    fulltext = folder_size(next((root / ".evcards").glob("fulltext-*")))
    print(
        f"tantivy size {(catalog + fulltext) / 1e6:,.0f} MB (full text {fulltext / 1e6:,.0f} MB"
        f" + catalog {catalog / 1e6:,.0f} MB) = {(catalog + fulltext) / 1e6 / text_mb:.2f}x"
        " the card text"
    )

    # Timestamps younger than RACY_NS are re-checked once; let them settle first.
    time.sleep(schema.RACY_NS / 1e9)
    ix = ensure(root, fulltext=True)
    syncs = []
    for _ in range(5):
        t = time.perf_counter()
        r = sync(ix)
        syncs.append(time.perf_counter() - t)
        assert (r.added, r.updated, r.removed) == (0, 0, 0), r
    print(
        f"no-change sync: p50 {ms(pct(syncs, 50))} (folder mtimes + a rolling stat of"
        f" {STAT_WINDOW:,} files)"
    )
    bare = _bare_top20(ix)
    latency_report("tantivy", QUERIES, bare)
    latency_report(
        "evcards search_db (hits, snippets, collapsing)",
        QUERIES,
        lambda q: search_db(ix, q, limit=20),
    )
    search_split(ix)
    ix.close()
    if not args.no_fts5:
        names = sorted(e.name for e in os.scandir(root) if e.name.endswith(".toml"))
        fts5_baseline(root, names, QUERIES)

    env = {**os.environ, "EVCARDS_LIBRARY": str(root), "COLUMNS": "120"}
    # An installed evcards runs from cached bytecode (see cli_bench.py); the first run writes it.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    timed_run([sys.executable, "-m", "evcards", "search", QUERIES[0]], env)
    py = sys.executable
    evcards = [py, "-m", "evcards"]
    bare = [timed_run([py, "-c", "import typer"], env) for _ in range(args.cli_runs)]
    # Typer >= 0.29 builds a pydantic TypeAdapter per parameter when a command runs, so any
    # Typer command with options pays for pydantic; this is that floor, with one option.
    tiny = "import typer\ndef f(q: str = typer.Option('')): pass\ntyper.run(f)"
    floor = [timed_run([py, "-c", tiny, "--q", "x"], env) for _ in range(args.cli_runs)]
    cli = [
        timed_run([*evcards, "search", QUERIES[i % len(QUERIES)]], env)
        for i in range(args.cli_runs)
    ]
    print(
        f"CLI `evcards search` p50 {ms(pct(cli, 50))} vs bare `import typer` p50"
        f" {ms(pct(bare, 50))}: ratio {pct(cli, 50) / pct(bare, 50):.2f};"
        f" vs a one-option Typer app p50 {ms(pct(floor, 50))}:"
        f" ratio {pct(cli, 50) / pct(floor, 50):.2f}"
    )

    catalog_commands(root, runs=min(args.cli_runs, 5))
    rg = shutil.which("rg")
    if not rg:
        print("rg: not installed (apt-get install ripgrep) - baseline skipped")
    else:
        rg_times = [timed_run([rg, "-i", "-F", "-l", "--", q, str(root)], env) for q in RG_QUERIES]
        print(
            f"rg -i -F -l over the card files ({len(RG_QUERIES)} queries): p50"
            f" {ms(pct(rg_times, 50))}; evcards CLI is {pct(rg_times, 50) / pct(cli, 50):.1f}x"
            " faster"
        )
    if not args.keep:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
