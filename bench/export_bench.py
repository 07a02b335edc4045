"""Time every export format on a 1,000-card speech document built from real DebateSum cards.

    .venv/bin/python bench/export_bench.py [--cards 1000] [--repeat 3] [--only-library]
        [--library PATH | --library-cards 20000] [--base /work/bench-data/export/base]

The cards are DebateSum's (../shared/corpus/debatesum): the article text, its underlined
selections as underline, every other selection highlighted, the first words of every third
selection as emphasis, and a shrunk stretch between selections. The baseline is python-docx
writing the same paragraphs with no formatting at all, timed in the same run.

Then a whole library (a generated one of DebateSum-like cards, `search_bench.generate`, or
--library) is exported to jsonl and csv by `evcards export -f FMT -o FILE` in fresh
processes, by the code at --base (a checkout of the commit before, `git archive 25af3c4
evcards | tar -x -C BASE`) and by this branch's, by turns in the same run; the two outputs
must be byte-identical. Cards per second are given of wall time and of CPU time (the
export's worker processes included: on a shared machine wall time measures the
neighbours).
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from itertools import groupby
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from evcards.core.models import Card, Cite, Location, Span, clean_text, new_card  # noqa: E402
from evcards.exporting import render  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "debatesum" / "train-DebateSum.jsonl.gz"
PARAGRAPH_LINES = 6  # DebateSum keeps the article's line wraps; group them into paragraphs
# The code before issue 14's library export (git archive 25af3c4 evcards | tar -x -C BASE).
BASE = Path("/work/bench-data/export/base")
GENERATED = Path("/work/bench-data/export")


def _generated(n: int) -> Path:
    """A library of `n` DebateSum-like cards (search_bench.generate), made once."""
    root = GENERATED / f"gen-{n}"
    if not (root / ".evcards.toml").exists():
        sys.path.insert(0, str(ROOT / "bench"))
        from search_bench import generate

        generate(root, n)
    return root


def card_from(row: dict, n: int) -> Card:
    text = row["docs"][0]["text"]
    flags = [[False, None, False, None] for _ in text]  # underline, highlight, emphasis, size
    selections = [s for group in row["selections"] for s in group["selections"]]
    for k, sel in enumerate(selections):
        start, end = sel["start_pos"], min(sel["end_pos"], len(text))
        for i in range(start, end):
            flags[i][0] = True
            if k % 2 == 0:
                flags[i][1] = "cyan"
        if k % 3 == 0:
            words = re.match(r"\s*\S+(\s+\S+){0,2}", text[start:end])
            for i in range(start, start + (words.end() if words else 0)):
                flags[i][2] = True
    for f in flags:
        if not f[0]:
            f[3] = 8.0
    lines = text.split("\n")
    body: list[list[Span]] = []
    pos = 0
    for li, line in enumerate(lines):
        if li % PARAGRAPH_LINES == 0:
            body.append([])
        segment = line + " "
        marks = [
            tuple(flags[pos + j]) if pos + j < len(flags) else None for j in range(len(segment))
        ]
        j = 0
        for mark, group in groupby(marks):
            n = len(list(group))
            u, hl, em, size = mark or (False, None, False, 8.0)
            body[-1].append(
                Span(
                    text=clean_text(segment[j : j + n]),
                    underline=u and not em,
                    emphasis=em,
                    highlight=hl,
                    size=size,
                )
            )
            j += n
        pos += len(line) + 1
    citation = " ".join(row["source_sample"]["Citation"].split())
    short = " ".join(citation.split()[:2]).rstrip(",;[")
    return new_card(
        tag=" ".join(row["instruction_context"]["argument"].split())[:200],
        cite=Cite(short=short, full=citation),
        location=Location(pocket="1NC", hat=f"Off {n // 100 + 1}", block=f"Block {n // 10 + 1}"),
        body=body,
    )


def load_cards(count: int) -> list[Card]:
    rows = []
    with gzip.open(CORPUS, "rt", encoding="utf-8") as f:
        for line in f:
            rows.append(json.loads(line))
    return [card_from(rows[i % len(rows)], i) for i in range(count)]


def baseline_docx(cards: list[Card]) -> bytes:
    import docx

    document = docx.Document()
    for card in cards:
        document.add_paragraph(card.tag)
        document.add_paragraph(f"{card.cite.short} {card.cite.full}")
        for para in card.paragraphs:
            document.add_paragraph(para)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def best_of(repeat: int, fn, clock=time.perf_counter) -> tuple[float, int]:
    times = []
    size = 0
    for _ in range(repeat):
        start = clock()
        out = fn()
        times.append(clock() - start)
        size = len(out.encode() if isinstance(out, str) else out)
    return min(times), size


def _hwm_mb(pid: int) -> float:
    """A process's peak RSS so far (VmHWM, of its own memory since exec), in MB; 0 when gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _watch(pid: int, peaks: dict[str, float], done: threading.Event) -> None:
    """The export's peak RSS and its largest worker's, read every 20 ms until it ends
    (wait4's ru_maxrss is no use: a forked child starts from the parent's high-water mark,
    the bench's own, through exec)."""
    children = Path(f"/proc/{pid}/task/{pid}/children")
    while not done.is_set():
        peaks["parent"] = max(peaks["parent"], _hwm_mb(pid))
        try:
            kids = [int(k) for k in children.read_text().split()]
        except OSError:
            kids = []
        for kid in kids:
            peaks["worker"] = max(peaks["worker"], _hwm_mb(kid))
        done.wait(0.02)


