"""How fast is `evcards import` on real .docx files, against the floor of a bare lxml walk?

    python bench/import_bench.py [FOLDER] [--jobs N] [--base DIR [--reader-only]]
    (FOLDER: default ../shared/corpus/docx)

(a) opens every .docx, parses word/document.xml with lxml and touches every run's text;
(b) runs the library's `import_paths` into a fresh temporary library (parse in worker
    processes, build cards, write one TOML file per card). The ratio (b)/(a) is what the
    importer costs over parsing; it is printed for wall-clock time and for CPU time (this
    process plus its workers), since wall time on a shared machine measures the neighbours.
(c) runs the reader alone, `read_docx_marked` on every file in this process: the cards and
    their bodies as (text, marks) pairs, nothing rendered or written. (c)/(a) is the
    issue's "reader against the bare lxml walk" (issue 14: at most 2x).
Then one single-process pass times each phase of the import on its own. (a) and (c) are
timed by turns, best of `--rounds`, as CPU time: on a shared machine wall time measures the
neighbours.

`--base DIR` (a checkout of older code: `git archive COMMIT | tar -x -C DIR`) compares the
reader of DIR with this one's: `--rounds` processes each, base and branch by turns, each
timing (a) and (c) of its own code by turns (best of 3), and (c)/(a) is printed for both.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def cpu() -> float:
    """CPU seconds used by this process and by its finished child processes."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def bare_parse(files: list[Path]) -> tuple[float, float, int]:
    from lxml import etree

    wall, used = time.perf_counter(), cpu()
    runs = 0
    for f in files:
        with zipfile.ZipFile(f) as zf:
            root = etree.fromstring(zf.read("word/document.xml"))
        for r in root.iter(W + "r"):
            for t in r.iter(W + "t"):
                _ = t.text
            runs += 1
    return time.perf_counter() - wall, cpu() - used, runs


def reader_alone(files: list[Path]) -> float:
    """CPU seconds for `read_docx_marked` on every file, in this process."""
    from evcards.formats.docx.read import read_docx_marked

    used = cpu()
    for f in files:
        read_docx_marked(f)
    return cpu() - used


def evcards_import(folder: Path, jobs: int | None, into: Path) -> tuple[float, float, object]:
    from evcards.importing import import_paths
    from evcards.store.library import Library

    lib = Library.open(into, create=True)
    wall, used = time.perf_counter(), cpu()
    summary = import_paths(lib, [str(folder)], jobs=jobs)
    return time.perf_counter() - wall, cpu() - used, summary


def phases(files: list[Path], into: Path) -> dict[str, float]:
    """One process, no overlap: where the CPU time goes (the write phase's disk waits are
    not counted; its kernel time is). Each phase is the import's own code: `read_docx_marked` is
    what a worker runs, and its parse (`_parse`) is timed alone to split it from the TOML.
    "xml check" is libxml2 reading document.xml without building a tree (`check_xml`): what
    the import's reader ran before it read the text by patterns (`scan.py`), and now runs
    only when the skeleton it checks instead fails (`scan.proves_well_formed`), so "read +
    cards" (`_parse` less unzip) holds that check and not this one."""
    from evcards.formats.docx import read as docx_read
    from evcards.formats.docx.safe_zip import check_xml, read_docx_parts
    from evcards.store.library import Library, Prepared

    out = dict.fromkeys(("unzip", "xml check", "read + cards", "toml", "write"), 0.0)
    lib = Library.open(into, create=True)
    with lib.lock(), lib.batch() as batch:
        for f in files:
            t0 = time.process_time()
            document, _ = read_docx_parts(f)
            t1 = time.process_time()
            check_xml(document)
            t2 = time.process_time()
            with docx_read._gc_paused():
                docx_read._parse(f, fast=True)  # again from the zip: subtract the above
            t3 = time.process_time()
            prepared = [Prepared.of(c, marked=b) for c, b in docx_read.read_docx_marked(f)]
            t4 = time.process_time()
            for item in prepared:
                batch.add(item)
            t5 = time.process_time()
            out["unzip"] += t1 - t0
            out["xml check"] += t2 - t1
            out["read + cards"] += (t3 - t2) - (t1 - t0)
            out["toml"] += (t4 - t3) - (t3 - t2)
            out["write"] += t5 - t4
        t6 = time.process_time()
    out["write"] += time.process_time() - t6  # the batch's sync and renames
    return out


def one_turn(files: list[Path], rounds: int) -> dict[str, float]:
    """(a) and (c) by turns, best of `rounds`, in this process, for the code on sys.path."""
    import lxml.etree  # noqa: F401

    import evcards.formats.docx.read  # noqa: F401

    a = c = float("inf")
    for _ in range(rounds):
        a = min(a, bare_parse(files)[1])
        cold_caches()
        c = min(c, reader_alone(files))
    return {"a": a, "c": c}


