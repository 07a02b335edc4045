"""Ranking several indexes as one: BM25 with the statistics of all of them.

A search over the library and the collections ranks each source in its own tantivy index,
and each index's BM25 weighs a word by how rare it is *there* (idf = ln(1 + (N - n + 0.5) /
(n + 0.5)), N the index's documents, n those holding the word) and a field's length against
the average length of that field *there* (avgdl). A word common in a caselist but rare in an
8-card library scored far higher in the library, and a card taken from a collection into
the library ranked differently from its collection copy: merged lists were only roughly
ordered.

Two steps make each source's scores those of one index holding every source:
- **idf**, before ranking: `Shared` counts N and each query word's n in every source (one
  `doc_freq` lookup per word and field) and gives each source a `Scale`, the shared idf of
  each (field, words) term over its idf in that source. The query builder multiplies the
  term's field weight by it (`index.query.text_query`), so tantivy ranks each source by the
  shared idf, block-max WAND and all. A phrase's idf is the sum of its words' (as tantivy's
  `Bm25Weight::for_terms`). A collection is counted only once a second source holding cards
  is met (`Shared.note`): beside an empty library, never.
- **avgdl**, after ranking: the picked hits (a page per source) are rescored from tantivy's
  explanation of each score (`rescored`): every BM25 leaf's term-frequency part is worked
  out again with the field's shared average length, the boosts and sums above it kept. A
  source's average length of a field is read from the explanation of one match in that field
  (`_lengths`); the shared one is the average weighted by each source's documents.

Left as tantivy scores them: prefix terms (`econ*`: a constant per field, where one index
alone ranks the words they stand for: index.query) and `--raw` queries (tantivy's own
parser). With one source nothing changes at all, nor with one that holds documents beside
empty ones (an empty library beside a collection: `Shared.several`). What is not exact:
a source's top hits are picked by the shared idf but its own lengths, so a card just below a
source's page that the shared lengths would lift is not considered; fieldnorms are tantivy's
(lossy) codes in both.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

from evcards.index.fulltext import RANKED

if TYPE_CHECKING:
    import tantivy

Scale = Callable[[str, list[str]], float]  # (field, words of a term) -> factor on its weight
Leaf = tuple[str, str]  # (field, word)
_COMMON = ("the", "of", "and", "to", "a", "in")  # a match in a field, to read its avgdl
_TF = "freq / (freq + k1 * (1 - b + b * dl / avgdl))"  # tantivy's explanation of the tf part


def idf(n: int, total: int) -> float:
    """Tantivy's BM25 idf of a word held by `n` of `total` documents."""
    return math.log(1.0 + (total - n + 0.5) / (n + 0.5))


@dataclass
class Counts:
    """One source's statistics for the query: its documents, each word's documents, and the
    average length of each field the query matches there."""

    total: int
    held: dict[Leaf, int]
    lengths: dict[str, float] = field(default_factory=dict)
    cards: bool = True  # whether it holds a card (not only its generation document)


