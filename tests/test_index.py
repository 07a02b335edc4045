"""The derived index: rebuilt when missing, stale or corrupt; status; invalid files."""

from __future__ import annotations

import json
import sqlite3

import pytest
from budget import scaled

from evcards.cli import app
from evcards.core.models import Span, new_card
from evcards.index.build import SyncResult, rebuild
from evcards.index.schema import SCHEMA_VERSION, index_path
from evcards.index.search import search
from evcards.index.sync import ensure, open_index, sync
from evcards.store.library import Library


def put(lib: Library, tag: str, text: str) -> str:
    card = new_card(tag=tag, body=[[Span(text=text, underline=True)]])
    lib.write(card)
    return card.id


def fulltext_dir(root):
    [folder] = (root / ".evcards").glob("fulltext-*")
    return folder


@pytest.mark.parametrize("damage", ["garbled", "emptied", "deleted", "segment"])
def test_a_damaged_full_text_folder_is_rebuilt_silently(lib: Library, runner, damage) -> None:
    import shutil

    a = put(lib, "walrus", "walruses sleep on the ice")
    assert [h.id for h in search(lib.root, "walruses")] == [a]
    folder = fulltext_dir(lib.root)
    if damage == "garbled":
        (folder / "meta.json").write_text("{not json")
    elif damage == "emptied":
        for f in folder.iterdir():
            f.unlink()
    elif damage == "deleted":
        shutil.rmtree(folder)
    else:  # the segment files a search reads, cut short
        for f in folder.iterdir():
            if f.suffix in (".idx", ".store", ".term", ".pos"):
                f.write_bytes(f.read_bytes()[:7])
    result = runner.invoke(app, ["search", "walruses", "--json"])
    assert result.exit_code == 0, result.output
    assert [r["id"] for r in json.loads(result.stdout)] == [a]
    assert result.stderr == ""
    assert len(list((lib.root / ".evcards").glob("fulltext-*"))) == 1


@pytest.mark.parametrize("damage", ["garbled", "deleted"])
def test_an_empty_library_opens_no_full_text_and_a_card_added_later_is_found(
    lib: Library, runner, monkeypatch, damage
) -> None:
    # A search of a library with no card answers from the catalog alone (beside a
    # collection, that is every search until a card is added): a damaged full-text folder
    # is found, and rebuilt, by the first sync that has a card to write.
    import shutil

    from evcards.index import fulltext

    assert search(lib.root, "walruses") == []
    folder = fulltext_dir(lib.root)
    if damage == "garbled":
        (folder / "meta.json").write_text("{not json")
    else:
        shutil.rmtree(folder)
    opened = []
    real = fulltext.open_index
    monkeypatch.setattr(fulltext, "open_index", lambda p: opened.append(p) or real(p))
    assert search(lib.root, "walruses") == [] and opened == []
    a = put(lib, "walrus", "walruses sleep on the ice")
    assert [h.id for h in search(lib.root, "walruses")] == [a] and opened
    result = runner.invoke(app, ["search", "walruses", "--json"])
    assert result.exit_code == 0 and result.stderr == "", result.output
    assert [r["id"] for r in json.loads(result.stdout)] == [a]


def test_corrupt_index_is_rebuilt_silently(lib: Library, runner) -> None:
    a = put(lib, "walrus", "walruses sleep on the ice")
    assert [h.id for h in search(lib.root, "walruses")] == [a]
    path = index_path(lib.root)
    path.write_bytes(b"this is not a database at all\x00\xff" * 100)
    assert [h.id for h in search(lib.root, "walruses")] == [a]
    result = runner.invoke(app, ["search", "walruses", "--json"])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""


def test_truncated_and_missing_index(lib: Library) -> None:
    a = put(lib, "walrus", "walruses sleep on the ice")
    search(lib.root, "x")
    path = index_path(lib.root)
    path.write_bytes(path.read_bytes()[:3000])
    assert [h.id for h in search(lib.root, "walruses")] == [a]
    path.unlink()
    assert [h.id for h in search(lib.root, "walruses")] == [a]


