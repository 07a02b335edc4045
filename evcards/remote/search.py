"""`evcards search QUERY --remote NAME`: full text in PostgreSQL itself.

The server's `search` column is a generated tsvector of the tag, cite, spoken and body text
at weights A-D, under a GIN index; the query goes through `websearch_to_tsquery` and is
ranked by `ts_rank` with the local search's field weights (tag 10, cite 5, spoken 3, body 1,
as fractions of the tag's). Filters are the local search's (`index.query.Filters`, read by
attribute), and a hit has the local hit's JSON shape. Differences: the query language is
PostgreSQL's web search syntax (`"a phrase"`, `or`, `-word`; the local `AND`/`OR`/`NOT` are
translated, and a `prefix*` matches the whole word), and duplicates of one cut are not
collapsed (`copies` is 1)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from evcards.remote.connect import session
from evcards.remote.remotes import Remote
from evcards.store.library import Library

# ts_rank's weights, in its order {D, C, B, A}: body, spoken, cite, tag.
WEIGHTS = "{0.1, 0.3, 0.5, 1.0}"
READ_WEIGHTS = "{0, 1, 0, 0}"
_HEADLINE = "StartSel=«, StopSel=», MaxWords=30, MinWords=12, MaxFragments=2"


@dataclass
class RemoteHit:
    id: str
    tag: str
    short_cite: str
    snippet: str
    seen: int
    rank: int
    score: float
    words_read: int
    labels: list[str]
    year: int | None
    kind: str
    path: str | None  # the card's file in this library, when it holds the card

    def as_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "tag": self.tag,
            "short_cite": self.short_cite,
            "snippet": self.snippet,
            "seen": self.seen,
            "copies": 1,
            "cuts": 1,
            "rank": self.rank,
            "score": self.score,
            "words_read": self.words_read,
            "labels": self.labels,
            "year": self.year,
            "kind": self.kind,
            "path": self.path,
        }


def web_query(query: str) -> str:
    """The local query language as websearch_to_tsquery's: NOT -> -, AND dropped."""
    query = re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", " ", query)
    query = re.sub(r"\bNOT\s+", "-", query)
    query = re.sub(r"\bAND\b", " ", query)
    return re.sub(r"(\w)\*", r"\1", query)


def _conditions(filters: Any, kind: str | None) -> tuple[list[Any], list[Any]]:
    """SQL conditions (psycopg `sql` objects) and their parameters for the filters."""
    from psycopg import sql

    conds: list[Any] = []
    params: list[Any] = []
    for name, weight in (("tag", "a"), ("cite", "b"), ("body", "d")):
        for value in getattr(filters, name, []) or []:
            # The plain match uses the GIN index; ts_filter keeps the field's words only.
            conds.append(
                sql.SQL(
                    "search @@ plainto_tsquery('english', %s)"
                    " AND ts_filter(search, %s) @@ plainto_tsquery('english', %s)"
                )
            )
            params += [web_query(value), "{" + weight + "}", web_query(value)]
    for name, column in (
        ("author", "author"),
        ("pocket", "pocket"),
        ("hat", "hat"),
        ("block", "block"),
        ("files", "sources"),
    ):
        for value in getattr(filters, name, []) or []:
            for word in value.split():
                conds.append(sql.SQL("{}::text ILIKE %s").format(sql.Identifier(column)))
                params.append("%" + word.replace("\\", "\\\\").replace("%", r"\%") + "%")
    if getattr(filters, "labels", None):
        conds.append(sql.SQL("labels @> %s::text[]"))
        params.append(list(filters.labels))
    if getattr(filters, "year_from", None) is not None:
        conds.append(sql.SQL("year >= %s"))
        params.append(filters.year_from)
    if getattr(filters, "year_to", None) is not None:
        conds.append(sql.SQL("year <= %s"))
        params.append(filters.year_to)
    if getattr(filters, "highlighted", False):
        conds.append(sql.SQL("highlighted"))
    if kind:
        conds.append(sql.SQL("kind = %s"))
        params.append(kind)
    return conds, params


def search(
    lib: Library,
    remote: Remote,
    query: str,
    filters: Any = None,
    *,
    read: bool = False,
    limit: int = 20,
    kind: str | None = None,
) -> list[RemoteHit]:
    """The best `limit` cards for the query on the server, cards before analytics."""
    from psycopg import sql

    from evcards.remote.migrations import check

    conds, params = _conditions(filters, kind)
    text = web_query(query).strip()
    ranked = bool(text)
    if ranked:
        if read:
            conds.insert(0, sql.SQL("ts_filter(search, '{c}') @@ (SELECT q FROM q)"))
        conds.insert(0, sql.SQL("search @@ (SELECT q FROM q)"))
    where = sql.SQL(" AND ").join([sql.SQL("team = %s AND NOT deleted"), *conds])
    score = sql.SQL("ts_rank(%s, search, (SELECT q FROM q))" if ranked else "0")
    column = "spoken" if read else "body"
    statement = sql.SQL(
        "WITH q AS (SELECT websearch_to_tsquery('english', %s) AS q)"
        " SELECT card_id, tag, short_cite, ts_headline('english', CASE WHEN {col} = ''"
        " THEN tag ELSE {col} END, (SELECT q FROM q), %s), greatest(1,"
        " jsonb_array_length(sources)), score, words_read, labels, year, kind FROM ("
        "  SELECT *, {score} AS score FROM cards WHERE {where}"
        "  ORDER BY kind = 'analytic', score DESC, card_id LIMIT %s) AS best"
        " ORDER BY kind = 'analytic', score DESC, card_id"
    ).format(col=sql.Identifier(column), score=score, where=where)
    args = [text, _HEADLINE, *([READ_WEIGHTS if read else WEIGHTS] if ranked else [])]
    with session(remote, "read") as s:
        check(s)
        rows = s.conn.execute(statement, [*args, s.team, *params, limit]).fetchall()
        s.conn.commit()
    ids = lib.ids() if lib.root.is_dir() else {}
    return [_hit(n, row, ids) for n, row in enumerate(rows, 1)]


def _hit(rank: int, row: Any, ids: dict[str, Any]) -> RemoteHit:
    card_id, tag, short, snippet, seen, score, words_read, labels, year, kind = row
    paths = ids.get(card_id)
    return RemoteHit(
        id=card_id,
        tag=tag,
        short_cite=short,
        snippet=snippet.replace("\n", " ¶ "),
        seen=int(seen),
        rank=rank,
        score=float(score),
        words_read=int(words_read),
        labels=list(labels),
        year=year,
        kind=kind,
        path=str(paths[0]) if paths else None,
    )
