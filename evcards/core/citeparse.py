"""One cite parser for every source: a .docx cite paragraph, pasted text, a dataset's column.

`parse_cite(text)` reads a cite as written; `parse_cite_runs(runs)` reads a .docx paragraph's
runs, where the bold runs (the Cite style's, when it is bold) are the short cite. Both are pure
and total: they never raise on text a person wrote, and they never lose a character.

Never losing a character means: the parse records the spans of the input it took each part
from (`ParsedCite.spans`, labelled with `SPAN_LABELS`); the spans do not overlap, each is the
input's text at its offsets, and every character outside them is a separator (`SEPARATORS`:
whitespace, brackets, quotes, dashes and punctuation). Text the parser could not place is
kept in spans labelled `rest`. Field values are read from their spans: `quals` and `rest`
are their spans joined with "; ", `title` etc. are one span, a `date` is a span's text;
`authors` are names built from the `author`, `given` and `short` spans (a bracket's given
name `Emma` and the short cite's `Black` make `Emma Black`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from evcards.core import citenames as names
from evcards.core.citedates import (
    MONTH,
    SHORT_DATE,
    CiteDate,
    find_dates,
    read_date,
    read_short_date,
)
from evcards.core.citemarks import full_citation, take_accessed, take_initials, take_title, take_url
from evcards.core.citequals import take_publication, take_quals
from evcards.core.citespans import SEPARATORS, Segment, Spans, segments

__all__ = [
    "SEPARATORS",
    "SPAN_LABELS",
    "CiteDate",
    "ParsedCite",
    "Run",
    "parse_cite",
    "parse_cite_runs",
]

SPAN_LABELS = (
    "speech",  # a speech prefix in the short cite: 1AC, 2NC
    "short",
    "given",  # given names alone, completed by the short cite's family names
    "author",
    "quals",
    "date",
    "title",
    "publication",
    "url",
    "keyword",  # 'accessed', 'DOA', 'Date Accessed:': what says the next part is what it is
    "accessed",
    "initials",
    "rest",
)

# A .docx run: its text, its resolved bold (style and direct formatting), and whether it is in
# the Cite character style.
Run = tuple[str, bool, bool]


@dataclass(frozen=True)
class ParsedCite:
    """A cite's parts, each read from a span of `text` (see the module docstring)."""

    text: str
    short: str = ""
    speech: str | None = None
    authors: tuple[str, ...] = ()
    et_al: bool = False
    quals: str | None = None
    date: CiteDate | None = None
    title: str | None = None
    publication: str | None = None
    url: str | None = None
    accessed: str | None = None
    initials: str | None = None
    rest: str | None = None
    full: str = ""
    spans: tuple[tuple[str, int, int], ...] = field(default=(), repr=False)

    @property
    def author(self) -> str | None:
        """The authors as one string: 'Ethan Meick', 'Smith and Jones', 'Smith et al.'."""
        if not self.authors:
            return None
        if self.et_al:
            return f"{self.authors[0]} et al."
        if len(self.authors) <= 2:
            return " and ".join(self.authors)
        return ", ".join(self.authors[:-1]) + ", and " + self.authors[-1]

    def cite_fields(self) -> dict[str, str | None]:
        """The current model's cite fields (`evcards.core.models.Cite`, `CITE_FIELDS`)."""
        return {
            "short": self.short,
            "full": self.full,
            "author": self.author,
            "quals": self.quals,
            "date": " ".join(self.date.text.split()) if self.date else None,
            "title": self.title,
            "publication": self.publication,
            "url": self.url,
            "accessed": self.accessed,
            "initials": self.initials,
        }


def parse_cite(text: str) -> ParsedCite:
    """Parse a cite as written: one line (`SHORT (FULL) INI`, `SHORT, FULL`, frontloaded),
    two lines (the short cite alone, then the full cite), or a database's MLA or Chicago."""
    return _parse_text(text)


def parse_cite_runs(runs: Iterable[Run]) -> ParsedCite:
    """Parse a .docx cite paragraph from its runs. The short cite is the first group of bold
    runs in the Cite style (a Cite-styled run whose bold is off is not in it), else the first
    group of bold runs; with neither it is found in the text as `parse_cite` finds it."""
    # Only the truth of bold and cite is read: as bools the runs are a key for the cache.
    return _parse_runs(tuple((text, bool(bold), bool(cite)) for text, bold, cite in runs))


# A cite recurs: in a file's cite lines and their paragraph read again, in a dataset's rows of
# the same card. The parse is pure and a ParsedCite immutable, so the same one is handed out.
@functools.lru_cache(maxsize=2048)
def _parse_text(text: str) -> ParsedCite:
    return _parse(Spans(text), _find_short(text))


