"""The cite parser as it was before its fast paths (issue 14, branch `citefast`), for the tests
that hold the fast parser to it: `reference()` swaps the old code back in for the length of a
`with` block.

What the fast paths changed, and what stands for the old code here:
- `citespans.Spans`: segments kept per free stretch, the rest found by a regex ->
  `citespans.ReferenceSpans` (every stretch cut again, the rest found character by character);
- the regexes led by a class test (`citespans._CUT`, `citedates._FULL`, `citedates._YEAR`) ->
  `CUT_REFERENCE`, `FULL_REFERENCE`, `YEAR_REFERENCE`, the patterns as they were;
- `find_dates`, `take_title` (its loop; `citemarks.title_at` is the old body), `closing_bracket`,
  `_sentence_ends`, `split_names` rewritten -> their old bodies below;
- `citenames.contains_name` (ASCII by `str.find`) -> `contains_name_reference`, the pattern;
- pure helpers given an `lru_cache` -> the functions they wrap (`__wrapped__`).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from typing import Any

from evcards.core import citedates, citemarks, citenames, citeparse, citespans
from evcards.core.citespans import Spans


def find_dates(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int, int]]:
    end = len(text) if end is None else end
    found: list[tuple[int, int, int]] = []
    taken = [False] * (end - start)
    for m in citedates.FULL_REFERENCE.finditer(text, start, end):
        found.append((m.start(), m.end(), 0))
        for k in range(m.start() - start, m.end() - start):
            taken[k] = True
    for m in citedates.YEAR_REFERENCE.finditer(text, start, end):
        if not any(taken[m.start() - start : m.end() - start]):
            found.append((m.start(), m.end(), 1))
    return sorted(found)


def take_title(spans: Spans) -> tuple[int, int] | None:
    for k, c in enumerate(spans.text):  # every character looked at, as it was
        if c in citemarks._OPEN_QUOTE:
            found = citemarks.title_at(spans, k)
            if found is not None:
                return found
    return None


def closing_bracket(text: str) -> int | None:
    close = citemarks.BRACKETS.get(text[:1])
    if close is None:
        return None
    depth = 0
    for k, c in enumerate(text):
        depth += c == text[0]
        depth -= c == close
        if depth == 0:
            return k
    return None


def sentence_ends(text: str, a: int, b: int) -> list[int]:
    ends = []
    for m in re.finditer(r"\.(?=\s|$)", text[a:b]):
        p = a + m.start()
        word = re.search(r"([^\W\d_]+)\W*$", text[max(a, p - 12) : p])
        w = word.group(1) if word else ""
        if len(w) == 1 and w.isupper():
            continue
        if w.lower() in citespans._ABBREVIATIONS or re.search(
            r"[A-Z]\.[A-Z]$", text[max(a, p - 3) : p]
        ):
            continue
        ends.append(p)
    return ends


def split_names(text: str) -> list[str]:
    text = citenames.ET_AL.sub(citenames._et_al_gap, text)  # the words on either side kept apart
    return [n.strip(" ,*") for n in citenames._JOINERS.split(text) if n.strip(" ,*")]


def _uncached(module: Any, *names: str) -> list[tuple[Any, str, Any]]:
    return [(module, name, getattr(module, name).__wrapped__) for name in names]


def _swaps() -> list[tuple[Any, str, Any]]:
    return [
        (citeparse, "Spans", citespans.ReferenceSpans),
        (citespans, "_CUT", citespans.CUT_REFERENCE),
        (citespans, "_sentence_ends", sentence_ends),
        (citedates, "_FULL", citedates.FULL_REFERENCE),
        (citedates, "_YEAR", citedates.YEAR_REFERENCE),
        (citedates, "find_dates", find_dates),
        (citeparse, "find_dates", find_dates),
        (citemarks, "find_dates", find_dates),
        (citeparse, "take_title", take_title),
        (citemarks, "closing_bracket", closing_bracket),
        (citenames, "split_names", split_names),
        (citenames, "contains_name", citenames.contains_name_reference),
        *_uncached(citenames, "_name_word", "is_name", "name_prefix", "name_part"),
        *_uncached(citeparse, "_parse_text", "_parse_runs"),
    ]


@contextlib.contextmanager
def swapped(swaps: list[tuple[Any, str, Any]]) -> Iterator[None]:
    """Each (module, attribute, value) set, then the attributes restored."""
    saved = [(module, name, getattr(module, name)) for module, name, _ in swaps]
    try:
        for module, name, value in swaps:
            setattr(module, name, value)
        yield
    finally:
        for module, name, value in reversed(saved):
            setattr(module, name, value)


def reference() -> contextlib.AbstractContextManager[None]:
    """The old parser in place of the fast one (module attributes swapped, then restored)."""
    return swapped(_swaps())
