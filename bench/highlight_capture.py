"""How much of what debaters highlighted an import keeps in its cards.

    .venv/bin/python bench/highlight_capture.py [--docx FOLDER] [--all]

For each .docx of ../shared/corpus/docx (or FOLDER) it counts the highlighted words in the
file straight from word/document.xml, with no evcards code: a run is read text when its own
properties carry `w:highlight` with a colour (`w:val="none"` is no highlight) or a shading
fill (`w:shd w:fill`, not auto or white: Google Docs exports mark read text that way; see
DOMAIN.md). Words are counted per paragraph over the highlighted runs' text, so a word cut
across two highlighted runs counts once. Deleted text (`w:delText`) and field codes
(`w:instrText`) are not `w:t` and so never count.

It then reads the file as `evcards import` does (`read_docx_marked`) and counts the same way
the highlighted words the cards hold: in bodies by their marks, and in the cite lines that
an import takes out of the body (a highlighted short cite). It prints per file the words in
the file, the words captured, the share, the cards and analytics imported and how many cards
were found by their shape (no Tag style; see `evcards.formats.docx.shapes`), then the totals.
`--all` prints every file; by default only those that lose a word or import no card.

Run it from another checkout to get that code's figures (the counting from the XML does
not depend on the code under test).
"""

from __future__ import annotations

import argparse
import sys
import zipfile
from pathlib import Path

from lxml import etree

from evcards.formats.docx.read import read_docx_marked

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_NO_FILL = {"", "AUTO", "FFFFFF"}


def _read_text(rpr: etree._Element | None) -> bool:
    """The run's own properties mark it as read: a highlight colour or a shading fill."""
    if rpr is None:
        return False
    hl = rpr.find(W + "highlight")
    if hl is not None and (hl.get(W + "val") or "none").lower() != "none":
        return True
    shd = rpr.find(W + "shd")
    return shd is not None and (shd.get(W + "fill") or "").upper() not in _NO_FILL


def xml_highlighted_words(path: Path) -> int:
    """Highlighted words in the document, from its XML alone."""
    with zipfile.ZipFile(path) as zf:
        root = etree.fromstring(zf.read("word/document.xml"), etree.XMLParser(huge_tree=True))
    total = 0
    for p in root.iter(W + "p"):
        parts: list[str] = []
        for r in p.iter(W + "r"):
            texts = "".join(t.text or "" for t in r.iter(W + "t"))
            parts.append(texts if _read_text(r.find(W + "rPr")) else " ")
        total += len("".join(parts).split())
    return total


def card_highlighted_words(path: Path) -> tuple[int, int, int, int]:
    """(highlighted words in cards, cards, analytics, cards found by shape) for one file."""
    words = cards = analytics = 0
    found = read_docx_marked(path)
    for card, body in found:
        if card.kind == "analytic":
            analytics += 1
        else:
            cards += 1
        for para in body:
            text = "".join(t if m.highlight or m.shading else " " for t, m in para)
            words += len(text.split())
    return words, cards, analytics, getattr(found, "by_shape", 0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docx", type=Path, default=CORPUS / "docx")
    ap.add_argument("--all", action="store_true", help="print every file")
    args = ap.parse_args()
    files = sorted(args.docx.glob("*.docx"))
    if not files:
        sys.exit(f"no .docx files in {args.docx}")
    in_files = captured = zero = 0
    print(f"{'file':<58} {'in file':>8} {'in cards':>8} {'share':>7} {'cards':>5} {'anal':>4} {'shape':>5}")
    for path in files:
        held = xml_highlighted_words(path)
        got, cards, analytics, shaped = card_highlighted_words(path)
        in_files += held
        captured += got
        lost = held and cards == 0
        zero += bool(lost)
        if args.all or got < held or lost:
            share = f"{100 * got / held:6.2f}%" if held else "      -"
            print(f"{path.name[:58]:<58} {held:>8} {got:>8} {share} {cards:>5} {analytics:>4} {shaped:>5}")
    print(
        f"total: {captured:,} of {in_files:,} highlighted words in cards"
        f" ({100 * captured / max(in_files, 1):.2f}%); files with highlights and 0 cards: {zero}"
    )


if __name__ == "__main__":
    main()
