"""CLI start-up benchmark: wall time of a few everyday commands against a bare `import typer`.

    python bench/cli_bench.py [--n 20] [--pipe] [--also OTHER_VENV/bin/python]

Runs each command N times in fresh subprocesses of this interpreter's venv (and of each --also
venv), on a copy of the bundled starter library (cards/, 7 cards; copied so the repo's cards/
gets no index), rounds interleaved so that machine noise hits every command alike. Output goes
to a pseudo-terminal by default, as for a user at a terminal (colour, the Rich table as drawn);
--pipe sends it to a pipe, as in `evcards list | less`. Prints p50/p95 per command and each p50
over the p50 of the baseline `python -c "import typer"` (issue 4's target: search <= 2x), for
wall time and for the process's own CPU time (user + system), which a busy shared machine
disturbs less.
"""

from __future__ import annotations

import argparse
import errno
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


Run = tuple[float, float]  # (wall, CPU) seconds


def finish(proc: subprocess.Popen[bytes], cmd: list[str], start: float) -> Run:
    # wait4 rather than wait: the child's own CPU time, which the neighbours' load on a shared
    # machine disturbs far less than wall time.
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{cmd} exited {proc.returncode}")
    return wall, usage.ru_utime + usage.ru_stime


def run_pipe(cmd: list[str], env: dict[str, str]) -> Run:
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return finish(proc, cmd, start)


def run_tty(cmd: list[str], env: dict[str, str]) -> Run:
    import pty

    master, slave = pty.openpty()
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=slave, stderr=subprocess.DEVNULL)
    os.close(slave)
    try:
        while True:  # drain, or a long card would block the child on a full pty buffer
            try:
                if not os.read(master, 65536):
                    break
            except OSError as e:
                if e.errno != errno.EIO:  # EIO: the child closed its end
                    raise
                break
    finally:
        os.close(master)
    return finish(proc, cmd, start)


def pct(xs: list[float], p: int) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(p / 100 * (len(xs) - 1)))]


def commands_of(py: str, card_id: str) -> dict[str, list[str]]:
    evcards = str(Path(py).parent / "evcards")
    if not Path(evcards).exists():
        raise SystemExit(f"no {evcards}: run with a venv's python after `pip install -e .`")
    return {
        'python -c "import typer"': [py, "-c", "import typer"],
        "evcards --help": [evcards, "--help"],
        "evcards search alliance": [evcards, "search", "alliance"],
        f"evcards show {card_id[:8]}": [evcards, "show", card_id[:8]],
        "evcards list": [evcards, "list"],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=20, help="runs of each command (default 20)")
    ap.add_argument("--pipe", action="store_true", help="stdout to a pipe, not a terminal")
    ap.add_argument(
        "--also",
        action="append",
        default=[],
        metavar="PYTHON",
        help="another venv's python (say, an older checkout's) measured interleaved with this one",
    )
    args = ap.parse_args()
    run = run_pipe if args.pipe else run_tty
    pythons = [sys.executable, *args.also]
    card_id = min(p.stem.rsplit("-", 1)[-1] for p in (REPO / "cards").glob("[!.]*.toml"))

    with tempfile.TemporaryDirectory(prefix="evcards-cli-bench-") as tmp:
        jobs = []  # (python, command name, argv, env)
        for i, py in enumerate(pythons):
            # A library per venv: two versions sharing one index could rebuild it in turn.
            lib = Path(tmp) / f"cards-{i}"
            shutil.copytree(REPO / "cards", lib, ignore=shutil.ignore_patterns(".evcards"))
            env = {
                **os.environ,
                "EVCARDS_LIBRARY": str(lib),
                "EVCARDS_HOME": str(Path(tmp) / f"home-{i}"),
                "COLUMNS": "100",
                "LINES": "40",
            }
            env.pop("EVCARDS_DEBUG", None)
            # An installed evcards runs from cached bytecode; without it, compiling evcards'
            # own modules on every run (about 25 ms) would swamp what this measures. The
            # warm-up writes the cache.
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            jobs += [(py, name, cmd, env) for name, cmd in commands_of(py, card_id).items()]
        for _, _, cmd, env in jobs:  # warm-up: page cache, .pyc files, the index build
            run(cmd, env)
        walls: dict[tuple[str, str], list[float]] = {(py, name): [] for py, name, _, _ in jobs}
        cpus: dict[tuple[str, str], list[float]] = {key: [] for key in walls}
        for _ in range(args.n):
            for py, name, cmd, env in jobs:
                wall, cpu = run(cmd, env)
                walls[py, name].append(wall)
                cpus[py, name].append(cpu)

    mode = "pipe" if args.pipe else "terminal"
    print(f"{args.n} runs each, interleaved, stdout to a {mode}; Python {sys.version.split()[0]}")
    for py in pythons:
        base = (py, 'python -c "import typer"')
        base_wall, base_cpu = statistics.median(walls[base]), statistics.median(cpus[base])
        print(f"\n{py}")
        print(f"{'':<28} {'wall p50':>8} {'p95':>6} {'x typer':>7}   {'CPU p50':>7} {'x typer':>7}")
        for (p, name), xs in walls.items():
            if p != py:
                continue
            wall, cpu = statistics.median(xs), statistics.median(cpus[p, name])
            print(
                f"{name:<28} {wall * 1e3:8.1f} {pct(xs, 95) * 1e3:6.1f} {wall / base_wall:7.2f}"
                f"   {cpu * 1e3:7.1f} {cpu / base_cpu:7.2f}"
            )
    print("\n(milliseconds; x typer: p50 over the p50 of the same venv's bare `import typer`)")


if __name__ == "__main__":
    main()
