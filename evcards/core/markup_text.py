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
    walk = _Walk()
    # markup.parse's loop, jumping between the characters a token can start with (the regex
    # alone would try nine alternatives at every character of a 5 KB body)
    pos = at = 0
    search, match, buf, token = _TOKEN_START.search, _TOKEN.match, walk.buf, walk.token
    while (start := search(text, at)) is not None:
        m = match(text, start.start())
        if m is None:  # a lone `*` or `=`, or a backslash before a line break: text
            at = start.start() + 1
            continue
        if m.start() > pos:
            buf.append(text[pos : m.start()])
        pos = at = token(m)
    if pos < len(text):
        buf.append(text[pos:])
    return walk.finish()


class _Walk:
    """The marks that are on at one point of the markup, and the text read so far: the
    shape of `markup._Parser`, keeping only what the index needs instead of Span objects."""

    __slots__ = (
        "under",
        "emph",
        "hl",
        "size",
        "shading",
        "toggles",
        "buf",
        "para",
        "para_blank",
        "para_hl",
        "any_hl",
        "paragraphs",
        "u_run",
        "u_runs",
        "s_run",
        "s_runs",
    )

    def __init__(self) -> None:
        self.under = self.emph = self.hl = self.size = self.shading = False
        self.toggles = {"b": False, "i": False, "box": False}
        self.buf: list[str] = []  # text since the last mark
        self.para: list[str] = []  # the paragraph's pieces so far
        self.para_blank = True
        self.para_hl = self.any_hl = False
        self.paragraphs: list[str] = []
        self.u_run: list[str] = []  # the underlined (or emphasised) stretch going on
        self.u_runs: list[str] = []
        self.s_run: list[str] = []  # the highlighted (spoken) stretch going on
        self.s_runs: list[str] = []

    def token(self, m: re.Match[str]) -> int:
        """Act on one token; return where the text after it starts. (The corpus's commonest
        tokens, `_`, `~`, `==` and `**`, take one call: this method's own.)"""
        kind = m.lastgroup
        if kind == "soft":
            self.buf.append(" ")
            return m.end()
        if kind == "esc":
            self.buf.append(m.group("esc"))
            return m.end()
        if kind == "para":
            self.end_paragraph()
            return m.end()
        if self.buf:  # every mark ends the stretch of text before it
            self.flush()
        if kind == "under":
            self.under = not self.under
        elif kind == "shrink":
            self.size = not self.size
        elif kind == "hl":
            self.hl = not self.hl
        elif kind == "emph":
            self.emph = not self.emph
        elif kind == "size":
            return self.sized(m)
        elif kind == "hlcolor":
            return self.coloured(m)
        elif kind == "brace":  # a lone brace
            raise NotPlain("brace")
        else:
            self.named(m)
        return m.end()

    def coloured(self, m: re.Match[str]) -> int:
        """`=={colour}`: opens a highlight; a closing `==` takes no colour, so then the brace
        after it is the next token."""
        if self.hl:
            self.hl = False
            return m.start() + 2
        if m.group("hlcolor").lower() not in _COLORS:
            raise NotPlain("highlight colour")
        self.hl = True
        return m.end()

    def sized(self, m: re.Match[str]) -> int:
        """`~{size}`: opens a shrink; a closing `~` takes no size, as for `==`."""
        if self.size:
            self.size = False
            return m.start() + 1
        if not _point_size(float(m.group("size"))):
            raise NotPlain("shrink size")
        self.size = True
        return m.end()

    def named(self, m: re.Match[str]) -> None:
        """`{b}`, `{i}`, `{box}`, `{shade:HEX}` or `{/shade}`."""
        name = m.group("name")
        if name == "shade":
            if m.group("close") and not self.shading:
                raise NotPlain("shade")
            if not m.group("close") and (m.group("hex") is None or self.shading):
                raise NotPlain("shade")
            self.shading = not self.shading
        elif m.group("close") or m.group("hex"):
            raise NotPlain("toggle")
        else:
            self.toggles[name] = not self.toggles[name]

    def flush(self) -> None:
        """File the text since the last mark under the marks that were on for it."""
        buf = self.buf
        if not buf:
            return
        piece = "".join(buf)
        buf.clear()
        self.para.append(piece)
        if self.para_blank and not piece.isspace():
            self.para_blank = False
        if self.under or self.emph:
            self.u_run.append(piece)
        elif self.u_run:
            self.u_runs.append("".join(self.u_run))
            self.u_run.clear()
        if self.hl:
            self.para_hl = True
            self.s_run.append(piece)
        elif self.s_run:
            self.s_runs.append("".join(self.s_run))
            self.s_run.clear()

    def end_paragraph(self) -> None:
        self.flush()
        if self.para and not self.para_blank:  # a blank paragraph is dropped, highlight and all
            self.paragraphs.append("".join(self.para))
            self.any_hl = self.any_hl or self.para_hl
        self.para.clear()
        self.para_blank = True
        self.para_hl = False
        if self.u_run:
            self.u_runs.append("".join(self.u_run))
            self.u_run.clear()
        if self.s_run:
            self.s_runs.append("".join(self.s_run))
            self.s_run.clear()

    def finish(self) -> BodyText:
        self.end_paragraph()
        if self.under or self.emph or self.hl or self.size or self.shading:
            raise NotPlain("unclosed mark")
        if any(self.toggles.values()):
            raise NotPlain("unclosed mark")
        return BodyText(
            "\n".join(self.paragraphs), _joined(self.u_runs), _joined(self.s_runs), self.any_hl
        )


def _point_size(value: float) -> bool:
    """A size markup.parse accepts: 1 to 400 points in half points."""
    return 1.0 <= value <= 400.0 and (value * 2).is_integer()
