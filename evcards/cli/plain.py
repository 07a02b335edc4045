"""Card tables as plain text, for output that is not a terminal, laid out as Rich lays them out.

Importing Rich's Console and Table cost about 25 ms of CPU and drawing twenty rows 10-20 ms
more: a third of `evcards list -n 20` beyond Typer's own start. Off a terminal Rich prints no
colour, so a borderless card table (evcards.cli.tables) is plain text, and this module lays
it out as rich.table.Table does (`_calculate_column_widths`, `_collapse_widths`, padding
(0, 1) without the edges) and wraps each cell as rich.text.Text does (`wrap`, `truncate`,
`rstrip_end`), with Rich's own word division and cell widths (`rich._wrap`, `rich.cells`,
about 1 ms to import): the same bytes. tests/test_plain_table.py draws generated tables both
ways and compares them.

Rich draws whatever this does not vouch for: a terminal (colours, the pager), FORCE_COLOR or
TTY_COMPATIBLE=1, Windows, and any cell holding a control character or a line break.
"""

from __future__ import annotations

import builtins
import os
import re
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from evcards.showing import ShownCard

# Characters Rich treats apart (stripped, expanded, lines broken at, or drawn as nothing).
_NEEDS_RICH = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_TRAILING_SPACE = re.compile(r"\s+$")  # rich.text's `_re_whitespace`


class Col(NamedTuple):
    """A table column: rich.table.Column's fields that card tables use, with its defaults."""

    header: str
    style: str = ""
    justify: str = "left"  # or "right"
    no_wrap: bool = False
    overflow: str = "ellipsis"  # or "fold"
    min_width: int | None = None
    max_width: int | None = None
    ratio: int | None = None  # Rich's, which only an expanded table uses: not here


def plain_size() -> tuple[int, int] | None:
    """The (width, height) Rich's Console would give stdout, when it would draw stdout's
    tables without colour (not a terminal); None when it might colour them, which only Rich
    itself draws. As Rich: COLUMNS and LINES, else the size of the first of stdin, stdout and
    stderr that is a terminal, else 80 x 25."""
    if _rich_may_colour():
        return None
    env = os.environ
    columns, lines = env.get("COLUMNS", ""), env.get("LINES", "")
    width = int(columns) if columns.isdigit() else None
    height = int(lines) if lines.isdigit() else None
    if width is None or height is None:
        found = _terminal_size()
        width = (found[0] or 80) if width is None else width
        height = (found[1] or 25) if height is None else height
    return (width, height) if width > 0 else None


def _rich_may_colour() -> bool:
    """Whether Rich's Console could take stdout for a terminal (Console.is_terminal)."""
    env = os.environ
    out = sys.stdout
    if sys.platform == "win32" or out is None or "idlelib" in sys.modules:
        return True
    if env.get("TTY_COMPATIBLE") == "1" or env.get("FORCE_COLOR"):
        return True
    if hasattr(builtins, "get_ipython"):
        return True  # IPython or Jupyter, which Rich treats apart
    try:
        return bool(out.isatty())
    except (AttributeError, ValueError):
        return True


def _terminal_size() -> tuple[int, int]:
    """The size of the first of stdin, stdout and stderr that is a terminal; (0, 0) if none."""
    for fd in (0, 1, 2):
        try:
            columns, lines = os.get_terminal_size(fd)
        except (AttributeError, ValueError, OSError):
            continue
        return columns, lines
    return 0, 0


def table_text(columns: Sequence[Col], rows: Sequence[Sequence[str]], width: int) -> str | None:
    """The table (a header row, then `rows`) as a borderless rich.table.Table with these
    columns prints it, without colour, on a console `width` wide; None when a cell holds
    text that only Rich can lay out."""
    if not _plain_cells(columns, rows):
        return None
    cells = [[c.header, *(row[i] for row in rows)] for i, c in enumerate(columns)]
    widths = _column_widths(columns, cells, width)
    n = len(columns)
    pads = [(0 if i == 0 else 1, 0 if i == n - 1 else 1) for i in range(n)]
    if any(w - left - right < 1 for w, (left, right) in zip(widths, pads, strict=True)):
        return None
    if sum(widths) > width:  # Rich crops each line of it at the console's edge
        return None
    return "".join(
        line
        for r in range(len(rows) + 1)
        for line in _row_lines([cells[i][r] for i in range(n)], widths, pads, columns, r == 0)
    )


def _row_lines(
    row: list[str],
    widths: list[int],
    pads: list[tuple[int, int]],
    columns: Sequence[Col],
    header: bool,
) -> list[str]:
    """One row's lines: its cells side by side, the shorter ones filled with blank lines."""
    drawn = [
        _cell_lines(text, w, pad, c)
        for text, w, pad, c in zip(row, widths, pads, columns, strict=True)
    ]
    height = max(len(lines) for lines in drawn)
    for i, lines in enumerate(drawn):
        blank = [" " * widths[i]] * (height - len(lines))
        # The header row is aligned to its bottom, the others to their top (Rich's).
        drawn[i] = blank + lines if header else lines + blank
    return ["".join(parts) + "\n" for parts in zip(*drawn, strict=True)]


