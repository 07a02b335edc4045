"""Dataset files for the collection tests, made from the bundled cards/: OpenDebateEvidence
CSV and JSONL rows in the dataset's column layout (our export's columns, plus the round
columns side, event, level, year, caselistName, teamName), never copied from the corpus."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from conftest import REPO

from evcards.formats.dataset import render_csv
from evcards.store.cardfile import read

ROUND = ("side", "event", "level", "year", "caselistName", "teamName")
EVENTS = ("cx", "ld", "pf")


def bundled_cards() -> list[Any]:
    return [read(p) for p in sorted((REPO / "cards").glob("*.toml")) if p.name[0] != "."]


def ode_rows(n: int | None = None) -> list[dict[str, Any]]:
    """Rows of the bundled cards (all of them, or `n` cycling through them with a number
    added to each tag and body so that each is a card of its own), with their round's
    columns."""
    base = list(csv.DictReader(io.StringIO(render_csv(bundled_cards()), newline="")))
    count = len(base) if n is None else n
    rows = []
    for k in range(count):
        row = dict(base[k % len(base)])
        if n is not None:
            row["tag"] = f"{row['tag']} {k}"
            row["markup"] = row["markup"].replace("</h4>", f" {k}</h4>", 1)
            head, p, tail = row["markup"].rpartition("</p>")
            if p:  # a body of its own: a card of its own id
                row["markup"] = f"{head} n{k}{p}{tail}"
        row.update(
            side="AN"[k % 2],
            event=EVENTS[k % 3],
            level=("hs", "college")[k % 2],
            year=str(2020 + k % 3),
            caselistName="hspolicy22" if k % 2 else "ndtceda21",
            teamName=f"Team {k}",
        )
        rows.append(row)
    return rows


def write_csv(path: Path, rows: list[dict[str, Any]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return path


def write_jsonl(path: Path, rows: list[dict[str, Any]], extra: list[str] = ()) -> Path:  # type: ignore[assignment]
    lines = [json.dumps(r, ensure_ascii=False) for r in rows] + list(extra)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
