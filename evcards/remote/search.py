"""`evcards search QUERY --remote NAME`: full text in PostgreSQL itself.

The server's `search` column is a generated tsvector of the tag, cite, spoken and body text
at weights A-D, under a GIN index; the query goes through `websearch_to_tsquery` and is
ranked by `ts_rank` with the local search's field weights (tag 10, cite 5, spoken 3, body 1,
as fractions of the tag's). Filters are the local search's (`index.query.Filters`, read by
attribute), and a hit has the local hit's JSON shape. Differences: the query language is
PostgreSQL's web search syntax (`"a phrase"`, `or`, `-word`; the local `AND`/`OR`/`NOT` are
translated, and a `prefix*` matches the whole word), and duplicates of one cut are not
collapsed (`copies` is 1). Snippets are cut here from the text the server sends, the words
its English config matches marked (`remote.snippet`), not by `ts_headline`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evcards.remote.connect import session
from evcards.remote.remotes import Remote
from evcards.remote.snippet import candidates, every_word, matching, snippets, wanted
from evcards.store.library import Library

# ts_rank's weights, in its order {D, C, B, A}: body, spoken, cite, tag.
WEIGHTS = "{0.1, 0.3, 0.5, 1.0}"
READ_WEIGHTS = "{0, 1, 0, 0}"


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
    where: str = "remote"  # as a local hit's `where` (lib or a collection's name)

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
            "where": self.where,
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
    for name, vector, weight in (
        ("tag", "head", "a"),
        ("cite", "head", "b"),
        ("body", "search", "d"),
    ):
        for value in getattr(filters, name, []) or []:
            # The plain match uses a GIN index; ts_filter keeps the field's words only.
            conds.append(
                sql.SQL(
                    "{v} @@ plainto_tsquery('english', %s)"
                    " AND ts_filter({v}, %s) @@ plainto_tsquery('english', %s)"
                ).format(v=sql.Identifier(vector))
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


# Body-only matches ranked when the tag, cite and spoken matches do not fill the page: the
# first this many the GIN index gives (table order), ranked on the whole vector.
BODY_CANDIDATES = 200

_ORDER = "kind = 'analytic', tier, score DESC, card_id"


_Q = "websearch_to_tsquery('english', %s)"


_MATCHES = "card_id IN (SELECT m.card_id FROM evcards_matches(" + _Q + ", {}, %s::integer) AS m)"


_BEST = (
    "card_id IN (SELECT m.card_id FROM evcards_matches("
    + _Q
    + ", true, %s::integer, %s::real[], %s, %s) AS m)"
)


def _matches(in_head: bool, text: str, cap: int | None, fast: bool) -> tuple[Any, list[Any]]:
    """The condition that a row is one of `evcards_matches`' (the GIN indexes, read by the
    owner's function), and its parameters; without `fast`, none (the reference: the same
    statement's own `@@` conditions alone, under the caller's row-level security)."""
    from psycopg import sql

    if not fast:
        return sql.SQL("true"), []
    return sql.SQL(_MATCHES).format(sql.SQL("true" if in_head else "false")), [text, cap]


def _best(text: str, limit: int, weights: str, negated: bool, read: bool) -> tuple[Any, list]:
    """The condition that a row is one of the best `limit` head matches, ranked by the
    owner's function as the head tier ranks them (for a search without filters: with
    filters, the best of all matches may not be the best of those kept)."""
    from psycopg import sql

    return sql.SQL(_BEST), [text, limit, weights, negated, read]


def _ranked(
    where: Any,
    wargs: list[Any],
    text: str,
    read: bool,
    limit: int,
    filtered: bool,
    fast: bool = True,
) -> tuple[Any, list]:
    """The statement's candidates, and its parameters: matches in the tag, cite or spoken
    (`head`, a small vector under its own GIN index) ranked on `head`; then, only while they
    are fewer than the limit, up to BODY_CANDIDATES body-only matches ranked on the whole
    vector. Ranking every match on the whole vector (3-5 KB detoasted a row) is what made it
    slow. The matches come from `evcards_matches` (migrations, version 3), which reads the
    GIN indexes that row-level security keeps this role's own statements from using; the
    rows themselves are read here, under the caller's policy, by primary key. With filters
    (`filtered`), every body-only match is a candidate, so that the first BODY_CANDIDATES
    are those the filters keep."""
    from psycopg import sql

    weights = READ_WEIGHTS if read else WEIGHTS
    # Without a NOT, a match in `head` (a part of `search`) is a match of the whole card.
    negated = "-" in text
    if fast and not filtered:
        head_m, head_margs = _best(text, limit, weights, negated, read)
    else:
        head_m, head_margs = _matches(True, text, None, fast)
    body_m, body_margs = _matches(False, text, None if filtered else BODY_CANDIDATES, fast)
    head = sql.SQL(
        "SELECT card_id, kind, 1 AS tier, ts_rank(%s, head, (SELECT q FROM q)) AS score"
        " FROM cards WHERE {where} AND {m} AND head @@ {q}{neg}{read}"
        " ORDER BY " + _ORDER + " LIMIT %s"
    ).format(
        where=where,
        m=head_m,
        q=sql.SQL(_Q),
        neg=sql.SQL(" AND search @@ " + _Q if negated else ""),
        read=sql.SQL(" AND ts_filter(head, '{c}') @@ (SELECT q FROM q)" if read else ""),
    )
    head_args = [weights, *wargs, *head_margs, text, *([text] if negated else []), limit]
    if read:  # what was read aloud is all in `head`
        a = sql.SQL("WITH a AS MATERIALIZED ({head}) SELECT * FROM a").format(head=head)
        return a, head_args
    body = sql.SQL(
        "SELECT card_id, kind, 2 AS tier, ts_rank(%s, search, (SELECT q FROM q)) AS score"
        " FROM (SELECT card_id, kind, search FROM cards WHERE {where} AND {m}"
        " AND search @@ {q} AND NOT head @@ {q}"
        " AND (SELECT count(*) FROM a) < %s LIMIT %s) AS c"
    ).format(where=where, m=body_m, q=sql.SQL(_Q))
    body_args = [weights, *wargs, *body_margs, text, text, limit, BODY_CANDIDATES]
    both = sql.SQL("WITH a AS MATERIALIZED ({head}) SELECT * FROM a UNION ALL ({body})")
    return both.format(head=head, body=body), [*head_args, *body_args]


def search(
    lib: Library,
    remote: Remote,
    query: str,
    filters: Any = None,
    *,
    read: bool = False,
    limit: int = 20,
    kind: str | None = None,
    fast: bool = True,
) -> list[RemoteHit]:
    """The best `limit` cards for the query on the server, cards before analytics.
    `fast=False` finds the matches without `evcards_matches` (the reference the tests hold
    the fast path to: the same hits, while body-only matches are at most BODY_CANDIDATES)."""
    from psycopg import sql

    from evcards.remote.migrations import check

    conds, params = _conditions(filters, kind)
    text = web_query(query).strip()
    where = sql.SQL(" AND ").join([sql.SQL("team = %s AND NOT deleted"), *conds])
    column = "spoken" if read else "body"
    statement = sql.SQL(
        "WITH q AS (SELECT websearch_to_tsquery('english', %s) AS q), best AS ({best}),"
        " top AS (SELECT * FROM best ORDER BY " + _ORDER + " LIMIT %s)"
        " SELECT c.card_id, c.tag, c.short_cite, CASE WHEN {col} = '' THEN c.tag ELSE {col}"
        " END, greatest(1, jsonb_array_length(c.sources)), top.score, c.words_read, c.labels,"
        " c.year, c.kind, (SELECT tsvector_to_array(to_tsvector('english', %s)))"
        " FROM top JOIN cards AS c ON c.team = %s AND c.card_id = top.card_id"
        " ORDER BY top.kind = 'analytic', top.tier, top.score DESC, top.card_id"
    )
    with session(remote, "read", autocommit=True) as s:
        check(s)
        wargs: list[Any] = [s.team, *params]
        if text:
            best, best_args = _ranked(where, wargs, text, read, limit, bool(conds), fast)
        else:
            best = sql.SQL(
                "WITH a AS (SELECT card_id, kind, 0 AS tier, 0::real AS score FROM cards"
                " WHERE {where} ORDER BY kind = 'analytic', card_id LIMIT %s) SELECT * FROM a"
            ).format(where=where)
            best_args = [*wargs, limit]
        args: list[Any] = [text, *best_args, limit, wanted(text), s.team]
        final = statement.format(best=best, col=sql.SQL("c.") + sql.Identifier(column))
        rows = s.conn.execute(final, args).fetchall()
        texts = [row[3] for row in rows]
        lexemes = list(rows[0][10] or []) if rows else []
        # The words to mark: only those that could match, or (the reference) every word.
        words = (candidates if fast else every_word)(texts, lexemes)
        marked = matching(s.conn, words, lexemes)
        s.conn.commit()
    ids = _files(lib, rows)
    cut = snippets(texts, words, marked)
    return [_hit(n, row, ids, one) for n, (row, one) in enumerate(zip(rows, cut, strict=True), 1)]


def _files(lib: Library, rows: list[Any]) -> dict[str, list[Path]]:
    """The local files of the hits: from the catalog when the library has an index (one
    query), else from the walk (a library never searched here has none yet)."""
    from evcards.index.catalog import files_of
    from evcards.index.schema import index_path

    if not rows or not lib.root.is_dir():
        return {}
    if index_path(lib.root).is_file():
        return files_of(lib.root, [row[0] for row in rows])
    return lib.ids()


def _hit(rank: int, row: Any, ids: dict[str, Any], snippet: str) -> RemoteHit:
    card_id, tag, short, _, seen, score, words_read, labels, year, kind, _ = row
    paths = ids.get(card_id)
    return RemoteHit(
        id=card_id,
        tag=tag,
        short_cite=short,
        snippet=snippet,
        seen=int(seen),
        rank=rank,
        score=float(score),
        words_read=int(words_read),
        labels=list(labels),
        year=year,
        kind=kind,
        path=str(paths[0]) if paths else None,
    )
