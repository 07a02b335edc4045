"""A note of every card file evcards itself writes or removes, for the search index.

`Library.write` and `Library.remove` append one JSON line per operation to
`<library>/.evcards/journal`: the files touched, their folder, and the folder's mtime just
before and just after. The next sync re-reads exactly those files, and when a folder's
mtime moved only through a chain of such notes (each `before` equal to the previous
`after`) it knows nobody else touched the folder, so it need not list it again: with a
million cards in one folder, that listing is the expensive part. Any gap in the chain
simply means "list the folder". The journal is derived state: losing it costs time, not
correctness (apart from in-place edits, which the rolling stat pass finds; see index.py).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

JOURNAL = "journal"
MAX_BYTES = 32 << 20  # ~200,000 notes


def _mtime(folder: Path) -> int:
    try:
        return os.stat(folder).st_mtime_ns
    except OSError:
        return -1


@contextmanager
def noting(root: Path, *paths: Path) -> Iterator[None]:
    """Wrap one write or removal of `paths` (all in one folder) and note it afterwards."""
    folder = paths[-1].parent
    before = _mtime(folder)
    yield
    after = _mtime(folder)
    try:
        rel_dir = os.path.relpath(folder, root)
        rels = [os.path.relpath(p, root) for p in paths]
        import json  # here and in take(), not at the top: a search with no notes needs none

        line = json.dumps(
            {
                "dir": "" if rel_dir == "." else rel_dir,
                "before": before,
                "after": after,
                "paths": rels,
            }
        )
        state = root / ".evcards"
        state.mkdir(exist_ok=True)
        with open(state / JOURNAL, "a", encoding="utf-8") as f:
            f.write(line + "\n")
            full = f.tell() > MAX_BYTES
        if full:  # nobody searched for a very long time: a rebuild is cheaper than replaying
            (state / "index.sqlite").unlink(missing_ok=True)
            (state / JOURNAL).unlink(missing_ok=True)
    except (OSError, ValueError):
        pass  # a lost note costs the next search a folder listing, nothing more


@dataclass
class Note:
    dir: str
    before: int
    after: int
    paths: list[str]


def take(root: Path) -> tuple[list[Note], list[Path]]:
    """The notes written since the last take, and the files to delete once they are applied.
    New notes go to a fresh journal meanwhile (the old one is renamed away first)."""
    state = root / ".evcards"
    taken = state / f"{JOURNAL}.{os.getpid()}"
    try:
        os.replace(state / JOURNAL, taken)
    except OSError:
        pass
    notes: list[Note] = []
    files = sorted(state.glob(f"{JOURNAL}.*")) if state.is_dir() else []
    for path in files:  # leftovers of a sync that died, then ours
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except OSError:
            continue
        import json  # only with notes to read: most searches find none

        for line in lines:
            try:
                d = json.loads(line)
                notes.append(
                    Note(
                        str(d["dir"]),
                        int(d["before"]),
                        int(d["after"]),
                        [str(p) for p in d["paths"]],
                    )
                )
            except (ValueError, KeyError, TypeError):
                continue  # a torn line: its files are found by the other passes
    return notes, files


def explained(stored: int, current: int, notes: list[Note]) -> bool:
    """Did a folder go from mtime `stored` to `current` through evcards' own writes alone?"""
    mtime = stored
    for n in notes:
        if n.before != mtime:
            return False
        mtime = n.after
    return bool(notes) and mtime == current
