"""Which lines of a paste are its cite: told by what the lines say, not where they stand.

A paste is an optional tag line, the cite, then the body. The cite is one line
(`SHORT (FULL) INI`, `SHORT [FULL] INI`, `SHORT, FULL`, `SHORT – FULL`, `SHORT: FULL`) or two
(`SHORT` alone, then `(FULL)`, `[FULL]` or plain FULL). `find_cite` tries the places a cite
can stand, most telling first, and takes the first that `citeparse` reads as one:

1. the second line is a one-line cite, or 2. the start of a two-line cite whose full cite is
   in brackets, after a tag line (the form `render_text` writes);
3. and 4. the same at the first line (a paste with no tag);
5. and 6. a two-line cite whose full cite is plain text, without and with a tag.

A tag is tried first because a tag can read as a cite too ('The U.S. should [plan] ...'
has a name-like start and a bracket), and then the cite below it is the surer sign. Plain
two-line cites come last because a tag with a year in it ('Warming by 2050') alone on its
line reads as a short cite too.
A line reads as a cite when the parser finds a short cite there and the rest holds something
only a cite holds: a date, a URL, a quoted title, an author's name, an accessed date; or, in
the bracket form, when the short cite has a date ('Smith 19 (Smith) ab').
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from evcards.core.citemarks import BRACKETS, closing_bracket
from evcards.core.citeparse import ParsedCite, parse_cite
from evcards.core.models import Cite

NO_CITE = "(no cite)"  # what `render_text` writes for a card without one, to read it back
_EVIDENCE = frozenset({"date", "url", "title", "accessed", "author", "given"})
_OPENERS = "".join(BRACKETS)  # ([<
_SHORT_HAS_DATE = re.compile(r"\d|\bN\.?D\b|\bno date\b|\bn\.d\.", re.IGNORECASE)
_TRAILING_INITIALS = re.compile(r"\s*([^\W\d_]{1,6})?\s*$")
MAX_SHORT_WORDS = 10
# A line longer than this is body text: the parser is not run on a paragraph of megabytes.
MAX_CITE_CHARS = 20_000


@dataclass(frozen=True)
class FoundCite:
    """Where a paste's cite is (indexes into its non-blank lines) and what it says."""

    tag: int | None  # the tag line, if any
    start: int  # the cite's first line
    end: int  # the first body line
    text: str  # the cite lines as written, joined by a line break
    parsed: ParsedCite | None  # None: not read (kept whole as the full cite), or NO_CITE

    def model(self, initials: str | None = None) -> Cite:
        """The card's cite; `initials` (the cutter's) when the cite names none."""
        if self.parsed is None:
            full = "" if self.text.lower() == NO_CITE else " ".join(self.text.split())
            return Cite(full=full, initials=initials if full else None)
        fields = self.parsed.cite_fields()
        bracketed = _bracketed(self.parsed)
        if bracketed is not None:
            # `SHORT (FULL) INI`: the full cite is the bracket's text, as `render_text`
            # writes it back; the initials after the bracket are their own field.
            fields["full"], after = bracketed
            fields["initials"] = after or fields["initials"]
        fields["initials"] = fields["initials"] or initials
        return Cite.model_validate(fields)


def find_cite(lines: Sequence[str]) -> FoundCite | None:
    """The cite among a paste's first lines (blank lines left out), or None."""
    for tag, start, how in _PLACES:
        if start >= len(lines):
            continue
        if how == "one" and lines[start].lower() == NO_CITE:
            return FoundCite(tag, start, start + 1, lines[start], None)
        found = _read(lines, start, how)
        if found is not None:  # with no line after it, the card has no body: an error
            text, parsed, size = found
            return FoundCite(tag, start, start + size, text, parsed)
    return None


_PLACES = (
    (0, 1, "one"),
    (0, 1, "bracketed"),
    (None, 0, "one"),
    (None, 0, "bracketed"),
    (None, 0, "plain"),
    (0, 1, "plain"),
)


