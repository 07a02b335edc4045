"""`evcards import` of dataset files: DebateSum's rows and compressed files import, a file
too big for card files is pointed at `evcards collection add`, and a folder import picks
dataset rows up or says why it left a file out."""

from __future__ import annotations

import gzip
import json

import pytest
from conftest import REPO, snapshot
from test_rowstream import DEBATESUM_COLUMNS, ode, write_csv, write_jsonl

from evcards.cli import app
from evcards.formats import rowimport
from evcards.importing import survey

DEBATESUM = REPO.parent / "shared" / "corpus" / "debatesum" / "train-DebateSum.jsonl.gz"


def _import(runner, *args):
    return runner.invoke(app, ["import", "--json", *(str(a) for a in args)])


@pytest.mark.skipif(not DEBATESUM.exists(), reason="../shared/corpus is absent")
def test_the_corpus_debatesum_file_imports_its_cards(runner, lib):
    result = _import(runner, DEBATESUM)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["cards"] + summary["duplicates"] == 1000 and summary["cards"] > 900
    assert len(lib.ids()) == summary["cards"]


def test_a_debatesum_csv_imports(runner, lib, tmp_path):
    row = dict.fromkeys(DEBATESUM_COLUMNS, "")
    row |= {"Full-Document": "The plan solves.", "Citation": "Smith 14 [John]", "Abstract": "T"}
    path = write_csv(tmp_path / "ds.csv", [row], DEBATESUM_COLUMNS)
    result = _import(runner, path)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["cards"] == 1


def test_a_compressed_file_imports_as_the_plain_one(runner, lib, tmp_path):
    plain = write_jsonl(tmp_path / "rows.jsonl", [ode(k) for k in range(3)])
    packed = tmp_path / "rows.jsonl.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    from evcards.formats.rowimport import read_rows_file

    assert [c.id for c in read_rows_file(packed)] == [c.id for c in read_rows_file(plain)]
    summary = json.loads(_import(runner, packed).stdout)
    assert summary["cards"] + summary["duplicates"] == 3  # one body: sightings of one card


@pytest.mark.parametrize("name", ["big.jsonl", "big.csv", "big.jsonl.gz"])
def test_a_dataset_too_big_for_card_files_points_at_a_collection(
    runner, lib, tmp_path, monkeypatch, name
):
    monkeypatch.setattr(rowimport, "MAX_TEXT_FILE_BYTES", 3000)
    rows = [ode(k) for k in range(10)]
    path = (
        write_csv(tmp_path / name, rows) if ".csv" in name else write_jsonl(tmp_path / name, rows)
    )
    if name.endswith(".gz"):
        path.write_bytes(gzip.compress(path.read_bytes()))  # small on disk, big decompressed
    before = snapshot(lib.root)
    result = runner.invoke(app, ["import", str(path)])
    assert result.exit_code == 1
    assert (
        f"`evcards collection add NAME {path}`" in result.stderr and "larger than" in result.stderr
    )
    assert snapshot(lib.root) == before


def test_a_folder_import_reads_dataset_rows_and_says_what_it_left_out(
    runner, lib, tmp_path, monkeypatch
):
    monkeypatch.setattr(rowimport, "MAX_TEXT_FILE_BYTES", 3000)
    folder = tmp_path / "in"
    folder.mkdir()
    write_jsonl(folder / "small.jsonl", [ode(1)])
    write_jsonl(folder / "big.jsonl", [ode(k) for k in range(10)])
    (folder / "scores.csv").write_text("name,score\nann,3\n")
    found = survey([str(folder)])
    assert found.files == [str(folder / "small.jsonl")]
    assert found.left_out == {
        ".csv (not dataset rows)": 1,
        ".jsonl (over 0 MB, for `evcards collection add`)": 1,
    }
    result = runner.invoke(app, ["import", str(folder)])
    assert result.exit_code == 0, result.output
    [line] = [x for x in result.stdout.splitlines() if x.startswith("Left out")]
    assert "1 .jsonl (over 0 MB, for `evcards collection add`)" in line
    assert len(lib.ids()) == 1