def test_another_schema_version_is_rebuilt(lib: Library) -> None:
    a = put(lib, "walrus", "walruses sleep on the ice")
    search(lib.root, "x")
    db = sqlite3.connect(index_path(lib.root))
    db.execute("PRAGMA user_version = 999")
    db.execute("DELETE FROM cards")
    db.commit()
    db.close()
    assert [h.id for h in search(lib.root, "walruses")] == [a]
    db = sqlite3.connect(index_path(lib.root))
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_sync_counts_and_no_change_sync_reads_nothing(lib: Library, monkeypatch) -> None:
    monkeypatch.setattr(
        "evcards.index.schema.RACY_NS", 0
    )  # trust fresh timestamps: this test is not racy
    a = put(lib, "walrus", "walruses sleep on the ice")
    ix = open_index(lib.root)
    assert ix.rebuilt
    put(lib, "seal", "seals sleep on the ice")
    result = sync(ix)
    assert (result.added, result.updated, result.removed) == (1, 0, 0)

    def no_reads(*args: object) -> None:
        raise AssertionError("a no-change sync read a card file")

    monkeypatch.setattr("evcards.index.build._read", no_reads)
    assert sync(ix) == SyncResult()
    ix.close()
    monkeypatch.undo()
    path = lib.path_of(a)
    path.unlink()
    ix = ensure(lib.root)
    assert ix.db.execute("SELECT count(*) FROM cards").fetchone()[0] == 1
    ix.close()


def test_invalid_files_are_skipped_and_counted(lib: Library, runner) -> None:
    put(lib, "walrus", "walruses sleep on the ice")
    (lib.root / "broken.toml").write_text('id = "0123456789abcdef"\n[body]\ntext = "_open"\n')
    (lib.root / "notes.toml").write_text("not toml [")
    hits = search(lib.root, "walruses")
    assert len(hits) == 1
    result = runner.invoke(app, ["index", "status", "--json"])
    assert result.exit_code == 0, result.output
    st = json.loads(result.stdout)
    assert (st["cards"], st["invalid"], st["schema_version"]) == (1, 2, SCHEMA_VERSION)
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
    monkeypatch.setattr("evcards.index.build._PARALLEL_MIN", 10)
    want = {put(lib, f"walrus {i}", f"walrus number {i} sleeps") for i in range(40)}
    rebuild(lib.root)
    assert {h.id for h in search(lib.root, "walrus", limit=100)} == want


def settle(monkeypatch) -> None:
    """Trust fresh timestamps, so that these tests see the steady state, not the racy one."""
    monkeypatch.setattr("evcards.index.schema.RACY_NS", 0)


def test_big_library_in_place_edit_found_by_the_rolling_pass(lib: Library, monkeypatch) -> None:
    settle(monkeypatch)
    monkeypatch.setattr(
        "evcards.index.schema.SMALL", 5
    )  # a "big" library: 10 cards, 3 stats a sync
    monkeypatch.setattr("evcards.index.sync.STAT_WINDOW", 3)
    for i in range(10):
        put(lib, f"walrus {i}", f"walrus number {i} sleeps")
    rebuild(lib.root)
    path = sorted(lib.root.glob("*.toml"))[-1]
    path.write_text(path.read_text().replace("sleeps", "dances"))
    found = [len(search(lib.root, "dances")) for _ in range(5)]
    assert found[-1] == 1  # within ceil(10 / 3) + 1 searches
    runner_found = sync(ensure(lib.root), full=True)
    assert runner_found.updated == 0


def walruses(lib: Library, monkeypatch, window: int) -> None:
    """Ten cards, indexed, in a library the sync treats as big: STAT_WINDOW `window`."""
    settle(monkeypatch)
    monkeypatch.setattr("evcards.index.schema.SMALL", 5)
    monkeypatch.setattr("evcards.index.sync.STAT_WINDOW", window)
    for i in range(10):
        put(lib, f"walrus {i}", f"walrus number {i} sleeps")
    rebuild(lib.root)


def _cursor(root) -> str:
    db = sqlite3.connect(index_path(root))
    try:
        return db.execute("SELECT value FROM meta WHERE key = 'stat_cursor'").fetchone()[0]
    finally:
        db.close()


def test_slow_stats_shorten_the_window_but_skip_no_file(lib: Library, monkeypatch) -> None:
    """Past its time budget the rolling pass stops after STAT_LEAST files, and the next sync
    goes on from the last file stat-ed: each file is still stat-ed once a lap."""
    monkeypatch.setattr("evcards.index.sync.STAT_LEAST", 2)
    monkeypatch.setattr("evcards.index.sync.STAT_BUDGET_NS", 0)  # every stat is "slow"
    walruses(lib, monkeypatch, 6)
    ix = ensure(lib.root)  # one sync: the first two files
    rows = ix.db.execute("SELECT key, path FROM cards ORDER BY key").fetchall()
    cursors = [_cursor(lib.root)]
    for _ in range(4):
        sync(ix)
        cursors.append(_cursor(lib.root))
    assert cursors == [str(key) for key, _ in rows[1::2]]  # two files a sync, none skipped
    edited = lib.root / rows[0][1]
    edited.write_text(edited.read_text().replace("sleeps", "dances"))
    assert sync(ix).updated == 1  # the lap wrapped round to the first file
    ix.close()