def _read(lines: Sequence[str], at: int, how: str) -> tuple[str, ParsedCite, int] | None:
    if any(len(line) > MAX_CITE_CHARS for line in lines[at : at + (1 if how == "one" else 2)]):
        return None
    if how == "one":
        parsed = parse_cite(lines[at])
        return (lines[at], parsed, 1) if is_cite(parsed) else None
    if at + 1 >= len(lines):
        return None
    short, full = lines[at], lines[at + 1]
    if (full[:1] in _OPENERS) != (how == "bracketed"):
        return None
    alone = parse_cite(short)
    span = _short_span(alone)
    if span is None or short[span[1] :].strip(" ,.;:'’"):
        return None  # not a short cite alone on its line
    if how == "plain" and not _SHORT_HAS_DATE.search(alone.short):
        return None
    text = f"{short}\n{full}"
    parsed = parse_cite(text)
    return (text, parsed, 2) if is_cite(parsed) else None


def is_cite(parsed: ParsedCite) -> bool:
    """Whether a parse is a cite: a short cite, and a full cite that only a cite would be."""
    short = _short_span(parsed)
    if short is None or len(parsed.short.split()) > MAX_SHORT_WORDS:
        return False
    rest = parsed.text[short[1] :]
    after = rest.lstrip()
    if not after:
        return False
    dated = bool(_SHORT_HAS_DATE.search(parsed.short))
    if not dated and not _names_only(parsed.short):
        return False  # 'The U.S. should [plan]': a short cite with no year is names
    if after[0] in _OPENERS and dated:
        return True
    on_next_line = "\n" in rest[: len(rest) - len(after)]
    if not (on_next_line or after[0] in _OPENERS + ",:;–—-"):
        return False
    if dated and parsed.short.split()[0].lower() not in _NOT_NAMES:
        return True  # 'Lupovici 8, Post-Doctoral Fellow ...': quals alone
    return any(label in _EVIDENCE and a >= short[1] for label, a, _ in parsed.spans)


# Words that start a sentence with a year in it ('In 2019, the ...'), not a short cite.
_NOT_NAMES = frozenset(
    "in by on at since after before until from for during around about the a an of to as"
    " over under nearly almost".split()
)
_CONNECTORS = frozenset("and & et al al. van von de der den la le du da di del of".split())


def _names_only(short: str) -> bool:
    """Every word a capitalised name or a connector: 'Brown and Meacham', 'Richardson'."""
    words = short.replace(",", " ").split()
    return all(any(c.isupper() for c in w) or w.lower() in _CONNECTORS for w in words)


def _short_span(parsed: ParsedCite) -> tuple[int, int] | None:
    if not parsed.short:
        return None
    found = [(a, b) for label, a, b in parsed.spans if label in ("speech", "short")]
    if not found:
        return None
    start = found[0][0]
    given = [a for label, a, b in parsed.spans if label == "given" and b <= start]
    lead = min(given) if given else start  # 'Ethan Meick 18': the given name leads
    if parsed.text[:lead].strip():
        return None  # a short cite that does not lead the line
    return lead, found[-1][1]


def _bracketed(parsed: ParsedCite) -> tuple[str, str | None] | None:
    """(the bracket's text, initials after it) for `SHORT (FULL) INI`, else None."""
    short = _short_span(parsed)
    if short is None:
        return None
    rest = parsed.text[short[1] :].lstrip(" \t\r\n")
    k = closing_bracket(rest)
    if k is None:
        return None
    tail = _TRAILING_INITIALS.fullmatch(rest[k + 1 :])
    if tail is None:
        return None
    inside = " ".join(rest[1:k].split())
    return (inside, tail.group(1)) if inside else None


def unread_cite(lines: Sequence[str]) -> FoundCite:
    """Where the cite must be when no line reads as one: the first line when only two are left
    for cite and body, else the line after the tag; with the bracketed line below it when
    that is not the last (`SHORT` then `(FULL)`)."""
    if len(lines) == 2:
        return FoundCite(None, 0, 1, lines[0], None)
    end = 3 if len(lines) > 3 and lines[2][:1] in _OPENERS else 2
    return FoundCite(0, 1, end, "\n".join(lines[1:end]), None)
