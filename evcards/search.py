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
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from evcards.errors import SearchQueryError
from evcards.index import FILTER_COLUMNS, TEXT_COLUMNS, WEIGHTS, ensure, sync

MARK_START, MARK_END = "\x02", "\x03"  # snippet() delimiters, styled by the caller
_OPERATORS = {"AND", "OR", "NOT"}
_TERM = re.compile(r'"(?P<phrase>[^"]*)("|$)(?P<pstar>\*)?|(?P<word>[^\s"]+)')
_WORDLIKE = re.compile(r"\w")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_ENVIRONMENTAL = re.compile(r"locked|busy|disk|readonly|unable to open", re.IGNORECASE)
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
    rank: float
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
            "words_read": self.words_read,
            "labels": self.labels,
            "year": self.year,
            "path": self.path,
        }


def build_match(query: str, filters: Filters, raw: bool = False, read: bool = False) -> str:
    """The whole FTS5 MATCH expression: the query in its columns, AND each text filter."""
    parts = []
    # FTS5 reads a NUL as the end of the string ("unterminated string"); no card holds one.
    query = _CONTROL.sub(" ", query)
    if query.strip():
        if raw:
            parts.append(f"({query})")
        else:
            quoted = quote_query(query)
            if quoted:
                cols = "spoken" if read else " ".join(TEXT_COLUMNS)
                parts.append(f"{{{cols}}} : ({quoted})")
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
    return " AND ".join(parts)


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


_BM25 = "bm25(cards_fts, {})".format(
    ", ".join([str(WEIGHTS[c]) for c in TEXT_COLUMNS] + ["0.0"] * len(FILTER_COLUMNS))
)

# The snippet comes from the body (the spoken text with --read): tag and cite have columns.
_SNIPPET = "snippet(cards_fts, {}, '" + MARK_START + "', '" + MARK_END + "', '…', 16)"


def search_db(
    db: sqlite3.Connection,
    query: str,
    filters: Filters | None = None,
    *,
    raw: bool = False,
    read: bool = False,
    limit: int = 20,
) -> list[Hit]:
    """Ranked, collapsed hits from an open index (see `search` for the synced version)."""
    filters = filters or Filters()
    match = build_match(query, filters, raw=raw, read=read)
    extra, args = _sql_filters(filters)
    try:
        picked = _ranked(db, match, extra, args, limit)
    except sqlite3.OperationalError as e:
        # In raw mode any complaint about the MATCH text is the user's to fix; in the default
        # mode only FTS5's own messages are (anything else there would be our bug).
        if (raw and not _ENVIRONMENTAL.search(str(e))) or "fts5" in str(e):
            hint = "check the FTS5 query syntax" if raw else "simplify the query"
            raise SearchQueryError(f"bad search query {query!r}: {e}; {hint}") from None
        raise
    return [_hit(db, match, rowid, dupkey, rank, read) for rowid, dupkey, rank in picked]


def _ranked(
    db: sqlite3.Connection, match: str, extra: str, args: list[object], limit: int
) -> list[tuple[int, str, float]]:
    """The best `limit` (rowid, dupkey, rank), one per duplicate group.

    Without filters on the content table the ranking runs on the FTS table alone (joining
    every match to `cards` costs about twice the ranking itself) and fetches a few more rows
    than wanted, asking again for more only when duplicates ate into them."""
    if not match and not extra:
        return []
    if not match:
        sql = f"SELECT c.rowid, c.dupkey, 0.0 FROM cards c WHERE 1{extra} ORDER BY c.short_cite"
        return _distinct(db.execute(sql, args), limit)
    if extra:
        sql = (
            f"SELECT c.rowid, c.dupkey, {_BM25} AS rank FROM cards_fts"
            " JOIN cards c ON c.rowid = cards_fts.rowid"
            f" WHERE cards_fts MATCH ?{extra} ORDER BY rank"
        )
        return _distinct(db.execute(sql, [match, *args]), limit)
    want = limit * 2 + 10
    while True:
        rows = db.execute(
            f"SELECT rowid, {_BM25} AS rank FROM cards_fts WHERE cards_fts MATCH ?"
            " ORDER BY rank LIMIT ?",
            (match, want),
        ).fetchall()
        marks = ",".join("?" * len(rows))
        dupkeys = (
            dict(
                db.execute(
                    f"SELECT rowid, dupkey FROM cards WHERE rowid IN ({marks})",
                    [r[0] for r in rows],
                )
            )
            if rows
            else {}
        )
        picked = _distinct(((r, dupkeys.get(r, ""), rank) for r, rank in rows), limit)
        if len(picked) >= limit or len(rows) < want:
            return picked
        want *= 4


def _distinct(rows: Iterable[tuple[int, str, float]], limit: int) -> list[tuple[int, str, float]]:
    picked: list[tuple[int, str, float]] = []
    taken: set[str] = set()
    for rowid, dupkey, rank in rows:
        if dupkey in taken:
            continue
        taken.add(dupkey)
        picked.append((rowid, dupkey, rank))
        if len(picked) >= limit:
            break
    return picked


def _hit(
    db: sqlite3.Connection, match: str, rowid: int, dupkey: str, rank: float, read: bool
) -> Hit:
    card_id, path, tag, short, words_read, labels, year, body = db.execute(
        "SELECT card_id, path, tag, short_cite, words_read, labels, year, body FROM cards"
        " WHERE rowid = ?",
        (rowid,),
    ).fetchone()
    snippet = None
    if match:
        row = db.execute(
            f"SELECT {_SNIPPET.format(TEXT_COLUMNS.index('spoken' if read else 'body'))}"
            " FROM cards_fts WHERE cards_fts MATCH ? AND rowid = ?",
            (match, rowid),
        ).fetchone()
        snippet = row[0] if row else None
    if not snippet:
        words = body.split()
        snippet = " ".join(words[:16]) + (" …" if len(words) > 16 else "")
    seen, copies = db.execute(
        "SELECT sum(seen), count(*) FROM cards WHERE dupkey = ?", (dupkey,)
    ).fetchone()
    return Hit(
        id=card_id,
        path=path,
        tag=tag,
        short_cite=short,
        snippet=snippet.replace("\n", " ¶ "),
        words_read=words_read,
        seen=seen,
        copies=copies,
        rank=rank,
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
) -> list[Hit]:
    """Sync the index with the library at `root`, then search it.

    The sync catches an in-place edit of a big library only over several searches (see
    evcards.index), so the files of the hits themselves are checked once more: a result is
    never shown from a stale row. If one changed, the search runs again
    on fresh rows (and checks any new hits in turn)."""
    db = ensure(root)
    try:
        checked: set[str] = set()
        while True:
            hits = search_db(db, query, filters, raw=raw, read=read, limit=limit)
            fresh = {h.path for h in hits} - checked
            if not fresh:
                return hits
            checked |= fresh
            changed = sync(root, db, only=fresh)
            if not (changed.added or changed.updated or changed.removed or changed.invalid):
                return hits
    finally:
        db.close()