class Shared:
    """The query's words (`leaves`, from `query.leaves`) counted over each source added."""

    def __init__(self, leaves: set[Leaf], later: bool = False) -> None:
        self.leaves = leaves
        self.sources: dict[str, Counts] = {}
        # Sources noted but not counted yet (`note`): counted when a ranking needs them.
        self.noted: dict[str, tuple[tantivy.Searcher, dict[Any, Any] | None, bool]] = {}
        # Whether each source's picked hits are rescored only when the caller asks (each
        # hit's `rescore`, index.search): a merge of the sources rescores only the hits
        # that can be among its results.
        self.later = later

    def add(
        self, name: str, searcher: tantivy.Searcher, memo: dict[Any, Any] | None = None
    ) -> Counts:
        """Count the query's words in the source `name` (again, if it was counted); `memo`:
        for an index that never changes, what earlier counts read of it (`_lengths`)."""
        from evcards.index.fulltext import reading

        with reading():
            held = {(f, w): searcher.doc_freq(f, w) for f, w in self.leaves}
            total, lengths = _lengths(searcher, held, memo)
        self.sources[name] = counts = Counts(total, held, lengths, _holds_cards(searcher))
        self.noted.pop(name, None)
        return counts

    def note(
        self, name: str, searcher: tantivy.Searcher, memo: dict[Any, Any] | None = None
    ) -> None:
        """`add` the source `name` when its counts are first needed: never, when it turns
        out to be the one source that holds cards (an empty library beside one collection:
        the counting's term searches were 3-13 ms a field at 1M rows)."""
        self.sources.pop(name, None)
        self.noted[name] = (searcher, memo, _holds_cards(searcher))

    def count_noted(self) -> None:
        """Count the sources noted and not counted yet."""
        for name, (searcher, memo, _) in list(self.noted.items()):
            self.add(name, searcher, memo)

    def source(self, name: str, recount: bool = False) -> Sourced:
        """What `index.search.rank` needs to rank the source `name` with the others;
        `recount`: count it afresh each time it is ranked (an index a sync may change
        between two rankings of one search: the library's)."""
        return Sourced(self, name, recount)

    def several(self) -> bool:
        """Whether more than one source holds documents. A source with none (an empty
        library beside a collection) adds nothing to any statistic: one source that holds
        documents is the one index holding everything, and ranks as it is, unscaled and
        not rescored."""
        held = [c.cards for c in self.sources.values()]
        held += [cards for _, _, cards in self.noted.values()]
        return sum(held) > 1

    def scale(self, local: Counts) -> Scale | None:
        """How to weigh a term in the source `local` so that its idf is the shared one;
        None when there is nothing to change (one source with documents, or no words to
        weigh)."""
        if not self.several() or not self.leaves:
            return None
        self.count_noted()
        every = self.sources.values()
        total = sum(c.total for c in every)
        held = {leaf: sum(c.held.get(leaf, 0) for c in every) for leaf in self.leaves}

        def factor(name: str, words: list[str]) -> float:
            mine = _idf_sum(name, words, local.held, local.total)
            if mine <= 0.0:
                return 1.0
            return _idf_sum(name, words, held, total) / mine

        return factor

    def lengths(self) -> dict[str, float]:
        """Each field's average length over the sources that hold it, weighted by their
        documents."""
        self.count_noted()
        out: dict[str, float] = {}
        for name in {f for c in self.sources.values() for f in c.lengths}:
            known = [c for c in self.sources.values() if name in c.lengths]
            docs = sum(c.total for c in known)
            if docs:
                out[name] = sum(c.lengths[name] * c.total for c in known) / docs
        return out


@dataclass
class Sourced:
    """One source of a shared ranking: its scale (counting it first if need be) and the
    rescoring of its picked hits with the shared lengths."""

    shared: Shared
    name: str
    recount: bool = False

    def counts(self, searcher: tantivy.Searcher) -> Counts:
        known = self.shared.sources.get(self.name)
        if known is not None:
            return known
        _, memo, _ = self.shared.noted.get(self.name, (searcher, None, True))
        return self.shared.add(self.name, searcher, memo)

    def merged(self) -> bool:
        """Whether this source is ranked with others that hold documents (once counted:
        `scale`)."""
        return self.shared.several()

    def scale(self, searcher: tantivy.Searcher) -> Scale | None:
        """The scale of this source's terms (first step of a ranking)."""
        if self.recount:
            self.shared.add(self.name, searcher)
        elif self.name not in self.shared.sources and self.name not in self.shared.noted:
            self.shared.note(self.name, searcher)  # one of the sources, counted if need be
        if not self.shared.several():
            return None
        return self.shared.scale(self.counts(searcher))

    def rescored(
        self, searcher: tantivy.Searcher, query: tantivy.Query, scores: list[tuple[float, Any]]
    ) -> list[float]:
        """The scores of the hits at these addresses with the shared field lengths (the
        scores as they are when there is one source)."""
        if not self.merged():
            return [s for s, _ in scores]
        one = self.rescorer(searcher, query)
        return [one(score, address) for score, address in scores]

    def rescorer(
        self, searcher: tantivy.Searcher, query: tantivy.Query
    ) -> Callable[[float, Any], float]:
        """What `rescored` does to one hit (its score, its address), with the statistics
        of the sources as they are now (for a caller that rescores only some hits)."""
        mine = self.counts(searcher).lengths
        by_length: dict[float, str | None] = {}  # a phrase leaf's avgdl names its field...
        for name, avg in mine.items():
            by_length[avg] = None if avg in by_length else name  # ...unless two share it
        shared = self.shared.lengths()

        def one(score: float, address: Any) -> float:
            if not score:
                return score
            tree = json.loads(query.explain(searcher, address).to_json())
            return again(tree, by_length, shared, None)

        return one

    def later(
        self, searcher: tantivy.Searcher, query: tantivy.Query
    ) -> Callable[[float, Any], Later]:
        """Each hit's rescoring (its score, its address) for its caller to run or not."""
        one, reach = self.rescorer(searcher, query), self.reach(searcher)
        return lambda score, address: Later(partial(one, score, address), reach)

    def reach(self, searcher: tantivy.Searcher) -> tuple[float, float]:
        """The least and the most factor `rescored` can move a score of this source by
        (float rounding aside). Each BM25 leaf's tf part, freq / (freq + k1 * (1 - b + b *
        dl / avgdl)), is worked out again with its field's shared average for avgdl: with
        A = freq + k1 * (1 - b) > 0 and C = k1 * b * dl, the new part over the old is (A + C /
        mine) / (A + C / shared), between 1 and shared / mine; and every other node of the
        explanation moves as a weighted sum of its parts. A leaf is in a field this source
        has an average for (`_lengths` finds one wherever a query word matches a live
        document), or it is left as it is."""
        mine = self.counts(searcher).lengths
        ratios = [1.0]
        ratios += [avg / mine[name] for name, avg in self.shared.lengths().items() if name in mine]
        return min(ratios), max(ratios)


