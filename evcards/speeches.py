"""What the speech commands do to speeches: make, list and remove them, add, move and drop
items (showing and exporting one is `speechdoc`).

A speech's items are numbered 1, 2, 3 ... from its first block to its last, as `speech show`
prints them; `add --at`, `move` and `drop` take those numbers. Every change is a
read-modify-write of one speech file under the speeches' lock (`speechfile.locked`), checked
whole before anything is written, so a refused command leaves the file as it was.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from evcards.errors import CardNotFound, EvcardsError, InvalidSpeech, SpeechNotFound
from evcards.speechdoc import view_speech
from evcards.store import speechfile
from evcards.store.library import Library
from evcards.store.speechfile import Analytic, Block, Item, Speech

if TYPE_CHECKING:
    from evcards.core.models import Card

T = TypeVar("T")
DEFAULT_QUERY_LIMIT = 3
_RANGE = re.compile(r"(\d+)(?:-(\d+))?")
_ID_LIKE = re.compile(r"[0-9a-fA-F]{1,16}")


# -- which speech ----------------------------------------------------------------------------
def target(lib: Library, name: str | None) -> str:
    """The speech named, else the current one (`speech use`); an error when neither."""
    if name is not None:
        return speechfile.check_name(name)
    current = speechfile.current(lib.root)
    if current is None:
        raise SpeechNotFound(
            "no current speech; name one (`evcards speech show NAME`), or choose it with"
            " `evcards speech use NAME` (`evcards speech list` shows them)"
        )
    return current


def exists(lib: Library, name: str) -> bool:
    try:
        return speechfile.path_of(lib.root, name).is_file()
    except InvalidSpeech:
        return False


def split_name(lib: Library, args: Sequence[str]) -> tuple[str, list[str]]:
    """`[NAME] REST...`: the first argument is the speech when a speech has that name, else
    every argument is the rest and the speech is the current one. A first argument that is
    no speech and cannot be a card id either is named as the missing speech."""
    if args and exists(lib, args[0]):
        return speechfile.check_name(args[0]), list(args[1:])
    first = args[0] if args else ""
    if first and not _ID_LIKE.fullmatch(first) and not _RANGE.fullmatch(first):
        if "/" not in first and not first.endswith(".toml") and not Path(first).exists():
            raise speechfile.not_found(lib.root, first)
    return target(lib, None), list(args)


# -- the speeches themselves -----------------------------------------------------------------
def new_speech(lib: Library, name: str, title: str | None = None) -> Path:
    """An empty speech titled `title` (default: its name), made the current speech."""
    name = speechfile.check_name(name)
    speech = _valid(lambda: Speech(title=title if title is not None else name))
    Library.open(lib.root, create=True)
    with speechfile.locked(lib.root):
        path = speechfile.create(lib.root, name, speech)
        speechfile.set_current(lib.root, name)
    return path


def remove_speech(lib: Library, name: str) -> Path:
    """Delete the speech's file (the cards stay in the library)."""
    name = speechfile.check_name(name)
    with speechfile.locked(lib.root):
        path = _existing(lib, name)
        path.unlink()
        if speechfile.current(lib.root) == name:
            speechfile.set_current(lib.root, None)
    return path


def use_speech(lib: Library, name: str) -> str:
    name = speechfile.check_name(name)
    with speechfile.locked(lib.root):
        _existing(lib, name)
        speechfile.set_current(lib.root, name)
    return name


def _existing(lib: Library, name: str) -> Path:
    """The speech's file, which need not be valid (a broken speech can be removed)."""
    path = speechfile.path_of(lib.root, name)
    if not path.is_file():
        raise speechfile.not_found(lib.root, name)
    return path


@dataclass
class Summary:
    """One line of `speech list`; `problem` when the file cannot be read."""

    name: str
    title: str = ""
    blocks: int = 0
    items: int = 0
    words_read: int = 0
    seconds: float = 0.0
    current: bool = False
    problem: str | None = None


def list_speeches(lib: Library, wpm: int) -> list[Summary]:
    current = speechfile.current(lib.root)
    out = []
    for name in speechfile.names(lib.root):
        try:
            view = view_speech(lib, name, wpm)
        except EvcardsError as e:
            out.append(Summary(name, current=name == current, problem=str(e)))
            continue
        count = sum(len(b.rows) for b in view.blocks)
        out.append(
            Summary(
                name,
                view.title,
                len(view.blocks),
                count,
                view.words_read,
                view.seconds,
                name == current,
            )
        )
    return out


# -- adding ----------------------------------------------------------------------------------
@dataclass
class Added:
    """What `add_items` did: the numbers the new items got, and what it skipped."""

    name: str
    block: str
    positions: list[int] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # warnings: cards already in the speech
    created: bool = False
    taken: int = 0  # collection cards copied into the library to be in the speech


