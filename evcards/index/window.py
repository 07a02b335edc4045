"""Pass 3 of a sync (evcards.index.sync): the rolling window of indexed files to stat, its
cursor in the catalog's `meta`, and the files stat-ed every time."""

from __future__ import annotations

import sqlite3
from typing import NamedTuple

from evcards.index import schema


class Window(NamedTuple):
    rows: list[tuple[str, int, int]]  # (path, mtime_ns, size) of indexed cards to stat now
    next_cursor: str  # where the next sync's window starts: the last key stat-ed
    rolling: bool  # whether it moves: a big library, stat-ed a window at a time
    keys: list[int] = []  # each row's catalog key


def cursor(db: sqlite3.Connection, full: bool) -> str:
    row = db.execute("SELECT value FROM meta WHERE key = 'stat_cursor'").fetchone()
    return row[0] if row and not full else ""


def rolling_window(db: sqlite3.Connection, full: bool, width: int) -> Window:
    """Pass 3's share of the cards this time: all of a small library, else width of
    them in key order after the cursor, wrapping around at the end. Key order is the table's
    own: a window is some 50 consecutive pages of the catalog, where path order (an index
    that holds only the path) read a page of the table for each of its 1,000 rows, most of
    a no-change sync in a fresh process. Keys follow the order files were indexed in, which
    is also about the order of their inodes."""
    # max(key) is instant where count(*) reads the table; it is at least the count.
    size = db.execute("SELECT max(key) FROM cards").fetchone()[0] or 0
    if full or size <= schema.SMALL:
        rows = stats_of(db, "key > ?", 0, -1)
        return Window([r[1:] for r in rows], str(rows[-1][0]) if rows else "", False)
    mark = cursor(db, full)
    after = int(mark) if mark.isdigit() else 0  # (a cursor of old was a path: start again)
    rows = stats_of(db, "key > ?", after, width)
    if len(rows) < width and after:
        rows += stats_of(db, "key <= ?", after, width - len(rows))
    last = str(rows[-1][0]) if rows else mark
    return Window([r[1:] for r in rows], last, True, [r[0] for r in rows])


def stats_of(
    db: sqlite3.Connection, where: str, after: int, limit: int
) -> list[tuple[int, str, int, int]]:
    sql = f"SELECT key, path, mtime_ns, size FROM cards WHERE {where} ORDER BY key LIMIT ?"
    return db.execute(sql, (after, limit)).fetchall()


def to_recheck(db: sqlite3.Connection) -> list[tuple[str, int, int]]:
    """Files stored as too recent to trust (mtime -1), and invalid files: stat-ed every time."""
    rows = db.execute(
        "SELECT path, mtime_ns, size FROM cards INDEXED BY cards_racy WHERE mtime_ns = -1"
    ).fetchall()
    return rows + db.execute("SELECT path, mtime_ns, size FROM invalid").fetchall()


def save_cursor(db: sqlite3.Connection, mark: str) -> None:
    db.execute("INSERT OR REPLACE INTO meta VALUES ('stat_cursor', ?)", (mark,))


def move_cursor(db: sqlite3.Connection, mark: str) -> None:
    """The only write of a sync that found nothing. Losing it to a power cut costs a re-stat,
    so it skips the fsyncs (up to 6, and 1-400 ms on a busy disk) every search paid."""
    db.execute("PRAGMA synchronous=OFF")
    try:
        save_cursor(db, mark)
    finally:
        db.execute("PRAGMA synchronous=NORMAL")
