"""CLI start-up benchmark: wall time of a few everyday commands against a bare `import typer`.

    python bench/cli_bench.py [--n 20] [--pipe]

Runs each command N times in fresh subprocesses of this interpreter's venv, on a copy of the
bundled starter library (cards/, 7 cards; copied so the repo's cards/ gets no index), rounds
interleaved so that machine noise hits every command alike. Output goes to a pseudo-terminal
by default, as for a user at a terminal (colour, the Rich table as drawn); --pipe sends it to
a pipe, as in `evcards list | less`. Prints p50/p95 per command and each p50 over the p50 of
the baseline `python -c "import typer"` (issue 4's target: search <= 2x).
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


def run_pipe(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def run_tty(cmd: list[str], env: dict[str, str]) -> float:
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
    if proc.wait() != 0:
        raise SystemExit(f"{cmd} exited {proc.returncode}")
    return time.perf_counter() - start


def pct(xs: list[float], p: int) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(p / 100 * (len(xs) - 1)))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=20, help="runs of each command (default 20)")
    ap.add_argument("--pipe", action="store_true", help="stdout to a pipe, not a terminal")
    args = ap.parse_args()

    py = sys.executable
    evcards = str(Path(py).parent / "evcards")
    if not Path(evcards).exists():
        raise SystemExit(f"no {evcards}: run with the venv's python after `pip install -e .`")
    run = run_pipe if args.pipe else run_tty

    with tempfile.TemporaryDirectory(prefix="evcards-cli-bench-") as tmp:
        lib = Path(tmp) / "cards"
        shutil.copytree(REPO / "cards", lib, ignore=shutil.ignore_patterns(".evcards"))
        env = {
            **os.environ,
            "EVCARDS_LIBRARY": str(lib),
            "EVCARDS_HOME": str(Path(tmp) / "home"),
            "COLUMNS": "100",
            "LINES": "40",
        }
        env.pop("EVCARDS_DEBUG", None)
        # An installed evcards runs from cached bytecode; without it, compiling evcards' own
        # modules on every run (about 25 ms) would swamp what this measures. The warm-up
        # writes the cache.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        card_id = min(p.stem.rsplit("-", 1)[-1] for p in lib.glob("[!.]*.toml"))
        commands = {
            'python -c "import typer"': [py, "-c", "import typer"],
            "evcards --help": [evcards, "--help"],
            "evcards search alliance": [evcards, "search", "alliance"],
            f"evcards show {card_id[:8]}": [evcards, "show", card_id[:8]],
            "evcards list": [evcards, "list"],
        }
        for cmd in commands.values():  # warm-up: page cache, .pyc files, the index build
            run(cmd, env)
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.n):
            for name, cmd in commands.items():
                times[name].append(run(cmd, env))

    base = statistics.median(times['python -c "import typer"'])
    mode = "pipe" if args.pipe else "terminal"
    print(f"{args.n} runs each, interleaved, stdout to a {mode}; Python {sys.version.split()[0]}")
    print(f"{'command':<28} {'p50 ms':>8} {'p95 ms':>8} {'x typer':>8}")
    for name, xs in times.items():
        p50 = statistics.median(xs)
        print(f"{name:<28} {p50 * 1e3:8.1f} {pct(xs, 95) * 1e3:8.1f} {p50 / base:8.2f}")


if __name__ == "__main__":
    main()
