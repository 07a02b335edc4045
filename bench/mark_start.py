"""How soon `evcards mark` shows its first screen, in a real terminal (tmux), against
`evcards show` of the same card in the same terminal, by turns.

    python bench/mark_start.py [--card 62e6] [--runs 10] [--library cards]

Each run starts the command in a tmux pane (120x40, a tmux server of the script's own) and
polls the screen every 5 ms until the command's first screen is there: for `mark`, its
footer ("words read"); for `show --no-pager`, its last line ("wpm"). A copy of the library
is used, so the starter library's index is never touched. The times include starting
Python and evcards; the ratio is mark's p50 over show's.

Then the CPU seconds each takes, which a loaded machine inflates less than the wall clock:
`show` piped to /dev/null, against the mark screen brought up headless (Textual's
`run_test`, the same code from the command's module to the first frame) in a fresh process.
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def tmux(socket: str, *args: str) -> str:
    done = subprocess.run(["tmux", "-L", socket, *args], capture_output=True, text=True)
    return done.stdout


def first_screen(socket: str, command: list[str], env: dict[str, str], ready: str) -> float:
    line = shlex.join(
        ["env", "-u", "PYTHONDONTWRITEBYTECODE", *(f"{k}={v}" for k, v in env.items()), *command]
    )
    started = time.perf_counter()
    tmux(socket, "respawn-pane", "-k", "-t", "b", f"{line}; sleep 60")
    while ready not in tmux(socket, "capture-pane", "-p", "-t", "b"):
        if time.perf_counter() - started > 30:
            raise SystemExit(f"{command}: {ready!r} never appeared")
        time.sleep(0.005)
    elapsed = time.perf_counter() - started
    tmux(socket, "send-keys", "-t", "b", "q")
    return elapsed


HEADLESS = """
import asyncio, sys
from pathlib import Path
import evcards.cli.tui
from evcards.store.library import Library
from evcards.tui.mark import MarkApp
lib = Library.open(Path(sys.argv[1]))
path, _ = lib.resolve(sys.argv[2])
app = MarkApp(lib.root, str(path))
async def main():
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
asyncio.run(main())
"""


def cpu(command: list[str], env: dict[str, str]) -> float:
    """User + system CPU seconds of one run of `command`, output discarded."""
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"{command} failed")
    return usage.ru_utime + usage.ru_stime


def report(times: dict[str, list[float]], unit: str) -> None:
    p50 = {name: statistics.median(values) for name, values in times.items()}
    for name, values in times.items():
        print(
            f"{name:5} p50 {p50[name] * 1000:6.0f} ms{unit}  min {min(values) * 1000:6.0f}"
            f"  max {max(values) * 1000:6.0f}  ({len(values)} runs)"
        )
    print(f"mark / show (p50): {p50['mark'] / p50['show']:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--card", default="62e6")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--library", type=Path, default=REPO / "cards")
    args = parser.parse_args()
    if shutil.which("tmux") is None:
        raise SystemExit("tmux is not installed (apt-get install tmux)")
    work = Path(tempfile.mkdtemp(prefix="evcards-mark-bench-"))
    lib = work / "lib"
    shutil.copytree(args.library, lib, ignore=shutil.ignore_patterns(".evcards"))
    env = {"EVCARDS_LIBRARY": str(lib), "EVCARDS_HOME": str(work / "home")}
    # As installed: bytecode cached (a shell with PYTHONDONTWRITEBYTECODE=1 compiles every
    # module of evcards at every start), and written by one warm-up run of each.
    envs = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"} | env
    cpu([sys.executable, "-m", "evcards", "show", args.card, "--no-pager"], envs)
    cpu([sys.executable, "-c", HEADLESS, str(lib), args.card], envs)
    socket = f"evcards-mark-bench-{work.name}"
    tmux(socket, "new-session", "-d", "-x", "120", "-y", "40", "-s", "b", "sleep 600")
    evcards = [sys.executable, "-m", "evcards"]
    times: dict[str, list[float]] = {"show": [], "mark": []}
    try:
        for _ in range(args.runs):  # by turns, so the machine's load falls on both alike
            show = [*evcards, "show", args.card, "--no-pager"]
            times["show"].append(first_screen(socket, show, env, "wpm"))
            mark = [*evcards, "mark", args.card]
            times["mark"].append(first_screen(socket, mark, env, "words read"))
    finally:
        tmux(socket, "kill-server")
    print("wall clock to the first screen, in tmux:")
    report(times, "")
    cpus: dict[str, list[float]] = {"show": [], "mark": []}
    for _ in range(args.runs):
        cpus["show"].append(cpu([*evcards, "show", args.card, "--no-pager"], envs))
        cpus["mark"].append(cpu([sys.executable, "-c", HEADLESS, str(lib), args.card], envs))
    shutil.rmtree(work, ignore_errors=True)
    print("CPU to the first screen (mark headless):")
    report(cpus, " cpu")


if __name__ == "__main__":
    main()
