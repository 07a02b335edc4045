"""How well cites are understood: the current importer's fields against evcards.core.citeparse.

    .venv/bin/python bench/cite_quality.py

Reads every card of ../shared/corpus/docx (through `parse_docx`) and every DebateSum card of
../shared/corpus/debatesum, and for each source prints: the cards with an empty short cite;
among those with one, the share whose author contains the short cite's name (its first word
after a speech prefix such as 1AC, or the acronym of the author, 'OECD' for 'Organization for
Economic Cooperation and Development'); and how many cards have each field filled.

The current importer is what the importers do today: the .docx reader's `Cite` (its short
cite from the Cite style, its fields from `parse_full_cite`), and for DebateSum, whose
`Citation` is the whole cite line, `parse_full_cite(Citation)` with no short cite (the
dataset importer is given one only when a dataset has a `cite` column). The new parser gets
the same text: for .docx the short cite as a bold Cite-styled run followed by the full cite
(`parse_cite_runs`), for DebateSum the `Citation` (`parse_cite`).
"""

from __future__ import annotations

import gzip
import json
import re
import sys
import time
from collections import Counter
from pathlib import Path

from evcards.core.citenames import initials_of
from evcards.core.citeparse import parse_cite, parse_cite_runs
from evcards.core.cites import parse_full_cite
from evcards.formats.docx.read import parse_docx

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


def cards() -> list[tuple[str, str, dict[str, str | None], dict[str, str | None]]]:
    """(source, short, current fields, new fields) for every card."""
    out = []
    for path in sorted((CORPUS / "docx").glob("*.docx")):
        for card in parse_docx(path):
            cite = card.cite
            if card.kind != "card" or not (cite.short or cite.full):
                continue
            fields = {f: getattr(cite, f) for f in FIELDS}
            new = parse_cite_runs([(cite.short, True, True), ("\n" + cite.full, False, False)])
            out.append(("docx", cite.short, fields, new.cite_fields()))
    with gzip.open(CORPUS / "debatesum" / "train-DebateSum.jsonl.gz", "rt") as f:
        for line in f:
            text = json.loads(line)["source_sample"]["Citation"]
            current: dict[str, str | None] = dict(parse_full_cite(" ".join(text.split())))
            new = parse_cite(text)
            out.append(("debatesum", "", current, new.cite_fields()))
    return out


def report(rows: list[tuple[str, str, dict[str, str | None], dict[str, str | None]]]) -> None:
    for source in ("docx", "debatesum"):
        these = [r for r in rows if r[0] == source]
        print(f"\n== {source}: {len(these)} cards")
        for label, k in (("current importer", 2), ("citeparse", 3)):
            # DebateSum has no short cite column: both are judged against citeparse's.
            shorts = [r[3]["short"] or "" if k == 3 or source != "docx" else r[1] for r in these]
            with_short = [(s, r[k]) for s, r in zip(shorts, these, strict=True) if s.strip()]
            hits = sum(names_it(f.get("author"), s) for s, f in with_short)
            share = 100 * hits / len(with_short) if with_short else 0.0
            print(
                f"  {label:<17} empty short cite: {len(these) - len(with_short):>4}"
                f"   author names the short cite: {hits}/{len(with_short)} = {share:.1f}%"
            )
        print(f"  {'fields filled':<17} {'current':>9} {'citeparse':>10}")
        for field in FIELDS:
            cur = sum(bool(r[2].get(field)) for r in these)
            new = sum(bool(r[3].get(field)) for r in these)
            print(f"  {field:<17} {cur:>9} {new:>10}")
        per: Counter[str] = Counter()
        for r in these:
            per["current"] += sum(bool(r[2].get(f)) for f in FIELDS)
            per["new"] += sum(bool(r[3].get(f)) for f in FIELDS)
        n = max(1, len(these))
        print(f"  {'per card':<17} {per['current'] / n:>9.2f} {per['new'] / n:>10.2f}")


def main() -> None:
    if not CORPUS.is_dir():
        sys.exit(f"{CORPUS} is missing; the bench needs ../shared/corpus")
    start = time.perf_counter()
    rows = cards()
    print(f"{len(rows)} cards read and parsed in {time.perf_counter() - start:.1f}s")
    report(rows)


if __name__ == "__main__":
    main()
