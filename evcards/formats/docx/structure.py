"""Cards out of paragraphs: sections from tag to tag under their pocket, hat and block, and
in each the undertag, the cite lines (found by style or by how they look) and the body."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, TypeVar

from evcards.core.citeparse import Run, parse_cite_runs
from evcards.core.models import Cite, Location, Source
from evcards.formats.docx import shapes
from evcards.formats.docx.runs import Body, Para, drop_markers, merged

T = TypeVar("T")
_URL = re.compile(r"https?://|www\.", re.I)


def _looks_short(p: Para) -> bool:
    """A line that can be a short cite alone: a few words, bold or cite-styled."""
    text = p.text.strip()
    return 0 < len(text.split()) <= 10 and (
        bool(p.cite_text.strip()) or len(p.bold_text) >= len(text) * 0.5
    )


_YEAR = re.compile(r"(?:[’'‘]\s?\d{2}\b|\b\d{1,2}\b|\b(?:19|20)\d{2}\b)")
_PLAIN_SHORT = re.compile(r"^\s*([^()\[\],.]{1,60}?\b[’'‘]?\d{1,4})\s*,?\s*[(\[]")


def _cite_like(p: Para) -> bool:
    """A one-line cite without the cite style: a short bold name and year near the start,
    or `Name YY (` / `Name YY [` in plain text. Read text is highlighted; cites never are."""
    if p.highlighted and not _short_read(p):
        return False
    bold = p.bold_text
    if bold and len(bold.split()) <= 8 and p.text.find(bold.split()[0]) <= 60:
        rest = p.text[p.text.find(bold.split()[-1]) + len(bold.split()[-1]) :].lstrip(" ,.;:–—-")
        if _YEAR.search(bold) or rest.startswith(("(", "[")):
            return True
    return _PLAIN_SHORT.match(p.text) is not None


def _find_cite(paras: list[Para]) -> tuple[int, int] | None:
    """(first, end) indices of the cite lines among a card's non-blank paragraphs."""
    start = _cite_start(paras[:5])
    if start is not None:
        return start, _cite_end(paras, start)
    found = _unstyled_cite(paras)
    if found is None and len(paras) > 1 and shapes.names_and_dates(paras[0]) is not None:
        # A plain line right under the tag in which the cite parser finds an author and a
        # date: a cite with no short cite ('Newman, Professor ..., '19 (John, ...)').
        return 0, _cite_end(paras, 0)
    return found


def _cite_start(window: list[Para]) -> int | None:
    """The first line in the cite style, or in the first two one that looks like a cite.
    Cites are not read out but for the short cite: a highlighted line in the cite style is
    body text unless only a few bold words of it are highlighted. A line wholly in the cite
    style is a cite however long ('HAASS, President of ..., 2019 (Richard, ...')."""
    for i, p in enumerate(window):
        styled = p.cite_style or 0 < len(p.cite_text.split()) <= 15 or p.wholly_cite
        if (styled and (not p.highlighted or _short_read(p))) or (i < 2 and _cite_like(p)):
            return i
    return None


def _unstyled_cite(paras: list[Para]) -> tuple[int, int] | None:
    """With no line that is or looks like a cite: a link's line (after a short cite line
    above it, if any), else a bracketed line under a short one."""
    for i, p in enumerate(paras[:4]):
        if _URL.search(p.text):
            prev = paras[i - 1] if i > 0 else None
            if prev is not None and (_looks_short(prev) or _cite_like(prev)):
                return i - 1, i + 1
            return i, i + 1
    for i, p in enumerate(paras[1:3], start=1):
        if p.text.lstrip().startswith(("(", "[")) and _looks_short(paras[i - 1]):
            return i - 1, i + 1
    return None


