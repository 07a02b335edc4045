"""Speech files: `speeches/NAME.toml` in the library, read strictly, written atomically.

A speech is what a debater is about to read: a title (the Pocket), then blocks, each with
its heading, an optional Hat above it, and its items in order. An item is a card id or an
analytic typed on the spot:

    title = "1NC vs Michigan KH"

    [[blocks]]
    hat = "Off"
    heading = "Deterrence DA"
    items = [
        "62e6fa1a506b60cd",  # Meick 18 | No alliance: Russia and China want different things
        { analytic = "They dropped the link turn" },
    ]

The comments are written for the reader and rewritten on every save. A hand-edited mistake
is an error naming the file, the line and the fix: tomllib gives the line of a syntax
error, and `line_of` finds the line of a field the model refuses.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import tomllib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, PlainValidator, ValidationError, field_validator

from evcards.core.syntax import FORBIDDEN_CHARS
from evcards.errors import InvalidSpeech, SpeechNotFound
from evcards.limits import MAX_CARD_FILE_BYTES
from evcards.store.atomic import atomic_write
from evcards.store.library import STATE_DIR
from evcards.store.walk import SPEECHES

SUFFIX = ".toml"
CURRENT = "speech"  # in the library's state folder: the name of the current speech
LOCK = "speeches.lock"
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_POSITION_LIKE = re.compile(r"\d+(-\d+)?")
_ID = re.compile(r"[0-9a-f]{16}")
_STRICT = ConfigDict(extra="forbid", strict=True)
KEYS = {
    "": "title and [[blocks]]",
    "block": "heading, hat and items",
    "item": 'a card id in quotes, or { analytic = "..." }',
}


def _line(value: str, what: str) -> str:
    if FORBIDDEN_CHARS.search(value):
        raise ValueError(f"the {what} must be one line without control characters")
    return value


def _item(value: object) -> str | Analytic:
    """A card id (16 hex digits) or `{ analytic = "..." }`, with one clear message if not."""
    if isinstance(value, str):
        if not _ID.fullmatch(value):
            raise ValueError(
                f"{value!r} is not a card id (16 hex digits); `evcards list --json` shows"
                " full ids, or add cards with `evcards speech add`"
            )
        return value
    if isinstance(value, Analytic):
        return value
    if isinstance(value, dict) and set(value) == {"analytic"}:
        text = value["analytic"]
        if isinstance(text, str) and text.strip():
            return Analytic(analytic=_line(text, "analytic"))
        if isinstance(text, str):
            raise ValueError('an analytic needs its text: { analytic = "..." }')
    raise ValueError(f"an item is {KEYS['item']}, not {_toml_value(value)}")


class Analytic(BaseModel):
    """A tag with no body, typed into the speech rather than kept in the library."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    analytic: str

    @field_validator("analytic")
    @classmethod
    def _text(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("an analytic needs its text")
        return _line(v, "analytic")


Item = Annotated[str | Analytic, PlainValidator(_item)]


class Block(BaseModel):
    """A Block heading (Heading 3) and its items, under an optional Hat (Heading 2)."""

    model_config = _STRICT

    heading: str
    hat: str = ""
    items: list[Item] = Field(default_factory=list)

    @field_validator("heading")
    @classmethod
    def _heading(cls, v: str) -> str:
        if not v.strip():
            raise ValueError('a block needs a heading; write heading = "..."')
        return _line(v, "heading")

    @field_validator("hat")
    @classmethod
    def _hat(cls, v: str) -> str:
        return _line(v, "hat")


class Speech(BaseModel):
    """A named speech document: its title is the Pocket (Heading 1) of the export."""

    model_config = _STRICT

    title: str = ""
    blocks: list[Block] = Field(default_factory=list)

    @field_validator("title")
    @classmethod
    def _title(cls, v: str) -> str:
        return _line(v, "title")


# -- names and places ------------------------------------------------------------------------
def check_name(name: str) -> str:
    """A speech name as typed (`1nc-michigan`; a trailing .toml is dropped), or an error."""
    if name.endswith(SUFFIX):
        name = name[: -len(SUFFIX)]
    if not _NAME.fullmatch(name) or _POSITION_LIKE.fullmatch(name):
        raise InvalidSpeech(
            f"'{name}' is not a speech name: use letters, digits and - _ . (like 1nc-michigan),"
            " not a bare number"
        )
    return name


def folder(root: Path) -> Path:
    return root / SPEECHES


def path_of(root: Path, name: str) -> Path:
    return folder(root) / f"{check_name(name)}{SUFFIX}"


def names(root: Path) -> list[str]:
    """Every speech in the library, by name."""
    try:
        entries = list(os.scandir(folder(root)))
    except OSError:
        return []
    return sorted(
        e.name[: -len(SUFFIX)]
        for e in entries
        if e.name.endswith(SUFFIX) and not e.name.startswith(".") and e.is_file()
    )


# -- reading ---------------------------------------------------------------------------------
def not_found(root: Path, name: str) -> SpeechNotFound:
    return SpeechNotFound(
        f"no speech named '{name}' in {root}; `evcards speech list` shows them,"
        f" `evcards speech new {name}` makes it"
    )


def read(root: Path, name: str) -> Speech:
    return load(root, name)[0]


def load(root: Path, name: str) -> tuple[Speech, dict[str, str]]:
    """The speech, and the comments beside its card ids (card id -> `SHORT | tag`), kept for
    the next save: they name a card even once it has left the library."""
    path = path_of(root, name)
    try:
        if path.stat().st_size > MAX_CARD_FILE_BYTES:
            raise InvalidSpeech(f"{path}: too big for a speech file; fix or delete it")
        raw = path.read_bytes()
    except FileNotFoundError:
        raise not_found(root, name) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidSpeech(f"{path}: not UTF-8 text; save it as UTF-8") from None
    return loads(text, str(path)), notes(text)


_NOTE = re.compile(r'^\s*"([0-9a-f]{16})"\s*,?\s*#\s*(.*?)\s*$', re.MULTILINE)


def notes(text: str) -> dict[str, str]:
    return {m.group(1): m.group(2) for m in _NOTE.finditer(text)}


def loads(text: str, where: str = "<speech>") -> Speech:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise InvalidSpeech(_syntax_error(where, str(e))) from None
    except RecursionError:
        raise InvalidSpeech(f"{where}: invalid TOML (nested too deeply)") from None
    try:
        return Speech.model_validate(data)
    except ValidationError as e:
        problems = [_problem(text, err) for err in e.errors()]
        raise InvalidSpeech(f"{where}: {'; '.join(problems)}; fix it in a text editor") from None


def _syntax_error(where: str, message: str) -> str:
    m = re.search(r"\s*\(at line (\d+), column (\d+)\)$", message)
    if m is None:
        return f"{where}: invalid TOML ({message}); fix it in a text editor"
    what = message[: m.start()]
    # A bare word where a value goes is most often text whose quotes were left out.
    hint = " (text goes in double quotes)" if what.startswith(("Invalid value", "Expected")) else ""
    return (
        f"{where}, line {m.group(1)}, column {m.group(2)}: invalid TOML ({what}){hint};"
        " fix it in a text editor"
    )


def _problem(text: str, err: Mapping[str, Any]) -> str:
    """One refused field as `line N: block 2: what is wrong and what to write instead`."""
    loc = tuple(err["loc"])
    line = line_of(text, loc, err.get("input"))
    place = _place(loc)
    kind = "block" if len(loc) > 1 and loc[0] == "blocks" else ""
    if err["type"] == "extra_forbidden":
        fields = Block.model_fields if kind else Speech.model_fields
        close = difflib.get_close_matches(str(loc[-1]), list(fields), n=1)
        meant = f"did you mean '{close[0]}'? " if close else ""
        what = f"unknown key '{loc[-1]}' ({meant}a {kind or 'speech'} has {KEYS[kind]})"
    elif err["type"] == "missing":
        what = f"'{loc[-1]}' is missing; add {loc[-1]} = \"...\""
    elif err["type"] == "string_type":
        what = f'should be text in double quotes, like {loc[-1]} = "..."'
    else:
        what = str(err["msg"]).removeprefix("Value error, ")
    return f"line {line}: {place}{what}"


def _place(loc: tuple[Any, ...]) -> str:
    """`block 2, item 3: ` for ("blocks", 1, "items", 2), numbered as a reader counts."""
    parts = []
    if len(loc) > 1 and loc[0] == "blocks" and isinstance(loc[1], int):
        parts.append(f"block {loc[1] + 1}")
        if len(loc) > 3 and loc[2] == "items" and isinstance(loc[3], int):
            parts.append(f"item {loc[3] + 1}")
        elif len(loc) > 3 or (len(loc) == 3 and loc[2] in Block.model_fields):
            parts.append(str(loc[2]))
    elif loc and loc[0] in Speech.model_fields:
        parts.append(str(loc[0]))
    return ", ".join(parts) + ": " if parts else ""


def line_of(text: str, loc: tuple[Any, ...], value: object = None) -> int:
    """The 1-based line a validation error's `loc` points at: within the `[[blocks]]` table
    it names, the line of the item refused or of the key at fault; else the table's first
    line."""
    lines = text.split("\n")  # as TOML counts lines: splitlines() also breaks at U+2028
    start, end, rest = _table(lines, loc)
    if len(rest) > 1 and rest[0] == "items" and isinstance(rest[1], int):
        found = _item_line(lines[start:end], rest[1], value)
        if found is not None:
            return start + found
    for key in reversed([k for k in rest if isinstance(k, str)]):
        for i in range(start, end):
            if re.search(rf"(^|[{{,\s]){re.escape(key)}\s*=", lines[i]):
                return i + 1
    return start + 1


def _table(lines: list[str], loc: tuple[Any, ...]) -> tuple[int, int, list[Any]]:
    """The lines [start, end) of the table `loc` is in (the top, or its `[[blocks]]`), and the
    rest of `loc` within it."""
    headers = [i for i, line in enumerate(lines) if re.match(r"\s*\[", line)]
    blocks = [i for i in headers if re.match(r"\s*\[\[\s*blocks\s*\]\]", lines[i])]
    if len(loc) > 1 and loc[0] == "blocks" and isinstance(loc[1], int) and loc[1] < len(blocks):
        start = blocks[loc[1]]
        return start, next((h for h in headers if h > start), len(lines)), list(loc[2:])
    return 0, (headers[0] if headers else len(lines)), list(loc)


def _item_line(lines: list[str], index: int, value: object) -> int | None:
    """The line (1-based, within `lines`) of item `index` of `items`: where its value is,
    when it is text; else counted, one item a line, as evcards writes them."""
    if isinstance(value, str):
        for i, line in enumerate(lines):
            if _toml_value(value) in line or f"'{value}'" in line:
                return i + 1
    opening = next((i for i, t in enumerate(lines) if re.match(r"\s*items\s*=\s*\[", t)), None)
    if opening is None:
        return None
    if lines[opening].split("[", 1)[1].split("#")[0].strip():
        return opening + 1  # items on the opening line itself: no counting them by lines
    count = -1
    for i in range(opening + 1, len(lines)):
        line = lines[i].strip()
        if line.startswith("]"):
            break
        if line and not line.startswith("#"):
            count += 1
            if count == index:
                return i + 1
    return opening + 1


# -- writing ---------------------------------------------------------------------------------
HEADER = (
    "# An evcards speech. Edit it freely: `evcards speech show` checks it. Items are card ids\n"
    '# or { analytic = "..." }; the comments name the cards and are rewritten on each save.\n'
)


def dumps(speech: Speech, notes: Mapping[str, str] | None = None) -> str:
    """The speech as TOML, each card id followed by `notes[id]` (its cite and tag) as a
    comment; `loads(dumps(s)) == s`."""
    notes = notes or {}
    out = [HEADER, f"title = {_toml_value(speech.title)}\n"]
    for block in speech.blocks:
        out.append("\n[[blocks]]\n")
        if block.hat:
            out.append(f"hat = {_toml_value(block.hat)}\n")
        out.append(f"heading = {_toml_value(block.heading)}\n")
        out.append("items = [\n")
        for item in block.items:
            if isinstance(item, Analytic):
                out.append(f"    {{ analytic = {_toml_value(item.analytic)} }},\n")
            else:
                note = " ".join(FORBIDDEN_CHARS.sub(" ", notes.get(item, "")).split())
                out.append(f"    {_toml_value(item)},{f'  # {note}' if note else ''}\n")
        out.append("]\n")
    return "".join(out)


def _toml_value(value: object) -> str:
    """A TOML basic string for text (JSON's escapes are TOML's, but for DEL), else a repr."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")
    return json.dumps(value, ensure_ascii=False, default=str)


def write(root: Path, name: str, speech: Speech, notes: Mapping[str, str] | None = None) -> Path:
    """Write the speech atomically (call under `locked`)."""
    path = path_of(root, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, dumps(speech, notes))
    return path


def create(root: Path, name: str, speech: Speech) -> Path:
    """Write a new, empty speech; an error if the name is taken."""
    path = path_of(root, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        atomic_write(path, dumps(speech), overwrite=False)
    except FileExistsError:
        raise InvalidSpeech(
            f"a speech named '{name}' already exists ({path}); pick another name, or"
            f" `evcards speech rm {name}` first"
        ) from None
    return path


# -- the lock and the current speech ---------------------------------------------------------
@contextmanager
def locked(root: Path) -> Iterator[None]:
    """Serialise every read-modify-write of the library's speeches across processes: two
    `speech add` at once both land. One lock for all speeches: a speech is written in
    milliseconds, and `new`, `rm` and `use` then need no order among locks."""
    if not root.is_dir():  # a failed command must not leave a new library folder behind
        raise SpeechNotFound(f"{root}: no library here, so no speeches; check --library")
    state = root / STATE_DIR
    state.mkdir(exist_ok=True)
    with open(state / LOCK, "a+b") as f:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows: the library's own lock instead
            import filelock

            with filelock.FileLock(str(state / LOCK) + ".win"):
                yield
            return
        fcntl.flock(f.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f.fileno(), fcntl.LOCK_UN)


def current(root: Path) -> str | None:
    try:
        name = (root / STATE_DIR / CURRENT).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return name or None


def set_current(root: Path, name: str | None) -> None:
    state = root / STATE_DIR
    state.mkdir(parents=True, exist_ok=True)
    if name is None:
        (state / CURRENT).unlink(missing_ok=True)
    else:
        atomic_write(state / CURRENT, name + "\n")
