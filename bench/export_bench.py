"""Time every export format on a 1,000-card speech document built from real DebateSum cards.

    .venv/bin/python bench/export_bench.py [--cards 1000] [--repeat 3]

The cards are DebateSum's (../shared/corpus/debatesum): the article text, its underlined
selections as underline, every other selection highlighted, the first words of every third
selection as emphasis, and a shrunk stretch between selections. The baseline is python-docx
writing the same paragraphs with no formatting at all, timed in the same run.

Then the same cards are written to a temporary library, one file each, and exported from it
as jsonl and csv the way `evcards export` does (`exporting.export_cards`: read every card
file, render, no output file), against the route it took before in the same run: every
card read into the full model (`select_cards`) and rendered from it. The two outputs must
be equal.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import re
import sys
import time
from itertools import groupby
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from evcards.core.models import Card, Cite, Location, Span, clean_text, new_card  # noqa: E402
from evcards.exporting import render  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "debatesum" / "train-DebateSum.jsonl.gz"
PARAGRAPH_LINES = 6  # DebateSum keeps the article's line wraps; group them into paragraphs


def card_from(row: dict, n: int) -> Card:
    text = row["docs"][0]["text"]
    flags = [[False, None, False, None] for _ in text]  # underline, highlight, emphasis, size
    selections = [s for group in row["selections"] for s in group["selections"]]
    for k, sel in enumerate(selections):
        start, end = sel["start_pos"], min(sel["end_pos"], len(text))
        for i in range(start, end):
            flags[i][0] = True
            if k % 2 == 0:
                flags[i][1] = "cyan"
        if k % 3 == 0:
            words = re.match(r"\s*\S+(\s+\S+){0,2}", text[start:end])
            for i in range(start, start + (words.end() if words else 0)):
                flags[i][2] = True
    for f in flags:
        if not f[0]:
            f[3] = 8.0
    lines = text.split("\n")
    body: list[list[Span]] = []
    pos = 0
    for li, line in enumerate(lines):
        if li % PARAGRAPH_LINES == 0:
            body.append([])
        segment = line + " "
        marks = [
            tuple(flags[pos + j]) if pos + j < len(flags) else None for j in range(len(segment))
        ]
        j = 0
        for mark, group in groupby(marks):
            n = len(list(group))
            u, hl, em, size = mark or (False, None, False, 8.0)
            body[-1].append(
                Span(
                    text=clean_text(segment[j : j + n]),
                    underline=u and not em,
                    emphasis=em,
                    highlight=hl,
                    size=size,
                )
            )
            j += n
        pos += len(line) + 1
    citation = " ".join(row["source_sample"]["Citation"].split())
    short = " ".join(citation.split()[:2]).rstrip(",;[")
    return new_card(
        tag=" ".join(row["instruction_context"]["argument"].split())[:200],
        cite=Cite(short=short, full=citation),
        location=Location(pocket="1NC", hat=f"Off {n // 100 + 1}", block=f"Block {n // 10 + 1}"),
        body=body,
    )


def load_cards(count: int) -> list[Card]:
    rows = []
    with gzip.open(CORPUS, "rt", encoding="utf-8") as f:
        for line in f:
            rows.append(json.loads(line))
    return [card_from(rows[i % len(rows)], i) for i in range(count)]


def baseline_docx(cards: list[Card]) -> bytes:
    import docx

    document = docx.Document()
    for card in cards:
        document.add_paragraph(card.tag)
        document.add_paragraph(f"{card.cite.short} {card.cite.full}")
        for para in card.paragraphs:
            document.add_paragraph(para)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def best_of(repeat: int, fn, clock=time.perf_counter) -> tuple[float, int]:
    times = []
    size = 0
    for _ in range(repeat):
        start = clock()
        out = fn()
        times.append(clock() - start)
        size = len(out.encode() if isinstance(out, str) else out)
    return min(times), size


def from_library(cards: list[Card], repeat: int) -> None:
    """jsonl and csv export from a library of these cards, against the model route."""
    import tempfile

    from evcards.exporting import ExportPlan, select_cards
    from evcards.exporting import export_cards as export
    from evcards.store import cardfile
    from evcards.store.library import Library

    with tempfile.TemporaryDirectory() as tmp:
        lib = Library.open(Path(tmp) / "library", create=True)
        for card in cards:
            (lib.root / f"{card.id}.toml").write_text(cardfile.dumps(card), encoding="utf-8")
        n = sum(1 for _ in lib.paths())
        print(f"from a library of {n} card files (export_cards, as `evcards export`):")
        print(f"{'CPU':<8}{'model route s':>15}{'export s':>10}{'cards/s':>10}{'speed-up':>10}")
        for fmt in ("jsonl", "csv"):
            cpu = time.process_time  # a shared machine's wall time measures the neighbours
            model, _ = best_of(repeat, lambda fmt=fmt: render(select_cards(lib), fmt), cpu)
            fast, _ = best_of(repeat, lambda fmt=fmt: export(lib, ExportPlan(fmt, None)).data, cpu)
            same = render(select_cards(lib), fmt) == export(lib, ExportPlan(fmt, None)).data
            print(f"{fmt:<8}{model:>15.3f}{fast:>10.3f}{n / fast:>10,.0f}{model / fast:>10.2f}")
            if not same:
                sys.exit(f"{fmt}: the export differs from the model route's")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if not CORPUS.exists():
        sys.exit(f"{CORPUS} is missing; the bench needs the DebateSum sample")
    start = time.perf_counter()
    cards = load_cards(args.cards)
    spans = sum(len(p) for c in cards for p in c.body)
    words = sum(c.word_count for c in cards)
    print(
        f"{len(cards)} cards, {spans} spans, {words} words"
        f" (built in {time.perf_counter() - start:.1f}s)"
    )
    base, base_size = best_of(args.repeat, lambda: baseline_docx(cards))
    print(f"{'format':<28}{'seconds':>9}{'MB':>8}{'x baseline':>12}")
    print(f"{'python-docx, no formatting':<28}{base:>9.3f}{base_size / 1e6:>8.2f}{1.0:>12.2f}")
    for fmt in ("docx", "html", "text", "md", "jsonl", "csv"):
        seconds, size = best_of(args.repeat, lambda fmt=fmt: render(cards, fmt))
        print(f"{fmt:<28}{seconds:>9.3f}{size / 1e6:>8.2f}{seconds / base:>12.2f}")
    from_library(cards, args.repeat)


if __name__ == "__main__":
    main()
