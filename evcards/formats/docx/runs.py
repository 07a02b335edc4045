"""Paragraphs and their runs out of document.xml: each run's text and the marks its styles
and direct properties give it, with field codes, deletions and Verbatim's speech markers
left out."""

from __future__ import annotations

import re
from typing import Any

from evcards.core.citeparse import ParsedCite, parse_cite_runs
from evcards.core.models import Marks, clean_text
from evcards.formats.docx.styles import VAL, ParaStyle, Styles, W, run_props

_MARKED = re.compile(r"~ ?Marked \d{1,2}:\d{2}(?::\d{2})? ?(?:[AP]M ?)?~", re.I)

Body = list[list[tuple[str, Marks]]]  # paragraphs of (text, marks): a body before its Spans


class Para:
    """One paragraph: its level and its runs as (text, marks), runs with no text left out.

    What the cite heuristics ask of a paragraph (its cite-styled text, its bold text, whether
    any of it is highlighted) is worked out on first use: they look at the first few lines of
    each card, so most paragraphs never need it, and it saves a list append per run."""

    __slots__ = (
        "level",
        "runs",
        "cite_style",
        "cite_runs",
        "breaks",
        "_text",
        "_cite",
        "_bold",
        "_lit",
        "_parsed",
    )

    def __init__(self, level: int, runs: list[tuple[str, Marks]], cite_style: bool = False):
        self.level = level
        self.runs = runs
        self.cite_style = cite_style  # the paragraph style is a cite style
        self.cite_runs: list[int] = []  # indices into runs of the cite-styled ones
        # Line breaks (w:br, w:cr), read as spaces: (run index, offset of the space in it).
        self.breaks: list[tuple[int, int]] = []
        self._text: str | None = None
        self._cite: str | None = None
        self._bold: str | None = None
        self._lit: bool | None = None
        self._parsed: ParsedCite | None = None

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = "".join([t for t, _ in self.runs])
        return self._text

    @property
    def cite_text(self) -> str:
        """Text in cite-styled runs."""
        if self._cite is None:
            self._cite = ""
            if self.cite_runs:
                # Some cutters put the whole cite line in the cite style and un-bold all but
                # the short cite: then the short cite is the part still bold. A run between
                # cite runs is a word break: 'Nye' ' Jr. ' '20'.
                cited = set(self.cite_runs)
                parts: list[str] = []
                bold: list[str] = []
                for k in range(self.cite_runs[0], len(self.runs)):
                    text, marks = self.runs[k]
                    if k in cited:
                        parts.append(text)
                        bold.append(text if marks.emphasis or marks.bold else "\0")
                    else:
                        parts.append("\0")
                        bold.append("\0")
                self._cite = _words("".join(parts))
                if "\0" in bold:
                    self._cite = _words("".join(bold)) or self._cite
        return self._cite

    @property
    def bold_text(self) -> str:
        """Text in bold (or emphasised) runs; runs apart are separate words: 'STEINBAUM' ...
        '’19'. A run is bold when its style or properties say so or it is emphasised, which
        its marks keep as emphasis or bold."""
        if self._bold is None:
            self._bold = _words(
                "".join([t if m.emphasis or m.bold else "\0" for t, m in self.runs])
            )
        return self._bold

    @property
    def highlighted(self) -> bool:
        if self._lit is None:
            self._lit = any(m[3] for _, m in self.runs)
        return self._lit

    @property
    def wholly_cite(self) -> bool:
        """Every run with text but whitespace is in the cite style."""
        cited = set(self.cite_runs)
        return bool(cited) and all(k in cited or t.isspace() for k, (t, _) in enumerate(self.runs))

    def cite_runs_flagged(self) -> list[tuple[str, bool, bool]]:
        """The runs as the cite parser takes them: (text, resolved bold, in the cite style).
        Emphasis is bold: its marks keep bold + underline as emphasis alone."""
        cited = set(self.cite_runs)
        return [(t, m.emphasis or m.bold, k in cited) for k, (t, m) in enumerate(self.runs)]

    def parsed_cite(self) -> ParsedCite:
        """The cite parser's reading of this line alone, worked out once: the shapes, the
        cite split and the cite itself each ask it of the same lines."""
        if self._parsed is None:
            self._parsed = parse_cite_runs(self.cite_runs_flagged())
        return self._parsed

    def split(self, run: int, offset: int) -> tuple[Para, Para]:
        """The paragraph cut at the space a line break left at runs[run][offset]: the line
        before it and the lines after, the space itself in neither."""
        text, marks = self.runs[run]
        head = self.runs[:run] + [(text[:offset], marks)]
        tail = [(text[offset + 1 :], marks)] + self.runs[run + 1 :]
        first, rest = Para(self.level, [], self.cite_style), Para(self.level, [], self.cite_style)
        cited = set(self.cite_runs)
        for part, runs, base in ((first, head, 0), (rest, tail, run)):
            for k, (t, m) in enumerate(runs):
                if t:
                    if base + k in cited:
                        part.cite_runs.append(len(part.runs))
                    part.runs.append((t, m))
        return first, rest  # only the first line break is ever cut at: rest.breaks stays empty


