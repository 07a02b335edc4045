"""A corpus file imported and exported alone keeps its Pocket/Hat/Block/Tag sequence, and
the cards of one file keep it in a library that holds other files too."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from lxml import etree

from evcards.core.models import Card
from evcards.core.outline import Heading, outline
from evcards.exporting import ExportPlan, export_cards
from evcards.formats.docx.read import read_docx_marked
from evcards.importing import import_paths
from evcards.store.library import Library
from tests.conftest import CORPUS
from tests.test_export_pages import breaks

DOCX = CORPUS / "docx"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def corpus_files() -> list[str]:
    names = sorted(p.name for p in DOCX.glob("*.docx")) if DOCX.is_dir() else []
    return names or ["(corpus absent)"]


def expected_sequence(path: Path) -> list[tuple[int, str]]:
    """The file's cards as the library keeps them (a card met twice in the file is kept
    where it was first met), with the headings their locations call for."""
    seen: set[str] = set()
    cards: list[Card] = []
    for card, _ in read_docx_marked(path):
        if card.id not in seen:
            seen.add(card.id)
            cards.append(card)
    return sequence(outline(cards))


def sequence(items) -> list[tuple[int, str]]:
    return [(i.level, i.text) if isinstance(i, Heading) else (4, i.tag) for i in items]


def written_sequence(docx: Path) -> list[tuple[int, str]]:
    """The Heading 1-4 paragraphs of an exported document, as (level, text)."""
    with zipfile.ZipFile(docx) as z:
        root = etree.fromstring(z.read("word/document.xml"))
    out = []
    for p in root.iter(W + "p"):
        style = p.find(f"{W}pPr/{W}pStyle")
        name = style.get(W + "val") if style is not None else ""
        if name.startswith("Heading") and name[7:].isdigit():
            out.append((int(name[7:]), "".join(t.text or "" for t in p.iter(W + "t"))))
    return out


def export_to(lib: Library, path: Path, **options) -> list[Card]:
    return export_cards(lib, ExportPlan("docx", path), **options).cards


@pytest.mark.parametrize("name", corpus_files())
def test_a_file_exported_alone_keeps_its_outline(name: str, corpus: Path, tmp_path: Path):
    source = corpus / "docx" / name
    expected = expected_sequence(source)
    if not expected:
        pytest.skip(f"{name} has no cards")
    lib = Library.open(tmp_path / "lib", create=True)
    import_paths(lib, [str(source)], jobs=1)
    out = tmp_path / "out.docx"
    export_to(lib, out)
    assert written_sequence(out) == expected
    assert all(breaks(out)[h] for h in ("Heading1", "Heading2", "Heading3"))


# Pairs of corpus files that share cards, the second imported after the first: its shared
# cards were first met in the other file, under that file's headings.
SHARING = [
    (
        "Emory University-Moodley-Sandhu-Neg-Northwestern - Season Opener-Round6.docx",
        "Emory University-Pak-Rajagopal-Neg-2 - kentucky-Round1.docx",
    ),
    (
        "Kentucky-Di-Griffith-Aff-00 NDT-Round1.docx",
        "Kentucky-Stockstill-Weinhardt-Aff-Fullertown-Round1.docx",
    ),
]


@pytest.mark.parametrize(("first", "second"), SHARING)
def test_a_files_cards_keep_its_order_beside_other_files(first, second, corpus, tmp_path):
    """Exported by label from a library holding both files, the second file's cards come in
    its own order and under its own headings only; a shared card goes under the headings of
    the card before it (where it was, the library does not know), so the heading count may
    move by one per shared card that opened a heading."""
    lib = Library.open(tmp_path / "lib", create=True)
    for name, label in ((first, "one"), (second, "two")):
        if not (corpus / "docx" / name).is_file():
            pytest.skip(f"{name} is not in the corpus")
        import_paths(lib, [str(corpus / "docx" / name)], labels=[label], jobs=1)
    own = [card for card, _ in read_docx_marked(corpus / "docx" / second)]
    ids = list(dict.fromkeys(card.id for card in own))
    shared = {card.id for card, _ in read_docx_marked(corpus / "docx" / first)} & set(ids)
    assert shared, "the pair shares no card"
    out = tmp_path / "two.docx"
    assert [c.id for c in export_to(lib, out, labels=["two"])] == ids
    written = [item for item in written_sequence(out) if item[0] < 4]
    expected = [item for item in expected_sequence(corpus / "docx" / second) if item[0] < 4]
    assert set(written) <= set(expected)
    assert abs(len(written) - len(expected)) <= len(shared)
