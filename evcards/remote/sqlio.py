"""The statements push and pull send: each parameterized, batches through COPY."""

from __future__ import annotations

from dataclasses import astuple
from pathlib import Path
from typing import Any, NamedTuple

from evcards.remote.cardrow import COLUMNS, Row
from evcards.remote.connect import Session
from evcards.store.library import Library


class ServerRow(NamedTuple):
    card_id: str
    name: str
    toml: str
    hash: str
    deleted: bool
    seq: int
    tag: str
    cite: str


def team_lock(s: Session) -> None:
    """The team's write lock, held to commit: pushes commit in `seq` order."""
    s.conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [s.team])


def lock_rows(s: Session, ids: list[str]) -> dict[str, ServerRow]:
    """The team lock, then these cards' rows, locked in id order (no deadlock)."""
    team_lock(s)
    cur = s.conn.execute(
        "SELECT card_id, name, toml, hash, deleted, seq, tag, cite FROM cards"
        " WHERE team = %s AND card_id = ANY(%s) ORDER BY card_id FOR UPDATE",
        [s.team, ids],
    )
    return {r[0]: ServerRow(*r) for r in cur}


_TEMP = """CREATE TEMP TABLE IF NOT EXISTS evcards_in (
    card_id text, name text, toml text, hash text, kind text, tag text, cite text,
    cite_words text, short_cite text, author text, year integer, labels text[],
    sources jsonb, pocket text, hat text, block text, spoken text, body text,
    words_read integer, highlighted boolean, search tsvector
) ON COMMIT DELETE ROWS;
ALTER TABLE evcards_in ALTER toml SET STORAGE EXTERNAL, ALTER body SET STORAGE EXTERNAL,
    ALTER spoken SET STORAGE EXTERNAL, ALTER search SET STORAGE EXTERNAL"""
# The staging table's big texts are kept uncompressed (EXTERNAL): they live for one
# statement, and compressing them there (pglz) cost about as much as the COPY's parsing.


def upsert(s: Session, rows: list[Row], vectors: dict[str, str] | None = None) -> dict[str, int]:
    """Write rows (through COPY into a temp table), each with a new `seq`: id -> seq.
    `vectors` are their `search` vectors (see `vectors`) by id; a row without one gets its
    vector computed here."""
    from psycopg import sql

    from evcards.remote.migrations import SEARCH

    if not rows:
        return {}
    vectors = vectors or {}
    s.conn.execute(_TEMP)
    names = sql.SQL(", ").join(map(sql.Identifier, COLUMNS))
    copy_sql = sql.SQL("COPY evcards_in ({}, search) FROM STDIN").format(names)
    with s.conn.cursor().copy(copy_sql) as copy:
        for row in rows:
            copy.write_row((*astuple(row), vectors.get(row.card_id)))
    updates = sql.SQL(", ").join(
        sql.SQL("{0} = EXCLUDED.{0}").format(sql.Identifier(c)) for c in (*COLUMNS[1:], "search")
    )
    query = sql.SQL(
        "INSERT INTO cards (team, {names}, search, deleted, seq, updated_at, updated_by)"
        " SELECT %s, {names}, coalesce(search, {search}), false, nextval('evcards_seq'),"
        " now(), current_user FROM evcards_in ORDER BY card_id"
        " ON CONFLICT (team, card_id) DO UPDATE SET {updates}, deleted = false,"
        " seq = EXCLUDED.seq, updated_at = EXCLUDED.updated_at,"
        " updated_by = EXCLUDED.updated_by"
        " RETURNING card_id, seq"
    ).format(names=names, updates=updates, search=sql.SQL(SEARCH))
    return {str(r[0]): int(r[1]) for r in s.conn.execute(query, [s.team])}


def vectors(s: Session, rows: list[Row]) -> dict[str, str]:
    """The `search` vectors of these rows, computed by the server (in the text form COPY
    sends back): the costly part of a push, done here outside any lock (see `push`)."""
    from psycopg import sql

    from evcards.remote.migrations import SEARCH

    query = sql.SQL(
        "SELECT card_id, ({search})::text FROM unnest(%s::text[], %s::text[], %s::text[],"
        " %s::text[], %s::text[]) AS t(card_id, tag, cite_words, spoken, body)"
    ).format(search=sql.SQL(SEARCH))
    cols = [
        [getattr(r, c) for r in rows] for c in ("card_id", "tag", "cite_words", "spoken", "body")
    ]
    got = {str(r[0]): str(r[1]) for r in s.conn.execute(query, cols)}
    s.conn.commit()
    return got


def add_history(s: Session, entries: list[tuple[str, str, str]]) -> None:
    """(card id, field, the value a conflict replaced) rows of the history table."""
    if not entries:
        return
    with s.conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO history (team, card_id, field, value) VALUES (%s, %s, %s, %s)",
            [(s.team, *e) for e in entries],
        )


def tombstone(s: Session, ids: list[str]) -> list[str]:
    """Mark these cards deleted (each a new `seq`); the ids that were not already."""
    cur = s.conn.execute(
        "UPDATE cards SET deleted = true, seq = nextval('evcards_seq'), updated_at = now(),"
        " updated_by = current_user"
        " WHERE team = %s AND card_id = ANY(%s) AND NOT deleted RETURNING card_id",
        [s.team, ids],
    )
    return [r[0] for r in cur]


def changes(s: Session, after: int, limit: int) -> list[ServerRow]:
    """The team's rows changed after `after`, in `seq` order: one batch of a pull."""
    cur = s.conn.execute(
        "SELECT card_id, name, toml, hash, deleted, seq, tag, cite FROM cards"
        " WHERE team = %s AND seq > %s ORDER BY seq LIMIT %s",
        [s.team, after, limit],
    )
    rows = [ServerRow(*r) for r in cur]
    s.conn.commit()
    return rows


def push_speeches(lib: Library, s: Session) -> int:
    """Every speech file of the library, newest write wins: how many were sent."""
    from evcards.store import speechfile

    sent = 0
    for name in speechfile.names(lib.root):
        text = speechfile.path_of(lib.root, name).read_text(encoding="utf-8")
        speechfile.loads(text, name)  # refuse a broken file before it is shared
        with s.conn.transaction():
            team_lock(s)
            cur = s.conn.execute(
                "INSERT INTO speeches (team, name, toml, seq) VALUES"
                " (%s, %s, %s, nextval('evcards_seq')) ON CONFLICT (team, name) DO UPDATE"
                " SET toml = EXCLUDED.toml, seq = EXCLUDED.seq, updated_at = now(),"
                " updated_by = current_user WHERE speeches.toml <> EXCLUDED.toml"
                " RETURNING name",
                [s.team, name, text],
            )
            sent += len(cur.fetchall())
    return sent


def pull_speeches(lib: Library, s: Session, after: int) -> tuple[list[Path], int]:
    """Speeches changed on the server after `after` written here: (paths, the new cursor)."""
    from evcards.store import speechfile
    from evcards.store.atomic import atomic_write

    cur = s.conn.execute(
        "SELECT name, toml, seq FROM speeches WHERE team = %s AND seq > %s ORDER BY seq",
        [s.team, after],
    )
    rows: list[Any] = cur.fetchall()
    s.conn.commit()
    written = []
    for name, toml, seq in rows:
        path = speechfile.path_of(lib.root, name)
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, toml)
        written.append(path)
        after = max(after, seq)
    return written, after
