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
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from evcards.core.syntax import CONTROL_IN_MARKUP, HIGHLIGHT_COLORS, TOKEN

_TOKEN = TOKEN
_TOKEN_START = re.compile(r"[\n\\*=_~{]")
_CONTROL_IN_BODY = CONTROL_IN_MARKUP
_COLORS = {c.lower() for c in HIGHLIGHT_COLORS}


DEFAULT_SHRINK = 8.0  # the size a plain `~` shrinks to


class NotPlain(ValueError):
    """The fast reader cannot vouch for this file: use the full parser to judge it."""


@dataclass(frozen=True, slots=True)
class BodyText:
    text: str
    underlined: str
    spoken: str
    has_highlight: bool


# The tokens of a body with no escape and no brace but those of `{b}`, `{i}`, `{box}`,
# `=={colour}` and `~{size}` (nearly every card): TOKEN's alternatives, in its order, as one
# group, so that `split` cuts the whole body at once in C.
_QUICK_SPLIT = re.compile(
    r"(\n(?:[ \t]*\n)+|\n[ \t]*|\*\*|==(?:\{(?!(?:b|i|box|shade)[}:])[A-Za-z]+\})?|_"
    r"|~(?:\{[0-9]+(?:\.[0-9]+)?\})?|\{(?:b|i|box)\})"
)
# Where each mark sits in `models.Marks`: underline, emphasis, box, highlight, shading,
# bold, italic, size. The toggles' places:
_TOGGLE_AT = {"_": 0, "**": 1, "{box}": 2, "{b}": 5, "{i}": 6}
_PLAIN = [False, False, False, None, None, False, False, None]


def quick_pairs(
    text: str,
    default_highlight: str,
    color: Callable[[str], str | None],
    make: Callable[[list[Any]], Any],
) -> list[list[tuple[str, Any]]] | None:
    """The paragraphs of a body `_QUICK_SPLIT` can cut, as (text, marks) pairs not yet in
    canonical form, as `markup._Parser` reads them; None for any other body, or one the
    parser would refuse. The marks are kept in a list in `models.Marks`' order, each stretch
    given `make(that list)`; `color` is `models.normalize_color` or a test as strict."""
    parts = _QUICK_SPLIT.split(text)
    if any("{" in p for p in parts[::2]):
        return None  # a brace the split did not take
    marks: list[Any] = list(_PLAIN)
    body: list[list[Any]] = []
    para: list[Any] = []
    buf = [parts[0]] if parts[0] else []
    toggles = _TOGGLE_AT
    for k in range(1, len(parts), 2):
        tok = parts[k]
        if tok[0] == "\n" and tok.count("\n") == 1:
            buf.append(" ")  # a line break inside a paragraph
        else:
            if buf:
                para.append(("".join(buf), make(marks)))
                buf = []
            if tok[0] == "\n":
                body.append(para)
                para = []
            else:
                at = toggles.get(tok)  # `_` or `**` (or `{b}`, `{i}`, `{box}`) in one lookup
                step = (
                    (at, not marks[at])
                    if at is not None
                    else _quick_step(tok, marks, default_highlight, color)
                )
                if step is None:
                    return None
                marks[step[0]] = step[1]
        if parts[k + 1]:
            buf.append(parts[k + 1])
    if buf:
        para.append(("".join(buf), make(marks)))
    body.append(para)
    return body if _all_closed(marks) else None  # None: a mark left open


def _all_closed(marks: list[Any]) -> bool:
    return all(m is None or m is False for m in marks)


def _quick_step(
    tok: str, marks: list[Any], default_highlight: str, color: Callable[[str], str | None]
) -> tuple[int, Any] | None:
    """Which mark a token sets, and to what; None where `_Parser` would say more."""
    at = _TOGGLE_AT.get(tok)
    if at is not None:
        return at, not marks[at]
    if tok == "==":
        return 3, None if marks[3] is not None else default_highlight
    if tok == "~":
        return 7, None if marks[7] is not None else DEFAULT_SHRINK
    at = 3 if tok[0] == "=" else 7
    if marks[at] is not None:
        return None  # a closing mark takes no colour or size: the brace is the next token
    if at == 3:
        name = color(tok[3:-1])
        return None if name is None else (3, name)
    size = float(tok[2:-1])
    return (7, size) if 1.0 <= size <= 400.0 and (size * 2).is_integer() else None


def _joined(runs: list[str]) -> str:
    # str.split() and re's \s agree on what whitespace is, and split() is several times faster
    return " ".join(" ".join(runs).split())


def body_text(markup: str) -> BodyText:
    """Plain, underlined and highlighted text of body markup; raises NotPlain where
    `markup.parse` raises MarkupError (or the Span model would reject the text)."""
    text = markup.replace("\r\n", "\n").replace("\r", "\n").strip("\n")
    if _CONTROL_IN_BODY.search(text):  # markup.parse drops them (pasted PDFs carry some)
        text = _CONTROL_IN_BODY.sub("", text)
    if "\\" not in text:
        quick = _quick_text(text)
        if quick is not None:
            return quick
    walk = _Walk()
    walk_tokens(text, walk.buf, walk.token)
    return walk.finish()