@functools.lru_cache(maxsize=2048)
def _parse_runs(runs: tuple[Run, ...]) -> ParsedCite:
    text = "".join(r[0] for r in runs)
    span = _bold_group(runs, cite_only=True) or _bold_group(runs, cite_only=False)
    if span is None:
        return parse_cite(text)
    a, b = span
    while a < b and text[a] in SEPARATORS:
        a += 1
    while b > a and text[b - 1] in SEPARATORS and text[b - 1] not in "'’‘.+-":
        b -= 1
    return _parse(Spans(text), (a, b) if a < b else _find_short(text))


def _bold_group(runs: Sequence[Run], cite_only: bool) -> tuple[int, int] | None:
    """Offsets of the first bold (and cite-styled) group of runs, whitespace runs allowed
    inside it; only when it is short enough to be a short cite."""
    pos, start, end = 0, -1, -1
    for text, bold, cite in runs:
        hit = bool(bold) and (cite or not cite_only) and bool(text.strip())
        if hit:
            if start < 0:
                start = pos
            end = pos + len(text)
        elif start >= 0 and text.strip():
            break
        pos += len(text)
    if start < 0:
        return None
    words = "".join(r[0] for r in runs)[start:end].split()
    return (start, end) if len(words) <= 10 else None


_SPEECH = r"(?:[12][AN][CR]|[12]NR|[12]AR|1NC|2NC)"
_NAME_WORD = r"[^\W\d_](?:[^\W\d]|[.'’\-@])*\*{0,2}"
_NAME = (
    rf"{_NAME_WORD}(?:(?:\s+|\s*,\s*(?:and\s+)?|\s*&\s*|\s+and\s+|\s+AND\s+)"
    rf"(?:et\.?\s*al\.?|{_NAME_WORD})){{0,7}}"
)
_SHORT_AT_START = re.compile(
    rf"^\s*(?P<speech>{_SPEECH}\s+)?(?P<name>{_NAME})"
    rf"(?:(?P<sep>\s*,?\s*(?:in\s+)?)(?P<date>{SHORT_DATE})(?=$|[\s,.;:(\[<–—-]))?",
    re.IGNORECASE,
)
_SHORT_PARTS = re.compile(
    rf"^(?P<speech>{_SPEECH}\s+)?(?P<name>[^\d]*?)"
    rf"(?:[\s,]*(?:\bin\s+)?(?<![^\W\d_])(?P<date>{SHORT_DATE})(?![^\W\d_])(?P<after>.*)|[\s,]*)$",
    re.IGNORECASE | re.DOTALL,
)


def _find_short(text: str) -> tuple[int, int] | None:
    """The short cite at the start of a cite written as text, or None (an MLA citation, a
    full cite alone). Without a date, a name is a short cite only when a bracket or the end
    of its line follows it ('Richardson (01 – professor ...', 'Richardson' then a line)."""
    m = _SHORT_AT_START.match(text)
    if not m or names.has_qual_word(m.group("name")):
        return None
    end = m.end()
    if not m.group("date"):
        follow = text[end:].lstrip(" \t")
        line_end = follow[:1] in ("\n", "\r", "") and len(m.group("name").split()) <= 6
        if not (follow[:1] in ("(", "[", "<") or line_end):
            return None
        if m.group("name").lower() in ("the", "a", "an"):
            return None
    start = m.start("speech") if m.group("speech") else m.start("name")
    return start, end


def _one_line(text: str | None) -> str | None:
    return " ".join(text.split()) if text else None


def _parse(spans: Spans, short: tuple[int, int] | None) -> ParsedCite:
    text = spans.text
    info = _Short()
    if short is not None:
        info = _take_short(spans, *short)
        short = info.span
    else:
        _take_mla(spans, info)
    url = take_url(spans)
    accessed = take_accessed(spans)
    title_span = take_title(spans)
    title = spans.value(title_span) if title_span else None
    initials = take_initials(spans)
    date = _take_date(spans, info, title_span)
    segs = segments(spans)
    authors = _take_authors(spans, segs, info, title_span)
    segs = segments(spans)
    publication = take_publication(spans, segs, title_span)
    quals = take_quals(spans, segments(spans), title_span)
    rest = spans.fill_rest()
    return ParsedCite(
        text=text,
        short=_one_line(spans.value(short)) or "" if short else "",
        speech=_one_line(info.speech),
        authors=tuple(" ".join(a.split()) for a in authors),
        et_al=info.et_al,
        quals=_one_line(quals),
        date=date,
        title=" ".join(title.split()) if title else None,
        publication=_one_line(publication),
        url=_one_line(url),
        accessed=_one_line(accessed),
        initials=_one_line(initials),
        rest="; ".join(rest) or None,
        full=full_citation(text, short),
        spans=spans.frozen(),
    )


