"""The snippet under each search result: the stretch of the card's text where the query's words
are thickest, with each match marked.

The snippet is cut here, in Python, from the body tantivy stores and the query's terms, with
the tokenizer's rules (letters and digits; case and diacritics ignored). Tantivy's own
`SnippetGenerator` picks a window of characters, not of words, and folds with `ascii_fold`,
not as `fold` does: its snippets would not be these. `snippet_reference` is the rule in its
plain form (every word of the body tokenized and folded: about 1 us a word);
`snippet` gives the same answer from the matches alone (found in C), counting and cutting
only the words near them: a 500-word body costs about 40 us instead of 300.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass

_TOKEN = re.compile(r"[^\W_]+")
_QUOTED = re.compile(r'"((?:[^"]|"")*)"(\*?)')
_RAW_WORD = re.compile(r"([^\W_]+)(\*?)(\s*:)?")
_RAW_KEYWORDS = {"AND", "OR", "NOT", "NEAR"}


@dataclass(frozen=True)
class Term:
    """A phrase of folded tokens; the last one may be a prefix (`econ*`)."""

    tokens: tuple[str, ...]
    prefix: bool = False


def fold(token: str) -> str:
    """A token as the index compares it: case-folded, accents stripped."""
    token = token.casefold()
    if token.isascii():
        return token
    decomposed = unicodedata.normalize("NFKD", token)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _term(text: str, prefix: bool) -> Term | None:
    # A word that folds to nothing (U+FF9E alone) is left out: it could match only itself.
    tokens = tuple(f for t in _TOKEN.findall(text) if (f := fold(t)))
    return Term(tokens, prefix) if tokens else None


def terms_of(fts_query: str) -> list[Term]:
    """The terms of a query as evcards.index.search quotes it: every `"phrase"` and `"prefix"*`."""
    out = []
    for m in _QUOTED.finditer(fts_query):
        term = _term(m.group(1).replace('""', '"'), bool(m.group(2)))
        if term:
            out.append(term)
    return out


def terms_of_raw(query: str) -> list[Term]:
    """A best guess at the terms of a raw FTS5 query: its quoted phrases and bare words, less
    operators and column names (`tag: x`)."""
    out = terms_of(query)
    bare = _QUOTED.sub(" ", query)
    for m in _RAW_WORD.finditer(bare):
        word, star, colon = m.groups()
        if colon or word in _RAW_KEYWORDS:
            continue
        term = _term(word, bool(star))
        if term:
            out.append(term)
    return out


def _matches(words: list[str], start: int, term: Term) -> bool:
    n = len(term.tokens)
    if start + n > len(words):
        return False
    for k in range(n - 1):
        if words[start + k] != term.tokens[k]:
            return False
    last = words[start + n - 1]
    return last.startswith(term.tokens[-1]) if term.prefix else last == term.tokens[-1]


# -- the reference: every word of the text, folded -----------------------------------------
Match = tuple[int, int, int]  # (first word, last word, term number)


def snippet_reference(
    text: str, terms: list[Term], start_mark: str, end_mark: str, width: int = 16
) -> str:
    """What `snippet` gives, the plain way: the whole text tokenized and folded, every match
    found among its words. About 1 us a word in Python (a 2,000-word body is 2 ms)."""
    spans = [(m.start(), m.end()) for m in _TOKEN.finditer(text)]
    if not spans:
        return ""
    words = [fold(text[a:b]) for a, b in spans]
    hits = _hits(words, terms)
    best = _best_start(hits, width)
    first = 0 if best is None else max(0, min(best - 2, len(words) - width))
    last = min(len(words), first + width) - 1
    marked = {i for a, b, _ in hits if a >= first and b <= last for i in range(a, b + 1)}
    shown = [(a, b, first + k in marked) for k, (a, b) in enumerate(spans[first : last + 1])]
    return _finish(_cut(text, shown, start_mark, end_mark), start_mark, end_mark)


def _hits(words: list[str], terms: list[Term]) -> list[Match]:
    """(first word, last word, term number) of every match, in order. A term whose first word
    folds to nothing (U+FF9E alone) matches nothing."""
    live = [(n, t) for n, t in enumerate(terms) if t.tokens[0]]
    firsts = {t.tokens[0][:1] for _, t in live}
    hits = []
    for i, w in enumerate(words):
        if w[:1] in firsts:
            hits += [(i, i + len(t.tokens) - 1, n) for n, t in live if _matches(words, i, t)]
    return hits


def _best_start(hits: list[Match], width: int) -> int | None:
    """The first word of the match that begins the `width` words with the most distinct terms,
    then the most matches, earliest first; None when nothing matched. (A few words of lead-in
    before it read better than none: the caller adds them.)"""
    best, first = (-1, -1), None
    for j, (start, _, _) in enumerate(hits):
        inside = []
        for h in hits[j:]:
            if h[0] >= start + width:
                break  # the hits are in order: none after this one fits either
            if h[1] < start + width:
                inside.append(h)
        score = (len({h[2] for h in inside}), len(inside))
        if score > best:
            best, first = score, start
    return first


def _cut(text: str, shown: list[tuple[int, int, bool]], start_mark: str, end_mark: str) -> str:
    """The words `shown` (start, end, marked) with the text between them, "…" for what is left
    out before and after; at the very end of the text, its closing punctuation."""
    pos = shown[0][0]
    out = ["…" if _TOKEN.search(text, 0, pos) else ""]
    for a, b, mark in shown:
        if mark:  # the text up to a marked word as it is, then the word between the marks
            out += [text[pos:a], start_mark, text[a:b], end_mark]
            pos = b
    end = shown[-1][1]
    out.append(text[pos:end])
    out.append("…" if _TOKEN.search(text, end) else text[end:].rstrip())
    return "".join(out)


def _finish(out: str, start_mark: str, end_mark: str) -> str:
    # Neighbouring matches read as one: «nuclear war», not «nuclear» «war».
    joined = re.sub(re.escape(end_mark) + r"(\s+)" + re.escape(start_mark), r"\1", out)
    return joined.strip()


# -- the fast path: only the words near a match ---------------------------------------------
def snippet(text: str, terms: list[Term], start_mark: str, end_mark: str, width: int = 16) -> str:
    """At most `width` words of `text` around the best cluster of matches, each match between
    the marks, with "…" where text was cut; the first words when nothing matches.

    The same as `snippet_reference` (a property test holds them together) without tokenizing
    the whole text in Python: the matches are found by `bytes.find` in C and checked against
    the folded words where they start; the words between two matches are counted only up to
    `width + 1` (past that, how many more cannot change the window); the words shown are the
    only ones cut out."""
    found = _exact_matches(text, terms)
    # Exact within a lead-in of up to max(width, 2) words; two matches further apart share no
    # window either way.
    hits, at = _numbered(text, found, terms, max(width, 2) + 1)  # at: word number -> start
    best = _best_start(hits, width)
    if best is None:
        m = _TOKEN.search(text)
        if m is None:
            return ""  # no words at all
        start, first = m.start(), 0
    else:
        # The reference starts 2 words before the best match, less when the text begins
        # sooner, more when it ends within `width` words: counted here from the match itself.
        after = _count(text, at[best], len(text), width)
        start, back = _nth_back(text, at[best], max(2, width - after))
        first = best - back
    spans = [(m.start(), m.end()) for m in itertools.islice(_TOKEN.finditer(text, start), width)]
    last = first + len(spans) - 1
    marked = {i for a, b, _ in hits if a >= first and b <= last for i in range(a, b + 1)}
    shown = [(a, b, first + k in marked) for k, (a, b) in enumerate(spans)]
    return _finish(_cut(text, shown, start_mark, end_mark), start_mark, end_mark)


def _exact_matches(text: str, terms: list[Term]) -> list[tuple[int, int]]:
    """(start, term number) of every match, by position then term, each checked against the
    folded words where it starts.

    A match's first word is either ASCII, where folding is lower-casing, or holds a character
    beyond ASCII. `text.encode("ascii", "replace")` keeps one byte a character, so `find` over
    it lower-cased sees every ASCII one; every word with a letter beyond ASCII is tried (the
    bytes hold a "?" where it is)."""
    raw = text.encode("ascii", "replace")
    lower = raw.lower()
    live = [(n, term) for n, term in enumerate(terms) if term.tokens[0]]
    starts: set[int] = set()
    for first in {term.tokens[0] for _, term in live if term.tokens[0].isascii()}:
        needle = first.encode()
        at = lower.find(needle)
        while at >= 0:
            if at == 0 or not text[at - 1].isalnum():
                starts.add(at)
            at = lower.find(needle, at + 1)
    starts |= _non_ascii_words(text, raw)
    out = []
    for at in sorted(starts):
        out += [(at, n) for n, term in live if _match_at(text, at, term)]
    return out


def _non_ascii_words(text: str, raw: bytes) -> set[int]:
    """Where each word holding a letter or digit beyond ASCII starts."""
    out = set()
    at = raw.find(b"?")
    while at >= 0:
        nxt = at + 1
        if text[at].isalnum():  # not punctuation, nor a "?" of the text's own
            while at > 0 and text[at - 1].isalnum():
                at -= 1
            out.add(at)
            nxt = _TOKEN.match(text, at).end()  # type: ignore[union-attr]
        at = raw.find(b"?", nxt)
    return out


def _match_at(text: str, at: int, term: Term) -> bool:
    """Whether a match of `term` has its first word at `at`."""
    pos = at
    for k, token in enumerate(term.tokens):
        m = _TOKEN.search(text, pos) if k else _TOKEN.match(text, pos)
        if m is None:
            return False
        word = fold(m.group())
        if k == len(term.tokens) - 1 and term.prefix:
            return word.startswith(token)
        if word != token:
            return False
        pos = m.end()
    return True


def _numbered(
    text: str, found: list[tuple[int, int]], terms: list[Term], cap: int
) -> tuple[list[Match], dict[int, int]]:
    """The matches as (first word, last word, term number), numbered by the words between one
    match and the next, counted up to `cap` (two matches further apart than that share no
    window either way); and where each match's first word starts."""
    hits: list[Match] = []
    at: dict[int, int] = {}
    count, pos = 0, 0
    for start, n in found:
        count += _count(text, pos, start, cap)
        pos = start
        at[count] = start
        hits.append((count, count + len(terms[n].tokens) - 1, n))
    return hits, at


def _count(text: str, lo: int, hi: int, cap: int) -> int:
    """The words in text[lo:hi] (lo and hi at a word's start or the text's ends), up to `cap`."""
    return sum(1 for _ in itertools.islice(_TOKEN.finditer(text, lo, hi), cap))


def _nth_back(text: str, start: int, n: int) -> tuple[int, int]:
    """Where the `n`-th word before the word at `start` starts, or the first word when fewer
    come before it, and how many words back that is; found over a stretch before `start` that
    doubles until it holds enough whole words."""
    reach = 16 * (n + 1)
    while True:
        lo = max(0, start - reach)
        starts = [m.start() for m in _TOKEN.finditer(text, lo, start)]
        if lo > 0 and starts and starts[0] == lo and text[lo - 1].isalnum():
            starts = starts[1:]  # a word cut by the stretch's edge
        if len(starts) >= n or lo == 0:
            back = min(n, len(starts))
            return (starts[-back] if back else start), back
        reach *= 2