def add_items(
    lib: Library,
    name: str,
    refs: Sequence[str] = (),
    *,
    block: str | None = None,
    hat: str | None = None,
    at: int | None = None,
    query: str | None = None,
    limit: int = DEFAULT_QUERY_LIMIT,
    analytics: Sequence[str] = (),
) -> Added:
    """Add cards (ids or prefixes, resolved as `show` does), the best `limit` matches of
    `query`, then analytics, in that order, under `block` (default: the last block) or
    before item `at`. Every card is found before anything is written; a card already in the
    speech is skipped with a warning."""
    found, taken = _cards(lib, refs)
    notes = {card.id: note(card.cite.short, card.tag) for card in found}
    new: list[Item] = [card.id for card in found]
    if query:
        from evcards.index.search import search

        hits = search(lib.root, query, limit=limit, snippets=False)
        if not hits:
            raise CardNotFound(f"no cards match --query {query!r}, so nothing was added")
        new += [hit.id for hit in hits]
        notes.update({hit.id: note(hit.short_cite, hit.tag) for hit in hits})
    new += [_valid(partial(Analytic, analytic=text)) for text in analytics]
    if not new:
        raise InvalidSpeech("nothing to add: give CARD ids, --query or --analytic")
    if taken:  # a speech holds library cards: collection cards are taken into it first
        from evcards.collections.taking import take

        take(lib, taken)
    with speechfile.locked(lib.root):
        speech, old_notes = speechfile.load(lib.root, name)
        done = _insert(speech, name, new, block, hat, at)
        done.taken = len(taken)
        _prune(speech)  # a new block all of whose cards were in the speech already
        speechfile.write(lib.root, name, speech, {**old_notes, **notes})
    return done


def _cards(lib: Library, refs: Sequence[str]) -> tuple[list[Card], list[str]]:
    """The cards `refs` name, the library's or a collection's, and the ids of those found
    only in a collection (to take into the library); every ref resolved before any write."""
    from evcards.collections.cards import card_anywhere

    found: list[Card] = []
    taken: list[str] = []
    for ref in refs:
        card, elsewhere = card_anywhere(lib, ref)
        found.append(card)
        if elsewhere is not None and card.id not in taken:
            taken.append(card.id)
    return found, taken


def _insert(
    speech: Speech,
    name: str,
    new: list[Item],
    heading: str | None,
    hat: str | None,
    at: int | None,
) -> Added:
    """Put `new` into the speech (in place); see `add_items`."""
    index, created = _block_for(speech, heading, hat, at)
    target_block = speech.blocks[index]
    first = _first_number(speech, index)
    offset = len(target_block.items) if at is None else at - first
    if not 0 <= offset <= len(target_block.items):
        last = first + len(target_block.items)
        raise InvalidSpeech(
            f"--at {at}: block '{target_block.heading}' holds items {first} to {last - 1};"
            f" give --at from {first} to {last} (`evcards speech show` numbers them)"
        )
    present = {item: n for n, (_, item) in enumerate(_flat(speech), 1) if isinstance(item, str)}
    done = Added(name, target_block.heading, created=created)
    kept: list[Item] = []
    for item in new:
        if isinstance(item, str) and item in present:
            done.skipped.append(f"card {item[:8]} is already item {present[item]}; skipped")
            continue
        if isinstance(item, str) and item in kept:
            done.skipped.append(f"card {item[:8]} was given twice; added once")
            continue
        kept.append(item)
    target_block.items[offset:offset] = kept
    done.positions = list(range(first + offset, first + offset + len(kept)))
    return done


def _block_for(
    speech: Speech, heading: str | None, hat: str | None, at: int | None
) -> tuple[int, bool]:
    """The index of the block to add to, and whether it was made for this: `heading` (under
    `hat`, when given), else the block of item `at`, else the last block."""
    if heading is None:
        if hat is not None:
            raise InvalidSpeech("--hat goes with --block: give the block's heading too")
        if not speech.blocks:
            raise InvalidSpeech("the speech has no blocks yet; give one with --block HEADING")
        if at is None:
            return len(speech.blocks) - 1, False
        return _block_of_number(speech, at), False
    index = find_block(speech, heading, hat)
    if index is not None:
        return index, False
    if at is not None:
        raise InvalidSpeech(f"block '{heading}' is new, so --at has no place in it; leave it out")
    block = _valid(lambda: Block(heading=heading, hat=hat or ""))
    # A new block under a Hat joins that Hat's other blocks, so the Hat is written once.
    under = [i for i, b in enumerate(speech.blocks) if hat and b.hat == hat]
    index = under[-1] + 1 if under else len(speech.blocks)
    speech.blocks.insert(index, block)
    return index, True


def find_block(speech: Speech, heading: str, hat: str | None = None) -> int | None:
    """The block with this heading (and hat, if given); an error when several match."""
    matches = [
        i
        for i, b in enumerate(speech.blocks)
        if b.heading == heading and (hat is None or b.hat == hat)
    ]
    if len(matches) > 1:
        hats = ", ".join(repr(speech.blocks[i].hat) for i in matches)
        raise InvalidSpeech(
            f"{len(matches)} blocks are headed '{heading}' (under hats {hats}); say which"
            " with --hat, or by an item number"
        )
    return matches[0] if matches else None


