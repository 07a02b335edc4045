"""The trash: card files `evcards rm` took out of the library, kept until purged.

Each `rm` moves its cards into one new folder of `.evcards/trash/`, named for when it ran
(`20261201T231005123456Z`), each under the path it had in the library, so that `restore`
puts a card back where it was, and `restore` with no card undoes the latest `rm` whole. The
state folder starts with a dot, which the walk skips (store/walk.py): index, list, search and
export never see the trash. Moves are renames inside the library's folder, and each is noted
in the journal, so the index drops a removed card and finds a restored one on its next sync.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from evcards.errors import AmbiguousCard, CardNotFound, LibraryError
from evcards.store import journal
from evcards.store.library import Library, card_id_of

TRASH = "trash"
_STAMP = "%Y%m%dT%H%M%S%fZ"


@dataclass(frozen=True)
class Trashed:
    """A card file in the trash: its id, where it is, and where it was in the library."""

    id: str
    path: Path
    rel: str  # its path in the library, as `os.path.relpath` gives it
    removal: str  # the folder of the `rm` that removed it: names sort by time


def trash_dir(lib: Library) -> Path:
    return lib.state_dir / TRASH


def removal_time(removal: str) -> datetime | None:
    """When a removal folder's `rm` ran (UTC), from its name; None for a name not ours."""
    try:
        return datetime.strptime(removal.split("-")[0], _STAMP).replace(tzinfo=UTC)
    except ValueError:
        return None


def move_to_trash(lib: Library, paths: list[Path]) -> list[Trashed]:
    """Move card files of the library into one new removal folder of the trash. Call under
    lib.lock(). All or none: when a move fails, those already made are undone."""
    rels = [_library_rel(lib, path) for path in paths]
    folder = _new_removal(lib)
    done: list[Trashed] = []
    try:
        for path, rel in zip(paths, rels, strict=True):
            dest = folder / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            with journal.noting(lib.root, path):
                os.rename(path, dest)
            lib._forget(path)
            done.append(Trashed(card_id_of(dest) or "", dest, rel, folder.name))
    except OSError:
        _move_back(lib, done)
        raise
    return done


def contents(lib: Library) -> list[Trashed]:
    """Every card file in the trash, the latest removal first, by path within one."""
    top = trash_dir(lib)
    if not top.is_dir():
        return []
    found = []
    for folder in sorted((p for p in top.iterdir() if p.is_dir()), reverse=True):
        for path in sorted(folder.rglob("*.toml")):
            rel = os.path.relpath(path, folder)
            found.append(Trashed(card_id_of(path) or "", path, rel, folder.name))
    return found


def find(lib: Library, refs: list[str]) -> list[Trashed]:
    """The trashed cards to restore: those `refs` name (an id or id prefix; a card removed
    twice is restored from its latest removal), or with no refs the latest removal's."""
    items = contents(lib)
    if not items:
        raise CardNotFound(f"the trash of {lib.root} is empty: no removed card to restore")
    if not refs:
        return [t for t in items if t.removal == items[0].removal]
    return list({t.path: t for t in (_find_one(items, ref) for ref in refs)}.values())


def _find_one(items: list[Trashed], ref: str) -> Trashed:
    key = ref.strip().lower()
    ids = sorted({t.id for t in items if t.id and key and t.id.startswith(key)})
    if not ids:
        raise CardNotFound(
            f"no card with id '{ref}' in the trash; `evcards restore --list` shows what is there"
        )
    if len(ids) > 1:
        shown = ", ".join(i[:8] for i in ids[:5]) + (" ..." if len(ids) > 5 else "")
        raise AmbiguousCard(
            f"id prefix '{ref}' matches {len(ids)} cards in the trash ({shown}); type more of it"
        )
    return next(t for t in items if t.id == ids[0])  # the latest removal comes first


def restore(lib: Library, items: list[Trashed]) -> list[Path]:
    """Put trashed cards back where they were. Call under lib.lock(). Every card is checked
    first: one whose id is in the library again (added since it was removed), or whose place
    is taken, stops the restore before anything moves."""
    for item in items:
        _check_free(lib, item)
    done: list[Trashed] = []
    try:
        for item in items:
            _move(lib, item.path, lib.root / item.rel)
            done.append(item)
    except OSError:
        for item in done:
            os.rename(lib.root / item.rel, item.path)
        raise
    finally:
        lib._ids = None  # the cards found again: read afresh
        _drop_empty_folders(trash_dir(lib))
    return [lib.root / item.rel for item in items]


def purge(lib: Library, paths: list[Path]) -> None:
    """Delete card files for good (`rm --purge`). Call under lib.lock()."""
    for path in paths:
        lib.remove(path)


def _check_free(lib: Library, item: Trashed) -> None:
    here = lib.path_of(item.id) if item.id else None
    if here is not None:
        raise LibraryError(
            f"card {item.id[:8]} is in the library again ({here}), added after it was removed;"
            f" nothing was restored. To put the removed version back, delete the library's"
            f" copy for good (`evcards rm --purge {item.id[:8]}`), then restore it"
        )
    dest = lib.root / item.rel
    if dest.exists():
        raise LibraryError(
            f"{dest} exists, so card {item.id[:8] or item.rel} cannot go back there; move that"
            " file, then restore again"
        )


def _move(lib: Library, source: Path, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    with journal.noting(lib.root, dest):
        os.rename(source, dest)


def _move_back(lib: Library, done: list[Trashed]) -> None:
    for item in reversed(done):
        _move(lib, item.path, lib.root / item.rel)
    lib._ids = None
    _drop_empty_folders(trash_dir(lib))


def _library_rel(lib: Library, path: Path) -> str:
    """The path of a card file in the library; an error for one outside it, which the trash
    could not put back."""
    rel = os.path.relpath(os.path.abspath(path), os.path.abspath(lib.root))
    if rel.startswith(os.pardir) or any(part.startswith(".") for part in Path(rel).parts):
        raise LibraryError(
            f"{path} is not a card of the library {lib.root}, so it cannot go to its trash;"
            " delete it for good with --purge, or move it yourself"
        )
    return rel


def _new_removal(lib: Library) -> Path:
    stamp = datetime.now(UTC).strftime(_STAMP)
    top = trash_dir(lib)
    top.mkdir(parents=True, exist_ok=True)
    for n in range(100):  # two removals in one microsecond: only from two libraries' clocks
        folder = top / (stamp if n == 0 else f"{stamp}-{n}")
        try:
            folder.mkdir()
            return folder
        except FileExistsError:
            continue
    raise LibraryError(f"{top}: cannot make a new folder in the trash")


def _drop_empty_folders(top: Path) -> None:
    """Folders of the trash that restoring emptied (deepest first); the trash folder stays."""
    if not top.is_dir():
        return
    for folder in sorted((p for p in top.rglob("*") if p.is_dir()), reverse=True):
        try:
            folder.rmdir()
        except OSError:
            pass  # not empty