def _plain_cells(columns: Sequence[Col], rows: Sequence[Sequence[str]]) -> bool:
    """Whether every row has a cell per column, and no cell nor header needs Rich."""
    if any(_NEEDS_RICH.search(c.header) for c in columns):
        return False
    return all(
        len(row) == len(columns) and not any(_NEEDS_RICH.search(cell) for cell in row)
        for row in rows
    )


# -- Rich's layout, step for step --------------------------------------------------------------
def _normalize(lo: int, hi: int) -> tuple[int, int]:
    """rich.measure.Measurement.normalize."""
    lo = min(max(0, lo), hi)
    return max(0, lo), max(0, max(lo, hi))


def _measure_text(text: str, max_width: int) -> tuple[int, int]:
    """Measurement.get of a str: its longest word and its length (Text.__rich_measure__)."""
    from rich.cells import cell_len

    if max_width < 1:
        return 0, 0
    words = text.split()
    hi = cell_len(text) if text else 0
    lo = max(cell_len(word) for word in words) if words else hi
    lo, hi = _normalize(lo, hi)
    lo, hi = min(lo, max_width), min(hi, max_width)
    return (0, 0) if hi < 1 else _normalize(lo, hi)


def _measure_cell(text: str, max_width: int, extra: int) -> tuple[int, int]:
    """Measurement.get of a cell, a Padding of `extra` columns around the text."""
    if max_width < 1:
        return 0, 0
    if max_width - extra < 1:
        lo, hi = max_width, max_width
    else:
        lo, hi = _measure_text(text, max_width)
        lo, hi = min(lo + extra, max_width), min(hi + extra, max_width)
    lo, hi = _normalize(lo, hi)
    lo, hi = min(lo, max_width), min(hi, max_width)
    return (0, 0) if hi < 1 else _normalize(lo, hi)


def _measure_column(column: Col, cells: list[str], extra: int, max_width: int) -> tuple[int, int]:
    """Table._measure_column: the widest of its cells' measures, clamped to its min and max."""
    if max_width < 1:
        return 0, 0
    measured = [_measure_cell(text, max_width, extra) for text in cells]
    lo = max(m[0] for m in measured) if measured else 1
    hi = max(m[1] for m in measured) if measured else max_width
    lo, hi = min(lo, max_width), min(hi, max_width)
    if column.min_width is not None:
        least = max(0, column.min_width + extra)
        lo, hi = max(lo, least), max(hi, least)
    if column.max_width is not None:
        most = column.max_width + extra
        lo, hi = min(lo, most), min(hi, most)
    return lo, hi


def _column_widths(columns: Sequence[Col], cells: list[list[str]], max_width: int) -> list[int]:
    """Table._calculate_column_widths of a table that does not expand."""
    n = len(columns)
    extras = [(0 if i == 0 else 1) + (0 if i == n - 1 else 1) for i in range(n)]
    ranges = [_measure_column(c, cells[i], extras[i], max_width) for i, c in enumerate(columns)]
    widths = [hi or 1 for _, hi in ranges]
    if sum(widths) > max_width:
        widths = _collapse_widths(widths, [not c.no_wrap for c in columns], max_width)
        if sum(widths) > max_width:
            excess = sum(widths) - max_width
            widths = _ratio_reduce(excess, [1] * n, widths, widths)
        widths = [
            _measure_column(c, cells[i], extras[i], widths[i])[1] or 0
            for i, c in enumerate(columns)
        ]
    return widths


def _collapse_widths(widths: list[int], wrapable: list[bool], max_width: int) -> list[int]:
    """Table._collapse_widths: shrink the widest wrapable columns first."""
    total = sum(widths)
    excess = total - max_width
    if any(wrapable):
        while total and excess > 0:
            widest = max(w for w, wrap in zip(widths, wrapable, strict=True) if wrap)
            second = max(
                w if wrap and w != widest else 0 for w, wrap in zip(widths, wrapable, strict=True)
            )
            difference = widest - second
            ratios = [int(w == widest and wrap) for w, wrap in zip(widths, wrapable, strict=True)]
            if not any(ratios) or not difference:
                break
            most = [min(excess, difference)] * len(widths)
            widths = _ratio_reduce(excess, ratios, most, widths)
            total = sum(widths)
            excess = total - max_width
    return widths


def _ratio_reduce(
    total: int, ratios: list[int], maximums: list[int], values: list[int]
) -> list[int]:
    """rich._ratio.ratio_reduce (whose module imports `fractions`, 2 ms)."""
    ratios = [ratio if most else 0 for ratio, most in zip(ratios, maximums, strict=True)]
    total_ratio = sum(ratios)
    if not total_ratio:
        return values[:]
    remaining = total
    result = []
    for ratio, most, value in zip(ratios, maximums, values, strict=True):
        if ratio and total_ratio > 0:
            distributed = min(most, round(ratio * remaining / total_ratio))
            result.append(value - distributed)
            remaining -= distributed
            total_ratio -= ratio
        else:
            result.append(value)
    return result


