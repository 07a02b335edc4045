"""The format registry (evcards/formats/__init__.py): every entry resolves, and it is cheap."""

from __future__ import annotations

import subprocess
import sys

import pytest

from evcards import formats


@pytest.mark.parametrize("fmt", formats.FORMATS, ids=lambda f: f.name)
def test_each_reader_and_writer_names_a_function(fmt):
    for ref in (fmt.reader, fmt.writer, fmt.marked_reader):
        if ref is not None:
            assert callable(formats.load(ref)), ref
    assert fmt.suffixes and all(s.startswith(".") and s == s.lower() for s in fmt.suffixes)
    assert set(fmt.folder_suffixes) <= set(fmt.suffixes)
    assert set(fmt.options) <= {"flat", "read", "cite_request", "title", "page_breaks"}


def test_names_and_suffixes_are_unique():
    suffixes = [s for f in formats.FORMATS for s in f.suffixes]
    assert len(set(formats.NAMES)) == len(formats.NAMES)
    assert len(set(suffixes)) == len(suffixes)
    assert formats.get(formats.FALLBACK).reader


def test_the_registry_imports_no_format_module():
    code = (
        "import sys, evcards.formats\n"
        "print(sorted(m for m in sys.modules if m.startswith('evcards.formats.')"
        " or m.split('.')[0] in ('lxml', 'docx', 'trafilatura', 'pydantic')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
