"""Searching the index: the user's query made safe, filters, bm25 ranking, duplicates collapsed.

The default query language (what a debater types, never an FTS5 syntax error):

- words match anywhere in the tag, cite and body, in any order: `nuclear war`
- "double quotes" make a phrase: `"brain drain"`; an unclosed quote runs to the end
- a trailing `*` matches a prefix: `econ*`, `"nuclear win"*`
- upper-case AND, OR, NOT between two terms are operators (`trade OR tariffs`,
  `war NOT nuclear`); anywhere else, and in lower case, they are plain words
- everything else is literal: `'`, `-`, `:`, `(`, `^` ... are quoted into the term they touch,
  where the tokenizer treats them as separators (`don't` is the phrase "don t")

`raw=True` passes the query to FTS5 unchanged (column filters, NEAR, parentheses, ^); a
syntax error there raises SearchQueryError, which the CLI shows as one `Error:` line, exit 1.

Ranking is `bm25()` with column weights: tag 10 > cite 5 > spoken (highlighted) 3 >
underlined 2 > the whole body 1. bm25 is more negative for better matches, so results sort
ascending. Highlighted text is also underlined and also body text, so it scores in each.
It runs in two tiers (see `_ranked`): cards whose tag or cite holds the query come first,
ranked by their tag and cite; the rest of the index is ranked only when those are too few.

Duplicates. The library already keeps one file per distinct card (id = content and marks)
with every sighting in `sources`; `seen` counts them. Search also collapses distinct files
that are *the same cut of the same text*: equal plain text, equal underlined text and equal
highlighted text, after Unicode NFC and whitespace normalisation (`CardFacts.dupkey`). Tag,
cite, labels, location, highlight colour, shrinking and bold may differ: they do not change
what is read. A different highlighting or underlining is a different card. A collapsed result
is the best-ranked member; its `seen` is the sum over the group and `copies` its size.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from evcards.errors import SearchQueryError
from evcards.index.schema import FTS_COLUMNS, HEAD_COLUMNS, TEXT_COLUMNS, WEIGHTS
from evcards.index.sync import ensure, sync

if TYPE_CHECKING:
    from evcards.index.snippets import Term

RANK_CAP = 5_000  # matches ranked per tier, the newest first (see _ranked); --thorough: all
MARK_START, MARK_END = "\x02", "\x03"  # around each match in a snippet, styled by the caller
_OPERATORS = {"AND", "OR", "NOT"}
_TERM = re.compile(r'"(?P<phrase>[^"]*)("|$)(?P<pstar>\*)?|(?P<word>[^\s"]+)')
_WORDLIKE = re.compile(r"\w")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_ENVIRONMENTAL = re.compile(r"locked|busy|disk|readonly|unable to open", re.IGNORECASE)
_NOT = re.compile(r"(?:^|\s)NOT(?:\s|$)")  # NOT as an operator: quote_query quotes the word
_YEARS = re.compile(r"^\s*(\d{4})?\s*(\.\.)?\s*(\d{4})?\s*$")


def _phrase(text: str, prefix: bool = False) -> str | None:
    if not _WORDLIKE.search(text):
        return None  # nothing the tokenizer would index: the term can match nothing useful
    return '"' + text.replace('"', '""') + '"' + ("*" if prefix else "")


def quote_query(query: str) -> str:
    """The user's text as a safe FTS5 expression (see the module docstring for the rules)."""
    items: list[str] = []  # phrases and operators, in order
    for m in _TERM.finditer(query):
        if m.group("phrase") is not None:
            p = _phrase(m.group("phrase"), bool(m.group("pstar")))
        else:
            word = m.group("word")
            if word in _OPERATORS:
                items.append(word)
                continue
            prefix = word.endswith("*")
            p = _phrase(word.rstrip("*"), prefix)
        if p:
            items.append(p)
    # An operator counts only between two terms; elsewhere it is the word itself.
    out: list[str] = []
    for i, item in enumerate(items):
        if item in _OPERATORS:
            nxt = items[i + 1] if i + 1 < len(items) else None
            if out and out[-1] not in _OPERATORS and nxt is not None and nxt not in _OPERATORS:
                out.append(item)
            else:
                out.append(f'"{item}"')
        else:
            out.append(item)
    return " ".join(out)


