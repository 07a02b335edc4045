"""The dataset reader's cost per row (issue 15), against a bare csv.reader in the same run.

    nice python bench/rowstream_bench.py [--rows 30000] [--profile]

Writes an OpenDebateEvidence-layout CSV (every column of the real dumps) of N rows into a
temporary folder: bodies, cites and tags from `../shared/corpus/debatesum` (1,000 cards, so
each comes back N / 1,000 times under other round facts; half the rows
with a cite paragraph of their own, an accessed date added, the others re-cutting one met
before, as about half of a caselist does), the markup HTML as the dataset
writes it (`<h4>` tag, a `<p>` cite with the short cite in `<strong>`, the body's underlined
stretches in `<u>`, part of them highlighted in `<mark>`, some words `<strong>`). Then, by
turns (3 rounds each, the best kept): `csv.reader` over the file (parsing only), and
`read_dataset` (cards and facts), the same with `cites=False` (cite paragraphs not parsed)
and, with `--reference`, the validated reference path (`odecard.ode_card_reference`).
Prints us/row and rows/s for each and the ratio to csv.reader. `--profile`: the
top functions of one more read_dataset pass, by own time.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import html
import json
import random
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus" / "debatesum" / "train-DebateSum.jsonl.gz"
sys.path.insert(0, str(REPO))

COLUMNS = (
    "id,tag,cite,fullcite,summary,spoken,fulltext,textLength,markup,pocket,hat,block,fileId,"
    "bucketId,duplicateCount,side,event,level,year,caselistName,caselistDisplayName,schoolId,"
    "teamId,roundId,round,report,filePath,opensourcePath,teamName"
).split(",")


def samples() -> list[dict]:
    with gzip.open(CORPUS, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def _marked(doc: str, spans: list[tuple[int, int]], rng: random.Random) -> tuple[str, str, str]:
    """(markup body, underlined text, highlighted text) of a document and its spans."""
    out, under, spoken, at = [], [], [], 0
    for start, end in sorted(spans):
        if start < at:
            continue
        out.append(html.escape(doc[at:start], quote=False))
        piece = doc[start:end]
        words = piece.split(" ")
        cut = rng.randrange(len(words) + 1)
        lit = " ".join(words[:cut])
        rest = " ".join(words[cut:])
        inner = ""
        if lit:
            inner += f"<mark>{html.escape(lit, quote=False)}</mark>"
            spoken.append(lit)
        if rest:
            if rng.random() < 0.3 and " " in rest:
                head, tail = rest.split(" ", 1)
                inner += f" <strong>{html.escape(head, quote=False)}</strong> "
                inner += html.escape(tail, quote=False)
            else:
                inner += (" " if lit else "") + html.escape(rest, quote=False)
        out.append(f"<u>{inner}</u>")
        under.append(piece)
        at = end
    out.append(html.escape(doc[at:], quote=False))
    return "".join(out), " ".join(under), " ".join(spoken)


def ode_row(k: int, sample: dict, rng: random.Random) -> dict:
    s = sample["source_sample"]
    doc = " ".join(s["Full-Document"].split())
    tag = " ".join(s["Abstract"].split())
    full = " ".join(s["Citation"].split())
    if k % 2:  # half the rows a cite of their own; the others re-cut a card met before
        full += f" accessed {1 + k % 12}-{1 + (k // 12) % 28}-{2000 + (k // 336) % 25}"
    short = full.split(" [")[0].split(" (")[0][:40]
    spans = [(x["start_pos"], x["end_pos"]) for x in sample["selections"][0]["selections"]]
    body, under, spoken = _marked(doc, spans, rng)
    cite_html = f"<strong>{html.escape(short)}</strong>{html.escape(full[len(short) :])}"
    if not full.startswith(short):
        cite_html = html.escape(full)
    markup = f"<h4>{html.escape(tag)}</h4><p>{cite_html}</p><p>{body}</p>"
    return {
        "id": str(k),
        "tag": tag,
        "cite": short,
        "fullcite": full,
        "summary": under,
        "spoken": spoken,
        "fulltext": doc,
        "textLength": str(len(doc)),
        "markup": markup,
        "pocket": "1NC",
        "hat": "Off",
        "block": "",
        "fileId": str(k // 40),
        "bucketId": str(k // 3),
        "duplicateCount": str(rng.randrange(4)),
        "side": rng.choice("AN"),
        "event": rng.choice(["cx", "ld", "pf", ""]),
        "level": rng.choice(["hs", "college"]),
        "year": str(rng.choice(range(2014, 2024))),
        "caselistName": "hspolicy22",
        "caselistDisplayName": "HS Policy 2022-23",
        "schoolId": str(k % 300),
        "teamId": str(k % 900),
        "roundId": str(k // 10),
        "round": "3",
        "report": "",
        "filePath": f"school/team/round{k % 7}.docx",
        "opensourcePath": "",
        "teamName": f"Team {k % 900}",
    }


def write_csv(path: Path, rows: int) -> None:
    rng = random.Random(15)
    cards = samples()
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS)
        writer.writeheader()
        for k in range(rows):
            writer.writerow(ode_row(k, cards[k % len(cards)], rng))


def bare(path: Path) -> int:
    csv.field_size_limit(64 * 1024 * 1024)
    with path.open(encoding="utf-8", newline="") as f:
        return sum(1 for _ in csv.reader(f)) - 1


def ours(path: Path, cites: bool = True) -> int:
    from evcards.formats import odecard
    from evcards.formats.rowstream import DatasetRow, read_dataset

    odecard._CITES.clear()  # each round parses the same cites again, as a first build would
    return sum(1 for item in read_dataset([path], cites=cites) if isinstance(item, DatasetRow))


def unparsed(path: Path) -> int:
    return ours(path, cites=False)


def reference(path: Path) -> int:
    """The validated reference path (ode_card_reference), for the fast path's gain."""
    from evcards.formats import odecard

    fast = odecard.ode_card  # rowfile.ode_row imports it at each call: the patch takes
    odecard.ode_card = lambda row, file, n, cites=True: odecard.ode_card_reference(row, file, n)
    try:
        return ours(path)
    finally:
        odecard.ode_card = fast


def best_of(fn, path: Path, rounds: int) -> tuple[float, int]:
    times, n = [], 0
    for _ in range(rounds):
        t = time.perf_counter()
        n = fn(path)
        times.append(time.perf_counter() - t)
    return min(times), n


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=30_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--reference", action="store_true", help="also the validated path")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "ode.csv"
        write_csv(path, args.rows)
        size = path.stat().st_size
        print(f"{args.rows:,} rows, {size / 1e6:.1f} MB ({size / args.rows / 1024:.1f} KB/row)")
        runs = [("csv.reader", bare), ("read_dataset", ours), ("  cites=False", unparsed)]
        if args.reference:
            runs.append(("  reference", reference))
        times = {}
        for name, fn in runs:
            seconds, n = best_of(fn, path, args.rounds)
            assert n == args.rows, (name, n)
            times[name] = seconds
            us = seconds / args.rows * 1e6
            print(f"{name:14} {us:8.1f} us/row {args.rows / seconds:9,.0f} rows/s", end="")
            print(f"  {seconds / times['csv.reader']:5.2f}x csv.reader")
        if args.profile:
            import cProfile
            import pstats

            cProfile.runctx("ours(path)", globals(), {"path": path, "ours": ours}, "/tmp/rs.prof")
            pstats.Stats("/tmp/rs.prof").sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    main()
