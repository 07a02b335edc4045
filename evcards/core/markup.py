"""The inline markup a debater types for a card body, and its exact inverse.

    _underlined_          **emphasis**            ==highlighted==   =={green}green==
    ~shrunk to 8 pt~      ~{6}shrunk to 6 pt~      {b}bold{b}        {i}italic{i}
    {box}boxed{box}       {shade:D9D9D9}shaded{/shade}      literal: \\_ \\* \\= \\~ \\{ \\\\

Every mark is a toggle, so marks nest and overlap freely (`_a ==b_ c==`). A blank line starts
a new paragraph; a single line break inside a paragraph is a space. A lone `*` or `=` is
literal text; `render` escapes every markup character anyway, so `parse(render(b)) == b`.
"""

from __future__ import annotations

import re
from typing import Any

from evcards.core.models import PLAIN, Marks, Span, normalize_body, normalize_color
from evcards.core.syntax import CONTROL_IN_MARKUP, TOKEN
from evcards.errors import MarkupError

DEFAULT_SHRINK = 8.0

_TOKEN = TOKEN
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
    # Surrounding newlines are layout (the TOML string's own lines), never text.
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip("\n")
    text = _CONTROL.sub("", text)  # stray form feeds and the like from pasted PDFs
    state: dict[str, Any] = {
        "underline": False,
        "emphasis": False,
        "box": False,
        "highlight": None,
        "shading": None,
        "bold": False,
        "italic": False,
        "size": None,
    }
    opened_at: dict[str, int] = {}
    body: list[list[Span]] = []
    para: list[Span] = []
    buf: list[str] = []

    def flush() -> None:
        if buf:
            para.append(Span(text="".join(buf), **state))
            buf.clear()

    def toggle(key: str, value: Any, pos: int) -> None:
        flush()
        if state[key] in (None, False):
            state[key] = value
            opened_at[key] = pos
        else:
            state[key] = None if value is not True else False
            opened_at.pop(key, None)

    pos = 0
    while (m := _TOKEN.search(text, pos)) is not None:
        if m.start() > pos:
            buf.append(text[pos : m.start()])
        pos = m.end()
        g = m.groupdict()
        # A closing `==` or `~` takes no argument: a brace after it is the next token
        # (`=={i}` closes a highlight, then toggles italic).
        if (g["hlcolor"] is not None and state["highlight"] is not None) or (
            g["size"] is not None and state["size"] is not None
        ):
            pos = m.start() + (2 if g["hl"] else 1)
            g = {**g, "hlcolor": None, "size": None}
        if g["para"] is not None:
            flush()
            body.append(para)
            para = []
        elif g["soft"] is not None:
            buf.append(" ")
        elif g["esc"] is not None:
            buf.append(g["esc"])
        elif g["emph"] is not None:
            toggle("emphasis", True, m.start())
        elif g["hl"] is not None:
            color = default_highlight
            if g["hlcolor"] is not None:
                found = normalize_color(g["hlcolor"])
                if found is None:
                    raise MarkupError(
                        f"unknown highlight colour '{g['hlcolor']}' at {_where(text, m.start())};"
                        " use one of Word's: yellow, green, cyan, magenta, blue, red, darkBlue,"
                        " darkCyan, darkGreen, darkMagenta, darkRed, darkYellow, darkGray,"
                        " lightGray, black, white"
                    )
                color = found
            toggle("highlight", color, m.start())
        elif g["under"] is not None:
            toggle("underline", True, m.start())
        elif g["shrink"] is not None:
            size = DEFAULT_SHRINK
            if g["size"] is not None:
                size = float(g["size"])
                if not (1.0 <= size <= 400.0 and (size * 2).is_integer()):
                    raise MarkupError(
                        f"size {g['size']} at {_where(text, m.start())} is not a point size"
                        " from 1 to 400 in half points"
                    )
            toggle("size", size, m.start())
        elif g["name"] is not None:
            name = g["name"]
            if name == "shade":
                if g["close"]:
                    if state["shading"] is None:
                        raise MarkupError(
                            f"`{{/shade}}` at {_where(text, m.start())} closes no shading"
                        )
                    flush()
                    state["shading"] = None
                    opened_at.pop("shading", None)
                elif g["hex"] is None:
                    raise MarkupError(
                        f"`{{shade}}` at {_where(text, m.start())} needs a colour: {{shade:D9D9D9}}"
                    )
                elif state["shading"] is not None:
                    raise MarkupError(
                        f"shading opened again at {_where(text, m.start())} before `{{/shade}}`"
                    )
                else:
                    flush()
                    state["shading"] = g["hex"].upper()
                    opened_at["shading"] = m.start()
            else:
                if g["close"] or g["hex"]:
                    raise MarkupError(
                        f"`{m.group(0)}` at {_where(text, m.start())}: write {{{name}}} to both"
                        " open and close it"
                    )
                key = {"b": "bold", "i": "italic", "box": "box"}[name]
                toggle(key, True, m.start())
        elif g["brace"] is not None:
            snippet = text[m.start() : m.start() + 12].split("\n")[0]
            raise MarkupError(
                f"unknown markup '{snippet}' at {_where(text, m.start())};"
                " write \\{ for a literal brace"
            )
    if pos < len(text):
        buf.append(text[pos:])
    flush()
    body.append(para)
    if opened_at:
        key, at = min(opened_at.items(), key=lambda kv: kv[1])
        names = {
            "underline": "`_` (underline)",
            "emphasis": "`**` (emphasis)",
            "highlight": "`==` (highlight)",
            "size": "`~` (shrink)",
            "shading": "`{shade:…}` (shading)",
            "bold": "`{b}` (bold)",
            "italic": "`{i}` (italic)",
            "box": "`{box}` (box)",
        }
        raise MarkupError(
            f"{names[key]} opened at {_where(text, at)} is never closed;"
            " close it, or escape a literal character with a backslash"
        )
    return normalize_body(body)


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


def most_common_highlight(body: list[list[Span]]) -> str | None:
    """The colour most of the body is highlighted in, so the markup can write it as `==`."""
    return most_common_highlight_marked([[(s.text, s.marks()) for s in para] for para in body])


def most_common_highlight_marked(body: list[list[tuple[str, Marks]]]) -> str | None:
    """`most_common_highlight` of a body given as (text, marks) pairs."""
    counts: dict[str, int] = {}
    for para in body:
        for text, marks in para:
            color = marks.highlight
            if color:
                counts[color] = counts.get(color, 0) + len(text)
    return max(counts, key=lambda c: counts[c]) if counts else None
