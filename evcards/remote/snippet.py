"""The snippet under a remote hit, cut here from the card's text instead of by `ts_headline`.

`ts_headline` parses and stems every word of the 20 texts a page shows, which was about half
of a `search --remote` statement. The server now sends the texts and the query's lexemes
(`to_tsvector('english', ...)` of the words a match holds: its stemming and stop words); the
words that could stem to one of them are sent back, and the server says which do (the same
`to_tsvector`, so a word is marked exactly when the server's own English config makes it
match); the snippet is then cut as a local search cuts it (`index.snippets.snippet`: the
best cluster of matches, 16 words).

Only words that could stem to a lexeme are asked about. A PostgreSQL English stem keeps its
word's letters but for its last two (`happi` from `happy`, `possibl` from `possibility`), a
stem of three letters or fewer all but its last (`wa` for `war`), and Snowball's exceptions
make `die` of `dying` (so `dy` too): a word is a candidate when it begins with one of a
lexeme's `leads`. `every_word` is the plain rule (every word asked about), which the tests
hold `candidates` to, and the tests check the leads against the server's stems of every
word of the DebateSum corpus.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from evcards.index.snippets import Term, fold, snippet

START, END = "«", "»"
_WORD = re.compile(r"[^\W_]+")
# What websearch_to_tsquery leaves out of a match: `-word`, `-"a phrase"`, and `or`.
_NEGATED = re.compile(r'(?:^|(?<=\s))-(?:"[^"]*"?|\S+)')
_OR = re.compile(r"(?i)(?:^|(?<=\s))or(?=\s|$)")

# The candidate words that match one of the lexemes, by the server's English config.
MATCHING = (
    "SELECT w FROM unnest(%s::text[]) AS w"
    " WHERE tsvector_to_array(to_tsvector('english', w)) && %s::text[]"
)


def wanted(web_text: str) -> str:
    """The words of a websearch query that a match holds (its negated parts and `or`
    dropped), for the server to turn into lexemes."""
    return _OR.sub(" ", _NEGATED.sub(" ", web_text)).replace('"', " ")


def leads(lexeme: str) -> set[str]:
    """What every word the server stems to `lexeme` begins with: the lexeme less its last two
    letters (one when it has three or fewer), or for a stem in `ie` its `y` form too (`dying`
    to `die`: Snowball's exceptions)."""
    out = {lexeme[:-2] if len(lexeme) > 3 else lexeme[:-1] or lexeme}
    if lexeme.endswith("ie"):
        out.add(lexeme[:-2] + "y")
    return out


def candidates(texts: list[str], lexemes: Iterable[str]) -> list[set[str]]:
    """The words of each text (lower-cased) that begin with one of the lexemes' leads, found
    by `str.find` on the lower-cased text and checked to start a word."""
    begins = {x for lexeme in lexemes if lexeme for x in leads(lexeme)}
    out = []
    for text in texts:
        low, found = text.lower(), set()
        for lead in begins:
            at = low.find(lead)
            while at >= 0:
                if at == 0 or not low[at - 1].isalnum():
                    found.add(_WORD.match(low, at).group())  # type: ignore[union-attr]
                at = low.find(lead, at + 1)
        out.append(found)
    return out


def every_word(texts: list[str], lexemes: Iterable[str]) -> list[set[str]]:
    """`candidates` by the plain rule: every word of each text (when there are lexemes)."""
    if not any(lexemes):
        return [set() for _ in texts]
    return [set(_WORD.findall(text.lower())) for text in texts]


def matching(conn: Any, words: list[set[str]], lexemes: list[str]) -> set[str]:
    """Those of `words` that the server's English config turns into one of `lexemes`."""
    asked = sorted(set().union(*words)) if words else []
    if not asked or not lexemes:
        return set()
    return {row[0] for row in conn.execute(MATCHING, [asked, lexemes])}


def snippets(texts: list[str], words: list[set[str]], marked: set[str]) -> list[str]:
    """The snippet of each text, those of its `words` that are `marked` marked «so»."""
    out = []
    for text, here in zip(texts, words, strict=True):
        terms = [Term((f,)) for f in sorted({fold(w) for w in here & marked}) if f]
        out.append(snippet(text.replace("\n", " ¶ "), terms, START, END))
    return out
