"""Cards out of paragraphs: sections from tag to tag under their pocket, hat and block, and
in each the undertag, the cite lines (found by style or by how they look) and the body."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from evcards.core.cites import parse_full_cite
from evcards.core.models import Cite, Location, Source
from evcards.formats.docx.runs import Body, Para, drop_markers, merged

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
    if p.highlighted:
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
    if start is None:
        return _unstyled_cite(paras)
    return start, _cite_end(paras, start)


def _cite_start(window: list[Para]) -> int | None:
    """The first line in the cite style, or in the first two one that looks like a cite.
    Cites are never highlighted: a highlighted line in the cite style is body text."""
    for i, p in enumerate(window):
        styled = p.cite_style or 0 < len(p.cite_text.split()) <= 15
        if (styled and not p.highlighted) or (i < 2 and _cite_like(p)):
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


def _short_cite(lines: list[Para]) -> str:
    cited = " ".join(p.cite_text for p in lines if p.cite_text.strip())
    if not cited.strip():
        first = lines[0]
        bold = first.bold_text
        plain = _PLAIN_SHORT.match(first.text)
        if plain:
            cited = plain.group(1)
        elif bold and len(bold.split()) <= 8:
            cited = bold
        elif len(lines) > 1 and len(first.text.split()) <= 10:
            cited = first.text
    return _one_line(cited).strip(" ,;:–—-([")


def _cite(lines: list[Para]) -> Cite:
    """The cite from its lines, its author, date and the rest read from the full cite."""
    whole = _one_line(" ".join(p.text for p in lines))
    short = _short_cite(lines)
    full = _full_cite(lines, short, whole)
    # 'Phil Torres 18, Affiliate Scholar...': the author is Phil Torres, not 'Phil Torres 18'.
    name = _SHORT_DATE.sub("", short)
    parts = parse_full_cite(full.replace(short, name, 1) if short and name else full)
    return Cite(short=short, full=full, **parts)


def _full_cite(lines: list[Para], short: str, whole: str) -> str:
    """The citation itself: in `SHORT (FULL)` and in the two-line form that is the bracketed
    part (as in pasted text); otherwise the whole cite."""
    if len(lines) > 1:
        first = _one_line(lines[0].text)
        leftover = first[len(short) :].strip(" ,.;:–—-") if short else first
        if not short or (first.startswith(short) and not leftover):
            return _unbracket(_one_line(" ".join(p.text for p in lines[1:]))) or whole
        return whole
    if short and whole.startswith(short):
        rest = whole[len(short) :].lstrip(" ,.;:–—-")
        if rest.startswith(("(", "[")):
            return _unbracket(rest) or whole
    return whole


_SHORT_DATE = re.compile(r"[\s,]*[’'‘]?\d[\d/.-]*\s*$")


def _unbracket(text: str) -> str:
    """'(Ethan Meick, ...) AB' -> 'Ethan Meick, ... AB': the outer bracket pair removed."""
    if text[:1] not in ("(", "["):
        return text
    depth = 0
    for i, c in enumerate(text):
        if c in "([":
            depth += 1
        elif c in ")]":
            depth -= 1
            if depth == 0:
                return _one_line(f"{text[1:i]} {text[i + 1 :]}")
    return text[1:].strip()  # never closed


@dataclass
class _Section:
    tag: str
    location: Location
    paras: list[Para] = field(default_factory=list)


def assemble(paras: list[Para], file_name: str) -> list[tuple[dict[str, Any], Body]]:
    heads = ["", "", ""]
    sections: list[_Section] = []
    current: _Section | None = None
    for p in paras:
        if p.level:
            text = _one_line(p.text)
            if not text:
                continue
            if p.level <= 3:
                heads[p.level - 1] = text
                for k in range(p.level, 3):
                    heads[k] = ""
                current = None
            else:
                current = _Section(text, Location(pocket=heads[0], hat=heads[1], block=heads[2]))
                sections.append(current)
        elif current is not None and p.text.strip():
            current.paras.append(p)
    return [
        _card(sec, Source(file=file_name, position=position))
        for position, sec in enumerate(sections)
    ]


def _card(sec: _Section, source: Source) -> tuple[dict[str, Any], Body]:
    undertag, cite_lines, body_lines = _parts(sec.paras)
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
    found = _find_cite(paras)
    if found is None:
        return [], [], paras
    first, end = found
    if end >= len(paras) and not any(p.cite_style or p.cite_text for p in paras[first:end]):
        # Nothing after it: a guessed cite (a link, a bold line) over no body is a note under
        # an analytic ('[Available at https://...]'); a cite-styled one stays a bodiless card.
        return paras, [], []
    return paras[:first], paras[first:end], paras[end:]