def test_an_id_lookup_stats_no_known_file(lib: Library, monkeypatch) -> None:
    """`rolling=False` (show's id lookup): files added are found, the rolling window is
    neither stat-ed nor moved, and an edit in place waits for a sync that looks."""
    walruses(lib, monkeypatch, 3)
    ix = ensure(lib.root)
    before = _cursor(lib.root)
    path = sorted(lib.root.glob("walrus-*.toml"))[0]
    path.write_text(path.read_text().replace("sleeps", "dances"))
    (lib.root / "copy.toml").write_text(path.read_text().replace("walrus 0", "seal"))
    assert (sync(ix, rolling=False).added, _cursor(lib.root)) == (1, before)
    assert sync(ix, full=True).updated == 1
    ix.close()


def test_a_hit_is_never_shown_stale(lib: Library, monkeypatch) -> None:
    walruses(lib, monkeypatch, 1)
    for path in lib.root.glob("*.toml"):
        path.write_text(path.read_text().replace('tag = "walrus', 'tag = "edited walrus'))
    hits = search(lib.root, "walrus", limit=3)
    assert [h.tag.startswith("edited") for h in hits] == [True] * 3


def test_evcards_own_writes_need_no_folder_listing(lib: Library, monkeypatch) -> None:
    settle(monkeypatch)
    put(lib, "walrus", "walruses sleep on the ice")
    rebuild(lib.root)
    ix = ensure(lib.root)
    with monkeypatch.context() as m:
        m.setattr("evcards.index.sync.scan", lambda *a: pytest.fail("listed the folder"))
        seal = put(lib, "seal", "seals sleep on the ice")
        lib.remove(lib.path_of(seal))
        narwhal = put(lib, "narwhal", "narwhals sleep on the ice")
        result = sync(ix)
    assert (result.added, result.removed) == (1, 0)
    # a file added by hand breaks the chain of notes: the folder is listed again
    (lib.root / "copy.toml").write_text(lib.path_of(narwhal).read_text())
    assert sync(ix).added == 1
    ix.close()


def test_index_sync_command(lib: Library, runner) -> None:
    put(lib, "walrus", "walruses sleep on the ice")
    result = runner.invoke(app, ["index", "sync"])
    assert result.exit_code == 0, result.output
    assert "Synced:" in result.stdout


def test_an_overgrown_journal_drops_the_index(lib: Library, monkeypatch) -> None:
    from evcards.store import journal

    put(lib, "walrus", "walruses sleep on the ice")
    search(lib.root, "x")
    monkeypatch.setattr(journal, "MAX_BYTES", 10)
    seal = put(lib, "seal", "seals sleep on the ice")
    assert not index_path(lib.root).exists()
    assert [h.id for h in search(lib.root, "seals")] == [seal]


def fulltext_keys(root) -> list[int]:
    """The catalog key of every card document in the full-text index."""
    import tantivy

    from evcards.index.fulltext import GENERATION_KEY

    ix = ensure(root, fulltext=True)
    try:
        searcher = ix.searcher()
        hits = searcher.search(tantivy.Query.all_query(), 1000).hits
        keys = searcher.fast_field_values("key", [a for _, a in hits])
    finally:
        ix.close()
    return sorted(int(k) for k in keys if k != GENERATION_KEY)  # type: ignore[call-overload]


def catalog_keys(root) -> list[int]:
    db = sqlite3.connect(index_path(root))
    try:
        return sorted(r[0] for r in db.execute("SELECT key FROM cards"))
    finally:
        db.close()


def test_the_full_text_follows_the_catalog_through_edits_and_deletes(lib: Library) -> None:
    """One full-text document per catalog row, and no other, whatever a sync did."""
    for i in range(6):
        put(lib, f"walrus {i}", f"walrus number {i} sleeps")
    search(lib.root, "walrus")
    paths = sorted(lib.root.glob("walrus-*.toml"))
    paths[0].unlink()
    paths[1].write_text(paths[1].read_text().replace("sleeps", "dances"))
    put(lib, "walrus 9", "walrus number 9 sleeps")
    assert len(search(lib.root, "walrus")) == 6
    in_fulltext = fulltext_keys(lib.root)  # syncs first; catalog_keys only reads
    assert catalog_keys(lib.root) == in_fulltext and len(in_fulltext) == 6


