"""How fast does Ctrl-C stop `evcards import`, and what does it leave behind?

    python bench/interrupt_bench.py [FOLDER] [--rounds N] [--staged K]
                                                  (default ../shared/corpus/docx, K = 1)

Each round starts `evcards import FOLDER` in a fresh library, in a session of its own, waits
until its workers have staged K card files (so that the interrupt lands mid-import), sends
SIGINT to the whole process group (what a terminal's Ctrl-C does), and times how long every
process of the group takes to end. Printed against the baseline of the same run: an import of
the folder left to finish. Also timed: until the staged files are gone (the folder is renamed
aside at once and emptied by a process of its own); counted: staging files left, card files
kept; shown: the `Interrupted:` line.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def start(folder: Path, library: Path) -> subprocess.Popen[str]:
    env = dict(os.environ, EVCARDS_LIBRARY=str(library))
    env.pop("EVCARDS_DEBUG", None)
    return subprocess.Popen(
        [sys.executable, "-m", "evcards", "import", str(folder)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        cwd=REPO,
    )


def group_gone(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return True
    return False


def one_round(folder: Path, library: Path, wanted: int) -> dict[str, object]:
    proc = start(folder, library)
    staging = library / ".evcards" / "staging"
    while not (staging.is_dir() and sum(1 for _ in staging.iterdir()) >= wanted):
        if proc.poll() is not None:
            raise SystemExit("the import ended before it staged a file; give a bigger folder")
        time.sleep(0.002)
    staged = sum(1 for _ in staging.iterdir())
    sent = time.perf_counter()
    os.killpg(proc.pid, signal.SIGINT)
    _out, err = proc.communicate()
    main_exit = time.perf_counter() - sent
    while not group_gone(proc.pid):
        time.sleep(0.001)
    all_exit = time.perf_counter() - sent
    state = library / ".evcards"
    while any(state.glob("staging.discarded-*")):  # removed by a process of its own
        time.sleep(0.001)
    removed = time.perf_counter() - sent
    kept = [p for p in library.glob("*.toml") if not p.name.startswith(".")]
    return {
        "code": proc.returncode,
        "main": main_exit,
        "all": all_exit,
        "removed": removed,
        "staged": staged,
        "left": sum(1 for _ in staging.glob("*")),
        "kept": len(kept),
        "line": err.strip().splitlines()[-1] if err.strip() else "",
    }


def full_import(folder: Path, library: Path) -> float:
    began = time.perf_counter()
    proc = start(folder, library)
    proc.communicate()
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("folder", nargs="?", default=str(REPO.parent / "shared/corpus/docx"))
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--staged", type=int, default=1, help="staged files before SIGINT")
    args = parser.parse_args()
    folder = Path(args.folder)
    work = Path(tempfile.mkdtemp(prefix="evcards-interrupt-"))
    try:
        baseline = full_import(folder, work / "full")
        rounds = []
        for n in range(args.rounds):
            rounds.append(one_round(folder, work / f"lib-{n}", args.staged))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    mains = [float(r["main"]) for r in rounds]  # type: ignore[arg-type]
    alls = [float(r["all"]) for r in rounds]  # type: ignore[arg-type]
    removed = [float(r["removed"]) for r in rounds]  # type: ignore[arg-type]
    print(f"folder: {folder} ({sum(1 for _ in folder.glob('*.docx'))} .docx)")
    print(f"baseline: the whole import {baseline:.2f} s")
    print(
        f"SIGINT to exit over {len(rounds)} rounds: main process p50 {statistics.median(mains):.3f}"
        f" s, max {max(mains):.3f} s; every process of the group max {max(alls):.3f} s"
        f" ({max(alls) / baseline:.1%} of the whole import); staged files all removed"
        f" p50 {statistics.median(removed):.3f} s, max {max(removed):.3f} s"
    )
    for r in rounds:
        print(
            f"  exit {r['code']}  staged at SIGINT {r['staged']}  left {r['left']}"
            f"  cards kept {r['kept']}  {r['line']}"
        )


if __name__ == "__main__":
    main()
