"""How well cites are understood: what the importers store, field by field.

    .venv/bin/python bench/cite_quality.py [--docx FOLDER]

For .docx it imports every file of ../shared/corpus/docx the way `evcards import` does
(`read_docx_marked`, the reader the import runs) and judges each card's stored `Cite`; for
DebateSum (../shared/corpus/debatesum, whose `Citation` is the whole cite line) it reads each
`Citation` with `evcards.core.citeparse.parse_cite`, the one cite parser (`core/cites.py`'s
`parse_full_cite`, the old full-cite reader the dataset import used, is gone; its figures are
in bench/README.md). For each it prints: the cards (not analytics) with an
empty short cite; among those with one, the share whose author contains the short cite's
name (its first word after a speech prefix such as 1AC, or the acronym of the author, 'OECD'
for 'Organization for Economic Cooperation and Development'); and how many cards have each
field filled, and per card.

`--docx FOLDER` reads another set of .docx files; run it from another checkout (e.g. the
commit before the reader used citeparse) to get that importer's figures.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
from collections import Counter
from pathlib import Path

from evcards.core.citenames import initials_of
from evcards.core.citeparse import parse_cite
from evcards.formats.docx.read import read_docx_marked

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
FIELDS = ("author", "quals", "date", "title", "publication", "url", "accessed", "initials")
_SPEECH = re.compile(r"^(?:[12][AN][CR]|[12]NR|[12]AR)\s+", re.IGNORECASE)
_NAME = re.compile(r"[^\W\d_][\w.'’\-]*")


def short_name(short: str) -> str:
    """The name a short cite reads out first: '1AC Alford 18' -> 'Alford'."""
    m = _NAME.search(_SPEECH.sub("", short.strip(" *")))
    return m.group(0).rstrip(".") if m else ""


def names_it(author: str | None, short: str) -> bool:
    name = short_name(short)
    if not name or not author:
        return False
    return name.lower() in author.lower() or initials_of(author) == name


Row = tuple[str, dict[str, str | None]]  # (source, the cite's fields with its short cite)


def docx_cards(folder: Path) -> list[Row]:
    """The cite each card of each file is imported with, analytics left out."""
    out: list[Row] = []
    for path in sorted(folder.glob("*.docx")):
        for card, _ in read_docx_marked(path):
            if card.kind == "card":
                out.append(("docx", card.cite.model_dump()))
    return out


def debatesum_cards() -> list[Row]:
    """Each DebateSum `Citation` as citeparse reads it."""
    out: list[Row] = []
    with gzip.open(CORPUS / "debatesum" / "train-DebateSum.jsonl.gz", "rt") as f:
        for line in f:
            text = json.loads(line)["source_sample"]["Citation"]
            out.append(("debatesum", parse_cite(text).cite_fields()))
    return out


def report(label: str, rows: list[Row]) -> None:
    """Empty short cites, authors that name the short cite, and fields filled."""
    with_short = [f for _, f in rows if (f.get("short") or "").strip()]
    hits = sum(names_it(f.get("author"), f["short"] or "") for f in with_short)
    share = 100 * hits / len(with_short) if with_short else 0.0
    print(f"\n== {label}: {len(rows)} cards")
    print(f"  empty short cite: {len(rows) - len(with_short)}")
    print(f"  author names the short cite: {hits}/{len(with_short)} = {share:.1f}%")
    filled = Counter(k for _, f in rows for k in FIELDS if f.get(k))
    print("  fields filled: " + ", ".join(f"{k} {filled[k]}" for k in FIELDS))
    print(f"  fields per card: {sum(filled.values()) / max(1, len(rows)):.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docx", type=Path, default=CORPUS / "docx")
    args = parser.parse_args()
    if not args.docx.is_dir():
        sys.exit(f"{args.docx} is missing; the bench needs ../shared/corpus")
    start = time.perf_counter()
    rows = docx_cards(args.docx)
    print(f"{len(rows)} .docx cards imported in {time.perf_counter() - start:.1f}s")
    report(f"docx import ({args.docx.name})", rows)
    if (CORPUS / "debatesum").is_dir():
        report("debatesum, citeparse.parse_cite", debatesum_cards())


if __name__ == "__main__":
    main()
