"""`stats`, `list`, `show` and `search` benchmark: the CLI on a generated library, this
checkout against an older one and against a bare `python -c "import typer"`, by turns.

    python bench/stats_bench.py [--n 100000] [--dir /tmp/evcards-stats-bench] [--lib PATH]
                                [--base /path/to/old/checkout] [--runs 5]

The library is `search_bench.generate`'s (DebateSum bodies reshuffled, one flat folder),
written once and reused (`--lib`: an existing one, e.g. a `cp -al` copy of a shared one).
Each command runs end to end in a fresh subprocess, output piped away, first once to sync the
index, then `--runs` times, by turns with `import typer` and, with `--base` (older evcards
code, e.g. `git archive COMMIT evcards | tar -x -C DIR`), the base's run of it, so machine
noise hits all alike. The base runs on its own copy of the library (`LIB-base`, hard links
of the card files made on first use), since an index of another schema version would be
rebuilt at every turn; with `--shared-index` (the same schema version) on the library
itself. Each p50 is shown as a multiple of `import typer`'s and, with a base, beside the
base's. `--json` commands also show whether the totals agree.
Then, in this process, the catalog's size (by table and index, per card) and its queries:
the totals, `list -n 20` in each sort order, an id lookup.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

COMMANDS = {
    "stats": ["stats"],
    "stats --json": ["stats", "--json"],
    "stats -l aff": ["stats", "-l", "aff"],
    "stats -l aff --json": ["stats", "-l", "aff", "--json"],
    "list -n 20": ["list", "-n", "20"],
    "list -n 20 --sort tag": ["list", "-n", "20", "--sort", "tag"],
    "list -n 20 --sort year": ["list", "-n", "20", "--sort", "year"],
    "show PREFIX": ["show", "PREFIX"],
    "show TYPO": ["show", "TYPO"],
    "search hegemony": ["search", "hegemony"],
}
TYPER = [sys.executable, "-c", "import typer"]


def run(code: Path | None, root: Path, args: list[str]) -> tuple[float, str, float]:
    """(wall seconds, stdout, the process's own CPU seconds: user + system, which the
    neighbours' load on a shared machine inflates far less than the wall time)."""
    env = {**os.environ, "EVCARDS_LIBRARY": str(root), "COLUMNS": "120"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # an installed evcards has its bytecode
    if code is not None:
        env["PYTHONPATH"] = str(code)
    cmd = TYPER if args == ["typer"] else [sys.executable, "-m", "evcards", *args]
    started = time.perf_counter()
    proc = subprocess.Popen(
        cmd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        # Not this checkout (`-m` and `-c` put the working directory first on sys.path), nor
        # the library: Python lists that folder for every import, a second at 1,000,000 cards.
        cwd=root.parent,
    )
    assert proc.stdout is not None
    out = proc.stdout.read()
    proc.stdout.close()
    _, _, usage = os.wait4(proc.pid, 0)  # wait4, not wait: the child's own CPU time
    proc.returncode = 0
    return time.perf_counter() - started, out, usage.ru_utime + usage.ru_stime


def p50(values: list[float]) -> float:
    return sorted(values)[len(values) // 2]


def totals(stdout: str) -> object:
    try:
        return json.loads(stdout)["total"]
    except (ValueError, KeyError):
        return None


def base_copy(root: Path) -> Path:
    """The library's card files, hard-linked into a folder of their own for the base code."""
    copy = root.with_name(root.name + "-base")
    if not copy.is_dir():
        copy.mkdir()
        names = [e.name for e in os.scandir(root) if e.is_file()]
        for name in names:
            os.link(root / name, copy / name)
    return copy


def ids(root: Path) -> tuple[str, str]:
    """An id prefix one card has (6 digits of the first card by path) and one none has."""
    db = sqlite3.connect(root / ".evcards" / "index.sqlite")
    first = db.execute("SELECT card_id FROM cards ORDER BY path LIMIT 1").fetchone()[0]
    typo = next(
        p
        for p in ("0123abc", "fedcba9", "abcdef01")
        if not db.execute("SELECT 1 FROM cards WHERE card_id LIKE ? || '%'", (p,)).fetchone()
    )
    db.close()
    return first[:6], typo


def commands(root: Path, versions: dict[str, Path | None], runs: int, shared: bool = False) -> None:
    roots = {v: (base_copy(root) if code and not shared else root) for v, code in versions.items()}
    print(f"syncing {', '.join(versions)} (a first run may build an index)", flush=True)
    for version, code in versions.items():
        run(code, roots[version], ["list", "-n", "1"])
    prefix, typo = ids(root)
    print(f"PREFIX = {prefix}, TYPO = {typo}; {runs} runs by turns, p50 in ms", flush=True)
    for name, cmd in COMMANDS.items():
        cmd = [{"PREFIX": prefix, "TYPO": typo}.get(a, a) for a in cmd]
        times: dict[str, list[float]] = {v: [] for v in [*versions, "typer"]}
        cpu: dict[str, list[float]] = {v: [] for v in [*versions, "typer"]}
        outputs = {v: run(code, roots[v], cmd)[1] for v, code in versions.items()}
        for _ in range(runs):
            for version, code in [("typer", None), *versions.items()]:
                what = ["typer"] if version == "typer" else cmd
                wall, _, used = run(code, roots.get(version, root), what)
                times[version].append(wall)
                cpu[version].append(used)
        typer, typer_cpu = p50(times["typer"]), p50(cpu["typer"])
        parts = [
            f"{v} {p50(times[v]) * 1000:.0f} ms ({p50(times[v]) / typer:.2f}x typer),"
            f" CPU {p50(cpu[v]) * 1000:.0f} ms ({p50(cpu[v]) / typer_cpu:.2f}x)"
            for v in versions
        ]
        line = (
            f"`{name}`: " + ", ".join(parts) + f"; import typer {typer * 1000:.0f} ms,"
            f" CPU {typer_cpu * 1000:.0f} ms"
        )
        if "base" in versions:
            line += (
                f"; base/branch {p50(times['base']) / p50(times['branch']):.2f}x,"
                f" CPU {p50(cpu['base']) / p50(cpu['branch']):.2f}x"
            )
        if "--json" in cmd and "stats" in cmd and "base" in versions:
            same = totals(outputs["branch"]) == totals(outputs["base"])
            line += f"; totals {'agree' if same else 'DIFFER'}: {totals(outputs['branch'])}"
        print(line, flush=True)


def best_ms(fn: object, rounds: int = 5) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - started)
    return min(times) * 1000


def catalog(root: Path) -> None:
    """The catalog's size by table and index, and its queries in this process."""
    from evcards.index.catalog import find_id, list_cards, reading_totals
    from evcards.index.query import Filters

    path = root / ".evcards" / "index.sqlite"
    db = sqlite3.connect(path)
    n = db.execute("SELECT max(key) FROM cards").fetchone()[0] or 1
    print(f"catalog {path.stat().st_size / 1e6:.1f} MB, {path.stat().st_size / n:.0f} B a card")
    sizes = db.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC")
    print("  " + ", ".join(f"{name} {size / n:.0f}" for name, size in sizes if size / n >= 1))
    db.close()
    prefix, _ = ids(root)
    queries = {
        "stats totals": lambda: reading_totals(root, limit=0),
        "stats -l aff totals": lambda: reading_totals(root, Filters(labels=["aff"]), limit=0),
        "stats --year 2015.. totals": lambda: reading_totals(root, Filters(year_from=2015)),
        **{
            f"list -n 20 --sort {s}": (lambda s=s: list_cards(root, sort=s, limit=20))
            for s in ("added", "tag", "cite", "year", "words")
        },
        "show PREFIX (find_id)": lambda: find_id(root, prefix),
    }
    for name, fn in queries.items():
        print(f"  {name}: {best_ms(fn):.1f} ms (best of 5, sync included)", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--dir", type=Path, default=Path("/tmp/evcards-stats-bench"))
    ap.add_argument("--lib", type=Path, help="an existing library to use (its index is built)")
    ap.add_argument("--base", type=Path, help="a checkout of the evcards code to compare with")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument(
        "--shared-index",
        action="store_true",
        help="run the base on the library itself, not a copy (same schema version only)",
    )
    ap.add_argument("--only", nargs="*", help="just these of the commands (their names)")
    args = ap.parse_args()
    if args.only:
        for name in list(COMMANDS):
            if name not in args.only:
                del COMMANDS[name]
    root = args.lib or args.dir / f"lib-{args.n}"
    if not root.is_dir():
        import search_bench

        print(f"generating {args.n} cards in {root}", flush=True)
        search_bench.generate(root, args.n)
    versions: dict[str, Path | None] = {"branch": None}
    if args.base:
        versions["base"] = args.base.resolve()
    commands(root, versions, args.runs, shared=args.shared_index)
    if not args.only:
        catalog(root)


if __name__ == "__main__":
    main()
