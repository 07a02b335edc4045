"""What the search index needs from a card file, read fast: no Pydantic, no Span objects.

`cardfile.read` validates a card into the full model, which costs far more than indexing can
spend per card (the target is >= 20,000 cards/s). `extract` reads the same TOML and walks
the body markup once, keeping only three facts per stretch of text (underlined? highlighted?
its text), and yields exactly what `Card.text`, `.underlined`, `.spoken`, `.has_highlight`,
`.words_read`, `.seen` and `Cite.year` give (tests/test_index.py proves the agreement with
hypothesis). It rejects the markup `markup.parse` rejects; anything else it cannot read
plainly (a wrong type, an unknown key) makes the caller fall back to the full parser.
This module imports neither pydantic nor the models, so `evcards search` starts fast.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from evcards.core.syntax import (
    CITE_FIELDS,
    CONTROL_IN_MARKUP,
    FORBIDDEN_CHARS,
    HIGHLIGHT_COLORS,
    LABEL,
    TOKEN,
    cite_year,
)

_TOKEN = TOKEN
_TOKEN_START = re.compile(r"[\n\\*=_~{]")
_FORBIDDEN_CHARS = FORBIDDEN_CHARS
_CONTROL_IN_BODY = CONTROL_IN_MARKUP
_WS = re.compile(r"\s+")
_ID = re.compile(r"^[0-9a-f]{16}$")
_COLORS = {c.lower() for c in HIGHLIGHT_COLORS}
_TOP_KEYS = {"id", "tag", "kind", "cite", "undertag", "location", "labels", "sources", "body"}
_CITE_KEYS = set(CITE_FIELDS)


class NotPlain(ValueError):
    """The fast reader cannot vouch for this file: use the full parser to judge it."""


@dataclass(frozen=True, slots=True)
class BodyText:
    text: str
    underlined: str
    spoken: str
    has_highlight: bool


@dataclass(frozen=True, slots=True)
class CardFacts:
    """One card as the index stores it."""

    id: str
    kind: str
    tag: str
    short_cite: str
    full_cite: str
    author: str
    year: int | None
    labels: tuple[str, ...]
    pocket: str
    hat: str
    block: str
    files: tuple[str, ...]
    text: str
    underlined: str
    spoken: str
    has_highlight: bool
    seen: int
    words_read: int

    @property
    def dupkey(self) -> str:
        """Cards with this key equal are the same cut of the same text (see index.search)."""
        if not self.text:
            return "id:" + self.id
        import hashlib
        import unicodedata

        h = hashlib.blake2b(digest_size=12)
        for part in (self.text, self.underlined, self.spoken):
            if not part.isascii():
                part = unicodedata.normalize("NFC", part)
            h.update(" ".join(part.split()).encode())
            h.update(b"\0")
        return h.hexdigest()


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


def _str(table: dict[str, object], key: str) -> str:
    value = table.get(key, "")
    if value is None or not isinstance(value, str):
        raise NotPlain(key)
    return value


def _plain_source(s: object) -> bool:
    if not isinstance(s, dict) or not set(s) <= {"file", "position"}:
        return False
    pos = s.get("position")
    return isinstance(s.get("file"), str) and (pos is None or type(pos) is int)


def facts_from_dict(data: dict[str, object]) -> CardFacts:
    """Index facts of a card given as TOML data; NotPlain when the data is unusual."""
    if not set(data) <= _TOP_KEYS:
        raise NotPlain("unknown key")
    card_id = data.get("id")
    if not isinstance(card_id, str) or not _ID.match(card_id):
        raise NotPlain("id")
    cite = data.get("cite", {})
    loc = data.get("location", {})
    body = data.get("body")
    labels = data.get("labels", [])
    sources = data.get("sources", [])
    if not (isinstance(cite, dict) and isinstance(loc, dict) and set(cite) <= _CITE_KEYS):
        raise NotPlain("cite or location")
    if not (
        isinstance(labels, list) and all(isinstance(x, str) and LABEL.match(x) for x in labels)
    ):
        raise NotPlain("labels")
    if not (isinstance(sources, list) and all(_plain_source(s) for s in sources)):
        raise NotPlain("sources")
    kind = _str(data, "kind") or "card"
    tag = _str(data, "tag")
    if kind not in ("card", "analytic") or _FORBIDDEN_CHARS.search(tag):
        raise NotPlain("kind or tag")
    if body is None:
        bt = BodyText("", "", "", False)
    elif isinstance(body, dict) and set(body) <= {"text", "highlight"}:
        bt = body_text(_str(body, "text"))
        color = body.get("highlight", "yellow")
        if not isinstance(color, str) or color.strip().lower() not in _COLORS:
            raise NotPlain("body.highlight")
    else:
        raise NotPlain("body")
    if kind == "analytic" and bt.text:
        raise NotPlain("analytic with a body")
    short, full = _str(cite, "short"), _str(cite, "full")
    for value in cite.values():
        if not isinstance(value, str) or _FORBIDDEN_CHARS.search(value):
            raise NotPlain("cite")
    date = cite.get("date")
    files = tuple(s["file"] for s in sources)
    return CardFacts(
        id=card_id,
        kind=kind,
        tag=tag,
        short_cite=short,
        full_cite=full,
        author=str(cite.get("author") or ""),
        year=cite_year(date, full, short),
        labels=tuple(sorted(set(labels))),
        pocket=_str(loc, "pocket"),
        hat=_str(loc, "hat"),
        block=_str(loc, "block"),
        files=files,
        text=bt.text,
        underlined=bt.underlined,
        spoken=bt.spoken,
        has_highlight=bt.has_highlight,
        seen=max(1, len(sources)),
        words_read=len(tag.split()) + len(bt.spoken.split()),
    )


def facts_from_card(card: object) -> CardFacts:
    """The same facts from a full Card model (the slow path, and the tests' reference)."""
    c = card  # typed loosely so that this module never imports the models
    return CardFacts(
        id=c.id,  # type: ignore[attr-defined]
        kind=c.kind,  # type: ignore[attr-defined]
        tag=c.tag,  # type: ignore[attr-defined]
        short_cite=c.cite.short,  # type: ignore[attr-defined]
        full_cite=c.cite.full,  # type: ignore[attr-defined]
        author=c.cite.author or "",  # type: ignore[attr-defined]
        year=c.cite.year,  # type: ignore[attr-defined]
        labels=tuple(c.labels),  # type: ignore[attr-defined]
        pocket=c.location.pocket,  # type: ignore[attr-defined]
        hat=c.location.hat,  # type: ignore[attr-defined]
        block=c.location.block,  # type: ignore[attr-defined]
        files=tuple(s.file for s in c.sources),  # type: ignore[attr-defined]
        text=c.text,  # type: ignore[attr-defined]
        underlined=c.underlined,  # type: ignore[attr-defined]
        spoken=c.spoken,  # type: ignore[attr-defined]
        has_highlight=c.has_highlight,  # type: ignore[attr-defined]
        seen=c.seen,  # type: ignore[attr-defined]
        words_read=c.words_read,  # type: ignore[attr-defined]
    )


# -- reading the TOML that cardfile.dumps (tomli_w) writes, fast ---------------------------------
# tomllib is pure Python and reads strings a character at a time (~0.8 ms for a 5 KB card).
# Card files have a small, fixed shape, so `loads_card_toml` reads that shape line by line with
# C-speed regexes and gives up (NotPlain) on anything else, which then goes to tomllib. What it
# accepts it reads exactly as tomllib does (tests/test_extract.py checks that with hypothesis).
_BASIC = r'"((?:[^"\\\x00-\x08\x0a-\x1f\x7f]|\\(?:[btnfr"\\]|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}))*)"'
_KEY = r"([A-Za-z0-9_-]+)"
_LINE = re.compile(
    rf"""(?:
        (?P<blank>[ \t]*(?:\#[^\x00-\x08\x0a-\x1f\x7f]*)?)
      | \[(?P<table>[A-Za-z0-9_-]+)\][ \t]*
      | \[\[(?P<aot>[A-Za-z0-9_-]+)\]\][ \t]*
      | {_KEY}[ \t]*=[ \t]*(?:
            {_BASIC}
          | (?P<int>0|[1-9][0-9]*)
          | (?P<empty>\[\])
          | (?P<open>\[)
          | (?P<ml>\"\"\")
        )[ \t]*
    )\Z""",
    re.VERBOSE,
)
_ITEM_STR = re.compile(rf"[ \t]*{_BASIC},[ \t]*\Z")
_ITEM_TABLE = re.compile(r"[ \t]*\{ (.*) \},[ \t]*\Z")
_PAIR = re.compile(rf"{_KEY} = (?:{_BASIC}|(0|[1-9][0-9]*))(?:, |\Z)")
_ESCAPE = re.compile(r'\\(?:([btnfr"\\])|u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8}))')
_ML_BAD = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_SIMPLE = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", '"': '"', "\\": "\\"}


def _unescape_one(m: re.Match[str]) -> str:
    if m.group(1):
        return _SIMPLE[m.group(1)]
    code = int(m.group(2) or m.group(3), 16)
    if 0xD800 <= code <= 0xDFFF or code > 0x10FFFF:
        raise NotPlain("escape")
    return chr(code)


def _unescape(text: str) -> str:
    return _ESCAPE.sub(_unescape_one, text) if "\\" in text else text


def _set(table: dict[str, object], key: str, value: object) -> None:
    if key in table:
        raise NotPlain("duplicate key")
    table[key] = value


def loads_card_toml(text: str) -> dict[str, object]:
    """The TOML of a card file as tomllib would give it; NotPlain for any other shape."""
    if "\r" in text:
        raise NotPlain("carriage return")
    root: dict[str, object] = {}
    table = root
    aots: set[str] = set()
    pos, end = 0, len(text)
    while pos < end:
        nl = text.find("\n", pos)
        if nl < 0:
            nl = end
        line = text[pos:nl]
        pos = nl + 1
        m = _LINE.match(line)
        if m is None:
            raise NotPlain("line")
        if m.group("blank") is not None:
            continue
        if m.group("table"):
            name = m.group("table")
            if name in root:
                raise NotPlain("table twice")
            table = root[name] = {}
            continue
        if m.group("aot"):
            name = m.group("aot")
            if name not in aots and name in root:
                raise NotPlain("array of tables")
            aots.add(name)
            table = {}
            root.setdefault(name, []).append(table)  # type: ignore[attr-defined]
            continue
        key = m.group(4)
        if m.group(5) is not None:
            _set(table, key, _unescape(m.group(5)))
        elif m.group("int") is not None:
            _set(table, key, int(m.group("int")))
        elif m.group("empty"):
            _set(table, key, [])
        elif m.group("open"):
            items: list[object] = []
            while True:
                nl = text.find("\n", pos)
                if nl < 0:
                    raise NotPlain("array")
                line = text[pos:nl]
                pos = nl + 1
                if line == "]":
                    break
                im = _ITEM_STR.match(line)
                if im:
                    items.append(_unescape(im.group(1)))
                    continue
                im = _ITEM_TABLE.match(line)
                if not im:
                    raise NotPlain("array item")
                inline: dict[str, object] = {}
                inner, at = im.group(1), 0
                while at < len(inner):
                    pm = _PAIR.match(inner, at)
                    if pm is None:
                        raise NotPlain("inline table")
                    value = _unescape(pm.group(2)) if pm.group(2) is not None else pm.group(3)
                    _set(inline, pm.group(1), int(value) if pm.group(3) is not None else value)
                    at = pm.end()
                if inner.endswith(", "):
                    raise NotPlain("trailing comma in an inline table")
                items.append(inline)
            if items and len({type(i) for i in items}) > 1:
                raise NotPlain("mixed array")
            _set(table, key, items)
        else:  # a multi-line basic string
            if not line.endswith('"""'):
                raise NotPlain("text after opening quotes")  # it would be content
            # (the line break right after the opening quotes, which TOML trims, is behind pos)
            close = text.find('"""', pos)
            if close < 0 or text.startswith('"', close + 3):
                raise NotPlain("multi-line string end")  # none, or quotes before the end
            content = text[pos:close]
            if (len(content) - len(content.rstrip("\\"))) % 2:
                raise NotPlain("escaped quote before the end")
            if _ML_BAD.search(content) or ("\\" in content and "\\" in _ESCAPE.sub("", content)):
                raise NotPlain("multi-line string content")
            nl = text.find("\n", close)
            if text[close + 3 : end if nl < 0 else nl].strip(" \t"):
                raise NotPlain("text after a multi-line string")
            _set(table, key, _unescape(content))
            pos = end if nl < 0 else nl + 1
    return root


def extract(raw: bytes, where: str = "card") -> CardFacts:
    """Index facts of one card file's bytes. Raises InvalidCard (via the full parser) for a
    file `cardfile.read` would reject; unusual-but-valid files take the slow, exact path."""
    import tomllib  # only here: `evcards search` with nothing to index never needs it

    try:
        text = raw.decode("utf-8")
        try:
            data = loads_card_toml(text)
        except NotPlain:
            data = tomllib.loads(text)
        return facts_from_dict(data)
    except (NotPlain, UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError):
        pass
    from evcards.errors import InvalidCard
    from evcards.store import cardfile

    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise InvalidCard(f"{where}: not UTF-8 text (byte {e.start})") from None
    return facts_from_card(cardfile.loads(text, where))
