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
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, sys.argv[2] if len(sys.argv) > 2 else str(REPO))

from import_bench import bare_parse  # noqa: E402  (the walk (a) times; this folder is first)

import evcards.formats.docx.read as docx_read  # noqa: E402

CORPUS = REPO.parent / "shared/corpus/docx"


def main() -> None:
    mode = sys.argv[1]
    files = sorted(p for p in CORPUS.rglob("*.docx") if not p.name.startswith("~$"))
    if mode == "a":
        bare_parse(files)
    elif mode == "c":
        for f in files:
            docx_read.read_docx_marked(f)
    elif mode != "none":
        sys.exit(f"MODE is a, c or none, not {mode!r}")


if __name__ == "__main__":
    main()
