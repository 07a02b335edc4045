"""Files that are not cards: import says what each is and what to do with it, and a folder
import counts, in one line, the files it left out."""

from __future__ import annotations

import gzip
import json

import pytest
from conftest import snapshot

from evcards import formats
from evcards.cli import app
from evcards.importing import survey

PASTED = """Alliance unlikely
Meick 18 (Ethan Meick, Policy Analyst, 9-2-2018, "China-Russia Ties," The National Interest) ank
While both states may oppose American hegemony, they pursue different objectives.
"""
DEBATESUM_ROW = {"id": "2014OpenEv.x", "source_dataset": "DebateSum", "selections": [], "docs": []}


def _import(runner, *args):
    return runner.invoke(app, ["import", *(str(a) for a in args)])


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        # "line 2: expected a cite line"
        ("manifest.json", b'[\n {"file": "sample.docx"}\n]\n', "a JSON document, not cards"),
        # "not UTF-8 text (byte 1); save it as UTF-8" (a compressed dataset is read now)
        ("rows.jsonl.gz", gzip.compress(b'{"name": "T"}\n', mtime=0), "not OpenDebateEvidence"),
        ("rows.jsonl.gz", gzip.compress(b"{}\n" * 3, mtime=0), "`evcards collection add"),
        (
            "notes.txt",
            gzip.compress(b"text", mtime=0),
            "compressed with gzip; evcards reads files as",
        ),
        ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "save it as .docx"),
        ("brief.pdf", b"%PDF-1.4\n", "paste it into `evcards cut -`"),
        ("brief.pdf", b"plain text named .pdf", "a PDF, which evcards cannot read"),
        # 0 cards, and advice about Heading 4 tags
        ("train.jsonl", json.dumps(DEBATESUM_ROW).encode(), "not OpenDebateEvidence rows"),
        ("train.jsonl", json.dumps(DEBATESUM_ROW).encode(), "id, source_dataset, selections"),
        ("train.jsonl", json.dumps(DEBATESUM_ROW).encode(), "for collections"),
    ],
)
def test_a_file_that_is_not_cards_gets_advice_that_fits(runner, lib, tmp_path, name, content, says):
    (tmp_path / name).write_bytes(content)
    before = snapshot(lib.root)
    result = _import(runner, tmp_path / name)
    assert result.exit_code == 1
    assert says in result.stderr and name in result.stderr
    for wrong in ("cite line", "UTF-8", "Heading 4"):
        assert wrong not in result.stderr
    assert snapshot(lib.root) == before


def test_the_registry_names_the_longest_suffix():
    assert formats.by_suffix("x.jsonl.gz").name == "dataset-gz"
    assert formats.by_suffix("x.gz").name == "gzip"
    assert formats.by_suffix("X.JSONL").name == "jsonl"
    assert formats.by_suffix(".docx") is None  # a hidden file's name is not a suffix
    assert formats.by_suffix("x.csv.zst").name == "dataset-gz"
    # Every refused kind is one the folder import leaves out, and no reader is refused.
    refused = [f for f in formats.FORMATS if f.refusal]
    assert all(f.reader is None and not f.folder_suffixes for f in refused)
    assert formats.binary_kind(b"%PDF-1.7", "a.txt").startswith("a PDF")


def _mixed_folder(root):
    root.mkdir()
    (root / "card.txt").write_text(PASTED, encoding="utf-8")
    (root / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0")
    (root / "a.pdf").write_bytes(b"%PDF")
    (root / "sub").mkdir()
    (root / "sub" / "b.pdf").write_bytes(b"%PDF")
    (root / "sub" / "manifest.json").write_text("{}")
    (root / "rows.jsonl").write_text('{"tag": "T"}\n')  # dataset rows: imported
    (root / "rows.jsonl.gz").write_bytes(gzip.compress(b"{}", mtime=0))  # not: left out
    (root / "sheet.csv").write_text("name,score\nann,3\n")
    (root / "README").write_text("notes")
    # Not counted: hidden files, Word's lock files, anything in a dot-folder.
    (root / ".DS_Store").write_bytes(b"\x00")
    (root / "~$card.docx").write_bytes(b"\x00")
    (root / ".git").mkdir()
    (root / ".git" / "HEAD.txt").write_text("ref: refs/heads/main")
    return root


def test_survey_counts_what_a_folder_import_leaves_out(tmp_path):
    folder = _mixed_folder(tmp_path / "evidence")
    found = survey([str(folder)])
    assert found.files == [str(folder / "card.txt"), str(folder / "rows.jsonl")]
    assert found.left_out == {
        ".csv (not dataset rows)": 1,
        ".doc": 1,
        ".json": 1,
        ".jsonl.gz (not dataset rows)": 1,
        ".pdf": 2,
        "no suffix": 1,
    }
    assert survey([str(folder / "a.pdf")]).left_out == {}  # a file named is not left out


def test_a_folder_import_ends_with_one_line_on_what_it_left_out(runner, lib, tmp_path):
    # It skipped .doc, .pdf, .json and .jsonl without a word; it imports dataset rows now.
    folder = _mixed_folder(tmp_path / "evidence")
    result = _import(runner, folder)
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if line.startswith("Left out")]
    assert lines == [
        "Left out 7 files of the folders: 2 .pdf, 1 .csv (not dataset rows), 1 .doc, 1 .json,"
        " 1 .jsonl.gz (not dataset rows), 1 no suffix; `evcards import FILE` imports one by"
        " name, or says why it cannot"
    ]
    data = runner.invoke(app, ["import", str(folder), "--json"]).stdout
    assert json.loads(data)["left_out"][".pdf"] == 2


def test_a_folder_with_only_cards_has_no_left_out_line(runner, lib, tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "card.txt").write_text(PASTED, encoding="utf-8")
    result = _import(runner, tmp_path / "in")
    assert result.exit_code == 0, result.output
    assert "Left out" not in result.stdout