@dataclass
class _Short:
    """What the short cite says: its speech prefix, family names, date, and given names."""

    speech: str | None = None
    family: list[str] = field(default_factory=list)
    date: CiteDate | None = None
    given: str | None = None  # frontloaded 'Ethan' of 'Ethan Meick 18'
    et_al: bool = False
    authors: list[str] = field(default_factory=list)  # MLA 'Meick, Ethan.'
    span: tuple[int, int] = (0, 0)  # the short cite read aloud


def _take_short(spans: Spans, a: int, b: int) -> _Short:
    text = spans.text
    info = _Short()
    m = _SHORT_PARTS.match(text[a:b])
    speech = m.group("speech") if m else None
    name = m.group("name") if m else text[a:b]
    if speech:
        info.speech = speech.strip()
        spans.take("speech", a, a + len(speech))
    at = a + (m.start("name") if m else 0)  # where the name part starts
    at += len(name) - len(name.lstrip(" ,"))
    name = name.strip(" ,")
    info.et_al = bool(names.ET_AL.search(name))
    cut = names.split_frontloaded(name) if m and m.group("date") else 0
    if cut:
        # 'Ethan Meick 18': the short cite read aloud is 'Meick 18'; 'Ethan' is a given name.
        spans.take("given", at, at + cut)
        info.given = name[:cut].strip()
        name = name[cut:]
        at += cut
    elif a > 0 and names.is_given_name(text[:a].strip(" ,")):
        spans.take("given", 0, a)  # runs: 'Ethan ' then the bold 'Meick 18'
        info.given = text[:a].strip(" ,")
    spans.take("short", at, b, trim=False)
    info.span = (at, b)
    info.family = names.surnames(name)
    if m and m.group("date"):
        info.date = read_short_date(m.group("date"))
    return info


_MLA = re.compile(
    r"^\s*(?P<last>[^\W\d_][\w'’\-]+(?:\s[^\W\d_][\w'’\-]+)?),\s+"
    r"(?P<first>[A-Z][\w'’\-]*\.?(?:\s+[A-Z][\w'’\-]*\.?){0,2})(?=\.\s|\.?\s*[\"“])"
)


_QUOTE_MARK = re.compile(r"[\"“]")


def _take_mla(spans: Spans, info: _Short) -> None:
    """'Meick, Ethan. "Title." Journal ...': a reversed name leads, then a quoted title."""
    m = _MLA.match(spans.text)
    if not m or not _QUOTE_MARK.search(spans.text, m.end(), m.end() + 8):
        return
    spans.take("author", *m.span("last"))
    spans.take("given", *m.span("first"))
    info.authors = [f"{m.group('first').rstrip('.')} {m.group('last')}"]


def _take_date(spans: Spans, info: _Short, title: tuple[int, int] | None) -> CiteDate | None:
    """The source's date: a full date whose year agrees with the short cite's, else the first
    full date, else a four-digit year, else a short-cite year standing alone ('01 –')."""
    hint = info.date.year if info.date else None
    picked = _full_date(spans, hint)
    if picked is not None:
        return _with_year(picked, info)
    # Only now are the segments wanted; _full_date took nothing, so they are the same as
    # before it (most cites have a full date and never ask for them here).
    for seg in segments(spans):
        if title and seg.start > title[0]:
            break
        if _LONE_DATE.fullmatch(seg.text) and spans.take("date", seg.start, seg.end):
            return _with_year(read_short_date(seg.text, hint), info)
    return info.date


_LONE_DATE = re.compile(rf"(?=\D*\d){SHORT_DATE}|{MONTH}", re.IGNORECASE)


def _full_date(spans: Spans, hint: int | None) -> CiteDate | None:
    text = spans.text
    found = [d for d in find_dates(text) if spans.free(d[0], d[1])]
    for rank in (0, 1):
        ranked = [d for d in found if d[2] == rank]
        if not ranked:
            continue
        # The first that agrees, else the first: each read only until one agrees (with no
        # hint every date agrees).
        a, b, _ = next(
            (d for d in ranked if hint is None or _agrees(read_date(text[d[0] : d[1]]).year, hint)),
            ranked[0],
        )
        if spans.take("date", a, b):
            return read_date(text[a:b], hint)
    return None


def _agrees(year: int | None, hint: int | None) -> bool:
    return hint is None or year is None or year % 100 == hint % 100


def _with_year(date: CiteDate, info: _Short) -> CiteDate:
    if date.year is None and info.date is not None and info.date.year is not None:
        return CiteDate(date.text, info.date.year, date.month, date.day)
    return date


