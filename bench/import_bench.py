"""How fast is `evcards import` on real .docx files, against the floor of a bare lxml walk?

    python bench/import_bench.py [FOLDER]      (default ../shared/corpus/docx)

(a) opens every .docx, parses word/document.xml with lxml and touches every run's text;
(b) runs the library's `import_paths` into a fresh temporary library (parse, build cards,
write one TOML file per card). The ratio (b)/(a) is what the importer costs over parsing.
"""

from __future__ import annotations

import sys
import tempfile
import time
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def bare_parse(files: list[Path]) -> tuple[float, int]:
    from lxml import etree

    start = time.perf_counter()
    runs = 0
    for f in files:
        with zipfile.ZipFile(f) as zf:
            root = etree.fromstring(zf.read("word/document.xml"))
        for r in root.iter(W + "r"):
            for t in r.iter(W + "t"):
                _ = t.text
            runs += 1
    return time.perf_counter() - start, runs


def evcards_import(folder: Path) -> tuple[float, object]:
    from evcards.importing import import_paths
    from evcards.library import Library

    with tempfile.TemporaryDirectory() as tmp:
        lib = Library.open(Path(tmp) / "library", create=True)
        start = time.perf_counter()
        summary = import_paths(lib, [str(folder)])
        return time.perf_counter() - start, summary


def main() -> None:
    default = REPO.parent / "shared" / "corpus" / "docx"
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else default
    files = sorted(p for p in folder.rglob("*.docx") if not p.name.startswith("~$"))
    if not files:
        sys.exit(f"no .docx files in {folder}")
    import evcards.docx_import  # noqa: F401  (imports out of the timings, like lxml in (a))
    import lxml.etree  # noqa: F401

    a, runs = bare_parse(files)
    b, summary = evcards_import(folder)
    print(f"files: {len(files)}  runs: {runs}")
    print(f"(a) bare lxml parse + walk: {a:.3f}s  ({a / len(files) * 1000:.1f} ms/file)")
    print(f"(b) evcards import:         {b:.3f}s  ({b / len(files) * 1000:.1f} ms/file)")
    print(f"    summary: {summary.as_dict()}")  # type: ignore[attr-defined]
    for phase, secs in sorted(getattr(summary, "phases", {}).items()):
        print(f"    {phase:>8}: {secs:.3f}s")
    print(f"ratio (b)/(a): {b / a:.2f}  (target <= 2)")


if __name__ == "__main__":
    main()
