"""The search's query language, and the tantivy query a search and its filters make.

The default query language (what a debater types, never a syntax error):

- words match anywhere in the tag, cite and body, in any order: `nuclear war`
- "double quotes" make a phrase: `"brain drain"`; an unclosed quote runs to the end
- a trailing `*` matches a prefix: `econ*`, `"nuclear win"*`
- upper-case AND, OR, NOT between two terms are operators (`trade OR tariffs`,
  `war NOT nuclear`); anywhere else, and in lower case, they are plain words. OR binds
  tighter than AND: `russia OR china war` is (russia OR china) AND war.
- everything else is literal: `'`, `-`, `:`, `(`, `^` ... are quoted into the term they touch,
  where the tokenizer treats them as separators (`don't` is the phrase "don t")

`quote_query` writes the user's text in a canonical form (each term a "quoted phrase", then
the operators), which `_clauses` reads back and evcards.index.snippets marks in the snippet.
`raw=True` hands the query to tantivy's own query parser instead (`field:word`, `"a b"~2`,
parentheses, `^boost`, ranges); a syntax error there raises SearchQueryError.

Ranking is tantivy's BM25, summed over the fields with these weights: tag 10 > cite 5 >
spoken (highlighted) 3 > the whole body 1. Spoken text is also body text, so it scores in
both. Filters must hold but add nothing to the score.

A one-word prefix (`econ*`) is ranked as the words it stands for: in each field, the
MAX_EXPANSION words of the index that begin with it and are held by the most cards
(`Searcher.terms_with_prefix`) are OR-ed, each scored by BM25 like a word typed
(`economy OR economic ...`), the way Lucene rewrites a multi-term query into a scoring
boolean query of its top terms. Tantivy's own prefix query (`phrase_prefix_query` of one word)
scores a match as a constant per field, so every card that has the prefix in the same fields
ties; ordering a tie of thousands by card id took several full passes over the matches and
the catalog rows of the whole tie (bench/README.md, branch prefix5). The matches are those of
tantivy's query whenever a field holds at most MAX_EXPANSION such words (tantivy takes the
first 50 in alphabetical order, segment by segment; here the 50 most common in the index).
A search over several indexes ranked as one (index.shared) keeps tantivy's constant score:
the words a prefix stands for differ between the indexes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from evcards.errors import SearchQueryError

if TYPE_CHECKING:
    import tantivy

    from evcards.index.shared import Scale

WEIGHTS = {"tag": 10.0, "cite": 5.0, "spoken": 3.0, "body": 1.0}
READ_WEIGHTS = {"spoken": 1.0}  # `--read`: only what is read aloud counts
_OPERATORS = {"AND", "OR", "NOT"}
_TERM = re.compile(r'"(?P<phrase>[^"]*)("|$)(?P<pstar>\*)?|(?P<word>[^\s"]+)')
_CANONICAL = re.compile(r'"((?:[^"]|"")*)"(\*?)|(AND|OR|NOT)')
_WORDLIKE = re.compile(r"\w")
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_YEARS = re.compile(r"^\s*(\d{4})?\s*(\.\.)?\s*(\d{4})?\s*$")
KINDS = ("card", "analytic")
MAX_EXPANSION = 50  # words a prefix stands for in a field: tantivy's own max_expansions
Expand = Callable[[str, str], list[str]]  # (field, prefix) -> the words it stands for there


def _phrase(text: str, prefix: bool = False) -> str | None:
    if not _WORDLIKE.search(text):
        return None  # nothing the tokenizer would index: the term can match nothing useful
    return '"' + text.replace('"', '""') + '"' + ("*" if prefix else "")


def quote_query(query: str) -> str:
    """The user's text in canonical form (see the module docstring for the rules)."""
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
    """Every way of narrowing a search (and `list`) besides the query itself."""

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
    # A collection's facts about a card's round (evcards.collections): a library card has
    # none, so any of them leaves the library's cards out.
    event: list[str] = field(default_factory=list)
    side: list[str] = field(default_factory=list)
    level: list[str] = field(default_factory=list)
    caselist: list[str] = field(default_factory=list)
    season_from: int | None = None  # the season the dataset files a round under
    season_to: int | None = None

    def round_only(self) -> bool:
        """Whether a filter only a collection card can pass is given."""
        seasons = self.season_from is not None or self.season_to is not None
        return bool(self.event or self.side or self.level or self.caselist) or seasons

    def words(self) -> bool:
        """Whether a filter needs the full-text index (the catalog holds no text to match)."""
        texts = (self.tag, self.cite, self.body, self.author, self.pocket, self.hat, self.block)
        return any(texts) or bool(self.files)


