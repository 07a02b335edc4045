"""The snippet under each search result: the stretch of the card's text where the query's words
are thickest, with each match marked.

FTS5's own `snippet()` needs the query run again for that one row, and FTS5 cannot seek to a
row inside a long doclist: at a million cards a snippet for a common word cost 40 ms per hit.
The body is already in the `cards` table, so the snippet is cut here, in Python, from the
query's terms, with the tokenizer's rules (letters and digits; case and diacritics ignored,
as `unicode61 remove_diacritics 2` does).
"""

from __future__ import annotations

import functools
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
    tokens = tuple(fold(t) for t in _TOKEN.findall(text))
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


_NON_ASCII_WORD = re.compile(r"[^\W\x00-\x7f]")  # a letter or digit that folding may change
_AVERAGE_WORD = 8  # characters per word and its space, to size the region around a match
_LATIN = [*range(0xC0, 0x250), *range(0x1E00, 0x1F00)]  # the letters that carry accents


@functools.cache
def _letter_classes() -> dict[str, str]:
    """For each ASCII letter and digit, a regex class of every character that folds to it
    ('e' -> '[eEéÉèÈ...]'), so that a regex over the raw text finds what the folded tokens
    would."""
    variants: dict[str, list[str]] = {}
    for cp in _LATIN:
        c = chr(cp)
        f = fold(c)
        if len(f) == 1 and f.isascii() and f.isalnum():
            variants.setdefault(f, []).append(c)
    out = {}
    for c in "abcdefghijklmnopqrstuvwxyz0123456789":
        out[c] = "[" + re.escape(c + c.upper() + "".join(variants.get(c, []))) + "]"
    return out


def _token_pattern(token: str) -> str:
    classes = _letter_classes()
    # A decomposed accent (e + U+0301) may follow any letter.
    return "".join(
        classes[c] + "[\u0300-\u036f]*" if c in classes else f"(?i:{re.escape(c)})" for c in token
    )


@functools.cache
def _pattern(terms: tuple[Term, ...]) -> re.Pattern[str]:
    alternatives = []
    for n, term in enumerate(terms):
        body = r"[\W_]+".join(_token_pattern(t) for t in term.tokens)
        tail = r"[^\W_]*" if term.prefix else r"(?![^\W_])"
        alternatives.append(f"(?P<t{n}>{body}{tail})")
    return re.compile(r"(?<![^\W_])(?:" + "|".join(alternatives) + ")")


def _region(text: str, terms: list[Term], width: int) -> tuple[int, int]:
    """The stretch of `text` worth tokenizing: around the best cluster of matches, found with
    `str.lower` and `str.find` in C (tokenizing and folding a whole 500-word body in Python
    costs twenty times more), or, when a term is not found that way and the text has
    accented letters, a regex that folds them. The tokens there are then compared exactly."""
    span = width * _AVERAGE_WORD
    found = _candidates(text, terms)
    if not found:
        return 0, min(len(text), 2 * span)
    at = _densest(found, span)
    return max(0, at - span), min(len(text), at + 2 * span)


def _candidates(text: str, terms: list[Term]) -> list[tuple[int, int]]:
    """(position, term number) of every place a term may start, in order of position."""
    lower = text.lower()
    aligned = len(lower) == len(text)  # else positions in `lower` are not positions in `text`
    found = _found_lower(lower, terms) if aligned else []
    missing = len({n for _, n in found}) < len(terms)
    if missing and (not aligned or _NON_ASCII_WORD.search(text)):
        # A term may be there with accents (or case rules) that find() cannot see.
        pattern = _pattern(tuple(terms))
        found = [(m.start(), int((m.lastgroup or "t0")[1:])) for m in pattern.finditer(text)]
    return found


def _found_lower(lower: str, terms: list[Term]) -> list[tuple[int, int]]:
    found = []
    for n, term in enumerate(terms):
        first = term.tokens[0]
        at = lower.find(first)
        while at >= 0:
            if at == 0 or not lower[at - 1].isalnum():
                found.append((at, n))
            at = lower.find(first, at + len(first))
    found.sort()
    return found