_CONTAINERS = {
    W + "hyperlink",
    W + "smartTag",
    W + "ins",
    W + "customXml",
    W + "fldSimple",
    W + "moveTo",
    W + "dir",
    W + "bdo",
}


class Reader:
    """A document's paragraphs in order. One reader reads one document: a field can open in
    one paragraph and close in another, and the marks it resolves for a style are reused."""

    def __init__(self, styles: Styles, controls: bool = True) -> None:
        self.styles = styles
        self.controls = controls  # may text hold line breaks or control characters?
        self._field_depth: list[bool] = []  # per open field: still in its code part?
        self._marks_cache: dict[int, dict[Any, tuple[Marks, bool]]] = {}
        self._breaks: list[int] = []  # offsets of line breaks in the run being read

    def paragraphs(self, body: Any) -> list[Para]:
        out: list[Para] = []
        self._blocks(body, out)
        return out

    def _blocks(self, parent: Any, out: list[Para]) -> None:
        for el in parent:
            tag = el.tag
            if tag == W + "p":
                out.append(self._para(el))
            elif tag == W + "tbl":
                for tc in el.iter(W + "tc"):
                    self._blocks(tc, out)
            elif tag == W + "sdt":
                content = el.find(W + "sdtContent")
                if content is not None:
                    self._blocks(content, out)
            elif tag == W + "customXml":
                self._blocks(el, out)

    def _para(self, p: Any) -> Para:
        run_els: list[Any] = []
        ppr = _collect_runs(p, run_els)
        pstyle, level = self._para_style(ppr)
        para = Para(level, [], cite_style=pstyle.cite)
        runs = para.runs
        base = pstyle.props
        marks_of = self._marks_cache.setdefault(id(pstyle), {})
        controls = self.controls
        # This loop runs once per run (155,000 in the corpus): keep what it calls to two
        # functions a run, and resolve each distinct rPr's marks once per paragraph style.
        for r in run_els:
            text, rpr = self._run_text(r)
            if text and controls and CONTROL.search(text):
                text = clean_text(text)
            if not text:
                continue
            if self._breaks:
                n = len(runs)
                para.breaks.extend((n, min(k, len(text) - 1)) for k in self._breaks)
                self._breaks.clear()
            key = None if rpr is None else rpr_key(rpr)
            info = marks_of.get(key)
            if info is None:
                info = marks_of[key] = self._resolve(base, rpr)
            if info[1]:
                para.cite_runs.append(len(runs))
            runs.append((text, info[0]))
        self._breaks.clear()  # a break in a run that had no text left
        return para

    def _para_style(self, ppr: Any) -> tuple[ParaStyle, int]:
        """The style and heading level of the paragraph whose pPr this is (None: it has
        none): a direct outline level counts only when the style's id or name does not say."""
        style_id = None
        direct_outline = None
        if ppr is not None:
            # One pass over its children instead of two `find`s (ElementPath, in Python).
            ps = ol = None
            for el in ppr:
                tag = el.tag
                if tag == _PSTYLE and ps is None:
                    ps = el
                    style_id = el.get(VAL)
                elif tag == _OUTLINE and ol is None:
                    ol = el
                    value = el.get(VAL) or ""
                    if value.isdigit():
                        direct_outline = int(value)
        return self._level(style_id, direct_outline)

    def _level(self, style_id: str | None, direct_outline: int | None) -> tuple[ParaStyle, int]:
        pstyle = self.styles.para(style_id)
        level = pstyle.level
        if direct_outline is not None and not pstyle.named:
            level = direct_outline + 1 if direct_outline <= 3 else 0
        return pstyle, level

    def _run_text(self, r: Any) -> tuple[str, Any]:
        """The run's text, field codes and deletions left out, and its rPr element."""
        fields = self._field_depth
        text = ""
        rpr = None
        for el in r:
            tag = el.tag
            if tag == _T:
                if not (fields and fields[-1]) and el.text:
                    text += el.text
            elif tag == _RPR:
                rpr = el
            elif tag == _FLDCHAR:
                self._field_char(el.get(_FLDTYPE))
            elif tag in _SPACES:
                if not (fields and fields[-1]):
                    if tag in _BREAKS:
                        self._breaks.append(len(text))
                    text += " "
            elif tag == _NBHYPHEN:
                text += "-"
        return text, rpr

    def _field_char(self, kind: str | None) -> None:
        """A field opens in its code part, shows its result after `separate`, and may nest."""
        fields = self._field_depth
        if kind == "begin":
            fields.append(True)
        elif kind == "separate" and fields:
            fields[-1] = False
        elif kind == "end" and fields:
            fields.pop()

    def _resolve(self, base: dict[str, Any], rpr: Any) -> tuple[Marks, bool]:
        """A run's marks from paragraph style, character style and direct properties."""
        props = dict(base)
        cite = emphasis = False
        if rpr is not None:
            rs = rpr.find(_RSTYLE)
            if rs is not None and rs.get(VAL):
                cs = self.styles.char(rs.get(VAL))
                props.update(cs.props)
                cite, emphasis = cs.cite, cs.emphasis
            props.update(run_props(rpr))
        if props["b"] and props["u"]:
            emphasis = True
        normal_sz = base["sz"]
        sz = props["sz"]
        marks = Marks(
            props["u"] and not emphasis,
            emphasis,
            bool(props["bdr"]),
            props["hl"],
            props["shd"],
            props["b"] and not emphasis,
            props["i"],
            sz / 2 if sz != normal_sz and 2 <= sz <= 800 else None,
        )
        return marks, cite