def _cell_lines(text: str, width: int, pads: tuple[int, int], column: Col) -> list[str]:
    """One cell drawn: Padding around Text.wrap at the width inside the padding."""
    from rich.cells import set_cell_size

    left, right = pads
    inner = width - left - right
    return [
        " " * left + set_cell_size(line, inner) + " " * right
        for line in _wrap(text, inner, column.justify, column.overflow, column.no_wrap)
    ]


def _wrap(text: str, width: int, justify: str, overflow: str, no_wrap: bool) -> list[str]:
    """Text.wrap of one line of text (no line breaks: table_text leaves those to Rich)."""
    from rich._wrap import divide_line
    from rich.cells import cell_len

    if no_wrap:
        lines = [text]
    else:
        offsets = divide_line(text, width, fold=overflow == "fold")
        bounds = [0, *offsets, len(text)]
        lines = [_rstrip_end(text[a:b], width) for a, b in zip(bounds, bounds[1:], strict=False)]
    out = []
    for line in lines:
        if justify == "right":  # Lines.justify
            line = _truncate(line.rstrip(), width, overflow)
            line = " " * (width - cell_len(line)) + line
        elif justify == "left":
            line = _truncate(line, width, overflow, pad=True)
        out.append(_truncate(line, width, overflow))
    return out


def _rstrip_end(line: str, size: int) -> str:
    """Text.rstrip_end: drop the whitespace at the end that lies beyond `size` characters."""
    if len(line) > size:
        found = _TRAILING_SPACE.search(line)
        if found is not None:
            crop = min(len(found.group(0)), len(line) - size)
            line = line[: len(line) - crop]
    return line


def _truncate(line: str, width: int, overflow: str, pad: bool = False) -> str:
    """Text.truncate."""
    from rich.cells import cell_len, set_cell_size

    length = cell_len(line)
    if length > width:
        if overflow == "ellipsis":
            line = set_cell_size(line, width - 1) + "…"
        else:
            line = set_cell_size(line, width)
    if pad and length < width:
        line += " " * (width - length)
    return line


# -- a card, as `show` prints it (evcards.cli.render draws it through Rich) -------------------
def card_text(card: ShownCard, wpm: int, width: int, read_only: bool = False) -> str | None:
    """`render.card_renderable(card, wpm, read_only)` as a Rich console `width` wide prints it
    without colour; None for text only Rich lays out (a control character other than a line
    break). tests/test_plain_table.py compares the two."""
    out: list[str] = []
    for item in card_items(card, wpm, read_only):
        if _NEEDS_RICH.search(item.replace("\n", " ")):
            return None
        for line in item.split("\n"):  # as Text.split("\n", allow_blank=True)
            out.extend(part + "\n" for part in _wrap(line, width, "default", "fold", False))
    return "".join(out)


def card_items(card: ShownCard, wpm: int, read_only: bool = False) -> list[str]:
    """The text of each item `render.card_renderable` draws, in order: where the card is
    filed, its tag, undertag and cite (`render.header_texts`), a blank line and the body's
    paragraphs (`render.body_text`, `_spaced_body`), a blank line and the footer."""
    from evcards.cli.render import footer

    items = _header_items(card)
    body = _body_items(card, read_only)
    if body:
        items.append("")
    for i, paragraph in enumerate(body):
        items.append(paragraph)
        if i < len(body) - 1 and not read_only:
            items.append("")
    items += ["", footer(card, wpm)]
    return items


def _header_items(card: ShownCard) -> list[str]:
    """`render.header_texts`' text: location, tag, undertag, cite."""
    from evcards.core.outline import cite_segments

    items: list[str] = []
    loc = " > ".join(p for p in (card.location.pocket, card.location.hat, card.location.block) if p)
    if loc:
        items.append(loc)
    items.append(card.tag or '(no tag: evcards tag CARD "...")')
    if card.undertag:
        items.append(card.undertag)
    if card.kind == "card" and (card.cite.short or card.cite.full):
        cite = "".join(piece for piece, _ in cite_segments(card.cite, initials=False))  # type: ignore[arg-type]
        if card.cite.initials and card.cite.initials not in card.cite.full:
            cite += " " + card.cite.initials
        items.append(cite)
    return items


def _body_items(card: ShownCard, read_only: bool) -> list[str]:
    """`render.body_text`'s text: each paragraph with words (read only: the highlighted)."""
    body = []
    for para in card.body:
        text = ""
        for span in para:
            if read_only and not span.highlight:
                if text and not text.endswith(" "):
                    text += " "
                continue
            text += span.text
        text = text.rstrip()
        if text.strip():
            body.append(text)
    return body