Clause = tuple[bool, list[tuple[str, bool]]]  # (excluded, terms OR-ed: (text, prefix))


def _clauses(canonical: str) -> list[Clause]:
    """The canonical query as clauses that must all hold: OR joins a term to the clause
    before it, NOT makes the next one a clause that must not hold."""
    clauses: list[Clause] = []
    pending = None
    for m in _CANONICAL.finditer(canonical):
        if m.group(3):
            pending = m.group(3)
            continue
        term = (m.group(1).replace('""', '"'), bool(m.group(2)))
        if pending == "OR" and clauses:
            clauses[-1][1].append(term)
        else:
            clauses.append((pending == "NOT", [term]))
        pending = None
    return clauses


def _term(text: str, prefix: bool, name: str, expand: Expand | None = None) -> tantivy.Query | None:
    """One term (a word, a phrase, maybe a prefix) in one field; None if it has no words.
    `expand`: a one-word prefix as the words it stands for, each scored (module docstring)."""
    import tantivy

    from evcards.index.fulltext import schema, words

    tokens: list[str | tuple[int, str]] = list(words(text))
    if not tokens:
        return None
    if prefix and expand is not None and len(tokens) == 1:
        return _expanded(name, expand(name, str(tokens[0])))
    if prefix:
        return tantivy.Query.phrase_prefix_query(schema(), name, tokens)
    if len(tokens) == 1:
        return tantivy.Query.term_query(schema(), name, tokens[0])
    return tantivy.Query.phrase_query(schema(), name, tokens)


def _expanded(name: str, terms: list[str]) -> tantivy.Query:
    """The words a prefix stands for in a field, OR-ed and each scored by BM25."""
    import tantivy

    from evcards.index.fulltext import schema

    if not terms:
        return tantivy.Query.empty_query()  # a clause that must hold and cannot
    if len(terms) == 1:
        return tantivy.Query.term_query(schema(), name, terms[0])
    each = [tantivy.Query.term_query(schema(), name, t) for t in terms]
    return tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in each])


def expander(searcher: tantivy.Searcher) -> Expand:
    """The words of the index behind `searcher` that a prefix stands for in a field: the
    MAX_EXPANSION held by the most documents (ties in alphabetical order)."""
    from evcards.index.fulltext import reading

    def expand(name: str, prefix: str) -> list[str]:
        with reading():
            found = searcher.terms_with_prefix(name, prefix, limit=MAX_EXPANSION)
        return [str(term) for term, _count in found]

    return expand


def _in_fields(
    text: str,
    prefix: bool,
    weights: dict[str, float],
    scale: Scale | None = None,
    expand: Expand | None = None,
) -> tantivy.Query | None:
    """A term in any of the weighted fields, each match scored with its field's weight
    (times `scale` of the field and the term's words, when given: index.shared)."""
    import tantivy

    from evcards.index.fulltext import words

    parts = []
    for name, weight in weights.items():
        q = _term(text, prefix, name, expand)
        if q is not None:
            if scale is not None and not prefix:
                weight *= scale(name, words(text))
            parts.append((tantivy.Occur.Should, tantivy.Query.boost_query(q, weight)))
    if not parts:
        return None
    return parts[0][1] if len(parts) == 1 else tantivy.Query.boolean_query(parts)


def text_query(
    query: str,
    weights: dict[str, float],
    scale: Scale | None = None,
    expand: Expand | None = None,
) -> tantivy.Query | None:
    """The user's query (default language) over weighted fields; None when it has no terms.
    `scale`: each term's weight in each field multiplied by it (shared idf: index.shared).
    `expand` (`expander`): one-word prefixes ranked as the words they stand for; without it,
    tantivy's prefix query, a constant score per field (for filters, which score nothing)."""
    import tantivy

    parts = []
    for excluded, terms in _clauses(quote_query(CONTROL.sub(" ", query))):
        found = [
            q for text, prefix in terms if (q := _in_fields(text, prefix, weights, scale, expand))
        ]
        if not found:
            continue
        one = found[0] if len(found) == 1 else _any(found)
        parts.append((tantivy.Occur.MustNot if excluded else tantivy.Occur.Must, one))
    if not any(occur == tantivy.Occur.Must for occur, _ in parts):
        return None  # only exclusions (their term had no words): nothing to find
    return parts[0][1] if len(parts) == 1 else tantivy.Query.boolean_query(parts)


def weights_for(read: bool) -> dict[str, float]:
    return READ_WEIGHTS if read else WEIGHTS


