"""The derived index: rebuilt when missing, stale or corrupt; status; invalid files."""

from __future__ import annotations

import json
import sqlite3

from evcards import index
from evcards.cli import app
from evcards.library import Library
from evcards.models import Span, new_card
from evcards.search import search


def put(lib: Library, tag: str, text: str) -> str:
    card = new_card(tag=tag, body=[[Span(text=text, underline=True)]])
    lib.write(card)
    return card.id


def test_corrupt_index_is_rebuilt_silently(lib: Library, runner) -> None:
    a = put(lib, "walrus", "walruses sleep on the ice")
    assert [h.id for h in search(lib.root, "walruses")] == [a]
    path = index.index_path(lib.root)
    path.write_bytes(b"this is not a database at all\x00\xff" * 100)
    assert [h.id for h in search(lib.root, "walruses")] == [a]
    result = runner.invoke(app, ["search", "walruses", "--json"])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""


def test_truncated_and_missing_index(lib: Library) -> None:
    a = put(lib, "walrus", "walruses sleep on the ice")
    search(lib.root, "x")
    path = index.index_path(lib.root)
    path.write_bytes(path.read_bytes()[:3000])
    assert [h.id for h in search(lib.root, "walruses")] == [a]
    path.unlink()
    assert [h.id for h in search(lib.root, "walruses")] == [a]


def test_another_schema_version_is_rebuilt(lib: Library) -> None:
    a = put(lib, "walrus", "walruses sleep on the ice")
    search(lib.root, "x")
    db = sqlite3.connect(index.index_path(lib.root))
    db.execute("PRAGMA user_version = 999")
    db.execute("DELETE FROM cards")
    db.commit()
    db.close()
    assert [h.id for h in search(lib.root, "walruses")] == [a]
    db = sqlite3.connect(index.index_path(lib.root))
    assert db.execute("PRAGMA user_version").fetchone()[0] == index.SCHEMA_VERSION


def test_sync_counts_and_no_change_sync_reads_nothing(lib: Library, monkeypatch) -> None:
    monkeypatch.setattr(index, "RACY_NS", 0)  # trust fresh timestamps: this test is not racy
    a = put(lib, "walrus", "walruses sleep on the ice")
    db, rebuilt = index.open_index(lib.root)
    assert rebuilt
    put(lib, "seal", "seals sleep on the ice")
    result = index.sync(lib.root, db)
    assert (result.added, result.updated, result.removed) == (1, 0, 0)

    def no_reads(*args: object) -> None:
        raise AssertionError("a no-change sync read a card file")

    monkeypatch.setattr(index, "_read", no_reads)
    assert index.sync(lib.root, db) == index.SyncResult()
    db.close()
    monkeypatch.undo()
    path = lib.path_of(a)
    path.unlink()
    db = index.ensure(lib.root)
    assert db.execute("SELECT count(*) FROM cards").fetchone()[0] == 1
    db.close()


def test_invalid_files_are_skipped_and_counted(lib: Library, runner) -> None:
    put(lib, "walrus", "walruses sleep on the ice")
    (lib.root / "broken.toml").write_text('id = "0123456789abcdef"\n[body]\ntext = "_open"\n')
    (lib.root / "notes.toml").write_text("not toml [")
    hits = search(lib.root, "walruses")
    assert len(hits) == 1
    result = runner.invoke(app, ["index", "status", "--json"])
    assert result.exit_code == 0, result.output
    st = json.loads(result.stdout)
    assert (st["cards"], st["invalid"], st["schema_version"]) == (1, 2, index.SCHEMA_VERSION)
    assert st["size_bytes"] > 0 and st["last_sync"]
    # fixing the file makes it a card on the next search
    (lib.root / "broken.toml").write_text(
        'id = "0123456789abcdef"\ntag = "fixed"\n[body]\ntext = "_walruses_"\n'
    )
    assert len(search(lib.root, "walruses")) == 2


def test_index_commands(lib: Library, runner) -> None:
    put(lib, "walrus", "walruses sleep on the ice")
    result = runner.invoke(app, ["index", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "Indexed 1 cards" in result.stdout
    result = runner.invoke(app, ["index", "status"])
    assert result.exit_code == 0, result.output
    assert "schema version" in result.stdout


def test_many_cards_parse_in_parallel(lib: Library, monkeypatch) -> None:
    monkeypatch.setattr(index, "_PARALLEL_MIN", 10)
    want = {put(lib, f"walrus {i}", f"walrus number {i} sleeps") for i in range(40)}
    index.rebuild(lib.root)
    assert {h.id for h in search(lib.root, "walrus", limit=100)} == want
