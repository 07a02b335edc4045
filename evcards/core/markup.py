"""The inline markup a debater types for a card body, and its exact inverse.

    _underlined_          **emphasis**            ==highlighted==   =={green}green==
    ~shrunk to 8 pt~      ~{6}shrunk to 6 pt~      {b}bold{b}        {i}italic{i}
    {box}boxed{box}       {shade:D9D9D9}shaded{/shade}      literal: \\_ \\* \\= \\~ \\{ \\\\

Every mark is a toggle, so marks nest and overlap freely (`_a ==b_ c==`). A blank line starts
a new paragraph; a single line break inside a paragraph is a space. A lone `*` or `=` is
literal text; `render` escapes every markup character anyway, so `parse(render(b)) == b`.
`core.markup_text` reads a body's plain, underlined and spoken text fast, for the index,
without building spans; it must agree with `parse`.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from evcards.core import mistakes
from evcards.core.markup_text import DEFAULT_SHRINK, quick_pairs, walk_tokens
from evcards.core.models import PLAIN, Marks, Span, normalize_body, normalize_color
from evcards.core.syntax import CONTROL_IN_MARKUP
from evcards.errors import MarkupError

_CONTROL = CONTROL_IN_MARKUP
_ESCAPES = str.maketrans({c: "\\" + c for c in "\\_*=~{"})
_SPECIAL = re.compile(r"[\\_*=~{]")


def escape(text: str) -> str:
    """Text as markup that means exactly that text."""
    return text.translate(_ESCAPES) if _SPECIAL.search(text) else text


def _where(text: str, pos: int) -> str:
    line = text.count("\n", 0, pos) + 1
    col = pos - (text.rfind("\n", 0, pos) + 1) + 1
    return f"line {line}, column {col}"


def parse(text: str, default_highlight: str = "yellow") -> list[list[Span]]:
    """Markup to a canonical body. Raises MarkupError with the line and column of a mistake."""
    return normalize_body(_read(_Parser, text, default_highlight))  # type: ignore[arg-type]


def parse_marked(text: str, default_highlight: str = "yellow") -> list[list[tuple[str, Marks]]]:
    """`parse` as (text, `Span.marks()`) pairs, with the same errors but no Span object per
    stretch: what the dataset writers take (a card's spans cost more than its row).
    tests/test_markup.py proves the two agree."""
    body = None
    if "\\" not in text:
        body = quick_pairs(prepared(text), default_highlight, normalize_color, _new_marks)
    if body is None:
        try:
            body = _read(_MarkedParser, text, default_highlight)
        except _LeftOpen:
            parse(text, default_highlight)  # raises the reference's message
            raise
    out: list[list[tuple[str, Marks]]] = []
    for para in body:
        merged: list[tuple[str, Marks]] = []
        for piece, marks in para:  # normalize_body, for pairs
            if merged and merged[-1][1] == marks:
                merged[-1] = (merged[-1][0] + piece, marks)
            elif piece:
                merged.append((piece, marks))
        if merged and any(not t.isspace() for t, _ in merged):
            out.append(merged)
    return out


def prepared(text: str) -> str:
    """Markup as the parser reads it: line breaks as \\n, control characters dropped."""
    # Surrounding newlines are layout (the TOML string's own lines), never text.
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip("\n")
    return _CONTROL.sub("", text)  # stray form feeds and the like from pasted PDFs


def _read(kind: type[_Parser], text: str, default_highlight: str) -> list[list[Any]]:
    text = prepared(text)
    parser = kind(text, default_highlight)
    walk_tokens(text, parser.buf, parser.token)
    return parser.finish()


_BOOL_KEYS = {"b": "bold", "i": "italic", "box": "box"}
_MARK_NAMES = {
    "underline": "`_` (underline)",
    "emphasis": "`**` (emphasis)",
    "highlight": "`==` (highlight)",
    "size": "`~` (shrink)",
    "shading": "`{shade:…}` (shading)",
    "bold": "`{b}` (bold)",
    "italic": "`{i}` (italic)",
    "box": "`{box}` (box)",
}


class _Parser:
    """The marks that are on at one point of the markup, and the body read so far
    (markup_text._Walk has the same shape, for the index's fast reader)."""

    def __init__(self, text: str, default_highlight: str) -> None:
        self.text = text
        self.default_highlight = default_highlight
        self.state: dict[str, Any] = {
            "underline": False,
            "emphasis": False,
            "box": False,
            "highlight": None,
            "shading": None,
            "bold": False,
            "italic": False,
            "size": None,
        }
        self.opened_at: dict[str, int] = {}  # where each mark that is on was opened
        self.marks: dict[str, list[tuple[int, int]]] = {}  # every toggle of each, for errors
        self.body: list[list[Any]] = []  # of Spans, or of (text, Marks) (_MarkedParser)
        self.para: list[Any] = []
        self.buf: list[str] = []  # text since the last mark

    def token(self, m: re.Match[str]) -> int:
        """Act on one token; return where the text after it starts."""
        kind = m.lastgroup
        if kind == "para":
            self.flush()
            self.body.append(self.para)
            self.para = []
        elif kind == "soft":
            self.buf.append(" ")
        elif kind == "esc":
            self.buf.append(m.group("esc"))
        elif kind == "emph":
            self.toggle("emphasis", True, m.start(), m.end())
        elif kind in ("hl", "hlcolor"):
            return self.highlight(m)
        elif kind == "under":
            self.toggle("underline", True, m.start(), m.end())
        elif kind in ("shrink", "size"):
            return self.shrink(m)
        elif kind == "brace":
            snippet = self.text[m.start() : m.start() + 12].split("\n")[0]
            raise self.error(
                f"unknown markup '{snippet}' at {self.where(m)}; write \\{{ for a literal brace", m
            )
        else:
            self.named(m)
        return m.end()

    def highlight(self, m: re.Match[str]) -> int:
        if self.state["highlight"] is not None:
            # A closing `==` takes no colour: a brace after it is the next token
            # (`=={i}` closes a highlight, then toggles italic).
            self.toggle("highlight", None, m.start(), m.start() + 2)
            return m.start() + 2
        color = self.default_highlight
        if m.group("hlcolor") is not None:
            found = normalize_color(m.group("hlcolor"))
            if found is None:
                raise self.error(
                    f"unknown highlight colour '{m.group('hlcolor')}' at {self.where(m)};"
                    " use one of Word's: yellow, green, cyan, magenta, blue, red, darkBlue,"
                    " darkCyan, darkGreen, darkMagenta, darkRed, darkYellow, darkGray,"
                    " lightGray, black, white",
                    m,
                )
            color = found
        self.toggle("highlight", color, m.start(), m.end())
        return m.end()

    def shrink(self, m: re.Match[str]) -> int:
        if self.state["size"] is not None:  # a closing `~` takes no size, as for `==`
            self.toggle("size", None, m.start(), m.start() + 1)
            return m.start() + 1
        size = DEFAULT_SHRINK
        if m.group("size") is not None:
            size = float(m.group("size"))
            if not (1.0 <= size <= 400.0 and (size * 2).is_integer()):
                raise self.error(
                    f"size {m.group('size')} at {self.where(m)} is not a point size"
                    " from 1 to 400 in half points",
                    m,
                )
        self.toggle("size", size, m.start(), m.end())
        return m.end()

    def named(self, m: re.Match[str]) -> None:
        """`{b}`, `{i}`, `{box}`, `{shade:HEX}` or `{/shade}`."""
        name = m.group("name")
        if name == "shade":
            self.shade(m)
        elif m.group("close") or m.group("hex"):
            raise self.error(
                f"`{m.group(0)}` at {self.where(m)}: write {{{name}}} to both open and close it", m
            )
        else:
            self.toggle(_BOOL_KEYS[name], True, m.start(), m.end())

    def shade(self, m: re.Match[str]) -> None:
        shading = self.state["shading"]
        if m.group("close"):
            if shading is None:
                raise self.error(f"`{{/shade}}` at {self.where(m)} closes no shading", m)
            self.toggle("shading", None, m.start(), m.end())
        elif m.group("hex") is None:
            raise self.error(f"`{{shade}}` at {self.where(m)} needs a colour: {{shade:D9D9D9}}", m)
        elif shading is not None:
            raise self.error(f"shading opened again at {self.where(m)} before `{{/shade}}`", m)
        else:
            self.toggle("shading", m.group("hex").upper(), m.start(), m.end())

    def toggle(self, key: str, value: Any, pos: int, end: int) -> None:
        """Turn a mark on (to `value`) if it is off, else off; the mark is text[pos:end]."""
        self.flush()
        self.marks.setdefault(key, []).append((pos, end))
        state = self.state
        if state[key] in (None, False):
            state[key] = value
            self.opened_at[key] = pos
        else:
            state[key] = None if value is not True else False
            self.opened_at.pop(key, None)

    def flush(self) -> None:
        if self.buf:
            self.para.append(Span(text="".join(self.buf), **self.state))
            self.buf.clear()

    def finish(self) -> list[list[Any]]:
        """The paragraphs read, not yet in canonical form."""
        self.flush()
        self.body.append(self.para)
        if self.opened_at:
            raise self.unclosed(min(self.opened_at.items(), key=lambda kv: kv[1])[0])
        return self.body

    def unclosed(self, key: str) -> MarkupError:
        """The error for a mark left on at the end. Every mark is a toggle, so the one left on
        is the last typed, which is seldom the mistake (one `_` too few early on put the
        blame on the last `_` of the paragraph): which of them opens and which closes is read
        from the text beside each (see `mistakes.unmatched`)."""
        marks = self.marks[key]
        stray, (at, end) = False, marks[-1]
        if key != "shading":  # `{shade:…}` and `{/shade}` say which they are
            found = mistakes.unmatched(self.text, marks)
            if found is not None:
                stray, (at, end) = found
        name, where = _MARK_NAMES[key], _where(self.text, at)
        if stray:
            message = (
                f"{name} at {where} closes a mark that was never opened; open it where the"
                " marked text starts, or escape a literal character with a backslash"
            )
        else:
            message = (
                f"{name} opened at {where} is never closed;"
                " close it, or escape a literal character with a backslash"
            )
        return MarkupError(message, mistakes.excerpt(self.text, at, end))

    def where(self, m: re.Match[str]) -> str:
        return _where(self.text, m.start())

    def error(self, message: str, m: re.Match[str]) -> MarkupError:
        """A mistake in the token `m`, shown in its line with a caret under it."""
        return MarkupError(message, mistakes.excerpt(self.text, m.start(), m.end()))


class _MarkedParser(_Parser):
    """The same reading, each stretch kept as (text, Marks). The state's keys are Marks'
    fields in Marks' order, so its values are the marks; the checks Span makes of them
    (colour, shading, size) the parser has made already."""

    def token(self, m: re.Match[str]) -> int:
        # The commonest tokens, toggled here in one call. They leave `opened_at` alone (so
        # it goes stale): it only names the mark left open in the error, which
        # `parse_marked` has `parse` give; `finish` judges by the state alone.
        kind = m.lastgroup
        if kind in _QUICK:
            if self.buf:
                self.flush()
            state, key = self.state, _QUICK[kind]
            if key == "highlight":
                state[key] = None if state[key] is not None else self.default_highlight
            elif key == "size":
                state[key] = None if state[key] is not None else DEFAULT_SHRINK
            else:
                state[key] = not state[key]
            return m.end()
        return super().token(m)

    def flush(self) -> None:
        if self.buf:
            self.para.append(("".join(self.buf), _new_marks(self.state.values())))
            self.buf.clear()

    def finish(self) -> list[list[Any]]:
        self.flush()
        self.body.append(self.para)
        if any(v is not None and v is not False for v in self.state.values()):
            raise _LeftOpen
        return self.body


class _LeftOpen(Exception):
    """A mark is never closed: `parse` names it in its error."""


# `_`, `**`, a plain `==` and a plain `~`: the marks they toggle.
_QUICK = {"under": "underline", "emph": "emphasis", "hl": "highlight", "shrink": "size"}
_new_marks = functools.partial(tuple.__new__, Marks)


_BOOL_OPEN = {"bold": "{b}", "italic": "{i}", "box": "{box}", "emphasis": "**", "underline": "_"}
# Outer marks first; closing runs in reverse so that simple nestings read naturally.
_ORDER = ("size", "shading", "bold", "italic", "box", "emphasis", "underline", "highlight")


def _open(key: str, value: Any, default_highlight: str) -> str:
    if key in _BOOL_OPEN:
        return _BOOL_OPEN[key]
    if key == "highlight":
        return "==" if value == default_highlight else "=={" + value + "}"
    if key == "size":
        return "~" if value == DEFAULT_SHRINK else "~{" + format(value, "g") + "}"
    return "{shade:" + value + "}"


def _close(key: str) -> str:
    if key in _BOOL_OPEN:
        return _BOOL_OPEN[key]
    return {"highlight": "==", "size": "~", "shading": "{/shade}"}[key]


def render(body: list[list[Span]], default_highlight: str = "yellow") -> str:
    """A canonical body as markup; paragraphs separated by a blank line."""
    return render_marked([[(s.text, s.marks()) for s in para] for para in body], default_highlight)


def render_marked(body: list[list[tuple[str, Marks]]], default_highlight: str = "yellow") -> str:
    """`render` of a canonical body given as (text, `Span.marks()`) pairs: what a reader that
    never builds Span objects (the .docx import, a hundred thousand spans) can render."""
    out: list[str] = []
    # Cards have few distinct mark changes and many spans: each change is worked out once.
    steps = _STEPS.setdefault(default_highlight, {})
    if len(steps) > 4096:
        steps.clear()
    translate, special = str.translate, _SPECIAL.search
    for para in body:
        parts: list[str] = []
        prev = PLAIN
        for text, now in para:
            if now != prev:
                step = steps.get((prev, now))
                if step is None:
                    step = steps[(prev, now)] = _step(prev, now, default_highlight)
                parts.append(step)
                prev = now
            parts.append(translate(text, _ESCAPES) if special(text) else text)  # escape()
        if prev != PLAIN:
            parts.append(_step(prev, PLAIN, default_highlight))
        out.append("".join(parts))
    return "\n\n".join(out)


_STEPS: dict[str, dict[tuple[Marks, Marks], str]] = {}


def _step(prev: Marks, now: Marks, default_highlight: str) -> str:
    """The markup between a span with marks `prev` and one with `now`."""
    cur, want = _marks_on(prev), _marks_on(now)
    parts: list[str] = []
    for k in reversed(_ORDER):
        if k in cur and cur.get(k) != want.get(k):
            parts.append(_close(k))
            del cur[k]
    for k in _ORDER:
        if k in want and k not in cur:
            parts.append(_open(k, want[k], default_highlight))
            cur[k] = want[k]
    return "".join(parts)


def _marks_on(marks: Marks) -> dict[str, Any]:
    return {k: v for k, v in marks._asdict().items() if v is not None and v is not False}


def most_common_highlight_marked(body: list[list[tuple[str, Marks]]]) -> str | None:
    """The colour most of the body (given as (text, marks) pairs) is highlighted in, so that
    its markup can write that colour as a plain `==`."""
    counts: dict[str, int] = {}
    for para in body:
        for text, marks in para:
            color = marks.highlight
            if color:
                counts[color] = counts.get(color, 0) + len(text)
    return max(counts, key=lambda c: counts[c]) if counts else None