def leaves(query: str, weights: dict[str, float]) -> set[tuple[str, str]]:
    """Each (field, word) that `text_query` would score: what index.shared counts."""
    from evcards.index.fulltext import words

    out: set[tuple[str, str]] = set()
    for _excluded, terms in _clauses(quote_query(CONTROL.sub(" ", query))):
        for text, prefix in terms:
            if not prefix:
                out.update((name, w) for name in weights for w in words(text))
    return out


def _any(queries: list[tantivy.Query]) -> tantivy.Query:
    import tantivy

    return tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in queries])


def raw_query(index: tantivy.Index, query: str, weights: dict[str, float]) -> tantivy.Query:
    """The query in tantivy's own syntax; SearchQueryError when it does not parse."""
    query = CONTROL.sub(" ", query)
    try:
        return index.parse_query(
            query, list(weights), field_boosts=weights, conjunction_by_default=True
        )
    except ValueError as e:
        raise SearchQueryError(
            f"bad search query {query!r}: {e}; check tantivy's query syntax"
            ' (field:word, "a phrase", AND, OR, NOT, parentheses)'
        ) from None


def filter_queries(filters: Filters, kind: str | None) -> list[tantivy.Query]:
    """Each filter as a query that must hold and scores nothing."""
    import tantivy

    from evcards.index.fulltext import schema

    # A filter with no words in it (`--tag '*'`) narrows nothing, as it did under FTS5.
    out = [
        q
        for name in ("tag", "cite", "body")
        for value in getattr(filters, name)
        if (q := text_query(value, {name: 1.0}))
    ]
    out += [
        q
        for name in ("author", "pocket", "hat", "block", "files")
        for value in getattr(filters, name)
        if (q := _term(CONTROL.sub(" ", value), False, name))
    ]
    out += [tantivy.Query.term_query(schema(), "labels", label) for label in filters.labels]
    out += _round_queries(filters)
    if filters.year_from is not None or filters.year_to is not None:
        out.append(
            tantivy.Query.range_query(
                schema(), "year", tantivy.FieldType.Integer, filters.year_from, filters.year_to
            )
        )
    if filters.highlighted:
        out.append(tantivy.Query.term_query(schema(), "highlighted", 1))
    if kind is not None:
        out.append(tantivy.Query.term_query(schema(), "analytic", int(kind == "analytic")))
    return [tantivy.Query.const_score_query(q, 0.0) for q in out]


def _round_queries(filters: Filters) -> list[tantivy.Query]:
    """The collection-only filters: each field one of its values (lower-cased, as stored)."""
    import tantivy

    from evcards.index.fulltext import ROUND_FIELDS, schema

    out = []
    for name in ROUND_FIELDS:
        values = getattr(filters, name)
        if values:
            terms = [tantivy.Query.term_query(schema(), name, v.strip().lower()) for v in values]
            out.append(tantivy.Query.boolean_query([(tantivy.Occur.Should, t) for t in terms]))
    if filters.season_from is not None or filters.season_to is not None:
        out.append(
            tantivy.Query.range_query(
                schema(),
                "season",
                tantivy.FieldType.Integer,
                filters.season_from,
                filters.season_to,
            )
        )
    return out


def combine(query: tantivy.Query | None, filters: list[tantivy.Query]) -> tantivy.Query:
    import tantivy

    parts = [(tantivy.Occur.Must, q) for q in ([query] if query else []) + filters]
    return tantivy.Query.boolean_query(parts)


def in_tier(query: tantivy.Query | None, filters: Filters, kind: str | None) -> tantivy.Query:
    """`combine(query, filter_queries(filters, kind))`, the same matches with the same
    scores, written so that tantivy can still skip: a tier as "not of the other kind"
    (every card's document holds `analytic`) rather than a filter every match must pass,
    which made tantivy score each match where block-max WAND skips most (at 1,000,000 cards
    tantivy's own time for the top 50 of `terrorism` fell 6.1 -> 3.1 ms, `econ*` 23.7 ->
    14.2, `russia OR china` 30.4 -> 18.2: bench/README.md, branch prefix5). A query of
    filters alone keeps the filter (a clause that must hold is needed)."""
    import tantivy

    from evcards.index.fulltext import schema

    if query is None or kind is None:
        return combine(query, filter_queries(filters, kind))
    other = tantivy.Query.term_query(schema(), "analytic", int(kind != "analytic"))
    parts = [(tantivy.Occur.Must, q) for q in [query, *filter_queries(filters, None)]]
    return tantivy.Query.boolean_query([*parts, (tantivy.Occur.MustNot, other)])
