"""The snippet under a remote hit, cut here from the card's text instead of by `ts_headline`.

`ts_headline` parses and stems every word of the 20 texts a page shows, which was about half
of a `search --remote` statement. The server now sends the texts and the query's lexemes
(`to_tsvector('english', ...)` of the words a match holds: its stemming and stop words); the
words that could stem to one of them are sent back, and the server says which do (the same
`to_tsvector`, so a word is marked exactly when the server's own English config makes it
match); the snippet is then cut as a local search cuts it (`index.snippets.snippet`: the
best cluster of matches, 16 words).

Only words that could stem to a lexeme are asked about. A PostgreSQL English stem keeps its
word's letters but for its last two (`happi` from `happy`, `possibl` from `possibility`); a
stem of three letters or fewer only its first (`die` from `dying`): so a word is a candidate
when it begins with a lexeme's `lead`. `every_word` is the plain rule (every word asked
about), which the tests hold `candidates` to, and the tests check the leads against the
server's stems of the corpus words.
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


def lead(lexeme: str) -> str:
    """What every word the server stems to `lexeme` begins with."""
    return lexeme[:-2] if len(lexeme) > 3 else lexeme[:1]


def candidates(texts: Iterable[str], lexemes: Iterable[str]) -> list[str]:
    """The words of `texts` (lower-cased, each once) that begin with a lexeme's lead."""
    leads = sorted({lead(x) for x in lexemes if x}, key=len, reverse=True)
    if not leads:
        return []
    alternatives = "|".join(re.escape(x) for x in leads)
    pattern = re.compile(r"(?i)(?<![^\W_])(?:" + alternatives + r")[^\W_]*")
    return sorted({w.lower() for text in texts for w in pattern.findall(text)})


def every_word(texts: Iterable[str], lexemes: Iterable[str]) -> list[str]:
    """`candidates` by the plain rule: every word of the texts (when there are lexemes)."""
    if not any(lexemes):
        return []
    return sorted({w.lower() for text in texts for w in _WORD.findall(text)})


def matching(conn: Any, words: list[str], lexemes: list[str]) -> set[str]:
    """Those of `words` that the server's English config turns into one of `lexemes`."""
    if not words or not lexemes:
        return set()
    return {row[0] for row in conn.execute(MATCHING, [words, lexemes])}


def snippets(texts: list[str], marked: set[str]) -> list[str]:
    """The snippet of each text, the `marked` words (lower-cased) marked «so»."""
    terms = [Term((f,)) for f in sorted({fold(w) for w in marked}) if f]
    return [snippet(text.replace("\n", " ¶ "), terms, START, END) for text in texts]