def _cite_end(paras: list[Para], start: int) -> int:
    """Past the cite: a short first line takes the next one along when that is the full
    cite, a bracket or a link that is not body text."""
    first = paras[start].text.strip()
    if start + 1 < len(paras) and len(first.split()) <= 12 and not _URL.search(first):
        nxt = paras[start + 1]
        tail = nxt.text.lstrip()
        if not nxt.cite_text.strip() and (
            tail.startswith(("(", "["))
            or (_URL.search(tail) and len(tail.split()) < 120 and not nxt.highlighted)
        ):
            return start + 2
    return start + 1


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _cite(lines: list[Para]) -> Cite:
    """The cite from its lines, read by the one cite parser from their runs: each with its
    resolved bold and whether it is in the cite style, the lines apart by a line break.

    `full` is the whole cite paragraph as written (`evcards.core.citeline`), whitespace
    collapsed: short cite, brackets and initials included. A two-line cite (`Meick 18`, then
    `(Ethan Meick, ...)`) is its lines joined by a space, the one line the writer writes
    back, so a card read, written and read again keeps its full cite."""
    runs: list[Run] = []
    for k, p in enumerate(lines):
        if k:
            runs.append(("\n", False, False))
        runs.extend(p.cite_runs_flagged())
    if not any(bold for _, bold, _ in runs):
        # A Cite style with its bold undone everywhere: its runs are all that marks the
        # short cite ('Jayan Nayar, law prof ...' with 'Nayar' in the style).
        runs = [(t, cite, cite) for t, _, cite in runs]
        parsed = parse_cite_runs(runs)
    else:
        parsed = lines[0].parsed_cite() if len(lines) == 1 else parse_cite_runs(runs)
    fields = parsed.cite_fields()
    fields["full"] = _one_line("".join(text for text, _, _ in runs))
    return Cite.model_validate(fields)


def _split_first_line(paras: list[Para]) -> list[Para]:
    """A cite and the article in one paragraph, the cite's line ended by a line break: the
    paragraph cut there, the cite a line of its own and the rest body (once a card)."""
    for i, p in enumerate(paras[:3]):
        if not p.breaks:
            continue
        run, offset = p.breaks[0]
        if p.runs[run][0][offset : offset + 1] != " ":
            continue  # the break's space was cleaned away: do not guess where it was
        first, rest = p.split(run, offset)
        if first.runs and rest.runs and _is_cite_line(first) and _is_body(rest):
            return paras[:i] + [first, rest] + paras[i + 1 :]
    return paras


def _is_cite_line(p: Para) -> bool:
    """A line the cite parser reads as a short cite with an author or a date, not read out
    but for its short cite."""
    if len(p.text.split()) > 80 or (p.highlighted and not _short_read(p)):
        return False
    parsed = p.parsed_cite()
    return bool(parsed.short and (parsed.authors or parsed.date))


def _is_body(p: Para) -> bool:
    """Lines that are the article: marked for reading or long, and not a bracketed cite."""
    if p.text.lstrip().startswith(("(", "[")):
        return False
    marked = any(m.highlight or m.underline or m.emphasis for _, m in p.runs)
    return (marked and len(p.text.split()) >= 10) or len(p.text.split()) >= 60


def _short_read(p: Para) -> bool:
    """Highlighted only in a few bold words: the short cite, highlighted to be read out with
    the card. Such a line can be a cite; other highlighted lines are read text."""
    lit = [(t, m) for t, m in p.runs if m.highlight and t.strip()]
    words = len(" ".join(t for t, _ in lit).split())
    return all(m.bold or m.emphasis for _, m in lit) and words <= 6


@dataclass
class _Section:
    tag: str | None  # None: paragraphs under a heading before its first tag
    location: Location
    paras: list[Para] = field(default_factory=list)
    cite: int | None = None  # where its cite starts, when the card was found by its shape


class Cards(list[T]):
    """A file's cards, and how many of them were found by their shape
    (`evcards.formats.docx.shapes`) rather than by a Tag-styled paragraph."""

    by_shape = 0


