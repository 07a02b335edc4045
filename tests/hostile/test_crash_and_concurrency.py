"""SIGKILL at random points never leaves a broken card; concurrent writers lose nothing."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from budget import scaled

from evcards.store import cardfile
from evcards.store.library import Library

N_CARDS = 300
KILLS = scaled(25, 5)  # SIGKILLs at random moments: 25 in CI


def pasted_cards(n: int, seed: int = 0) -> str:
    rng = random.Random(seed)
    words = "alliance russia china hegemony security trade sanctions treaty deterrence".split()
    chunks = []
    for i in range(n):
        body = " ".join(rng.choice(words) for _ in range(rng.randint(20, 200)))
        chunks.append(f"Tag {i}\nAuthor{i} 19 (Author {i}, Professor, 2019, Journal) ab\n{body}\n")
    return "---\n".join(chunks)


def evcards_cmd(library: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "evcards", "--library", str(library), *args]


def all_cards_valid(library: Path) -> int:
    lib = Library.open(library)
    n = 0
    for path in lib.paths():
        cardfile.read(path)  # raises on a partial or corrupt file
        n += 1
    return n


def test_sigkill_during_import_never_corrupts(tmp_path):
    src = tmp_path / "many.txt"
    src.write_text(pasted_cards(N_CARDS))
    library = tmp_path / "library"
    start = time.perf_counter()
    subprocess.run(
        evcards_cmd(tmp_path / "timing", "import", str(src)), check=True, capture_output=True
    )
    full = time.perf_counter() - start
    rng = random.Random(42)
    survived = 0
    counts = []
    Library.open(library, create=True)
    subprocess.run(evcards_cmd(library, "search", "alliance"), check=True, capture_output=True)
    for i in range(KILLS):
        # Most kills hit the import; every fifth hits a search while it syncs the index.
        cmd = ["search", "alliance"] if i % 5 == 4 else ["import", str(src)]
        proc = subprocess.Popen(
            evcards_cmd(library, *cmd), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(rng.uniform(0.0, full))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        n = all_cards_valid(library)
        counts.append(n)
        # The next command repairs the index by itself: it holds exactly the valid cards.
        search = subprocess.run(
            evcards_cmd(library, "search", "alliance", "--json"), capture_output=True, text=True
        )
        assert search.returncode == 0, search.stderr
        status = subprocess.run(
            evcards_cmd(library, "index", "status", "--json"), capture_output=True, text=True
        )
        assert json.loads(status.stdout)["cards"] == n
        survived += 1
    # The next command works, and a finished import completes the library.
    done = subprocess.run(
        evcards_cmd(library, "import", str(src), "--json"), capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert all_cards_valid(library) == N_CARDS
    assert not list(library.glob(".tmp-*"))
    listing = subprocess.run(evcards_cmd(library, "list", "--json"), capture_output=True)
    assert listing.returncode == 0, listing.stderr
    assert survived == KILLS
    assert counts == sorted(counts)  # kills only ever leave more complete cards behind


def test_concurrent_tag_add_import(tmp_path):
    """Processes tagging, adding and importing into one library at once."""
    library = tmp_path / "library"
    seed = tmp_path / "seed.txt"
    seed.write_text(pasted_cards(1, seed=1))
    subprocess.run(evcards_cmd(library, "import", str(seed)), check=True, capture_output=True)
    (target,) = Library.open(library).ids()
    batches = []
    for b in range(4):
        f = tmp_path / f"batch{b}.txt"
        f.write_text(pasted_cards(40, seed=100 + b))
        batches.append(f)
    jobs: list[tuple[list[str], bytes | None]] = []
    jobs += [(evcards_cmd(library, "tag", target, "-l", f"l{i}"), None) for i in range(12)]
    jobs += [
        (
            evcards_cmd(library, "add", "-", "-t", f"added {i}", "-s", f"Add {i}"),
            f"body number {i} _with ==marks==_".encode(),
        )
        for i in range(12)
    ]
    jobs += [(evcards_cmd(library, "import", str(f)), None) for f in batches]
    random.Random(7).shuffle(jobs)

    def run(job: tuple[list[str], bytes | None]) -> int:
        cmd, stdin = job
        return subprocess.run(cmd, input=stdin or b"", capture_output=True).returncode

    with ThreadPoolExecutor(6) as pool:
        codes = list(pool.map(run, jobs))
    assert codes == [0] * len(jobs)
    lib = Library.open(library)
    assert all_cards_valid(library) == 1 + 12 + 4 * 40
    _, card = lib.resolve(target)
    assert set(card.labels) == {f"l{i}" for i in range(12)}
    assert len(jobs) == 28
    assert os.listdir(library)  # and nothing else went missing