def parse_years(text: str) -> tuple[int | None, int | None]:
    """'2018', '2018..2020', '2018..', '..2020' -> (from, to); ValueError otherwise."""
    m = _YEARS.match(text)
    if not m or not (m.group(1) or m.group(3)):
        raise ValueError(f"'{text}' is not a year or a range such as 2018..2020")
    lo = int(m.group(1)) if m.group(1) else None
    hi = int(m.group(3)) if m.group(3) else None
    if not m.group(2):
        hi = lo
    if lo is not None and hi is not None and lo > hi:  # matched nothing, without a word
        raise ValueError(f"'{text}' runs backwards; write {hi}..{lo}")
    return lo, hi


@dataclass
class Filters:
    """Every way of narrowing a search besides the query itself."""

    tag: list[str] = field(default_factory=list)
    cite: list[str] = field(default_factory=list)
    body: list[str] = field(default_factory=list)
    author: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    pocket: list[str] = field(default_factory=list)
    hat: list[str] = field(default_factory=list)
    block: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    year_from: int | None = None
    year_to: int | None = None
    highlighted: bool = False


@dataclass
class Hit:
    id: str
    path: str
    tag: str
    short_cite: str
    snippet: str
    words_read: int
    seen: int
    copies: int
    rank: int  # 1 for the best result
    score: float  # bm25 in the tier that found it (more negative is better; see _ranked)
    labels: list[str]
    year: int | None

    def as_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "tag": self.tag,
            "short_cite": self.short_cite,
            "snippet": self.snippet.replace(MARK_START, "«").replace(MARK_END, "»"),
            "seen": self.seen,
            "copies": self.copies,
            "rank": self.rank,
            "score": self.score,
            "words_read": self.words_read,
            "labels": self.labels,
            "year": self.year,
            "path": self.path,
        }


def _query_part(query: str, raw: bool, columns: str) -> str | None:
    # FTS5 reads a NUL as the end of the string ("unterminated string"); no card holds one.
    query = _CONTROL.sub(" ", query)
    if not query.strip():
        return None
    if raw:
        return f"({query})"
    quoted = quote_query(query)
    return f"{{{columns}}} : ({quoted})" if quoted else None


def _filter_parts(filters: Filters) -> list[str]:
    parts = []
    for column, values in (
        ("tag", filters.tag),
        ("cite", filters.cite),
        ("body", filters.body),
        ("author", filters.author),
        ("labels", filters.labels),
        ("pocket", filters.pocket),
        ("hat", filters.hat),
        ("block", filters.block),
        ("files", filters.files),
    ):
        for value in values:
            value = _CONTROL.sub(" ", value)
            term = quote_query(value) if column in TEXT_COLUMNS else _phrase(value)
            if term:
                parts.append(f"{column} : ({term})")
    return parts


def build_match(query: str, filters: Filters, raw: bool = False, read: bool = False) -> str:
    """The whole FTS5 MATCH expression: the query in its columns, AND each text filter."""
    cols = "spoken" if read else " ".join(TEXT_COLUMNS)
    head = _query_part(query, raw, cols)
    return " AND ".join(([head] if head else []) + _filter_parts(filters))


def build_head_match(query: str, filters: Filters, raw: bool, read: bool) -> str | None:
    """The same search over head_fts (tag, cite and the filter columns), or None where the
    head alone cannot answer it the same way: raw syntax, --read, a body filter, or a NOT
    (a card whose tag lacks the word could still hold it in its body)."""
    if raw or read or filters.body:
        return None
    head = _query_part(query, False, "tag cite")
    if head and _NOT.search(head):
        return None
    return " AND ".join(([head] if head else []) + _filter_parts(filters)) or None


def _sql_filters(filters: Filters) -> tuple[str, list[object]]:
    where: list[str] = []
    args: list[object] = []
    if filters.year_from is not None:
        where.append("c.year >= ?")
        args.append(filters.year_from)
    if filters.year_to is not None:
        where.append("c.year <= ?")
        args.append(filters.year_to)
    if filters.highlighted:
        where.append("c.has_highlight = 1")
    for label in filters.labels:  # the FTS match is by word; labels match exactly
        where.append("instr(' ' || c.labels || ' ', ?) > 0")
        args.append(f" {label} ")
    return "".join(f" AND {w}" for w in where), args


def _bm25(table: str, columns: tuple[str, ...]) -> str:
    weights = ", ".join(str(WEIGHTS.get(c, 0.0)) for c in columns)
    return f"bm25({table}, {weights})"


_RANK = {"cards_fts": _bm25("cards_fts", FTS_COLUMNS), "head_fts": _bm25("head_fts", HEAD_COLUMNS)}


