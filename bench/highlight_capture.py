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


def xml_highlighted(path: Path) -> list[tuple[str, int]]:
    """Each paragraph's text (whitespace made single spaces) and its highlighted words,
    for the paragraphs with any, from the XML alone."""
    with zipfile.ZipFile(path) as zf:
        root = etree.fromstring(zf.read("word/document.xml"), etree.XMLParser(huge_tree=True))
    text: dict[etree._Element, list[str]] = {}
    lit: dict[etree._Element, list[str]] = {}
    for r in root.iter(W + "r"):
        if next(r.iterancestors(_FALLBACK), None) is not None:
            continue  # the copy of a drawing's text for old readers: its text counts once
        p = next(r.iterancestors(W + "p"), None)  # the nearest: a text box's, not its anchor's
        run = "".join((el.text or "") if el.tag == W + "t" else " " for el in r if el.tag in _TEXT)
        text.setdefault(p, []).append(run)
        lit.setdefault(p, []).append(run if _read_text(r.find(W + "rPr")) else " ")
    out: list[tuple[str, int]] = []
    for p, runs in lit.items():
        words = len("".join(runs).split())
        if words:
            out.append((" ".join("".join(text[p]).split()), words))
    return out


_TEXT = {W + "t", W + "tab", W + "br", W + "cr"}
_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"


def card_highlighted_words(
    path: Path, lines: list[tuple[str, int]]
) -> tuple[int, int, int, int, int]:
    """(highlighted words in card bodies, in cite, tag and undertag lines, cards, analytics,
    cards found by shape) for one file. Bodies count by their marks; the other lines keep
    no marks, so a highlighted paragraph of the file (`lines`) counts when a card holds it
    as its tag or an undertag line, or inside its cite, each paragraph once."""
    body = other = cards = analytics = 0
    found = read_docx_marked(path)
    unclaimed = list(lines)
    where = {line: k for k, (line, _) in reversed(list(enumerate(lines)))}
    for card, paras in found:
        if card.kind == "analytic":
            analytics += 1
        else:
            cards += 1
        for para in paras:
            body += len("".join(t if m.highlight or m.shading else " " for t, m in para).split())
            k = where.pop(" ".join("".join(t for t, _ in para).split()), None)
            if k is not None:
                unclaimed[k] = ("", 0)  # counted in the body, by its marks
    for card, _ in found:
        held = {card.tag, *card.undertag.split("\n")}
        full = card.cite.full or ""
        for k, (line, words) in enumerate(unclaimed):
            if words and (line in held or (full and len(line) > 5 and line in full)):
                other += words
                unclaimed[k] = ("", 0)  # each paragraph counts once
    return body, other, cards, analytics, getattr(found, "by_shape", 0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docx", type=Path, default=CORPUS / "docx")
    ap.add_argument("--all", action="store_true", help="print every file")
    args = ap.parse_args()
    files = sorted(args.docx.glob("*.docx"))
    if not files:
        sys.exit(f"no .docx files in {args.docx}")
    in_files = in_bodies = in_lines = zero = 0
    print(
        f"{'file':<52} {'in file':>7} {'bodies':>7} {'cites':>5} {'share':>7}"
        f" {'cards':>5} {'anal':>4} {'shape':>5}"
    )
    for path in files:
        lines = xml_highlighted(path)
        held = sum(words for _, words in lines)
        body, other, cards, analytics, shaped = card_highlighted_words(path, lines)
        in_files += held
        in_bodies += body
        in_lines += other
        lost = bool(held) and cards == 0
        zero += lost
        if args.all or body + other < held or lost or shaped:
            share = f"{100 * (body + other) / held:6.2f}%" if held else "      -"
            print(
                f"{path.name[:52]:<52} {held:>7} {body:>7} {other:>5} {share}"
                f" {cards:>5} {analytics:>4} {shaped:>5}"
            )
    total = max(in_files, 1)
    print(
        f"total: {in_bodies + in_lines:,} of {in_files:,} highlighted words in cards"
        f" ({100 * (in_bodies + in_lines) / total:.2f}%): {in_bodies:,} in bodies"
        f" ({100 * in_bodies / total:.2f}%), {in_lines:,} in cites, tags and undertags;"
        f" files with highlights and 0 cards: {zero}"
    )


if __name__ == "__main__":
    main()