def _take_authors(
    spans: Spans, segs: list[Segment], info: _Short, title: tuple[int, int] | None
) -> list[str]:
    """The authors: a name in the full cite that holds the short cite's family name ('Hal
    Brands', 'Toby J. Stern' after its quals), completed by a given name that opens the
    full cite or a bracket ('Emma', 'Tim'); else the short cite's names."""
    if info.authors:
        return info.authors
    head = [s for s in segs if title is None or s.end <= title[0]]
    found = _lone_family(spans, head, info)
    if found is not None and (not info.family or not _only_family(found, info.family)):
        return _completed(found, info.family)
    given = info.given or _given_name(spans, head, info)
    if given:
        return names.with_surnames(given, info.family)
    return found if found is not None else list(info.family)


def _given_name(spans: Spans, head: list[Segment], info: _Short) -> str | None:
    """Given names alone at the start of the full cite or of a bracket: '[Emma; ...', and
    for several family names the given names that follow ('(Michael, Julian, ...')."""
    if not info.family:
        return None
    given: list[str] = []
    for k, seg in enumerate(head):
        count = len(names.split_names(" & ".join(given)))
        if given and count < len(info.family) and names.is_given_name(seg.text):
            if spans.take("given", seg.start, seg.end):
                given.append(seg.text)
                continue
        if given:
            break
        if (k == 0 or seg.opens) and names.is_given_name(seg.text):
            if spans.take("given", seg.start, seg.end):
                given.append(seg.text)
    return " & ".join(given) or None


def _lone_family(spans: Spans, head: list[Segment], info: _Short) -> list[str] | None:
    """The full name; with no short cite, a lone family name leading the cite stands in
    for one ('Taborda, Journalist, 6-24, (Joanna Taborda, ...')."""
    lone = head[0] if head and not info.family and names.is_name(head[0].text, 1) else None
    if lone is not None:
        info.family = [lone.text]
    found = _full_name(spans, head, info)
    if lone is not None and found and spans.free(lone.start, lone.end):
        spans.take("author", lone.start, lone.end)
    return found


def _completed(found: list[str], family: list[str]) -> list[str]:
    """The full cite's names in the short cite's order, with the family names it left out:
    'Ruhs and Martin 11 (Philip Martin is ...' -> ['Ruhs', 'Philip Martin']."""
    if len(family) < 2:
        return found
    out = [next((n for n in found if names.contains_name(n, f)), f) for f in family]
    return out + [n for n in found if n not in out]


def _only_family(found: list[str], family: list[str]) -> bool:
    return all(any(f.lower() == n.lower() for f in family) for n in found)


def _full_name(spans: Spans, head: list[Segment], info: _Short) -> list[str] | None:
    """The head segment that is a name with a family name of the short cite, a whole name
    before a lone family name ('Brickman, ... (Lester' keeps looking); with no short cite,
    the first segment when it is a name or an organisation."""
    # The first whole name (more than one word), else the first name: the segments are
    # asked only until a whole name is found.
    first = None
    for k, seg in enumerate(head):
        found = _name_in(seg, info, k)
        if found is not None:
            if len(found[1].split()) > 1:
                first = found
                break
            first = first or found
    if first is None:
        return None
    seg, text = first
    if not spans.take("author", seg.start, seg.start + len(text)):
        return None
    info.et_al = info.et_al or bool(names.ET_AL.search(text))
    return names.split_names(text) if names.is_name(text, 8) else [" ".join(text.split())]


def _name_in(seg: Segment, info: _Short, k: int) -> tuple[Segment, str] | None:
    """The name a segment opens with, when it is the author's."""
    text = names.name_part(seg.text)
    if not info.family:
        ok = k == 0 and (names.is_name(text) or _org_like(text))
        return (seg, text) if ok else None
    if (k == 0 or seg.opens) and _spelled_out(text, info.family):
        return seg, text  # 'OECD 14, Organization for Economic Cooperation and ...'
    if not names.may_contain_name(seg.text, info.family):
        return None  # the name found below is a part of seg.text, and would hold one
    if not names.is_name(text, 8):
        text = names.name_prefix(text)  # 'Charles W. MILLS Professor of Philosophy'
    if any(names.contains_name(text, f) for f in info.family) and names.is_name(text, 8):
        return seg, text
    return None


def _spelled_out(text: str, family: list[str]) -> bool:
    return len(family) == 1 and names.is_acronym(family[0]) and names.initials_of(text) == family[0]


def _org_like(text: str) -> bool:
    words = text.split()
    return 1 <= len(words) <= 6 and names.is_organization(text) and text[:1].isupper()