def test_the_index_and_the_library_agree_on_which_files_are_cards(
    lib: Library, tmp_path, monkeypatch
) -> None:
    """One walk (evcards.store.walk) for all three. A folder named like a card file is a
    folder (a rebuild once skipped it, where a sync and the library listed it); dot-names and
    symlinks are skipped, to files and to folders alike."""
    import os

    from evcards.store import cardfile

    settle(monkeypatch)

    def card_in(folder, name: str) -> None:
        folder.mkdir(exist_ok=True)
        card = new_card(tag=name, body=[[Span(text=f"{name} sleeps", underline=True)]])
        (folder / f"{name}.toml").write_text(cardfile.dumps(card))

    def indexed() -> set[str]:
        db = sqlite3.connect(index_path(lib.root))
        try:
            return {r[0] for r in db.execute("SELECT path FROM cards")}
        finally:
            db.close()

    walrus = put(lib, "walrus", "walruses sleep on the ice")
    rebuild(lib.root)
    card_in(lib.root / "old.toml", "seal")
    card_in(lib.root / "old.toml" / "deeper", "narwhal")
    card_in(lib.root / ".hidden", "otter")
    card_in(tmp_path / "outside", "orca")
    os.symlink(tmp_path / "outside", lib.root / "linked")
    os.symlink(tmp_path / "outside" / "orca.toml", lib.root / "orca.toml")
    (lib.root / "notes.txt").write_text("not a card")
    listed = [p.relative_to(lib.root).as_posix() for p in lib.paths()]
    assert listed == [
        lib.path_of(walrus).name,
        "old.toml/seal.toml",
        "old.toml/deeper/narwhal.toml",
    ]
    ensure(lib.root).close()  # a sync finds the new folders
    assert indexed() == set(listed)
    rebuild(lib.root)
    assert indexed() == set(listed)


def test_a_sync_killed_between_its_two_commits_is_rebuilt(lib: Library, monkeypatch) -> None:
    """The full-text index committed, the catalog not (a SIGKILL right there): the next search
    sees the generations differ and rebuilds, so no stale or missing card is shown."""
    from evcards.index import fulltext

    settle(monkeypatch)
    a = put(lib, "walrus", "walruses sleep on the ice")
    search(lib.root, "walruses")
    real_writer = fulltext.writer

    class Killed(BaseException):
        pass

    def dying_writer(index, *args, **kw):  # commits, then "dies" before the catalog does
        w = real_writer(index, *args, **kw)

        class Dying:
            def __getattr__(self, name):
                return getattr(w, name)

            def commit(self):
                w.commit()
                raise Killed

        return Dying()

    path = lib.path_of(a)
    path.write_text(path.read_text().replace("sleep on the ice", "swim under the floes"))
    with monkeypatch.context() as m:
        m.setattr(fulltext, "writer", dying_writer)
        with pytest.raises(Killed):
            search(lib.root, "floes")
    assert [h.id for h in search(lib.root, "floes")] == [a]
    assert search(lib.root, "ice") == []


def test_an_interrupted_rebuild_leaves_the_old_index_and_nothing_else(
    lib: Library, monkeypatch
) -> None:
    """Ctrl-C in `index rebuild` (here: in its progress callback, between batches)."""
    monkeypatch.setattr("evcards.index.build._BATCH", 1)
    a = put(lib, "walrus", "walruses sleep on the ice")
    put(lib, "seal", "seals sleep on the ice")
    search(lib.root, "walruses")
    before = sorted(p.name for p in (lib.root / ".evcards").iterdir())

    def interrupt(done: int, total: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        rebuild(lib.root, progress=interrupt)
    assert sorted(p.name for p in (lib.root / ".evcards").iterdir()) == before
    assert [h.id for h in search(lib.root, "walruses")] == [a]


_KILLED_BUILD = """
import sys
from pathlib import Path
from evcards.index import build
from evcards.index.build import rebuild
build._BATCH = 50  # progress (and the kill) between batches

def progress(done, total):
    print(done, flush=True)

rebuild(Path(sys.argv[1]), progress=progress)
print("done", flush=True)
"""


def test_sigkill_during_a_rebuild_leaves_a_usable_index_or_none(lib: Library) -> None:
    """Killed at each stage of a rebuild (while loading, just before the swap), the library's
    index is the old one or none, never half of a new one, and the next search is right."""
    import random
    import signal
    import subprocess
    import sys

    cards = {put(lib, f"walrus {i}", f"walrus number {i} sleeps") for i in range(300)}
    search(lib.root, "walrus")
    rng = random.Random(3)
    for _ in range(scaled(6, 2)):
        proc = subprocess.Popen(
            [sys.executable, "-c", _KILLED_BUILD, str(lib.root)],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert proc.stdout is not None
        for _ in range(rng.randrange(1, 7)):  # some batches in, or the whole build
            if proc.stdout.readline() in ("", "done\n"):
                break
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert {h.id for h in search(lib.root, "walrus", limit=500)} == cards
        assert len(list((lib.root / ".evcards").glob("fulltext-*"))) == 1