def walk_tokens(text: str, buf: list[str], token: Callable[[re.Match[str]], int]) -> None:
    """The markup's tokens to `token` (which returns where reading goes on), the text between
    them onto `buf`: the loop `markup.parse` and this module's readers share. It jumps
    between the characters a token can start with; the token pattern's search alone would
    try nine alternatives at every character of a 5 KB body."""
    pos = at = 0
    search, match = _TOKEN_START.search, _TOKEN.match
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


def _color(name: str) -> str | None:
    """A highlight colour's name when it is one (`models.normalize_color` says as much)."""
    return name.lower() if name.lower() in _COLORS else None


# The plain toggles' places in `_quick_text`'s list of marks that are on: underline,
# emphasis, highlight, shrink, bold, italic, box.
_QUICK_TOGGLE = {"_": 0, "**": 1, "==": 2, "~": 3, "{b}": 4, "{i}": 5, "{box}": 6}


def _quick_text(text: str) -> BodyText | None:
    """`body_text` of a body `_QUICK_SPLIT` can cut, in one loop over its tokens; None where
    `quick_pairs` would give None (then the token walk judges it). Where `quick_pairs` keeps
    every stretch's marks (a tuple per stretch, then a pass per paragraph to sort them
    out), this keeps three lists of strings: the paragraph's text, and the underlined
    and highlighted text, where every stretch not underlined (not highlighted) is one space.
    Whitespace is normalised at the end, so a gap of any size is the model's one space."""
    parts = _QUICK_SPLIT.split(text)
    if "{" in text and _brace_left(parts):
        return None
    on = [False] * 7
    paragraphs: list[tuple[str, bool]] = []  # each with whether it holds highlighted text
    para = [parts[0]]
    u: list[str] = []
    s: list[str] = []
    para_hl = False
    toggles = _QUICK_TOGGLE
    for k in range(1, len(parts), 2):
        tok = parts[k]
        seg = parts[k + 1]
        at = toggles.get(tok)
        if at is not None:
            on[at] = not on[at]
        elif tok[0] == "\n":
            if tok.count("\n") == 1:
                seg = " " + seg  # a line break inside a paragraph is a space of its marks
            else:
                paragraphs.append(("".join(para), para_hl))
                para, para_hl = [], False
                u.append(" ")
                s.append(" ")
        elif not _quick_open(tok, on):
            return None
        if seg:
            para.append(seg)
            u.append(seg if on[0] or on[1] else " ")
            s.append(seg if on[2] else " ")
            para_hl = para_hl or on[2]
    if any(on):
        return None  # a mark left open
    paragraphs.append(("".join(para), para_hl))
    return _quick_facts(paragraphs, u, s)


def _brace_left(parts: list[str]) -> bool:
    """Whether a brace is left in the text between tokens: one the split did not take."""
    return any("{" in p for p in parts[::2])


def _quick_facts(paragraphs: list[tuple[str, bool]], u: list[str], s: list[str]) -> BodyText:
    kept = [(p, hl) for p, hl in paragraphs if p and not p.isspace()]  # blank ones go, hl and all
    return BodyText(
        "\n".join(p for p, _ in kept),
        _normal("".join(u)),
        _normal("".join(s)),
        any(hl for _, hl in kept),
    )


def _quick_open(tok: str, on: list[bool]) -> bool:
    """`=={colour}` or `~{size}` opening a highlight or a shrink; False where `_Parser` would
    say more (a closing mark takes no colour or size: the brace is then the next token)."""
    if tok[0] == "=":
        if on[2] or tok[3:-1].lower() not in _COLORS:
            return False
        on[2] = True
        return True
    if on[3] or not _point_size(float(tok[2:-1])):
        return False
    on[3] = True
    return True


def _normal(text: str) -> str:
    # str.split() and re's \s agree on what whitespace is, and split() is several times faster
    return " ".join(text.split())


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


def _from_pairs(body: list[list[tuple[str, Any]]]) -> BodyText:
    """The facts of paragraphs `quick_pairs` read: blank paragraphs dropped, as the model's
    canonical body drops them; stretches with equal marks need no merging for these."""
    paragraphs: list[str] = []
    u_runs: list[str] = []
    s_runs: list[str] = []
    any_hl = False
    for para in body:
        joined = "".join([t for t, _ in para])
        if not joined or joined.isspace():
            continue
        paragraphs.append(joined)
        u_run: list[str] = []
        s_run: list[str] = []
        for text, marks in para:
            if marks[0] or marks[1]:  # underlined or emphasised
                u_run.append(text)
            elif u_run:
                u_runs.append("".join(u_run))
                u_run = []
            if marks[3] is not None:  # highlighted
                s_run.append(text)
            elif s_run:
                s_runs.append("".join(s_run))
                s_run = []
        u_runs.append("".join(u_run))
        s_runs.append("".join(s_run))
        any_hl = any_hl or any(m[3] is not None for _, m in para)
    return BodyText("\n".join(paragraphs), _joined(u_runs), _joined(s_runs), any_hl)