# -- numbering, moving, dropping -------------------------------------------------------------
def _flat(speech: Speech) -> list[tuple[int, Item]]:
    """(block index, item) for every item, in the order `show` numbers them."""
    return [(i, item) for i, block in enumerate(speech.blocks) for item in block.items]


def _first_number(speech: Speech, index: int) -> int:
    return 1 + sum(len(b.items) for b in speech.blocks[:index])


def _block_of_number(speech: Speech, number: int) -> int:
    """The block holding item `number`; one past the last item is the last block."""
    flat = _flat(speech)
    if not 1 <= number <= len(flat) + 1:
        raise InvalidSpeech(
            f"--at {number}: the speech has {plural(len(flat), 'item')}; give --at from 1 to"
            f" {len(flat) + 1} (`evcards speech show` numbers them)"
        )
    return flat[number - 1][0] if number <= len(flat) else len(speech.blocks) - 1


def _check_number(number: int, count: int, what: str) -> None:
    if not 1 <= number <= count:
        held = f"items 1 to {count}" if count else "no items"
        raise InvalidSpeech(
            f"{what} {number}: the speech has {held} (`evcards speech show` numbers them)"
        )


def parse_positions(args: Iterable[str]) -> list[int]:
    """`3`, `5-7` ... as item numbers, in the order given."""
    out: list[int] = []
    for arg in args:
        m = _RANGE.fullmatch(arg.strip())
        if m is None:
            raise InvalidSpeech(
                f"'{arg}' is not an item number; give numbers such as 3 or 5-7, as"
                " `evcards speech show` prints them"
            )
        lo, hi = int(m.group(1)), int(m.group(2) or m.group(1))
        if hi < lo:
            raise InvalidSpeech(f"'{arg}' runs backwards; write {hi}-{lo}")
        out.extend(range(lo, hi + 1))
    return out


@dataclass
class Changed:
    """What `move_item` or `drop_items` did: the items touched and the blocks left empty
    (and so removed)."""

    items: list[Item]
    removed_blocks: list[str]


def drop_items(lib: Library, name: str, positions: Sequence[int]) -> Changed:
    """Remove the items at these numbers (all checked first)."""
    if not positions:
        raise InvalidSpeech("give the numbers of the items to drop (`evcards speech show`)")
    with speechfile.locked(lib.root):
        speech, notes = speechfile.load(lib.root, name)
        flat = _flat(speech)
        for n in positions:
            _check_number(n, len(flat), "item")
        gone = set(positions)
        dropped = [item for n, (_, item) in enumerate(flat, 1) if n in gone]
        numbers = iter(range(1, len(flat) + 1))  # counted before any block shrinks
        for block in speech.blocks:
            block.items = [x for x in block.items if next(numbers) not in gone]
        removed = _prune(speech)
        speechfile.write(lib.root, name, speech, notes)
    return Changed(dropped, removed)


def move_item(lib: Library, name: str, source: int, dest: str) -> Changed:
    """Move item `source` so that it becomes item `dest`, in the block of the item now
    numbered `dest` (next to it); or, `dest` being a block's heading, to that block's end."""
    with speechfile.locked(lib.root):
        speech, notes = speechfile.load(lib.root, name)
        flat = _flat(speech)
        _check_number(source, len(flat), "item")
        if _RANGE.fullmatch(dest) and "-" not in dest:
            number = int(dest)
            _check_number(number, len(flat), "to")
            block_index = flat[number - 1][0]
            item = _take(speech, source)
            # Counted again without the item, the slot it takes is `number` itself.
            offset = number - _first_number(speech, block_index)
        else:
            found = find_block(speech, dest)
            if found is None:
                raise InvalidSpeech(
                    f"'{dest}' is neither an item number nor a block's heading"
                    " (`evcards speech show` lists both)"
                )
            block_index = found
            item = _take(speech, source)
            offset = len(speech.blocks[block_index].items)
        speech.blocks[block_index].items.insert(offset, item)
        removed = _prune(speech)
        speechfile.write(lib.root, name, speech, notes)
    return Changed([item], removed)


def _take(speech: Speech, number: int) -> Item:
    block_index, _ = _flat(speech)[number - 1]
    return speech.blocks[block_index].items.pop(number - _first_number(speech, block_index))


def _prune(speech: Speech) -> list[str]:
    """Blocks left with no items go: an empty block exports as nothing."""
    removed = [b.heading for b in speech.blocks if not b.items]
    speech.blocks = [b for b in speech.blocks if b.items]
    return removed


def plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def note(short_cite: str, tag: str, width: int = 90) -> str:
    """The comment beside a card id in the speech file: `Meick 18 | No alliance: ...`."""
    text = " | ".join(p for p in (short_cite, tag) if p)
    return text if len(text) <= width else text[: width - 1] + "…"


def _valid(build: Callable[[], T]) -> T:
    """A speech model built from a command's options, its refusal an InvalidSpeech."""
    try:
        return build()
    except ValueError as e:  # pydantic's ValidationError is a ValueError
        from evcards.errors import format_validation

        raise InvalidSpeech(format_validation(e) if hasattr(e, "errors") else str(e)) from None