def cold_caches() -> None:
    """Empty every `functools` cache of evcards' modules, so that a round of (c) finds them as
    a fresh import does (the cite parser keeps the cites it read: a second round of the same
    files would find each one there)."""
    for name, module in list(sys.modules.items()):
        if name.startswith("evcards."):
            for value in list(vars(module).values()):
                clear = getattr(value, "cache_clear", None)
                if callable(clear):
                    clear()


def compare(folder: str, base: Path, rounds: int) -> None:
    """(c)/(a) of the base checkout and of this code, each in processes of its own, by turns:
    base, branch, branch, base..., each process timing (a) and (c) by turns, best of 3."""
    import json
    import subprocess

    sides = {"base": base.resolve(), "branch": REPO}
    got: dict[str, list[dict[str, float]]] = {"base": [], "branch": []}
    for k in range(rounds):
        order = ["base", "branch"] if k % 2 == 0 else ["branch", "base"]
        for side in order:
            out = subprocess.run(
                [sys.executable, __file__, folder, "--turn", "--code", str(sides[side])],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            got[side].append(json.loads(out))
    print(f"reader alone against the bare walk, {rounds} processes each by turns, CPU:")
    for side, turns in got.items():
        a, c = min(t["a"] for t in turns), min(t["c"] for t in turns)
        each = sorted(t["c"] / t["a"] for t in turns)
        print(
            f"    {side:>6} ({sides[side]}): (a) {a:.3f}s  (c) {c:.3f}s  best (c)/best (a)"
            f" {c / a:.2f}, per process {each[0]:.2f}-{each[-1]:.2f}  (target <= 2)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder", nargs="?", default=str(REPO.parent / "shared/corpus/docx"))
    parser.add_argument("--jobs", type=int, default=None, help="worker processes for (b)")
    parser.add_argument("--rounds", type=int, default=3, help="turns of (a) and (c)")
    parser.add_argument("--base", type=Path, help="older code to compare the reader with")
    parser.add_argument(
        "--reader-only", action="store_true", help="with --base: stop after the comparison"
    )
    parser.add_argument("--turn", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--code", type=Path, default=REPO, help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.path.insert(0, str(args.code))
    folder = Path(args.folder)
    files = sorted(p for p in folder.rglob("*.docx") if not p.name.startswith("~$"))
    if not files:
        sys.exit(f"no .docx files in {folder}")
    if args.turn:
        import json

        print(json.dumps(one_turn(files, 3)))
        return
    if args.base is not None:
        compare(args.folder, args.base, args.rounds)
        if args.reader_only:
            return
    import lxml.etree  # noqa: F401  (imports kept out of both timings)

    import evcards.formats.docx.read  # noqa: F401

    a_wall, a_cpu, runs = bare_parse(files)
    a_best, c_best = a_cpu, reader_alone(files)
    for _ in range(args.rounds - 1):
        a_best = min(a_best, bare_parse(files)[1])
        cold_caches()
        c_best = min(c_best, reader_alone(files))
    # Nothing is deleted until the end: ext4 avoids reusing an inode freed in the last 60-300
    # s, so creating files right after deleting a library's worth costs several times more
    # kernel time (perf: recently_deleted, find_inode_bit). For the same reason, a run
    # straight after another one measures the previous run's deletions; TMPDIR=/dev/shm
    # takes the disk out of it.
    work = tempfile.TemporaryDirectory()
    b_wall, b_cpu, summary = evcards_import(folder, args.jobs, Path(work.name) / "library")
    print(f"files: {len(files)}  runs: {runs}")
    print(f"(a) bare lxml parse + walk: {a_wall:.3f}s wall  {a_cpu:.3f}s cpu")
    print(f"(b) evcards import:         {b_wall:.3f}s wall  {b_cpu:.3f}s cpu (all processes)")
    print(f"    summary: {summary.as_dict()}")  # type: ignore[attr-defined]
    print("phases, one process, CPU seconds:")
    for phase, secs in phases(files, Path(work.name) / "phases").items():
        print(f"    {phase:>13}: {secs:.3f}s")
    print(f"ratio (b)/(a): {b_wall / a_wall:.2f} wall, {b_cpu / a_cpu:.2f} cpu")
    print(
        f"reader alone, best of {args.rounds} by turns, CPU: (a) {a_best:.3f}s"
        f"  (c) read_docx_marked {c_best:.3f}s  ratio (c)/(a) {c_best / a_best:.2f}  (target <= 2)"
    )
    work.cleanup()


if __name__ == "__main__":
    main()
