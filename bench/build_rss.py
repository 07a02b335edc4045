"""A library rebuild's memory, the process tree whole: `evcards index rebuild` of a library
whose index is first moved aside, every process's /proc sampled every half second. Prints
the build's time and rate, each process's peak RssAnon, RssFile and VmHWM (as
bench/collection_rss.py does), and the peak over the run of the tree's **Pss_Anon** summed
(smaps_rollup: each anonymous page divided among the processes that share it, so the reader
processes forked from the builder are not counted once per process): the memory the build
needs. RssFile is tantivy's segment files mapped while it merges them, page cache that the
kernel can drop and read again. Linux only.

    nice .venv/bin/python bench/build_rss.py LIB [--code CHECKOUT]

`--code` runs another checkout's evcards (PYTHONPATH) on the same library, for a before and
after; the library's `.evcards` is set aside and put back when the run ends, unless `--keep`
keeps the new one (and drops the old).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from collection_rss import FIELDS, _status, _tree  # noqa: E402


def _pss_anon(pid: int) -> int:
    """A process's Pss_Anon in KB (0 once it has ended)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss_Anon:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def folder_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("lib", type=Path)
    p.add_argument("--code", type=Path, help="a checkout whose evcards to run (default: this)")
    p.add_argument("--keep", action="store_true", help="keep the index this run builds")
    args = p.parse_args()
    state = args.lib / ".evcards"
    aside = args.lib.with_name(args.lib.name + ".evcards-aside")
    if state.exists():
        if aside.exists():
            sys.exit(f"{aside} exists: put it back or remove it first")
        state.rename(aside)
    env = dict(os.environ)
    code = (args.code or Path(__file__).resolve().parents[1]).resolve()
    env["PYTHONPATH"] = str(code)
    cards = sum(1 for e in os.scandir(args.lib) if e.name.endswith(".toml") and e.name[0] != ".")
    cmd = [sys.executable, "-m", "evcards", "index", "rebuild"]
    t0 = time.perf_counter()
    try:
        proc = subprocess.Popen(cmd, env=env, cwd=args.lib, stdout=subprocess.DEVNULL)
        peaks: dict[tuple[int, str], tuple[int, float]] = {}
        tree_peak = (0, 0.0)
        while proc.poll() is None:
            pids = _tree(proc.pid)
            pss = sum(_pss_anon(pid) for pid in pids) // 1024
            if pss > tree_peak[0]:
                tree_peak = (pss, time.perf_counter() - t0)
            for pid in pids:
                for name, mb in _status(pid).items():
                    if mb > peaks.get((pid, name), (-1, 0.0))[0]:
                        peaks[(pid, name)] = (mb, time.perf_counter() - t0)
            time.sleep(0.5)
        took = time.perf_counter() - t0
        print(f"code {code}: exit {proc.returncode} after {took:.1f} s, {cards:,} card files,")
        print(f"  {cards / took:,.0f} cards/s; index {folder_mb(state):,.0f} MB")
        print(f"  the tree's Pss_Anon at most {tree_peak[0]:,} MB (at {tree_peak[1]:.0f} s)")
        for pid in sorted({pid for pid, _ in peaks}):
            role = "builder" if pid == proc.pid else "child"
            parts = [
                f"{name} {peaks[(pid, name)][0]:,} MB" for name in FIELDS if (pid, name) in peaks
            ]
            print(f"  {role} {pid}: " + ", ".join(parts))
    finally:
        if aside.exists() and args.keep and state.exists():
            shutil.rmtree(aside)
        elif aside.exists():
            shutil.rmtree(state, ignore_errors=True)
            aside.rename(state)


if __name__ == "__main__":
    main()
