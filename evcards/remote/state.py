"""What the library last agreed with a remote on: the sync base.

`.evcards/remote-NAME.sqlite` holds the server's change cursor (the highest `seq` a pull has
brought in) and, per card, the hash of the file both sides had, the server's `seq` for it and
its tag and cite then. A merge compares against that base to tell "changed here", "changed
there" and "changed on both sides". It is derived state: lost or damaged, it is started
afresh, and the next pull is a full pull that overwrites nothing it should not (a file equal
to the server's is kept; one that differs is merged)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

from evcards.remote.remotes import Remote
from evcards.store.library import Library


class Base(NamedTuple):
    hash: str
    seq: int
    tag: str
    cite: str
    # The local file's size and mtime (ns) when it was last known to hold `hash`: a file
    # whose stat still says so is not read again to find what changed (-1: unknown).
    size: int = -1
    mtime: int = -1


def stat_of(path: Path) -> tuple[int, int]:
    try:
        st = path.stat()
    except OSError:
        return -1, -1
    return st.st_size, st.st_mtime_ns


def state_path(lib: Library, name: str) -> Path:
    return lib.state_dir / f"remote-{name}.sqlite"


_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS base (
    card_id TEXT PRIMARY KEY, hash TEXT NOT NULL, seq INTEGER NOT NULL,
    tag TEXT NOT NULL, cite TEXT NOT NULL, size INTEGER NOT NULL, mtime INTEGER NOT NULL
);
"""


class SyncState:
    """The sync base of one remote; changes are kept until `commit`."""

    def __init__(self, lib: Library, remote: Remote) -> None:
        lib.state_dir.mkdir(parents=True, exist_ok=True)
        self.remote = remote.name
        self.path = state_path(lib, remote.name)
        self.db = self._open()
        # A remote renamed to another server or team: what was agreed with the old one
        # says nothing about the new one.
        where = f"{remote.url}\n{remote.team or ''}"
        if self.meta("where") != where:
            self.db.execute("DELETE FROM base")
            self.db.execute("DELETE FROM meta")
            self.set("where", where)
            self.db.commit()

    def _open(self) -> sqlite3.Connection:
        for attempt in (1, 2):
            db = sqlite3.connect(self.path, isolation_level="DEFERRED")
            try:
                db.executescript(_SCHEMA)
                db.execute("SELECT size, mtime FROM base LIMIT 1").fetchall()
                return db
            except sqlite3.DatabaseError:
                db.close()
                if attempt == 2:
                    raise
                self.path.unlink(missing_ok=True)  # damaged: derived, so start afresh
        raise AssertionError("unreachable")

    def meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return str(row[0]) if row else None

    def set(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    @property
    def cursor(self) -> int:
        return int(self.meta("cursor") or 0)

    def set_cursor(self, seq: int) -> None:
        self.set("cursor", str(seq))

    def get(self, card_id: str) -> Base | None:
        row = self.db.execute(
            "SELECT hash, seq, tag, cite, size, mtime FROM base WHERE card_id = ?", (card_id,)
        ).fetchone()
        return Base(*row) if row else None

    def many(self, ids: Iterable[str]) -> dict[str, Base]:
        out: dict[str, Base] = {}
        ids = list(ids)
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            marks = ",".join("?" * len(chunk))
            for card_id, *rest in self.db.execute(
                f"SELECT card_id, hash, seq, tag, cite, size, mtime FROM base"
                f" WHERE card_id IN ({marks})",
                chunk,
            ):
                out[card_id] = Base(*rest)
        return out

    def all(self) -> dict[str, Base]:
        rows = self.db.execute("SELECT card_id, hash, seq, tag, cite, size, mtime FROM base")
        return {card_id: Base(*rest) for card_id, *rest in rows}

    def record(self, bases: dict[str, Base]) -> None:
        self.db.executemany(
            "INSERT OR REPLACE INTO base VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(k, *v) for k, v in bases.items()],
        )

    def forget(self, ids: Iterable[str]) -> None:
        self.db.executemany("DELETE FROM base WHERE card_id = ?", [(i,) for i in ids])

    def commit(self) -> None:
        self.db.commit()

    def close(self) -> None:
        self.db.close()
