"""The real corpus: every file imports, counts agree with the manifest, cites and highlights
are found, and every card survives .docx -> card -> TOML -> card unchanged."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import tomli_w

from evcards.formats.docx.read import parse_docx, read_docx_marked
from evcards.importing import import_paths, prepare_file
from evcards.store import cardfile
from evcards.store.library import Library, Prepared
from tests.conftest import CORPUS, snapshot

DOCX = CORPUS / "docx"
MANIFEST = (
    {e["file"]: e for e in json.loads((DOCX / "manifest.json").read_text())}
    if (DOCX / "manifest.json").is_file()
    else {}
)
CITE_STYLES = {"Style13ptBold", "Cite", "Style12ptBold", "Style11ptBold"}

# Where the manifest's count (Heading 4 + de-styled outline-level-3 paragraphs) and ours
# differ by more than 5%, read from the file itself:
EXPLAINED = {
    # 11 of the 22 Heading 4 paragraphs are empty (a blank tag line above each real tag);
    # an empty heading is not a tag.
    "Michigan-Harrington-McGraw-Aff-00 NDT - Doubles-Doubles.docx": 11,
}


def corpus_files() -> list[str]:
    return sorted(MANIFEST) if MANIFEST else ["(corpus absent)"]


@pytest.fixture(scope="module")
def parsed() -> dict[str, list]:
    return {}


@pytest.mark.parametrize("name", corpus_files())
def test_corpus_file(name: str, corpus: Path) -> None:
    entry = MANIFEST[name]
    cards = parse_docx(DOCX / name)
    marked = read_docx_marked(DOCX / name)
    expected = EXPLAINED.get(name, entry["n_h4_tag"] + entry["n_destyled_tag_outlineLvl3"])
    tagged = len(cards) - marked.by_shape  # the manifest counts tags, not cards found by shape
    assert abs(tagged - expected) <= max(0.05 * expected, 0), (tagged, expected)
    if expected:
        # Where the file has tags, a card found by its shape is the odd one pasted without.
        assert marked.by_shape <= max(0.05 * expected, 2), (marked.by_shape, expected)

    real = [c for c in cards if c.kind == "card"]
    if CITE_STYLES & set(entry["rStyles"]) and real:
        with_short = sum(1 for c in real if c.cite.short)
        assert with_short >= 0.9 * len(real), (with_short, len(real))
    if entry["n_highlight"]:
        assert any(c.spoken for c in cards)
    if entry["n_shading_fill"] > 50:
        assert any(s.shading for c in cards for para in c.body for s in para)

    # Lossless round trip, and the fast TOML writer writes what tomli-w would.
    for card in cards:
        text = cardfile.dumps(card)
        assert cardfile.loads(text) == card
        assert text == tomli_w.dumps(cardfile.card_to_dict(card), multiline_strings=True)
    # The import's reader gives each card the id content_key gives the validated card.
    assert [card.id for card, _ in marked] == [card.id for card in cards]
    # The import's path, which renders bodies without building Span objects, writes the same.
    path = str(DOCX / name)
    assert prepare_file(path) == (path, [Prepared.of(card) for card in cards])
    labelled = [card.model_copy(update={"labels": ["aff", "k"]}) for card in cards]
    assert prepare_file(path, labels=("k", "aff", "k")) == (
        path,
        [Prepared.of(c) for c in labelled],
    )


def test_batch_import_writes_what_single_adds_write(tmp_path: Path, corpus: Path) -> None:
    """The bulk path (worker processes, one batch) makes byte-identical files to Library.add,
    merges duplicates the same way, and a re-import changes nothing."""
    names = ["sample.docx", "test.docx", "Kansas-Lee-Woodcock-Neg-wayne state-Round2.docx"]
    folder = tmp_path / "in"
    folder.mkdir()
    for n in names:
        shutil.copy(DOCX / n, folder / n)
    shutil.copy(DOCX / "test.docx", folder / "test-copy.docx")  # the same card, another file

    bulk = Library.open(tmp_path / "bulk", create=True)
    summary = import_paths(bulk, [str(folder)], jobs=2)
    single = Library.open(tmp_path / "single", create=True)
    counts = {"added": 0, "merged": 0, "unchanged": 0}
    with single.lock():
        for f in sorted(folder.iterdir()):
            for card in parse_docx(f, checked=True):
                counts[single.add(card).status] += 1
    assert snapshot(bulk.root) == snapshot(single.root)
    assert summary.cards + summary.analytics == counts["added"]
    assert summary.duplicates == counts["merged"] >= 1
    assert summary.failed == 0 and summary.files == 4
    # The workers staged every card; each was renamed into place or, seen again, deleted.
    assert list((bulk.root / ".evcards" / "staging").iterdir()) == []

    copied = [c for _, c in bulk.cards() if any(s.file == "test-copy.docx" for s in c.sources)]
    assert len(copied) == 1 and copied[0].seen == 2

    before = snapshot(bulk.root)
    again = import_paths(bulk, [str(folder)])
    assert (again.cards, again.analytics, again.duplicates) == (0, 0, 0)
    assert again.skipped == summary.cards + summary.analytics + summary.duplicates
    assert snapshot(bulk.root) == before


_PARENT: list[int] = []


def _dies_in_a_worker(path: str, *args: object) -> object:
    import os

    from evcards.importing import _real_prepare_file  # type: ignore[attr-defined]

    if os.getpid() not in _PARENT:
        os._exit(1)
    return _real_prepare_file(path, *args)


def test_a_dead_worker_does_not_lose_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, corpus: Path
) -> None:
    """A worker killed mid-import (out of memory, say): its files are parsed in-process."""
    import os

    from evcards import importing

    folder = tmp_path / "in"
    folder.mkdir()
    for n in ("sample.docx", "test.docx"):
        shutil.copy(DOCX / n, folder / n)
    _PARENT[:] = [os.getpid()]
    monkeypatch.setattr(importing, "_real_prepare_file", importing.prepare_file, raising=False)
    monkeypatch.setattr(importing, "prepare_file", _dies_in_a_worker)
    lib = Library.open(tmp_path / "lib", create=True)
    summary = import_paths(lib, [str(folder)], jobs=2)
    assert (summary.files, summary.failed, summary.cards + summary.analytics) == (2, 0, 17)


def test_a_plain_text_file_imports_its_cards_by_shape(corpus, runner):
    """Indiana-Jasani is cards pasted as plain text: no styles, no bold, no highlight. Its
    cards are found by their shape (tag line, cite, article), and the import says how many."""
    from evcards.cli import app

    path = corpus / "docx" / "Indiana-Jasani-Logan-Aff-Indiana-Round1.docx"
    marked = read_docx_marked(path)
    assert len(marked) >= 10 and marked.by_shape == len(marked)
    real = [card for card, _ in marked if card.kind == "card"]
    assert len(real) == len(marked)
    assert sum(1 for card in real if card.cite.short and card.cite.author) >= 0.9 * len(real)
    assert all(not card.cite.full.startswith(card.tag) for card in real)
    result = runner.invoke(app, ["import", str(path), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["by_shape"] == {str(path): len(marked)}
    assert f"{len(marked)} cards found by shape" in result.stderr and path.name in result.stderr


def test_no_file_with_highlighted_text_imports_no_card(corpus: Path) -> None:
    """Every corpus file whose XML has a highlight or a shading fill yields a card."""
    for path in sorted((corpus / "docx").glob("*.docx")):
        entry = MANIFEST[path.name]
        if entry["n_highlight"] or entry["n_shading_fill"]:
            assert any(card.kind == "card" for card, _ in read_docx_marked(path)), path.name


def test_a_cite_and_its_article_split_at_a_line_break(corpus: Path) -> None:
    """JCCC's Krimbel card: the cite line, a w:br, then the highlighted article, all in one
    paragraph. The cite is its first line; the body keeps its highlighting."""
    cards = parse_docx(DOCX / "JCCC-Babcock-Babcock-Neg-Kentucky-Round6.docx")
    (card,) = [c for c in cards if c.tag.startswith("A similar case is not a perfect case")]
    assert card.kind == "card" and card.undertag == ""
    assert card.cite.short == "Krimbel, 89" and card.cite.author == "Rosemary Krimbel"
    assert card.body[0][0].text.startswith("Indeed,")
    assert card.spoken.startswith("the Court hears only a small proportion")


def test_a_cite_styled_run_with_bold_undone_is_still_the_short_cite(corpus: Path) -> None:
    """Emory's Nayar card: the Cite style's bold undone, so its runs alone mark the short
    cite; the author is the full name."""
    cards = parse_docx(DOCX / "Emory University-Piekut-Roytburg-Neg-5 - texas-Round4.docx")
    (card,) = [c for c in cards if c.tag.startswith("They de-theorize the demand")]
    assert card.cite.short == "Nayar" and card.cite.author == "Jayan Nayar"
    assert card.cite.date == "12-15-2012"