def search_db(
    db: sqlite3.Connection,
    query: str,
    filters: Filters | None = None,
    *,
    raw: bool = False,
    read: bool = False,
    limit: int = 20,
    thorough: bool = False,
) -> list[Hit]:
    """Ranked, collapsed hits from an open index (see `search` for the synced version)."""
    filters = filters or Filters()
    match = build_match(query, filters, raw=raw, read=read)
    head = build_head_match(query, filters, raw, read)
    extra, args = _sql_filters(filters)
    try:
        picked = _ranked(db, match, head, not query.strip(), extra, args, limit, thorough)
    except sqlite3.OperationalError as e:
        # In raw mode any complaint about the MATCH text is the user's to fix; in the default
        # mode only FTS5's own messages are (anything else there would be our bug).
        if (raw and not _ENVIRONMENTAL.search(str(e))) or "fts5" in str(e):
            hint = "check the FTS5 query syntax" if raw else "simplify the query"
            raise SearchQueryError(f"bad search query {query!r}: {e}; {hint}") from None
        raise
    from evcards.index import snippets

    clean = _CONTROL.sub(" ", query)
    terms = snippets.terms_of_raw(clean) if raw else snippets.terms_of(quote_query(clean))
    return [
        _hit(db, terms, n, rowid, dupkey, score, read)
        for n, (rowid, dupkey, score) in enumerate(picked, 1)
    ]


Row = tuple[int, str, float]  # (rowid, dupkey, rank)


def _best(
    db: sqlite3.Connection,
    table: str,
    match: str,
    extra: str,
    args: list[object],
    want: int,
    cap: int | None,
) -> Iterator[Row]:
    """Every match of `table` (the newest `cap` of them, if given), best first, fetched in
    pages that grow fourfold.

    Without filters (year, --highlighted, labels) the ranking runs on the FTS table alone
    (joining every match to `facets` costs about as much as ranking it); the page's dupkeys
    are looked up afterwards. Ties are broken by rowid so that pages agree with each other."""
    floor = _floor(db, table, match, extra, args, cap) if cap else 0
    done = 0
    while True:
        rows = _page(db, table, match, floor, extra, args, want, done)
        yield from rows
        if done + len(rows) < want:
            return
        done += len(rows)
        want *= 4


def _floor(
    db: sqlite3.Connection, table: str, match: str, extra: str, args: list[object], cap: int
) -> int:
    """The rowid of the cap-th newest match: FTS5 walks a doclist backwards by rowid without
    scoring, so finding it costs a fraction of ranking the rows past it. With filters on
    `cards` (a year, --highlighted) it counts only the matches they keep."""
    join = f" JOIN facets c ON c.rowid = {table}.rowid" if extra else ""
    row = db.execute(
        f"SELECT {table}.rowid FROM {table}{join} WHERE {table} MATCH ?{extra}"
        f" ORDER BY {table}.rowid DESC LIMIT 1 OFFSET ?",
        [match, *args, cap - 1],
    ).fetchone()
    return row[0] if row else 0


def _page(
    db: sqlite3.Connection,
    table: str,
    match: str,
    floor: int,
    extra: str,
    args: list[object],
    want: int,
    done: int,
) -> list[Row]:
    """The best `want` matches from rowid `floor` up, less the `done` already yielded."""
    rank = _RANK[table]
    if extra:
        return db.execute(
            f"SELECT c.rowid, c.dupkey, {rank} AS rank FROM {table}"
            f" JOIN facets c ON c.rowid = {table}.rowid"
            f" WHERE {table} MATCH ? AND {table}.rowid >= ?{extra}"
            " ORDER BY rank, c.rowid LIMIT ?",
            [match, floor, *args, want],
        ).fetchall()[done:]
    page = db.execute(
        f"SELECT rowid, {rank} AS rank FROM {table} WHERE {table} MATCH ?"
        " AND rowid >= ? ORDER BY rank, rowid LIMIT ?",
        (match, floor, want),
    ).fetchall()[done:]
    if not page:
        return []
    marks = ",".join("?" * len(page))
    dupkeys = dict(
        db.execute(
            f"SELECT rowid, dupkey FROM facets WHERE rowid IN ({marks})", [r[0] for r in page]
        )
    )
    return [(r, dupkeys.get(r, ""), k) for r, k in page]


