"""The plain-text form debaters paste: an optional tag line, `SHORT (FULL CITE) INITIALS`, body.

    China-Russia alliance unlikely                 <- optional tag line
    RM 6/14 (RM, citing over 50 experts, ...) ank  <- the cite line
    Ethan Meick, Policy Analyst, ...               <- the body: every line a paragraph

Several cards may share one file, separated by a line of three or more dashes.
The body is kept word for word: brackets, ellipses and pilcrows are the cutter's text.
`render_text` writes the same form, which `parse_text_cards` reads back.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from pathlib import Path

from evcards.core.models import Card, Source, Span, clean_text, new_card
from evcards.core.outline import cite_line, first_and_last, spoken_paragraphs
from evcards.errors import InputFileError
from evcards.formats import SNIFF_BYTES, binary_kind
from evcards.formats.pastecite import NO_CITE, find_cite, unread_cite
from evcards.limits import MAX_CARD_CHARS, MAX_TEXT_FILE_BYTES, megabytes

SEPARATOR = "---"
_SEPARATOR = re.compile(r"^\s*-{3,}\s*$")


def decode(raw: bytes, where: str) -> str:
    """Bytes from a user's file as text, or a clear error naming the file."""
    what = binary_kind(raw[:SNIFF_BYTES])
    if what:
        raise InputFileError(f"{where}: {what}")
    if len(raw) > MAX_TEXT_FILE_BYTES:
        raise InputFileError(
            f"{where}: larger than {megabytes(MAX_TEXT_FILE_BYTES)}; split it into smaller files"
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise InputFileError(
            f"{where}: not UTF-8 text (byte {e.start}); save it as UTF-8 and try again"
        ) from None
    if "\x00" in text:
        raise InputFileError(f"{where}: contains NUL bytes; it is not a text file")
    return text


def read_input(
    source: str, missing: str = "no such file", folder: str = "is a folder, not a file"
) -> bytes:
    """The bytes of a user's file, or of stdin for '-'; `missing` and `folder` say what is
    wrong, and what to give instead, when there is no such file or it is a folder."""
    if source == "-":
        return sys.stdin.buffer.read()
    try:
        return Path(source).read_bytes()
    except FileNotFoundError:
        raise InputFileError(f"{source}: {missing}") from None
    except IsADirectoryError:
        raise InputFileError(f"{source}: {folder}") from None
    except OSError as e:
        raise InputFileError(f"{source}: cannot read ({e.strerror})") from None


def source_name(source: str) -> str:
    """How messages name an input: the file as given, or <stdin>."""
    return "<stdin>" if source == "-" else source


def read_text(source: str) -> str:
    """A text file, or stdin for '-', decoded (see `decode`)."""
    return decode(read_input(source), source_name(source))


def read_paste_file(path: Path, initials: str | None = None) -> PastedCards:
    """Every card in a pasted-text file (the format registry's reader), with its warnings."""
    return read_text_cards(read_text(str(path)), path.name, initials)


def parse_text_cards(text: str, where: str = "<stdin>", initials: str | None = None) -> list[Card]:
    """Every card in a pasted-text file, its warnings dropped (see `read_text_cards`)."""
    return list(read_text_cards(text, where, initials))


def read_text_cards(text: str, where: str = "<stdin>", initials: str | None = None) -> PastedCards:
    """Every card in a pasted-text file, and a warning for each cite it could not read.
    Raises InputFileError naming the line at fault for an empty file or a cite with no body."""
    chunks: list[tuple[int, list[str]]] = [(1, [])]
    for n, line in enumerate(text.splitlines(), start=1):
        if _SEPARATOR.match(line):
            chunks.append((n + 1, []))
        else:
            chunks[-1][1].append(line)
    cards = PastedCards()
    for first_line, lines in chunks:
        # A line of nothing but control characters is blank, like one of spaces.
        cleaned = [(first_line + i, clean_text(line).strip()) for i, line in enumerate(lines)]
        numbered = [(n, line) for n, line in cleaned if line]
        if numbered:
            cards.append(_one_card(numbered, where, len(cards), initials, cards.warnings))
    if not cards:
        raise InputFileError(f"{where}: no card found; the file is empty")
    return cards


class PastedCards(list[Card]):
    """Cards read from pasted text, with `warnings` about them ('line 3: ...')."""

    warnings: list[str]

    def __init__(self, cards: Iterable[Card] = ()) -> None:
        super().__init__(cards)
        self.warnings = []


def _one_card(
    numbered: list[tuple[int, str]],
    where: str,
    position: int,
    initials: str | None,
    warnings: list[str],
) -> Card:
    source = [Source(file=where, position=position)]
    if len(numbered) == 1:
        # A lone line is an analytic (a tag with no card), as `export --format text` writes
        # one: a speech with analytics in it could not be imported back.
        return new_card(tag=numbered[0][1], kind="analytic", sources=source)
    lines = [text for _, text in numbered]
    found = find_cite(lines)
    if found is None:
        found = unread_cite(lines)
        n, line = numbered[found.start]
        warnings.append(
            f"line {n}: no cite found in {_quoted(line)}; kept as the full cite with no short cite"
        )
    rest = numbered[found.end :]
    if not rest:
        raise InputFileError(
            f"{where}, line {numbered[found.end - 1][0]}: a cite with no card text after it;"
            " paste the card's text below its cite"
        )
    if sum(len(text) for _, text in rest) > MAX_CARD_CHARS:
        raise InputFileError(
            f"{where}, line {rest[0][0]}: the card is over {MAX_CARD_CHARS:,} characters;"
            " that is not one card - separate cards with --- lines"
        )
    return new_card(
        tag=lines[found.tag] if found.tag is not None else "",
        cite=found.model(initials),
        body=[[Span(text=text)] for _, text in rest],
        kind="card",
        sources=source,
    )


def _quoted(line: str, most: int = 60) -> str:
    return f"`{line if len(line) <= most else line[: most - 1] + '…'}`"


# -- writing -----------------------------------------------------------------------------
def body_lines(card: Card, read: bool, cite_request: bool) -> list[str]:
    if cite_request:
        text = first_and_last(card.text)
        return [text] if text else []
    if read:
        return spoken_paragraphs(card)
    return card.paragraphs


def render_text(cards: Iterable[Card], read: bool = False, cite_request: bool = False) -> str:
    """Tag line, `SHORT (FULL CITE) INITIALS`, one line per paragraph; cards split by ---.

    Locations are left out on purpose: a heading line would read back as a tag.
    """
    chunks = []
    for card in cards:
        # No undertag: the paste form has one line before the cite, and that is the tag.
        lines = [card.tag] if card.tag else []
        if card.kind != "analytic":
            # A card with no cite says so: its first paragraph would read back as the cite.
            lines.append(cite_line(card.cite) or NO_CITE)
            lines.extend(body_lines(card, read, cite_request))
        chunks.append("\n".join(lines))
    return f"\n{SEPARATOR}\n".join(chunks) + ("\n" if chunks else "")