_PPR = W + "pPr"
_PSTYLE = W + "pStyle"
_OUTLINE = W + "outlineLvl"
_RPR = W + "rPr"
_RSTYLE = W + "rStyle"
_R = W + "r"
_T = W + "t"
_FLDCHAR = W + "fldChar"
_FLDTYPE = W + "fldCharType"
_NBHYPHEN = W + "noBreakHyphen"
_SPACES = {W + "tab", W + "br", W + "cr", W + "ptab"}
_BREAKS = {W + "br", W + "cr"}
_SDT = W + "sdt"
_SDT_CONTENT = W + "sdtContent"
RAW_CONTROL = re.compile(rb"[\x00-\x08\x0a-\x1f\x7f]")
_NOT_CONTROL = bytes(b for b in range(256) if not RAW_CONTROL.match(bytes([b])))


def has_control(data: bytes, start: int) -> bool:
    """Whether data[start:] holds a raw control character (RAW_CONTROL): the bytes that
    are none deleted by `translate`, at memory speed, where the pattern's search tests
    each byte in turn (six times the cost over the corpus)."""
    return bool(data[start:].translate(None, _NOT_CONTROL))


def has_char_reference(data: bytes) -> bool:
    """Whether data holds `&#`, found from each `&` (rare in document.xml) by `find`, at
    memory speed, where a search for the two bytes tests each byte (40 times the cost)."""
    at = data.find(b"&")
    while at >= 0:
        if data.startswith(b"&#", at):
            return True
        at = data.find(b"&", at + 1)
    return False


CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
# The rPr children a run's marks are read from (`_resolve`, `styles.run_props`): the key of
# the resolution cache holds these alone, so runs that differ only in fonts, languages or
# colours share one entry.
_MARK_RPR = {W + t for t in ("rStyle", "b", "i", "u", "highlight", "shd", "sz", "bdr")}


def rpr_key(rpr: Any) -> tuple[Any, ...]:
    """What in the rPr can change the run's marks, as the key of the resolution cache."""
    parts: list[Any] = []
    for el in rpr:
        tag = el.tag
        if tag in _MARK_RPR:
            parts.append(tag)
            parts.extend(el.values())
    return tuple(parts)


def _words(text: str) -> str:
    """Text with NUL word breaks and runs of whitespace made single spaces."""
    return " ".join(text.replace("\0", " ").split())


def _collect_runs(parent: Any, out: list[Any]) -> Any:
    """Runs in document order, through hyperlinks, insertions, smart tags, content controls;
    returns the first pPr child met on the way (a paragraph's properties: found in the same
    pass, which saves a `find` per paragraph)."""
    ppr = None
    for el in parent:
        tag = el.tag
        if tag == _R:
            out.append(el)
        elif tag == _PPR:
            if ppr is None:
                ppr = el
        elif tag in _CONTAINERS:
            _collect_runs(el, out)
        elif tag == _SDT:
            content = el.find(_SDT_CONTENT)
            if content is not None:
                _collect_runs(content, out)
    return ppr


def drop_markers(para: Para) -> list[tuple[str, Marks]]:
    """Remove Verbatim's `~ Marked 12:34 ~` speech markers, which may span several runs."""
    runs, text = para.runs, para.text
    if "arked" not in text or not _MARKED.search(text):
        return runs
    keep = [True] * len(text)
    for m in _MARKED.finditer(text):
        for k in range(m.start(), m.end()):
            keep[k] = False
    out: list[tuple[str, Marks]] = []
    pos = 0
    for t, marks in runs:
        kept = "".join(c for k, c in enumerate(t) if keep[pos + k])
        pos += len(t)
        if kept:
            out.append((kept, marks))
    return out


def merged(runs: list[tuple[str, Marks]]) -> list[tuple[str, Marks]]:
    """Canonical spans as (text, marks): equal neighbours merged, empty ones dropped."""
    out: list[tuple[str, Marks]] = []
    texts: list[str] = []
    prev: Marks | None = None
    for text, marks in runs:
        if not text:
            continue
        if marks is prev or marks == prev:  # runs share their Marks: `is` is the usual answer
            texts.append(text)
            continue
        if texts and prev is not None:
            out.append((texts[0] if len(texts) == 1 else "".join(texts), prev))
        texts = [text]
        prev = marks
    if texts and prev is not None:
        out.append((texts[0] if len(texts) == 1 else "".join(texts), prev))
    return out
