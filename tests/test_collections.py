"""Collections (issue 15): build from dataset files, list, rm, update, where they live."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from collection_data import ode_rows, write_csv, write_jsonl

from evcards.cli import app
from evcards.collections import building, manage, places
from evcards.collections.cards import find_card
from evcards.collections.places import CollectionError
from evcards.errors import InputFileError
from evcards.index.schema import INDEX_NAME, connect


def run(runner, *args):
    return runner.invoke(app, [str(a) for a in args])


def test_build_from_an_ode_csv_keeps_every_card_and_its_round(tmp_path):
    rows = ode_rows()
    result = building.build("ode", [write_csv(tmp_path / "ode.csv", rows)])
    assert (result.cards, result.bad, result.rows_read) == (len(rows), 0, len(rows))
    build = places.current("ode")
    assert build is not None and build.parent == tmp_path / "home" / "collections" / "ode"
    db = connect(build / INDEX_NAME)
    stored = db.execute("SELECT path, tag FROM cards ORDER BY key").fetchall()
    facts = db.execute("SELECT file, row, event, side, level, season, caselist, team FROM rows")
    assert [tag for _, tag in stored] == [r["tag"] for r in rows]
    assert stored[1][0] == "ode.csv:3"  # FILE:ROW, the CSV record's line
    first = facts.fetchone()
    assert first == ("ode.csv", 2, "cx", "A", "hs", 2020, "ndtceda21", "Team 0")
    db.close()


def test_a_collection_card_is_the_card_its_row_gives(tmp_path, lib):
    from evcards.formats.rowstream import read_dataset

    path = write_jsonl(tmp_path / "ode.jsonl", ode_rows())
    building.build("ode", [path])
    for item in read_dataset([path]):
        found = find_card(lib, item.card.id)
        assert found.where == "ode" and found.source == f"ode.jsonl:{item.row}"
        assert found.card() == item.card


def test_bad_rows_are_reported_skipped_and_counted(tmp_path):
    rows = ode_rows()
    rows[2]["tag"] = 7  # wrong type: the reader says why
    extra = ["{not json", json.dumps({"tag": 5, "fulltext": "x"}), "[1, 2]"]
    bad: list = []
    result = building.build(
        "ode", [write_jsonl(tmp_path / "bad.jsonl", rows, extra)], on_bad=bad.append
    )
    assert result.bad == 4 and result.cards == len(rows) - 1
    assert [(b.file, b.row) for b in bad] == [("bad.jsonl", n) for n in (3, 8, 9, 10)]
    assert all(b.reason for b in bad)


def test_cli_add_prints_the_first_bad_rows_and_counts_the_rest(runner, tmp_path):
    extra = ["{broken"] * 8
    path = write_jsonl(tmp_path / "bad.jsonl", ode_rows(), extra)
    result = run(runner, "collection", "add", "ode", path, "--format", "ode")
    assert result.exit_code == 0, result.output
    assert result.stderr.count("Skipped bad.jsonl, row") == 5
    assert "7 cards from 1 file" in result.stdout
    assert "8 bad rows skipped (3 not shown)" in result.stdout


def test_list_shows_cards_size_sources_and_when_built(runner, tmp_path):
    run(runner, "collection", "add", "one", write_csv(tmp_path / "a.csv", ode_rows()))
    run(runner, "collection", "add", "two", write_csv(tmp_path / "b.csv", ode_rows(20)))
    result = run(runner, "collection", "list", "--json")
    listed = json.loads(result.stdout)
    assert [(c["name"], c["cards"]) for c in listed] == [("one", 7), ("two", 20)]
    assert listed[0]["sources"] == [str((tmp_path / "a.csv").resolve())]
    assert listed[1]["size_bytes"] > 0 and listed[1]["built"]
    table = run(runner, "collection", "list").stdout
    assert "two" in table and "b.csv" in table and "MB" in table


def test_rm_removes_every_file_and_names_known_ones_when_missing(runner, tmp_path):
    building.build("ode", [write_csv(tmp_path / "a.csv", ode_rows())])
    result = run(runner, "collection", "rm", "nope")
    assert result.exit_code == 1
    assert "Error: no collection named 'nope'; known: ode" in result.stderr
    assert run(runner, "collection", "rm", "ode").exit_code == 0
    assert not (tmp_path / "home" / "collections" / "ode").exists()
    assert manage.list_collections() == []


def test_update_rebuilds_only_when_a_source_changed(runner, tmp_path):
    path = write_csv(tmp_path / "a.csv", ode_rows())
    building.build("ode", [path])
    before = places.current("ode")
    assert "unchanged" in run(runner, "collection", "update", "ode").stdout
    assert places.current("ode") == before
    write_csv(path, ode_rows(12))
    result = run(runner, "collection", "update", "ode")
    assert result.exit_code == 0 and "Rebuilt collection ode: 12 cards" in result.stdout
    assert places.current("ode") != before and before is not None and not before.exists()


def test_update_with_a_source_gone_names_it_and_the_fix(runner, tmp_path):
    path = write_csv(tmp_path / "a.csv", ode_rows())
    building.build("ode", [path])
    path.unlink()
    result = run(runner, "collection", "update", "ode")
    assert result.exit_code == 1
    assert str(path.resolve()) in result.stderr and "put it back" in result.stderr
    assert manage.list_collections()[0].cards == 7  # still there, as it was


def test_evcards_home_moves_the_collections(tmp_path, monkeypatch):
    path = write_csv(tmp_path / "a.csv", ode_rows())
    monkeypatch.setenv("EVCARDS_HOME", str(tmp_path / "elsewhere"))
    building.build("ode", [path])
    assert (tmp_path / "elsewhere" / "collections" / "ode" / places.CURRENT).is_file()
    assert not (tmp_path / "home" / "collections").exists()


@pytest.mark.parametrize(
    "name", ["lib", "LIB", "../x", "a/b", "", ".hidden", "-x", "a b", "é", "x" * 65, "a\x00b"]
)
def test_hostile_names_are_refused_before_anything_is_written(tmp_path, name):
    path = write_csv(tmp_path / "a.csv", ode_rows())
    with pytest.raises(CollectionError):
        building.build(name, [path])
    assert not (tmp_path / "home" / "collections").exists() or not any(
        (tmp_path / "home" / "collections").iterdir()
    )


def test_a_missing_source_or_a_folder_is_one_error(runner, tmp_path):
    with pytest.raises(InputFileError, match="no such file"):
        building.build("ode", [tmp_path / "gone.csv"])
    result = run(runner, "collection", "add", "ode", tmp_path)
    assert result.exit_code == 1 and "a folder" in result.stderr
    assert "Traceback" not in result.output


def test_stale_build_folders_of_dead_processes_are_swept(tmp_path):
    building.build("ode", [write_csv(tmp_path / "a.csv", ode_rows())])
    here = places.root() / "ode"
    stale = here / f"{places.BUILD_PREFIX}999999999-1"  # no such process
    (stale / "fulltext-x").mkdir(parents=True)
    running = here / f"{places.BUILD_PREFIX}{os.getppid()}-1"  # a live process's
    running.mkdir()
    assert [c.name for c in manage.list_collections()] == ["ode"]
    assert not stale.exists() and running.exists()


def test_a_build_that_fails_leaves_no_folder_and_the_old_collection(tmp_path, monkeypatch):
    building.build("ode", [write_csv(tmp_path / "a.csv", ode_rows())])
    before = sorted(p.name for p in (places.root() / "ode").iterdir())

    def broken(*_: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(building, "_flush", broken)
    with pytest.raises(KeyboardInterrupt):
        building.build("ode", [write_csv(tmp_path / "b.csv", ode_rows(3000))])
    assert sorted(p.name for p in (places.root() / "ode").iterdir()) == before
    assert manage.list_collections()[0].cards == 7


def test_ode_rows_made_from_the_real_corpus_build(tmp_path):
    import odegen  # tests/odegen.py

    if not odegen.available():
        pytest.skip("the shared corpus is not here")
    path = tmp_path / "ode.csv"
    odegen.write_csv(path, 300)
    size = path.stat().st_size
    result = building.build("real", [path])
    assert result.cards == 300 and result.bad == 0
    on_disk = manage.list_collections()[0].size_bytes
    assert on_disk <= 1.2 * size  # the budget for the size on disk


def test_update_keeps_unchanged_files_rows_and_gives_what_a_full_build_gives(tmp_path):
    from evcards.collections.store import facts

    a = write_csv(tmp_path / "a.csv", ode_rows(40))
    b = write_jsonl(tmp_path / "b.jsonl", ode_rows(), ["{bad"])
    building.build("ode", [a, b])
    write_csv(a, ode_rows(50))  # a changed; b did not
    done = manage.update("ode")
    assert done.changed == [str(a.resolve())]
    assert done.result is not None and done.result.kept == ["b.jsonl"]
    assert facts("ode", places.current("ode")).bad == 1  # b's bad row, counted still

    def tables(build: Path) -> tuple[list, list]:
        db = connect(build / INDEX_NAME)
        try:
            cards = db.execute("SELECT * FROM cards ORDER BY key").fetchall()
            return cards, db.execute("SELECT * FROM rows ORDER BY key").fetchall()
        finally:
            db.close()

    updated = tables(places.current("ode"))  # type: ignore[arg-type]
    building.build("ode", [a, b])  # everything read again
    assert updated == tables(places.current("ode"))  # type: ignore[arg-type]
    assert len(updated[0]) == 57
