"""How soon `evcards mark` shows its first screen, in a real terminal (tmux), against
`evcards show` of the same card in the same terminal, by turns.

    python bench/mark_start.py [--card 62e6] [--runs 10] [--library cards]

Each run starts the command in a tmux pane (120x40, a tmux server of the script's own) and
polls the screen every 5 ms until the command's first screen is there: for `mark`, its
footer ("words read"); for `show --no-pager`, its last line ("wpm"). A copy of the library
is used, so the starter library's index is never touched. The times include starting
Python and evcards; the ratio is mark's p50 over show's.
"""

from __future__ import annotations

import argparse
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
    line = shlex.join(["env", *(f"{k}={v}" for k, v in env.items()), *command])
    started = time.perf_counter()
    tmux(socket, "respawn-pane", "-k", "-t", "b", f"{line}; sleep 60")
    while ready not in tmux(socket, "capture-pane", "-p", "-t", "b"):
        if time.perf_counter() - started > 30:
            raise SystemExit(f"{command}: {ready!r} never appeared")
        time.sleep(0.005)
    elapsed = time.perf_counter() - started
    tmux(socket, "send-keys", "-t", "b", "q")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--card", default="62e6")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--library", type=Path, default=REPO / "cards")
    args = parser.parse_args()
    if shutil.which("tmux") is None:
        raise SystemExit("tmux is not installed (apt-get install tmux)")
    work = Path(tempfile.mkdtemp(prefix="evcards-mark-bench-"))
    shutil.copytree(args.library, work / "lib", ignore=shutil.ignore_patterns(".evcards"))
    env = {"EVCARDS_LIBRARY": str(work / "lib"), "EVCARDS_HOME": str(work / "home")}
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
        shutil.rmtree(work, ignore_errors=True)
    p50 = {name: statistics.median(values) for name, values in times.items()}
    for name, values in times.items():
        print(
            f"{name:5} p50 {p50[name] * 1000:6.0f} ms  min {min(values) * 1000:6.0f} ms"
            f"  max {max(values) * 1000:6.0f} ms  ({len(values)} runs)"
        )
    print(f"mark / show (p50): {p50['mark'] / p50['show']:.2f}x")


if __name__ == "__main__":
    main()