@dataclass
class Later:
    """A hit's score with the shared lengths, worked out when called (`run`), and how far
    that can move it from the score it has: between `reach[0]` and `reach[1]` times it."""

    run: Callable[[], float]
    reach: tuple[float, float]


def _holds_cards(searcher: tantivy.Searcher) -> bool:
    """Whether the index holds a card: a document other than the one that holds its
    generation (index.fulltext), looked for only when it is the one document there."""
    from evcards.index.fulltext import generation_of

    n = searcher.num_docs
    return n > 1 or (n == 1 and generation_of(searcher) is None)


def _idf_sum(name: str, words: Iterable[str], held: dict[Leaf, int], total: int) -> float:
    return sum(idf(held.get((name, w), 0), total) for w in words)


def _lengths(
    searcher: tantivy.Searcher, held: dict[Leaf, int], memo: dict[Any, Any] | None = None
) -> tuple[int, dict[str, float]]:
    """This index's N as its BM25 counts it (deleted documents included, as in `doc_freq`;
    tantivy-py tells it only in an explanation) and the average length of each field the
    query names, read from the explanation of one match in that field: of a query word it
    holds, else of a common word (a field no such word is in is left out).

    `memo`: what earlier searches of this index read, for an index that never changes (a
    collection's build). Finding one match of a common word in a million documents costs
    3-13 ms a field, and N and a field's average are the index's, whatever the match: so
    each field's figures are read once, and whether a common word is in it. A memo holds
    them only while N is the index's live documents: with none deleted, a query word it
    holds (`doc_freq` over 0) has a match, as the reading without a memo would find."""
    total, out = searcher.num_docs, {}
    for name in sorted({f for f, _ in held}):
        mine = sorted(w for (f, w), n in held.items() if f == name and n)
        if memo is None:
            found = _first_match(searcher, name, [*mine, *_COMMON])
        else:
            found = _remembered(searcher, name, mine, memo)
        if found is not None:
            out[name], total = found
    return total, out


def lengths_memo(searcher: tantivy.Searcher) -> dict[Any, Any]:
    """What `_lengths` would remember of a finished index for every ranked field, worked out
    at once (a collection's build stores it, so that a process's first search, every CLI
    search, reads no match for it); {} when the index has deleted documents. A field's
    average is the same whatever word of it is matched, so a common word's match gives the
    "any" entry too; a field no common word is in has no "any" entry (a search reads it)."""
    out: dict[Any, Any] = {}
    for name in RANKED:
        common = _first_match(searcher, name, list(_COMMON))
        if common is not None and common[1] != searcher.num_docs:
            return {}
        out[("common", name)] = common
        if common is not None:
            out[("any", name)] = common
    return out


def memo_json(memo: dict[Any, Any]) -> str:
    """`lengths_memo` as JSON (its keys are pairs)."""
    return json.dumps([[kind, name, value] for (kind, name), value in memo.items()])


def memo_of_json(text: str | None) -> dict[Any, Any]:
    """`memo_json` read back; {} for none, or for anything that is not such a list."""
    try:
        rows = json.loads(text) if text else []
        return {
            (kind, name): None if v is None else (float(v[0]), int(v[1])) for kind, name, v in rows
        }
    except (ValueError, TypeError, IndexError):
        return {}


def _remembered(
    searcher: tantivy.Searcher, name: str, mine: list[str], memo: dict[Any, Any]
) -> tuple[float, int] | None:
    """`_first_match` of the field's query words, then the common words, through `memo`."""
    key = ("any", name) if mine else ("common", name)
    if key in memo:
        return memo[key]  # type: ignore[no-any-return]
    found = _first_match(searcher, name, [*mine, *_COMMON] if mine else list(_COMMON))
    if found is not None and found[1] != searcher.num_docs:
        return found  # deleted documents: a query word's count may name no live match
    if found is not None or not mine:
        memo[key] = found
    return found


