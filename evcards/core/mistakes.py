"""Where a markup mistake is, for its error message: which toggle of a mark is the one left
unmatched, and the line it is on with a caret under it.

Every mark is a toggle (`_` opens or closes whatever it finds), so when one is left open the
parser knows only that the last one typed is open. Which was meant to open and which to close
shows in the text beside each: an opening mark sits before a word, a closing one after it
(CommonMark's left- and right-flanking rule), and reading the marks that way finds the one a
debater forgot to close, or the close whose opening they forgot.
"""

from __future__ import annotations

EXCERPT_WIDTH = 76  # characters of a long line shown around the mistake


def _flanks(text: str, start: int, end: int) -> tuple[bool, bool]:
    """Whether the mark text[start:end] can open (sits before text) and can close (after)."""
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "

    def punct(c: str) -> bool:
        return not (c.isalnum() or c.isspace())

    opens = not after.isspace() and (not punct(after) or before.isspace() or punct(before))
    closes = not before.isspace() and (not punct(before) or after.isspace() or punct(after))
    return opens, closes


def unmatched(text: str, marks: list[tuple[int, int]]) -> tuple[bool, tuple[int, int]] | None:
    """The first mark that opens and is never closed, as (False, (start, end)), else the first
    that closes with nothing open, as (True, ...); None when the text does not tell. A mark
    that could do either (`a_b`, or alone between spaces) closes what is open, else opens."""
    stack: list[tuple[int, int]] = []
    stray: tuple[int, int] | None = None
    for start, end in marks:
        opens, closes = _flanks(text, start, end)
        if not (opens or closes):
            opens = closes = True
        if closes and (stack or not opens):
            if stack:
                stack.pop()
            elif stray is None:
                stray = (start, end)
        else:
            stack.append((start, end))
    if stack:
        return False, stack[0]
    return (True, stray) if stray is not None else None


def excerpt(text: str, start: int, end: int) -> tuple[str, str]:
    """The line holding text[start:end] (a window of it around the mark when it is long) and a
    caret line under the mark."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", start)
    line = text[line_start : line_end if line_end >= 0 else len(text)]
    col = start - line_start
    width = max(1, min(end, line_start + len(line)) - start)
    if len(line) > EXCERPT_WIDTH:
        lo = max(0, min(col - EXCERPT_WIDTH // 2, len(line) - EXCERPT_WIDTH))
        hi = lo + EXCERPT_WIDTH
        left = "…" if lo > 0 else ""
        line = left + line[lo:hi] + ("…" if hi < len(line) else "")
        col += len(left) - lo
    return line.replace("\t", " "), " " * col + "^" * width
