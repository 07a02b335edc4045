"""How many exported dataset rows follow OpenDebateEvidence's `fullcite` convention.

    .venv/bin/python bench/dataset_cites.py

OpenDebateEvidence's `fullcite` is the whole cite paragraph, short cite included. This reads
every card of ../shared/corpus/docx with `parse_docx`, exports it as a dataset row
(`evcards.formats.dataset.card_row`), and prints the share of rows whose `fullcite` equals the
card's cite paragraph as the .docx has it (its cite lines joined by a space, whitespace
collapsed, as the reader sees them). Two figures:
- stored: `fullcite` = `Cite.full` as the reader stores it (the exporter before issue 12);
- exported: this exporter (`dataset.card_row`, `citeline.paragraph`).
Since the reader keeps the whole cite paragraph as `full` (`evcards.core.citeline`), both
are every row; before that, the reader kept only the bracket's content of `SHORT [FULL] INI`
(36.6% and 46.7%, bench/README.md).

The paragraph is taken from the reader itself: its `_cite(lines)` is wrapped to note the text
of the lines each `Cite` was read from. That is a private function; if the reader no longer
has it, the script says so and stops (update the wrapper to the reader's new cite entry point).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from evcards.formats import dataset
from evcards.formats.docx import read, structure

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "docx"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def main() -> int:
    if not CORPUS.is_dir() or not any(CORPUS.glob("*.docx")):
        print(f"{CORPUS} is not present", file=sys.stderr)
        return 1
    original = getattr(structure, "_cite", None)
    if original is None:
        print("formats.docx.structure has no _cite(lines) to wrap any more", file=sys.stderr)
        return 1
    written: dict[tuple[str, str], str] = {}

    def noting(lines: list[Any]) -> Any:
        cite = original(lines)
        written[(cite.short, cite.full)] = _one_line(" ".join(p.text for p in lines))
        return cite

    structure._cite = noting
    rows = 0
    matched = {"stored": 0, "exported": 0}
    misses: list[tuple[str, str]] = []
    for path in sorted(CORPUS.glob("*.docx")):
        for card in read.parse_docx(path):
            cite = card.cite
            paragraph = written.get((cite.short, cite.full))
            if card.kind != "card" or paragraph is None:
                continue
            rows += 1
            exported = {"stored": cite.full, "exported": dataset.card_row(card)["fullcite"]}
            for name, fullcite in exported.items():
                matched[name] += _one_line(fullcite) == paragraph
            if _one_line(exported["exported"]) != paragraph and len(misses) < 5:
                misses.append((paragraph, exported["exported"]))
    print(f"rows with a cite paragraph: {rows}")
    for name, count in matched.items():
        print(f"fullcite equal to the paragraph, {name}: {count} ({100 * count / rows:.1f}%)")
    for paragraph, fullcite in misses:
        print(f"\n  paragraph: {paragraph[:150]}\n  fullcite:  {fullcite[:150]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