def _ranked(
    db: sqlite3.Connection,
    match: str,
    head: str | None,
    head_is_all: bool,
    extra: str,
    args: list[object],
    limit: int,
    thorough: bool = False,
) -> list[Row]:
    """The best `limit` (rowid, dupkey, rank), one per duplicate group, in two tiers.

    bm25 must score every matching row before it can sort, and at a million cards a common
    word is in 100,000 bodies (seconds). So the search asks the small head index first:
    cards whose tag or cite holds the query, ranked by bm25 there (tag 10, cite 5). Only when
    those are fewer than `limit` does it rank the whole index (tag 10, cite 5, spoken 3,
    underlined 2, body 1) for the rest. A card whose tag states the query is what a debater
    looks for first, so the tiers keep the weights' order: tag, cite, spoken, underlined,
    body. `head_is_all`: the search has no query words, only filters the head index holds
    whole, so its answer is complete.

    Even the head holds a common word 20,000 times at a million cards (40 ms of bm25). So
    unless `thorough`, each tier ranks only the newest RANK_CAP of its matches: rowids
    follow the order the card files were written (a rebuild inserts them oldest first, a
    sync appends what changed), and for a debater the newest of 5,000 cards that all name
    the query in their tag are the ones to read first."""
    if not match and not extra:
        return []
    if not match:
        sql = f"SELECT c.rowid, c.dupkey, 0.0 FROM cards c WHERE 1{extra} ORDER BY c.short_cite"
        return _distinct(db.execute(sql, args), limit, set())
    taken: set[str] = set()
    picked: list[Row] = []
    cap = None if thorough else max(RANK_CAP, limit * 4)
    if head:
        best = _best(db, "head_fts", head, extra, args, limit * 2 + 10, cap)
        picked = _distinct(best, limit, taken)
        if len(picked) >= limit or head_is_all:
            return picked
    seen_rows = {r[0] for r in picked}
    best = _best(db, "cards_fts", match, extra, args, limit * 2 + 10 + len(picked), cap)
    rest = (r for r in best if r[0] not in seen_rows)
    return picked + _distinct(rest, limit - len(picked), taken)


def _distinct(rows: Iterable[Row], limit: int, taken: set[str]) -> list[Row]:
    """The first `limit` rows of distinct dupkeys (`taken` holds those already used)."""
    picked: list[Row] = []
    if limit <= 0:
        return picked
    for rowid, dupkey, rank in rows:
        if dupkey in taken:
            continue
        taken.add(dupkey)
        picked.append((rowid, dupkey, rank))
        if len(picked) >= limit:
            break
    return picked


def _hit(
    db: sqlite3.Connection,
    terms: list[Term],
    rank: int,
    rowid: int,
    dupkey: str,
    score: float,
    read: bool,
) -> Hit:
    from evcards.index.snippets import snippet

    card_id, path, tag, short, words_read, labels, year, text = db.execute(
        f"SELECT card_id, path, tag, short_cite, words_read, labels, year,"
        f" {'spoken' if read else 'body'} FROM cards WHERE rowid = ?",
        (rowid,),
    ).fetchone()
    # The body's paragraphs are joined by newlines; a snippet shows them as pilcrows.
    cut = snippet(text.replace("\n", " ¶ "), terms, MARK_START, MARK_END)
    seen, copies = db.execute(
        "SELECT sum(seen), count(*) FROM cards WHERE dupkey = ?", (dupkey,)
    ).fetchone()
    return Hit(
        id=card_id,
        path=path,
        tag=tag,
        short_cite=short,
        snippet=cut,
        words_read=words_read,
        seen=seen,
        copies=copies,
        rank=rank,
        score=score,
        labels=labels.split(),
        year=year,
    )


def search(
    root: Path,
    query: str,
    filters: Filters | None = None,
    *,
    raw: bool = False,
    read: bool = False,
    limit: int = 20,
    thorough: bool = False,
) -> list[Hit]:
    """Sync the index with the library at `root`, then search it.

    The sync catches an in-place edit of a big library only over several searches (see
    evcards.index.sync), so the files of the hits themselves are checked once more: a result is
    never shown from a stale row. If one changed, the search runs again
    on fresh rows (and checks any new hits in turn)."""
    db = ensure(root)
    try:
        checked: set[str] = set()
        while True:
            hits = search_db(db, query, filters, raw=raw, read=read, limit=limit, thorough=thorough)
            fresh = {h.path for h in hits} - checked
            if not fresh:
                return hits
            checked |= fresh
            changed = sync(root, db, only=fresh)
            if not (changed.added or changed.updated or changed.removed or changed.invalid):
                return hits
    finally:
        db.close()
