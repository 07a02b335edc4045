"""Every cite of the shared corpus as the cite parser reads it, as digests: what
`test_cite_fast.py` holds the parser to.

    .venv/bin/python tests/cite_golden.py [--write]

The inputs are the cite parser's on the corpus (../shared/corpus): the runs the .docx reader
hands `parse_cite_runs` for each cite, the same paragraphs as one text (`parse_cite`), each
card's cite paragraph as `citeline.reparsed` builds it (what a dataset row's cite goes
through), and DebateSum's `Citation` column. For each source the digest is a SHA-256 of every
parse's `repr` with its spans, in order. `--write` records them in tests/data/cite_golden.json
(digests only: no corpus text is kept); without it the script prints them. The recorded file
was written by the parser before its fast paths (main at 7679b90, `git archive` into a folder
and run with PYTHONPATH set to it).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
GOLDEN = HERE / "data" / "cite_golden.json"
CORPUS = HERE.parents[0].parent / "shared" / "corpus"

Run = tuple[str, bool, bool]


def docx_runs(folder: Path) -> list[tuple[Run, ...]]:
    """The runs of every cite the .docx reader parses, in the order it parses them."""
    from evcards.core import citeparse
    from evcards.formats.docx import read, runs, structure

    seen: list[tuple[Run, ...]] = []

    def recording(given: Any) -> citeparse.ParsedCite:
        given = tuple(given)
        seen.append(given)
        return citeparse.parse_cite_runs(given)

    saved = runs.parse_cite_runs, structure.parse_cite_runs
    runs.parse_cite_runs = structure.parse_cite_runs = recording
    try:
        for path in sorted(folder.glob("*.docx")):
            list(read.read_docx_marked(path))
    finally:
        runs.parse_cite_runs, structure.parse_cite_runs = saved
    return seen


def paragraph_runs(folder: Path) -> list[tuple[Run, ...]]:
    """Each card's cite paragraph as runs, as `citeline.reparsed` parses it."""
    from evcards.core import citeline
    from evcards.formats.docx.read import read_docx_marked

    out = []
    for path in sorted(folder.glob("*.docx")):
        for card, _ in read_docx_marked(path):
            out.append(tuple(citeline.paragraph_runs(card.cite)))
    return out


def debatesum_texts(path: Path) -> list[str]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return [json.loads(line)["source_sample"]["Citation"] for line in f]


def inputs(corpus: Path) -> dict[str, tuple[str, list[Any]]]:
    """Each source's inputs and the parser function ('runs' or 'text') that reads them."""
    cites = docx_runs(corpus / "docx")
    return {
        "docx_runs": ("runs", cites),
        "docx_text": ("text", ["".join(r[0] for r in runs) for runs in cites]),
        "paragraphs": ("runs", paragraph_runs(corpus / "docx")),
        "debatesum": ("text", debatesum_texts(corpus / "debatesum" / "train-DebateSum.jsonl.gz")),
    }


def outputs(kind: str, items: list[Any]) -> Iterator[str]:
    """Each parse as text: the ParsedCite's repr and its spans."""
    from evcards.core.citeparse import parse_cite, parse_cite_runs

    parse: Callable[[Any], Any] = parse_cite_runs if kind == "runs" else parse_cite
    for item in items:
        p = parse(item)
        yield repr((p, p.spans))


def digests(corpus: Path) -> dict[str, dict[str, Any]]:
    out = {}
    for source, (kind, items) in inputs(corpus).items():
        h = hashlib.sha256()
        for text in outputs(kind, items):
            h.update(text.encode("utf-8", "surrogatepass") + b"\0")
        out[source] = {"count": len(items), "sha256": h.hexdigest()}
    return out


def each_alike(corpus: Path, both: Callable[[Any, Any], tuple[str, str]]) -> int:
    """Each corpus cite parsed by `both(parse, item)` (the fast parser's output, a
    reference's): asserts the two agree, naming the cite where not; how many there were."""
    from evcards.core.citeparse import parse_cite, parse_cite_runs

    n = 0
    for kind, items in inputs(corpus).values():
        parse = parse_cite_runs if kind == "runs" else parse_cite
        for item in items:
            fast, old = both(parse, item)
            assert fast == old, item
            n += 1
    return n


def main() -> int:
    found = digests(CORPUS)
    if "--write" in sys.argv[1:]:
        GOLDEN.write_text(json.dumps(found, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(found, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
