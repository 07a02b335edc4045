"""Work whose instructions are counted: the bare walk or the reader over the corpus, once.

    valgrind --tool=cachegrind --cache-sim=no python bench/reader_instructions.py MODE [CODE]

MODE `a` is import_bench's (a), the bare lxml walk of every document.xml; `c` its (c),
`read_docx_marked` of every file; `none` the same process doing neither (imports only),
whose count is taken off the other two. CODE is the tree whose `evcards` is read (default:
this one; `git archive` another into a folder to count it). Counts are deterministic, so
they compare two trees on a machine too busy for the clock to.
"""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, sys.argv[2] if len(sys.argv) > 2 else str(REPO))

from lxml import etree  # noqa: E402

import evcards.formats.docx.read as docx_read  # noqa: E402

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
CORPUS = REPO.parent / "shared/corpus/docx"


def main() -> None:
    mode = sys.argv[1]
    files = sorted(p for p in CORPUS.rglob("*.docx") if not p.name.startswith("~$"))
    if mode == "a":
        for f in files:
            with zipfile.ZipFile(f) as zf:
                root = etree.fromstring(zf.read("word/document.xml"))
            for r in root.iter(W + "r"):
                for t in r.iter(W + "t"):
                    _ = t.text
    elif mode == "c":
        for f in files:
            docx_read.read_docx_marked(f)
    elif mode != "none":
        sys.exit(f"MODE is a, c or none, not {mode!r}")


if __name__ == "__main__":
    main()
