"""The plain, underlined and spoken text of body markup, read without building spans.

`body_text` is the fast twin of `markup.parse` followed by `Card.text`, `.underlined`,
`.spoken` and `.has_highlight`: the search index reads every card's body with it, and cannot
afford a Span object per stretch of text, nor pydantic. It walks the markup once, keeping only
three facts per stretch (underlined? highlighted? its text), and rejects (NotPlain) the markup
`markup.parse` rejects. tests/test_markup_text.py checks the agreement with hypothesis and on
the corpus.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from evcards.core.syntax import CONTROL_IN_MARKUP, HIGHLIGHT_COLORS, TOKEN

_TOKEN = TOKEN
_TOKEN_START = re.compile(r"[\n\\*=_~{]")
_CONTROL_IN_BODY = CONTROL_IN_MARKUP
_COLORS = {c.lower() for c in HIGHLIGHT_COLORS}


class NotPlain(ValueError):
    """The fast reader cannot vouch for this file: use the full parser to judge it."""


@dataclass(frozen=True, slots=True)
class BodyText:
    text: str
    underlined: str
    spoken: str
    has_highlight: bool


def _joined(runs: list[str]) -> str:
    # str.split() and re's \s agree on what whitespace is, and split() is several times faster
    return " ".join(" ".join(runs).split())


def body_text(markup: str) -> BodyText:
    """Plain, underlined and highlighted text of body markup; raises NotPlain where
    `markup.parse` raises MarkupError (or the Span model would reject the text)."""
    text = markup.replace("\r\n", "\n").replace("\r", "\n").strip("\n")
    if _CONTROL_IN_BODY.search(text):  # markup.parse drops them (pasted PDFs carry some)
        text = _CONTROL_IN_BODY.sub("", text)
    under = emph = hl = False
    size = shading = False
    toggles = {"b": False, "i": False, "box": False}
    paragraphs: list[str] = []
    para: list[str] = []
    para_blank = True
    u_runs: list[str] = []
    s_runs: list[str] = []
    u_run: list[str] = []
    s_run: list[str] = []
    any_hl = para_hl = False
    buf: list[str] = []

    def flush() -> None:
        nonlocal para_blank, para_hl
        if not buf:
            return
        piece = "".join(buf)
        buf.clear()
        if not piece:
            return
        para.append(piece)
        if para_blank and not piece.isspace():
            para_blank = False
        if under or emph:
            u_run.append(piece)
        elif u_run:
            u_runs.append("".join(u_run))
            u_run.clear()
        if hl:
            para_hl = True
            s_run.append(piece)
        elif s_run:
            s_runs.append("".join(s_run))
            s_run.clear()

    def end_paragraph() -> None:
        nonlocal para_blank, para_hl, any_hl
        flush()
        if para and not para_blank:  # a blank paragraph is dropped, highlight and all
            paragraphs.append("".join(para))
            any_hl = any_hl or para_hl
        para.clear()
        para_blank = True
        para_hl = False
        if u_run:
            u_runs.append("".join(u_run))
            u_run.clear()
        if s_run:
            s_runs.append("".join(s_run))
            s_run.clear()

    # markup.parse's loop, jumping between the characters a token can start with (the regex
    # alone would try nine alternatives at every character of a 5 KB body)
    pos = at = 0
    search, match = _TOKEN_START.search, _TOKEN.match
    while (start := search(text, at)) is not None:
        m = match(text, start.start())
        if m is None:
            at = start.start() + 1
            continue
        if m.start() > pos:
            buf.append(text[pos : m.start()])
        pos = m.end()
        kind = m.lastgroup
        # A closing `==` or `~` takes no argument: a brace after it is the next token.
        if kind == "hlcolor" and hl:
            pos, kind = m.start() + 2, "hl"
        elif kind == "size" and size:
            pos, kind = m.start() + 1, "shrink"
        at = pos
        if kind == "para":
            end_paragraph()
        elif kind == "soft":
            buf.append(" ")
        elif kind == "esc":
            buf.append(m.group("esc"))
        elif kind == "emph":
            flush()
            emph = not emph
        elif kind in ("hl", "hlcolor"):
            color = m.group("hlcolor") if kind == "hlcolor" else None
            if color is not None and color.lower() not in _COLORS:
                raise NotPlain("highlight colour")
            flush()
            hl = not hl
        elif kind == "under":
            flush()
            under = not under
        elif kind in ("shrink", "size"):
            if kind == "size":
                value = float(m.group("size"))
                if not (1.0 <= value <= 400.0 and (value * 2).is_integer()):
                    raise NotPlain("shrink size")
            flush()
            size = not size
        elif kind in ("name", "close", "hex"):
            name = m.group("name")
            if name == "shade":
                if m.group("close"):
                    if not shading:
                        raise NotPlain("shade")
                elif m.group("hex") is None or shading:
                    raise NotPlain("shade")
                flush()
                shading = not shading
            else:
                if m.group("close") or m.group("hex"):
                    raise NotPlain("toggle")
                flush()
                toggles[name] = not toggles[name]
        else:  # a lone brace
            raise NotPlain("brace")
    if pos < len(text):
        buf.append(text[pos:])
    end_paragraph()
    if under or emph or hl or size or shading or any(toggles.values()):
        raise NotPlain("unclosed mark")
    return BodyText("\n".join(paragraphs), _joined(u_runs), _joined(s_runs), any_hl)
