"""Two code trees by turns: each turn a process of its own, base and this checkout alternated.

`by_turns(argv, base, rounds)` runs `python ARGV` `rounds` times for each side, the side
first in a round switching every round, with that tree first on PYTHONPATH and a working
folder outside either checkout (`python -m`/`-c` put the working folder first on the path),
and gathers what each turn printed as JSON, by side ("base", "branch")."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]


def by_turns(argv: list[str], base: Path, rounds: int, cwd: str = "/tmp") -> dict[str, list[Any]]:
    sides = {"base": base.resolve(), "branch": REPO}
    got: dict[str, list[Any]] = {"base": [], "branch": []}
    for k in range(rounds):
        for side in ("base", "branch") if k % 2 == 0 else ("branch", "base"):
            out = subprocess.run(
                [sys.executable, *argv],
                env=dict(os.environ, PYTHONPATH=str(sides[side])),
                check=True,
                capture_output=True,
                text=True,
                cwd=cwd,
            ).stdout
            got[side].append(json.loads(out))
    return got
