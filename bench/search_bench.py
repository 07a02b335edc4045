"""Search benchmark: a synthetic library of N real-looking cards, indexed and searched.

    python bench/search_bench.py --n 100000 [--dir /tmp/evcards-bench] [--keep]

Bodies are DebateSum bodies (../shared/corpus/debatesum) reshuffled sentence by sentence, so
vocabulary and lengths are real while every card is distinct; about one card in 20 is an
exact duplicate of another (same cut, other tag and cite) so that collapsing has work to do.
Cards are written as real card files (cardfile.dumps) in one flat folder, as `evcards`
itself writes them. Prints: generation time; index build time, cards/s and size; the cost
of a no-change sync; in-process query latency p50/p95 over QUERIES; end-to-end CLI wall
time p50 against a bare `python -c "import typer"`; and ripgrep over the same files.
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
CORPUS = REPO.parent / "shared" / "corpus" / "debatesum" / "train-DebateSum.jsonl.gz"

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


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def timed_run(cmd: list[str], env: dict[str, str]) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - t


def floors(root: Path, n: int = 5000) -> None:
    """What the build cannot beat on this machine, timed in this run: the fast card reader
    alone, and FTS5 alone indexing only the body text (one column, nothing stored)."""
    import sqlite3

    from evcards.index.build import _read_chunk

    names = sorted(e.name for e in os.scandir(root) if e.name.endswith(".toml"))[:n]
    t = time.process_time()
    rows = [r for r in _read_chunk((str(root), names)) if not isinstance(r, str)]
    parse = time.process_time() - t
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE f USING fts5(body, content='')")
    bodies = [(r[11],) for r in rows]  # see build._values: the body text
    t = time.process_time()
    db.executemany("INSERT INTO f VALUES (?)", bodies)
    db.commit()
    fts = time.process_time() - t
    print(
        f"  floors, one core, {len(rows):,} cards: reading card files {len(rows) / parse:,.0f}"
        f" cards/s; bare FTS5 on the body text alone {len(rows) / fts:,.0f} cards/s"
    )


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
    args = ap.parse_args()
    root = args.reuse or args.dir / f"lib-{args.n}"
    if args.reuse:
        args.n = sum(1 for e in os.scandir(root) if e.name.endswith(".toml") and e.name[0] != ".")
        args.keep = True

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

    if args.keep_index and schema.index_path(root).exists():
        size = schema.index_path(root).stat().st_size
        print(f"index build: skipped (--keep-index), size {size / 1e6:,.0f} MB")
    else:
        shutil.rmtree(root / ".evcards", ignore_errors=True)
        t = time.perf_counter()
        result = rebuild(root)
        build = time.perf_counter() - t
        size = schema.index_path(root).stat().st_size
        print(
            f"index build: {build:.1f} s, {result.added / build:,.0f} cards/s,"
            f" {result.added:,} cards, {result.invalid} invalid, size {size / 1e6:,.0f} MB"
        )
        floors(root)

    # Timestamps younger than RACY_NS are re-checked once; let them settle first.
    time.sleep(schema.RACY_NS / 1e9)
    db = ensure(root)
    syncs = []
    for _ in range(5):
        t = time.perf_counter()
        r = sync(root, db)
        syncs.append(time.perf_counter() - t)
        assert (r.added, r.updated, r.removed) == (0, 0, 0), r
    print(
        f"no-change sync: p50 {ms(pct(syncs, 50))} (folder mtimes + a rolling stat of"
        f" {STAT_WINDOW:,} files)"
    )
    t = time.perf_counter()
    names = [e.name for e in os.scandir(root)]
    listing = time.perf_counter() - t
    t = time.perf_counter()
    for name in names:
        os.stat(os.path.join(root, name))
    print(
        f"  for scale: listing the folder {ms(listing)} (after a change by hand),"
        f" a stat of every file {ms(time.perf_counter() - t)} (`evcards index sync`)"
    )

    for q in QUERIES:  # warm the page cache once, as a debater's second search would be
        search_db(db, q, limit=20)
    lat = []
    hits = {}
    for _ in range(3):
        for q in QUERIES:
            t = time.perf_counter()
            hits[q] = len(search_db(db, q, limit=20))
            lat.append(time.perf_counter() - t)
    print(
        f"query in-process ({len(QUERIES)} queries x 3): p50 {ms(pct(lat, 50))},"
        f" p95 {ms(pct(lat, 95))}, max {ms(max(lat))}"
    )
    per_query = {}
    for q in QUERIES:
        t = time.perf_counter()
        search_db(db, q, limit=20)
        per_query[q] = time.perf_counter() - t
    slow = sorted(per_query.items(), key=lambda kv: -kv[1])[:3]
    print("  slowest: " + ", ".join(f"{q!r} {ms(s)}" for q, s in slow))
    db.close()

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