def _timed_export(
    code: Path, library: Path, fmt: str, out: Path
) -> tuple[float, float, float, float]:
    """Wall and CPU seconds (its worker processes included) of `evcards export -f FMT -o OUT`
    run from the checkout `code` in a fresh process, and the peak RSS in MB of the export's
    process and of its largest worker."""
    env = dict(os.environ, PYTHONPATH=str(code), EVCARDS_LIBRARY=str(library))
    cmd = [sys.executable, "-m", "evcards", "export", "-f", fmt, "-o", str(out), "--force"]
    start = time.perf_counter()
    # Run from the checkout: `python -m` puts the working folder first on sys.path, so from
    # this repository both sides ran this branch's code.
    proc = subprocess.Popen(
        cmd, env=env, cwd=code, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    peaks, done = {"parent": 0.0, "worker": 0.0}, threading.Event()
    watcher = threading.Thread(target=_watch, args=(proc.pid, peaks, done))
    watcher.start()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    done.set()
    watcher.join()
    err = proc.stderr.read().decode() if proc.stderr else ""
    proc.stderr and proc.stderr.close()
    if status != 0:
        sys.exit(f"{code}: export failed: {err}")
    return wall, usage.ru_utime + usage.ru_stime, peaks["parent"], peaks["worker"]


def _same_bytes(a: Path, b: Path) -> bool:
    """Whether two outputs are byte-identical, read a piece at a time (the bench's own
    memory stays small)."""
    if a.stat().st_size != b.stat().st_size:
        return False
    with open(a, "rb") as fa, open(b, "rb") as fb:
        while True:
            x, y = fa.read(1 << 20), fb.read(1 << 20)
            if x != y:
                return False
            if not x:
                return True


def from_library(
    library: Path, base: Path, repeat: int, formats: tuple[str, ...] = ("jsonl", "csv")
) -> None:
    """`evcards export` of a whole library to jsonl and csv, the base checkout's code and this
    branch's by turns, each in a fresh process; the outputs must be byte-identical."""
    n = sum(1 for e in os.scandir(library) if e.name.endswith(".toml") and e.name[0] != ".")
    print(f"`evcards export -f FMT -o FILE` of {library} ({n} card files), best of {repeat}:")
    print(f"  base: {base}; cards/s of wall time, and of CPU time (all processes)")
    print("  peak RSS (VmHWM) of the export process; worker MB: base/branch largest worker")
    head = (
        f"{'':8}{'base/s':>9}{'branch/s':>10}{'x':>7}{'base/CPU-s':>12}{'branch/CPU-s':>14}{'x':>7}"
        f"{'base MB':>9}{'branch MB':>11}{'worker MB':>11}"
    )
    print(head)
    with tempfile.TemporaryDirectory() as tmp:
        for fmt in formats:
            best: dict[str, tuple[float, float]] = {}
            rss: dict[str, float] = {}
            outs = {side: Path(tmp) / f"{side}.{fmt}" for side in ("base", "branch")}
            for _ in range(repeat):
                for side, code in (("base", base), ("branch", ROOT)):
                    wall, cpu, peak, worker = _timed_export(code, library, fmt, outs[side])
                    old = best.get(side, (wall, cpu))
                    best[side] = (min(old[0], wall), min(old[1], cpu))
                    rss[side] = max(rss.get(side, 0.0), peak)
                    rss[side + " worker"] = max(rss.get(side + " worker", 0.0), worker)
            if not _same_bytes(outs["base"], outs["branch"]):
                sys.exit(f"{fmt}: the branch's export differs from the base's")
            (bw, bc), (fw, fc) = best["base"], best["branch"]
            print(
                f"{fmt:<8}{n / bw:>9,.0f}{n / fw:>10,.0f}{bw / fw:>7.2f}"
                f"{n / bc:>12,.0f}{n / fc:>14,.0f}{bc / fc:>7.2f}"
                f"{rss['base']:>9,.0f}{rss['branch']:>11,.0f}"
                f"{rss['base worker']:>5,.0f}/{rss['branch worker']:<5,.0f}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--library", type=Path, help="a library to export (default: generated)")
    parser.add_argument("--library-cards", type=int, default=20_000, help="cards to generate")
    parser.add_argument("--base", type=Path, default=BASE, help="a checkout holding evcards/")
    parser.add_argument("--only-library", action="store_true", help="skip the formats table")
    parser.add_argument("--formats", default="jsonl,csv", help="library export formats")
    args = parser.parse_args()
    library = args.library or _generated(args.library_cards)
    if args.only_library:
        from_library(library, args.base, args.repeat, tuple(args.formats.split(",")))
        return
    if not CORPUS.exists():
        sys.exit(f"{CORPUS} is missing; the bench needs the DebateSum sample")
    start = time.perf_counter()
    cards = load_cards(args.cards)
    spans = sum(len(p) for c in cards for p in c.body)
    words = sum(c.word_count for c in cards)
    print(
        f"{len(cards)} cards, {spans} spans, {words} words"
        f" (built in {time.perf_counter() - start:.1f}s)"
    )
    base, base_size = best_of(args.repeat, lambda: baseline_docx(cards))
    print(f"{'format':<28}{'seconds':>9}{'MB':>8}{'x baseline':>12}")
    print(f"{'python-docx, no formatting':<28}{base:>9.3f}{base_size / 1e6:>8.2f}{1.0:>12.2f}")
    for fmt in ("docx", "html", "text", "md", "jsonl", "csv"):
        seconds, size = best_of(args.repeat, lambda fmt=fmt: render(cards, fmt))
        print(f"{fmt:<28}{seconds:>9.3f}{size / 1e6:>8.2f}{seconds / base:>12.2f}")
    from_library(library, args.base, args.repeat)


if __name__ == "__main__":
    main()
