"""The cite parser as it was before its second round of fast paths (branch `cite6`), for the
tests that hold the fast parser to it: `reference()` puts back both rounds' old code
(`cite_reference.reference`, then what this round changed) for the length of a `with` block.

What this round changed, and what stands for the old code here:
- `citespans.Spans`: free stretches kept as spans are taken, spans trimmed by `str.strip`,
  `_cut_region` skipping separator-only stretches and empty pieces -> `ReferenceSpans`
  (with the old `take` and `free`) and `citespans._cut_region_reference`;
- `citespans._CUT` led by a class -> `CUT_REFERENCE` (already swapped by `cite_reference`);
- `citedates.full_spans` (`_FULL_LED`) -> `full_spans_reference`, `_FULL.finditer` itself;
- `citemarks.first_of`, `initials_from` (where a search may start) -> offset 0, and a match
  always possible;
- `citenames.may_contain_name` -> always True;
- `citeparse._take_date`, `_full_date`, `_full_name` -> their old bodies below;
- `read_date`, `read_short_date`, `surnames`, `split_frontloaded` cached -> `__wrapped__`.
Where the first round's stand-ins differ from main's parser, main's code is kept (`_swaps`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import cite_reference

from evcards.core import citedates, citemarks, citenames, citeparse, citespans
from evcards.core.citedates import CiteDate, read_date, read_short_date
from evcards.core.citespans import Segment, Spans


def take_date(spans: Spans, info: Any, title: tuple[int, int] | None) -> CiteDate | None:
    segs = citespans.segments(spans)  # cut before the full date is looked for, as it was
    hint = info.date.year if info.date else None
    picked = citeparse._full_date(spans, hint)
    if picked is not None:
        return citeparse._with_year(picked, info)
    for seg in segs:
        if title and seg.start > title[0]:
            break
        if citeparse._LONE_DATE.fullmatch(seg.text) and spans.take("date", seg.start, seg.end):
            return citeparse._with_year(read_short_date(seg.text, hint), info)
    return info.date


def full_date(spans: Spans, hint: int | None) -> CiteDate | None:
    text = spans.text
    found = [d for d in citeparse.find_dates(text) if spans.free(d[0], d[1])]
    for rank in (0, 1):
        ranked = [d for d in found if d[2] == rank]
        agree = [d for d in ranked if citeparse._agrees(read_date(text[d[0] : d[1]]).year, hint)]
        for a, b, _ in (agree or ranked)[:1]:
            if spans.take("date", a, b):
                return read_date(text[a:b], hint)
    return None


def full_name(spans: Spans, head: list[Segment], info: Any) -> list[str] | None:
    names = citenames
    found = [c for c in (citeparse._name_in(seg, info, k) for k, seg in enumerate(head)) if c]
    if not found:
        return None
    whole = [c for c in found if len(c[1].split()) > 1]
    seg, text = (whole or found)[0]
    if not spans.take("author", seg.start, seg.start + len(text)):
        return None
    info.et_al = info.et_al or bool(names.ET_AL.search(text))
    return names.split_names(text) if names.is_name(text, 8) else [" ".join(text.split())]


def _swaps() -> list[tuple[Any, str, Any]]:
    # Where the first round's stand-ins say other than main's parser (`_FULL` finds no
    # date of Arabic-Indic digits, FULL_REFERENCE does; `split_names` keeps 'A.ETAL.A' two
    # words since the first round), main's code stays: the reference is main's parser.
    kept = [
        (citedates, "_FULL", citedates._FULL),
        (citenames, "split_names", citenames.split_names),
        *[(module, "find_dates", citedates.find_dates) for module in (citedates, citemarks)],
        (citeparse, "find_dates", citedates.find_dates),
    ]
    return [
        *kept,
        (citedates, "full_spans", citedates.full_spans_reference),
        (citemarks, "first_of", lambda text, words: 0),
        (citemarks, "initials_from", lambda text: 0),
        (citenames, "may_contain_name", lambda text, surnames: True),
        (citeparse, "_take_date", take_date),
        (citeparse, "_full_date", full_date),
        (citeparse, "_full_name", full_name),
        # pure helpers given an lru_cache -> the functions they wrap
        (citeparse, "read_date", citedates.read_date.__wrapped__),
        (citeparse, "read_short_date", citedates.read_short_date.__wrapped__),
        (citedates, "read_date", citedates.read_date.__wrapped__),
        (citedates, "read_short_date", citedates.read_short_date.__wrapped__),
        (citenames, "_surnames", citenames._surnames.__wrapped__),
        (citenames, "split_frontloaded", citenames.split_frontloaded.__wrapped__),
    ]


@contextlib.contextmanager
def reference() -> Iterator[None]:
    """Both rounds' old code in place of the fast parser (module attributes swapped)."""
    swaps = _swaps()
    with cite_reference.reference(), cite_reference.swapped(swaps):
        yield
