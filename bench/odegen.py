"""OpenDebateEvidence-format CSV rows made from the shared DebateSum sample, for the
collection benches: each row a window of a real document, its extract underlined and part
of that highlighted in `markup`, with the dataset's own round columns filled in."""

from __future__ import annotations

import ast
import csv
import gzip
import json
import random
from collections.abc import Iterator
from html import escape
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "debatesum"
COLUMNS = (
    "tag", "cite", "fullcite", "summary", "spoken", "fulltext", "markup", "pocket", "hat",
    "block", "duplicateCount", "side", "event", "level", "year", "caselistName", "teamName",
)  # fmt: skip
EVENTS, SIDES, LEVELS = ("cx", "ld", "pf"), ("A", "N"), ("hs", "college")


def documents() -> list[dict[str, object]]:
    """(document, citation, abstract, extract spans) of each DebateSum row."""
    out = []
    with gzip.open(CORPUS / "train-DebateSum.jsonl.gz", "rt", encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            sample = row["source_sample"]
            if isinstance(sample, str):
                sample = ast.literal_eval(sample)
            out.append(sample)
    return out


def _row(doc: dict[str, object], rng: random.Random, n: int) -> dict[str, object]:
    text = str(doc["Full-Document"])
    size = rng.randint(600, 2000)
    start = rng.randint(0, max(0, len(text) - size))
    window = text[start : start + size]
    words = window.split()
    pieces, plain, summary, spoken = [], [], [], []
    i = 0
    while i < len(words):
        run = words[i : i + rng.randint(3, 12)]
        i += len(run)
        chunk = " ".join(run)
        plain.append(chunk)
        r = rng.random()
        if r < 0.3:
            pieces.append(f"<u><mark>{escape(chunk)}</mark></u>")
            summary.append(chunk)
            spoken.append(chunk)
        elif r < 0.6:
            pieces.append(f"<u>{escape(chunk)}</u>")
            summary.append(chunk)
        else:
            pieces.append(escape(chunk))
    cite = str(doc["Citation"]).replace("\n", " ")
    short = cite.split("[")[0].strip()[:40] or "Anon 20"
    abstract = " ".join(str(doc["Abstract"]).split())
    return {
        "tag": f"{abstract[:160]} ({n})",
        "cite": short,
        "fullcite": cite,
        "summary": " ".join(summary),
        "spoken": " ".join(spoken),
        "fulltext": " ".join(plain),
        "markup": f"<h4>{escape(abstract[:160])} ({n})</h4><p><b>{escape(short)}</b>"
        f"{escape(cite[len(short) :])}</p><p>{' '.join(pieces)}</p>",
        "pocket": "1AC",
        "hat": "Advantage",
        "block": "",
        "duplicateCount": rng.choice((0, 0, 0, 1, 2)),
        "side": rng.choice(SIDES),
        "event": rng.choice(EVENTS),
        "level": rng.choice(LEVELS),
        "year": rng.choice((2019, 2020, 2021, 2022)),
        "caselistName": rng.choice(("hspolicy22", "ndtceda21", "hsld22")),
        "teamName": f"Team {rng.randint(1, 400)}",
    }


def rows(n: int, seed: int = 15) -> Iterator[dict[str, object]]:
    docs = documents()
    rng = random.Random(seed)
    for k in range(n):
        yield _row(docs[k % len(docs)], rng, k)


def write_csv(path: Path, n: int, seed: int = 15) -> int:
    """N rows into `path`; its size in bytes."""
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=COLUMNS)
        w.writeheader()
        w.writerows(rows(n, seed))
    return path.stat().st_size
