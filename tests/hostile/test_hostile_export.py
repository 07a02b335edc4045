"""Export to paths that exist, are folders, or cannot be written: a clean error, nothing lost."""

from __future__ import annotations

import os

import pytest
from harness import assert_clean_failure, evcards

from evcards.core.markup import parse
from evcards.core.models import new_card
from evcards.store.library import Library


@pytest.fixture
def lib(tmp_path):
    lib = Library.open(tmp_path / "library", create=True)
    lib.add(new_card(tag="Tag", cite={"short": "A 19"}, body=parse("_==body==_")))
    return lib


def test_export_over_existing_file(lib, tmp_path):
    out_file = tmp_path / "speech.docx"
    out_file.write_bytes(b"my speech doc, not to be lost")
    out = evcards("export", "-o", out_file, library=lib.root)
    assert_clean_failure(out, "--force")
    assert out_file.read_bytes() == b"my speech doc, not to be lost"


def test_export_to_a_directory(lib, tmp_path):
    folder = tmp_path / "out.docx"
    folder.mkdir()
    out = evcards("export", "-o", folder, library=lib.root)
    assert_clean_failure(out, "folder")
    assert folder.is_dir() and not list(folder.iterdir())


def test_export_into_missing_folder(lib, tmp_path):
    out = evcards("export", "-o", tmp_path / "nope" / "x.html", library=lib.root)
    assert out.code in (1, 2) and "Traceback" not in out.stderr
    assert not (tmp_path / "nope").exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes anywhere")
def test_export_into_read_only_folder(lib, tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    out = evcards("export", "-o", ro / "x.html", library=lib.root)
    assert_clean_failure(out, "x.html")


def test_export_docx_to_stdout_refused(lib):
    out = evcards("export", "-f", "docx", "-o", "-", library=lib.root)
    assert out.code in (1, 2) and "Traceback" not in out.stderr
    assert "docx" in out.stderr


def test_export_unknown_format(lib, tmp_path):
    out = evcards("export", "-o", tmp_path / "x.pdf", library=lib.root)
    assert out.code in (1, 2) and "Traceback" not in out.stderr
    assert not (tmp_path / "x.pdf").exists()