def _densest(found: list[tuple[int, int]], span: int) -> int:
    """Where the `span` characters holding the most distinct terms, then the most matches,
    begin: a sliding window over the matches, in order."""
    best, at = (-1, -1), 0
    counts: dict[int, int] = {}  # term number -> matches inside the window
    k = 0
    for j, (start, _) in enumerate(found):
        while k < len(found) and found[k][0] < start + span:
            counts[found[k][1]] = counts.get(found[k][1], 0) + 1
            k += 1
        score = (len(counts), k - j)
        if score > best:
            best, at = score, start
        n = found[j][1]
        counts[n] -= 1
        if not counts[n]:
            del counts[n]
    return at


def snippet(text: str, terms: list[Term], start_mark: str, end_mark: str, width: int = 16) -> str:
    """At most `width` words of `text` around the best cluster of matches, each match between
    the marks, with "…" where text was cut; the first words when nothing matches."""
    spans = _word_spans(text, *_region(text, terms, width), width)
    if not spans:
        return ""
    words = [fold(text[a:b]) for a, b in spans]
    hits = _hits(words, terms)
    if not hits and (spans[0][0] > 0 or spans[-1][1] < len(text)):
        # The region's candidates were a phrase's first word without the rest (`peace` twice
        # at the end, `peace war` only at the start): the whole text then, tokenized.
        spans = _word_spans(text, 0, len(text), width)
        words = [fold(text[a:b]) for a, b in spans]
        hits = _hits(words, terms)
    first = _first_word(hits, width, len(words))
    last = min(len(words), first + width) - 1
    marked = {i for a, b, _ in hits if a >= first and b <= last for i in range(a, b + 1)}
    shown = [(a, b, first + k in marked) for k, (a, b) in enumerate(spans[first : last + 1])]
    out = _cut(text, shown, start_mark, end_mark)
    # Neighbouring matches read as one: «nuclear war», not «nuclear» «war».
    joined = re.sub(re.escape(end_mark) + r"(\s+)" + re.escape(start_mark), r"\1", out)
    return joined.strip()


def _word_spans(text: str, lo: int, hi: int, width: int) -> list[tuple[int, int]]:
    """(start, end) of the words in text[lo:hi], whole words only (an edge inside a word moves
    out of it); of every word in the text when the region holds too few."""
    while lo > 0 and _TOKEN.match(text, lo - 1):
        lo -= 1
    while hi < len(text) and _TOKEN.match(text, hi):
        hi += 1
    spans = [(m.start(), m.end()) for m in _TOKEN.finditer(text, lo, hi)]
    if len(spans) < width + 4 and (lo, hi) != (0, len(text)):
        spans = [(m.start(), m.end()) for m in _TOKEN.finditer(text)]
    return spans


def _hits(words: list[str], terms: list[Term]) -> list[tuple[int, int, int]]:
    """(first word, last word, term number) of every match, in order."""
    firsts = {t.tokens[0][:1] for t in terms}
    hits = []
    for i, w in enumerate(words):
        if w[:1] in firsts:
            hits += [
                (i, i + len(t.tokens) - 1, n) for n, t in enumerate(terms) if _matches(words, i, t)
            ]
    return hits


def _first_word(hits: list[tuple[int, int, int]], width: int, words: int) -> int:
    """The first word to show: of the `width` words with the most distinct terms, then the
    most matches, earliest first, with a few words of lead-in (they read better than none)."""
    if not hits:
        return 0
    best, first = (-1, -1), 0
    for j, (start, _, _) in enumerate(hits):
        inside = [h for h in hits[j:] if h[1] < start + width]
        score = (len({h[2] for h in inside}), len(inside))
        if score > best:
            best, first = score, start
    return max(0, min(first - 2, words - width))


def _cut(text: str, shown: list[tuple[int, int, bool]], start_mark: str, end_mark: str) -> str:
    """The words `shown` (start, end, marked) with the text between them, "…" for what is left
    out before and after; at the very end of the text, its closing punctuation."""
    pos = shown[0][0]
    out = ["…" if _TOKEN.search(text, 0, pos) else ""]
    for a, b, mark in shown:
        out.append(text[pos:a])
        out.append(f"{start_mark}{text[a:b]}{end_mark}" if mark else text[a:b])
        pos = b
    out.append("…" if _TOKEN.search(text, pos) else text[pos:].rstrip())
    return "".join(out)
