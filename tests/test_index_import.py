"""An import puts the cards it writes into the index itself, from the text it wrote
(importing._Indexer, build.index_written): the next sync reads no file, search finds the cards,
and the index holds exactly what a rebuild from the files would."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from evcards.importing import import_paths
from evcards.index.build import SyncResult, rebuild
from evcards.index.query import Filters
from evcards.index.schema import CARD_COLUMNS, index_path
from evcards.index.search import search
from evcards.index.sync import ensure, open_index, sync
from evcards.store.library import Library

PASTE = """Russia is a junior partner, and knows it
Rumer 17 (Eugene Rumer, Director and Senior Fellow, July 2017, National Bureau of Asian Research) ank
Although the Kremlin no doubt is aware of its junior partner status vis-a-vis Beijing, walruses
---
No alliance: their interests diverge
Meick 18 (Ethan Meick, Policy Analyst, 9-2-2018, The National Interest) ank
While both states may oppose American hegemony, they pursue different objectives, narwhals
"""


def write_paste(folder: Path, name: str, text: str = PASTE) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def no_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object) -> None:
        raise AssertionError("a card file was read back")

    monkeypatch.setattr("evcards.index.build._read", refuse)


def catalog(root: Path) -> list[tuple[object, ...]]:
    """Every card's row as the index stores it, but the columns a build's timing decides."""
    db = sqlite3.connect(index_path(root))
    try:
        cols = ", ".join(("path", "size", *CARD_COLUMNS))
        return sorted(db.execute(f"SELECT {cols} FROM cards").fetchall())
    finally:
        db.close()


def _import(lib: Library, *paths: str, labels: tuple[str, ...] = ()) -> None:
    summary = import_paths(lib, paths, labels=labels, jobs=1)
    assert summary.failed == 0, summary.errors


@pytest.mark.parametrize("index_first", [True, False], ids=["index", "no index yet"])
def test_an_import_leaves_the_index_current_without_reading_a_file(
    lib: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, index_first: bool
) -> None:
    if index_first:
        ensure(lib.root).close()
    paste = write_paste(tmp_path / "in", "paste.txt")
    no_reads(monkeypatch)  # neither the import's indexing nor the next sync reads a card
    _import(lib, paste)
    ix = open_index(lib.root)
    try:
        assert not ix.rebuilt
        assert sync(ix) == SyncResult()  # the next command has nothing to do
    finally:
        ix.close()
    assert [h.tag for h in search(lib.root, "walruses")] == [
        "Russia is a junior partner, and knows it"
    ]
    assert len(search(lib.root, "narwhals")) == 1
    monkeypatch.undo()
    fed = catalog(lib.root)
    rebuild(lib.root)  # from the files: the same rows
    assert catalog(lib.root) == fed and len(fed) == 2


def test_sightings_merged_into_stored_cards_are_indexed_as_written(
    lib: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = write_paste(tmp_path / "a", "round1.txt")
    _import(lib, first)
    ensure(lib.root).close()
    again = write_paste(tmp_path / "b", "round2.txt")  # the same cards, seen in another file
    no_reads(monkeypatch)
    _import(lib, again, labels=("neg",))
    ix = open_index(lib.root)
    try:
        assert sync(ix) == SyncResult()
        seen = ix.db.execute("SELECT seen, labels FROM cards").fetchall()
    finally:
        ix.close()
    assert seen == [(2, "neg"), (2, "neg")]
    assert [h.seen for h in search(lib.root, "walruses", Filters(labels=["neg"]))] == [2]
    monkeypatch.undo()
    fed = catalog(lib.root)
    rebuild(lib.root)
    assert catalog(lib.root) == fed


def test_a_file_changed_since_the_import_wrote_it_is_read(
    lib: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The index trusts the text it wrote only for a file of the size it wrote: a file
    rewritten in between is read like any other."""
    from evcards.index import build

    ensure(lib.root).close()
    real = build.index_written

    def edit_one_first(root: Path, known: dict) -> object:
        for rel in known:
            text = (root / rel).read_text(encoding="utf-8")
            (root / rel).write_text(text.replace("walruses", "sea lions"), encoding="utf-8")
        return real(root, known)

    monkeypatch.setattr(build, "index_written", edit_one_first)
    _import(lib, write_paste(tmp_path / "in", "paste.txt"))
    monkeypatch.undo()
    assert len(search(lib.root, '"sea lions"')) == 1
    assert search(lib.root, "walruses") == []


def test_an_index_it_cannot_write_does_not_fail_the_import(
    lib: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from evcards.index import build
    from evcards.index.schema import IndexDamaged

    ensure(lib.root).close()

    def damaged(*args: object, **kw: object) -> None:
        raise IndexDamaged("the full-text index cannot be written")

    monkeypatch.setattr("evcards.index.sync.sync", damaged)
    _import(lib, write_paste(tmp_path / "in", "paste.txt"))
    assert build.index_written(lib.root, {}) is None
    monkeypatch.undo()
    assert len(search(lib.root, "narwhals")) == 1  # the next command caught up


def test_a_docx_import_in_worker_processes_indexes_what_a_rebuild_would(
    lib: Library, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = sorted(str(p) for p in (corpus / "docx").glob("*.docx"))[:3]
    ensure(lib.root).close()
    summary = import_paths(lib, files, jobs=2)
    assert summary.cards > 50, summary
    no_reads(monkeypatch)
    ix = open_index(lib.root)
    try:
        assert sync(ix) == SyncResult()
    finally:
        ix.close()
    monkeypatch.undo()
    fed = catalog(lib.root)
    rebuild(lib.root)
    assert catalog(lib.root) == fed
