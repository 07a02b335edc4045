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
# Run in the pane in place of `evcards browse` (or the bare app): the same program, which
# writes the CPU seconds the process (every thread) has used at its first frame, once the list
# of results is drawn and once the first card's preview is, to the file $PROBE_OUT, then quits.
# CPU time hardly depends on how many other processes share the cores; wall time does.
PROBE = """
import os, sys, time
out = os.environ["PROBE_OUT"]
def note(*names):
    with open(out, "a") as f:
        f.write(" ".join(names) + " " + repr(time.process_time()) + "\\n")
if sys.argv[1] == "bare":
    from textual.app import App
    from textual.widgets import Static
    class Bare(App):
        def compose(self):
            yield Static("bare")
        def on_mount(self):
            self.call_after_refresh(lambda: (note("bare-frame"), self.exit()))
    Bare().run()
    raise SystemExit
import evcards.tui.browse as b
mount, show, preview = b.BrowseScreen.on_mount, b.BrowseScreen._show, b.BrowseScreen._preview
def on_mount(self):
    mount(self)
    self.call_after_refresh(lambda: note("browse-frame"))
def _show(self, *args):
    # Asked first, so it runs before the preview that _show asks for after the same frame.
    self.call_after_refresh(lambda: note("browse-list"))
    show(self, *args)
def _preview(self, row):
    preview(self, row)
    if row is not None:
        self.call_after_refresh(lambda: (note("browse-preview"), self.app.exit()))
b.BrowseScreen.on_mount, b.BrowseScreen._show, b.BrowseScreen._preview = on_mount, _show, _preview
sys.argv = ["evcards", "browse", sys.argv[1]]
from evcards.cli import main
main()
"""


def pane(session: str) -> str:
    return subprocess.run(
        ["tmux", "capture-pane", "-t", session, "-p"], capture_output=True, text=True
    ).stdout


def timed(command: str, marks: dict[str, str], env: dict[str, str]) -> dict[str, float]:
    """Seconds from starting `command` in a 120x36 tmux pane until each mark's text shows."""
    session = f"evb{os.getpid()}"
    seen: dict[str, float] = {}
    start = time.perf_counter()
    # A new session's environment is the tmux server's, not this process's: pass ours.
    given = [f"-e{k}={v}" for k, v in env.items() if k.startswith(("EVCARDS_", "PROBE_"))]
    size = ["-x", "120", "-y", "36"]
    subprocess.run(["tmux", "new-session", "-d", "-s", session, *size, *given, command], check=True)
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


def cpu_of(argv: list[str], env: dict[str, str]) -> float:
    """CPU seconds (user + system) a command takes, from the kernel's account of the child."""
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, _, usage = os.wait4(proc.pid, 0)
    return usage.ru_utime + usage.ru_stime


def probed(probe: Path, arg: str, env: dict[str, str]) -> dict[str, float]:
    """The CPU seconds PROBE notes, run in a pane as `evcards browse` would be."""
    out = probe.with_suffix(".out")
    out.unlink(missing_ok=True)
    timed(
        f"{sys.executable} {probe} '{arg}'; echo probe-ended; sleep 30",
        {"end": "probe-ended"},
        {**env, "PROBE_OUT": str(out)},
    )
    return {
        name: float(value)
        for name, value in (line.split() for line in out.read_text().splitlines())
    }


def measure_cpu(n: int, probe: Path, q: str, env: dict[str, str]) -> None:
    runs: dict[str, list[float]] = {}
    for _ in range(n):
        runs.setdefault("search", []).append(cpu_of([str(EVCARDS), "search", q], env))
        for name, value in {**probed(probe, "bare", env), **probed(probe, q, env)}.items():
            runs.setdefault(name, []).append(value)
    base = statistics.median(runs["search"])
    floor = statistics.median(runs["bare-frame"])
    print("CPU seconds (every thread), medians:")
    for name, times in runs.items():
        med = statistics.median(times)
        print(
            f"{name:15} median {med * 1000:5.0f} ms  min {min(times) * 1000:5.0f} ms"
            f"  {med / base:5.2f}x evcards search  {med / floor:5.2f}x bare textual"
        )


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
        probe = work / "probe.py"
        probe.write_text(PROBE)
        report(args.runs, runs, len(list(args.library.rglob("*.toml"))))
        measure_cpu(args.runs, probe, q, env)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", keep], capture_output=True)
    shutil.rmtree(work, ignore_errors=True)


def report(n: int, runs: dict[str, list[float]], cards: int) -> None:

    base = statistics.median(runs["search"])
    floor = statistics.median(runs["bare textual"])
    print(f"{n} runs by turns, {cards} files, load {os.getloadavg()[0]:.1f}; wall time, medians:")
    for name, times in runs.items():
        med = statistics.median(times)
        print(
            f"{name:15} median {med * 1000:5.0f} ms  min {min(times) * 1000:5.0f} ms"
            f"  {med / base:5.2f}x evcards search  {med / floor:5.2f}x bare textual"
        )


if __name__ == "__main__":
    main()
