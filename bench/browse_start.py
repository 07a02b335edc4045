"""How long `evcards browse QUERY` takes to show its first screen, in a real terminal (tmux),
against `evcards search QUERY` and a bare Textual app in the same terminal, by turns in one
run.

    .venv/bin/python bench/browse_start.py [--library cards] [--runs 10] [--query alliance]

Each run starts the command in a fresh tmux session and reads the pane every 5 ms. For browse
it notes when the screen is first drawn (the search box's border is on the pane) and when
the results are (the status line says how many were found); for search, when its output has
ended; for the bare app (one Static, Textual's own floor), when its text is drawn. The
library's index is built once first, so no run pays for a build. Prints the medians, each as
a ratio to search's and to the bare app's (the same machine, the same load).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EVCARDS = Path(sys.executable).with_name("evcards")
BARE = (
    "from textual.app import App\nfrom textual.widgets import Static\n"
    "class Bare(App):\n    def compose(self):\n        yield Static('bare-app-ready')\n"
    "Bare().run()\n"
)


def pane(session: str) -> str:
    return subprocess.run(
        ["tmux", "capture-pane", "-t", session, "-p"], capture_output=True, text=True
    ).stdout


def timed(command: str, marks: dict[str, str], env: dict[str, str]) -> dict[str, float]:
    """Seconds from starting `command` in a 120x36 tmux pane until each mark's text shows."""
    session = f"evb{os.getpid()}"
    seen: dict[str, float] = {}
    start = time.perf_counter()
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", session, "-x", "120", "-y", "36", command],
        env=env,
        check=True,
    )
    try:
        while len(seen) < len(marks) and time.perf_counter() - start < 30:
            text = pane(session)
            now = time.perf_counter() - start
            for name, needle in marks.items():
                if name not in seen and needle in text:
                    seen[name] = now
            time.sleep(0.005)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
    missing = set(marks) - set(seen)
    if missing:
        raise SystemExit(f"{command}: never showed {missing}; the pane said:\n{text}")
    return seen


def measure(
    n: int, runs: dict[str, list[float]], commands: tuple[str, ...], env: dict[str, str]
) -> None:
    search_cmd, bare_cmd, browse_cmd, q = commands
    for _ in range(n):  # by turns, so a change of load hits all alike
        s = timed(search_cmd, {"done": "search-ended"}, env)
        t = timed(bare_cmd, {"drawn": "bare-app-ready"}, env)
        b = timed(browse_cmd, {"drawn": "▔▔▔", "results": f"found for '{q}'"}, env)
        runs["search"].append(s["done"])
        runs["bare textual"].append(t["drawn"])
        runs["browse drawn"].append(b["drawn"])
        runs["browse results"].append(b["results"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--library", type=Path, default=REPO / "cards")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--query", default="alliance")
    args = parser.parse_args()
    if not shutil.which("tmux"):
        raise SystemExit("tmux is needed (apt-get install tmux)")
    work = Path(tempfile.mkdtemp(prefix="evcards-browse-bench-"))
    lib = work / "library"
    shutil.copytree(args.library, lib, ignore=shutil.ignore_patterns(".evcards"))
    env = {**os.environ, "EVCARDS_HOME": str(work / "home"), "EVCARDS_LIBRARY": str(lib)}
    env.pop("NO_COLOR", None)
    subprocess.run([str(EVCARDS), "index", "rebuild"], env=env, check=True, capture_output=True)
    q = args.query
    browse_cmd = f"{EVCARDS} browse '{q}'"
    search_cmd = f"{EVCARDS} search '{q}'; echo search-ended; sleep 30"
    bare = work / "bare.py"
    bare.write_text(BARE)
    bare_cmd = f"{sys.executable} {bare}"
    runs: dict[str, list[float]] = {
        "search": [],
        "bare textual": [],
        "browse drawn": [],
        "browse results": [],
    }
    # A session that outlives the runs: killing the last session stops the tmux server, and
    # the next run's new-session could race its exit.
    keep = f"evb-keep{os.getpid()}"
    subprocess.run(["tmux", "new-session", "-d", "-s", keep, "sleep 3600"], check=True)
    try:
        measure(args.runs, runs, (search_cmd, bare_cmd, browse_cmd, q), env)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", keep], capture_output=True)
    shutil.rmtree(work, ignore_errors=True)

    base = statistics.median(runs["search"])
    floor = statistics.median(runs["bare textual"])
    cards = len(list(args.library.rglob("*.toml")))
    print(f"{args.runs} runs by turns, {cards} files, load {os.getloadavg()[0]:.1f}")
    for name, times in runs.items():
        med = statistics.median(times)
        print(
            f"{name:15} median {med * 1000:5.0f} ms  min {min(times) * 1000:5.0f} ms"
            f"  {med / base:5.2f}x evcards search  {med / floor:5.2f}x bare textual"
        )


if __name__ == "__main__":
    main()