def _first_match(
    searcher: tantivy.Searcher, name: str, words: list[str]
) -> tuple[float, int] | None:
    """(the field's average length, N) from the explanation of the first match of the
    first of `words` the field holds; None when it holds none."""
    import tantivy

    from evcards.index.fulltext import schema

    for word in words:
        q = tantivy.Query.term_query(schema(), name, word)
        hits = searcher.search(q, 1, count=False).hits  # any match: avgdl and N are global
        if not hits:
            continue
        tree = json.loads(q.explain(searcher, hits[0][1]).to_json())
        tf, idf_node = _find(tree, _TF), _find(tree, "idf")
        if tf is not None and idf_node is not None:
            return _detail(tf, "avgdl"), int(_detail(idf_node, "N,"))
    return None


def _find(node: dict[str, Any], start: str) -> dict[str, Any] | None:
    """The first node of an explanation whose description starts with `start`."""
    if str(node.get("description", "")).startswith(start):
        return node
    for child in node.get("details", ()):
        found = _find(child, start)
        if found is not None:
            return found
    return None


def _detail(node: dict[str, Any], name: str) -> float:
    return next(float(d["value"]) for d in node["details"] if d["description"].startswith(name))


def _again(
    node: dict[str, Any],
    by_length: dict[float, str | None],
    shared: dict[str, float],
    name: str | None,
) -> float:
    """The value of an explanation's node with each BM25 leaf's tf part worked out with its
    field's shared average length: a leaf's product, a boost's factor and a sum's parts
    follow; any other node keeps its ratio to its parts. A term leaf names its field (its
    context, `field=N`); a phrase's leaf does not, and its field is the one of its average
    length in this index (left as it is when two fields have that average)."""
    value = float(node["value"])
    name = _field_of(node) or name
    details = node.get("details") or []
    tf = next((d for d in details if d.get("description") == _TF), None)
    if tf is not None:
        old = float(tf["value"])
        avgdl = _detail(tf, "avgdl")
        avg = shared.get(name or by_length.get(avgdl) or "")
        if avg is None or old == 0.0:
            return value
        freq, k1, b, dl = (_detail(tf, k) for k in ("freq", "k1", "b", "dl"))
        return value * (freq / (freq + k1 * (1 - b + b * dl / avg))) / old
    parts = sum(float(d["value"]) for d in details)
    if not parts:
        return value
    return value * sum(_again(d, by_length, shared, name) for d in details) / parts


def again(
    node: dict[str, Any],
    by_length: dict[float, str | None],
    shared: dict[str, float],
    name: str | None,
) -> float:
    """`_again` (the reference) in fewer Python steps, to the last bit the same: the same
    operations on the same numbers in the same order (tests/test_shared_idf.py holds them
    together), with a BM25 leaf's five numbers read in one pass and a node's context looked
    at only when it has one. A leaf whose numbers are not the five expected goes to `_again`."""
    value = float(node["value"])
    if "context" in node:
        name = _field_of(node) or name
    details = node.get("details")
    if not details:
        return value
    for d in details:
        if d.get("description") == _TF:
            return _leaf_again(node, d, by_length, shared, name)
    parts = sum([float(d["value"]) for d in details])
    if not parts:
        return value
    return value * sum([again(d, by_length, shared, name) for d in details]) / parts


def _leaf_again(
    node: dict[str, Any],
    tf: dict[str, Any],
    by_length: dict[float, str | None],
    shared: dict[str, float],
    name: str | None,
) -> float:
    """`again` of a BM25 leaf, whose tf part is `tf`."""
    numbers = {str(x["description"]).split(",", 1)[0]: x["value"] for x in tf["details"]}
    if numbers.keys() != _TF_NUMBERS or len(tf["details"]) != len(_TF_NUMBERS):
        return _again(node, by_length, shared, name)
    value, old = float(node["value"]), float(tf["value"])
    avg = shared.get(name or by_length.get(float(numbers["avgdl"])) or "")
    if avg is None or old == 0.0:
        return value
    freq, k1, b, dl = (float(numbers[k]) for k in ("freq", "k1", "b", "dl"))
    return value * (freq / (freq + k1 * (1 - b + b * dl / avg))) / old


_TF_NUMBERS = {"freq", "k1", "b", "dl", "avgdl"}
_FIELD = re.compile(r"\bfield=(\d+)")
# Field ids as fulltext.schema adds them: key, generation, then the ranked fields
# (tests/test_shared_idf.py checks them against tantivy's own explanations).
FIELD_IDS = {2 + i: name for i, name in enumerate(RANKED)}


def _field_of(node: dict[str, Any]) -> str | None:
    for context in node.get("context") or ():
        m = _FIELD.search(str(context))
        if m:
            return FIELD_IDS.get(int(m.group(1)))
    return None