def assemble(paras: list[Para], file_name: str) -> Cards[tuple[dict[str, Any], Body]]:
    """The cards in a document's paragraphs: a card runs from its tag to the next heading,
    and cards found by their shape (a bold line, a cite, the article) are cards too."""
    paras = shapes.relevel(paras)
    plain = shapes.is_plain(paras)
    heads = ["", "", ""]
    current = _Section(None, _location(heads))
    sections = [current]
    for p in paras:
        if p.level:
            text = _one_line(p.text)
            if not text:
                continue
            if p.level <= 3:
                heads[p.level - 1] = text
                for k in range(p.level, 3):
                    heads[k] = ""
            current = _Section(text if p.level == 4 else None, _location(heads))
            sections.append(current)
        elif p.text.strip():
            current.paras.append(p)
    found = [card for sec in sections for card in _with_shapes(sec, plain)]
    # A sighting's position is its place in the file, so that an export in document order
    # gives the file back. (A file imported before cards were found by shape gets new
    # sightings for the cards after a shape-found one when it is imported again.)
    tagged = sum(1 for sec in found if sec.cite is None)
    cards: Cards[tuple[dict[str, Any], Body]] = Cards()
    for position, sec in enumerate(found):
        cards.append(_card(sec, Source(file=file_name, position=position)))
    cards.by_shape = len(found) - tagged
    return cards


def _location(heads: list[str]) -> Location:
    return Location(pocket=heads[0], hat=heads[1], block=heads[2])


def _with_shapes(sec: _Section, plain: bool) -> list[_Section]:
    """The section's card, and after it the cards found by their shape in its lines. Under
    a heading before its first tag, the lines before the first such card are left out, as
    they always were; in a tagged card, a shape counts only once the card has had article
    text (its first lines are its own undertag and cite)."""
    found = shapes.find(sec.paras, plain)
    if sec.tag is not None:
        found = [(t, c) for t, c in found if any(map(shapes.body_like, sec.paras[1:t]))]
    if not found:
        return [sec] if sec.tag is not None else []
    paras = sec.paras
    head = [_Section(sec.tag, sec.location, paras[: found[0][0]])] if sec.tag is not None else []
    ends = [tag for tag, _ in found[1:]] + [len(paras)]
    return head + [
        _Section(_one_line(paras[tag].text), sec.location, paras[tag + 1 : end], cite - tag - 1)
        for (tag, cite), end in zip(found, ends, strict=True)
    ]


def _card(sec: _Section, source: Source) -> tuple[dict[str, Any], Body]:
    if sec.cite is None:
        undertag, cite_lines, body_lines = _parts(sec.paras)
    else:
        undertag, cite_lines, body_lines = _shaped_parts(sec.paras, sec.cite)
    body = [
        spans
        for spans in (merged(drop_markers(p)) for p in body_lines)
        if any(not t.isspace() for t, _ in spans)
    ]
    fields: dict[str, Any] = {
        "tag": sec.tag,
        "kind": "card" if body or cite_lines else "analytic",
        "cite": _cite(cite_lines) if cite_lines else Cite(),
        "undertag": "\n".join(u for u in (_one_line(p.text) for p in undertag) if u),
        "location": sec.location,
        "labels": [],
        "sources": [source],
    }
    return fields, body


def _parts(paras: list[Para]) -> tuple[list[Para], list[Para], list[Para]]:
    """A card's lines as undertag, cite and body."""
    paras = _split_first_line(paras)
    found = _find_cite(paras)
    if found is None:
        return [], [], paras
    first, end = found
    if end >= len(paras) and not any(p.cite_style or p.cite_text for p in paras[first:end]):
        # Nothing after it: a guessed cite (a link, a bold line) over no body is a note under
        # an analytic ('[Available at https://...]'); a cite-styled one stays a bodiless card.
        return paras, [], []
    return paras[:first], paras[first:end], paras[end:]


def _shaped_parts(paras: list[Para], first: int) -> tuple[list[Para], list[Para], list[Para]]:
    """A card found by its shape: its cite is where the shape found it, with the line
    after it when that is the second line of a two-line cite."""
    end = _cite_end(paras, first)
    return paras[:first], paras[first:end], paras[end:]
