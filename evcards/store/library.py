"""The library: a folder of card files, found, read, resolved and written safely.

A library is any folder holding a `.evcards.toml` marker. Card files are `*.toml` anywhere
below it (dot-folders aside); derived state (the search index, the write lock) lives in
`.evcards/` inside it and can always be thrown away, apart from `.evcards/trash/`, which holds
the cards `evcards rm` removed (store/trash.py).
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from evcards.core.labels import fold_all
from evcards.errors import AmbiguousCard, CardNotFound, LibraryError
from evcards.store import journal, walk
from evcards.store.atomic import atomic_write

if TYPE_CHECKING:  # the models load pydantic: `evcards search` finds the library without it
    from evcards.core.models import Card, Source
    from evcards.store.cardfile import MarkedBody

MARKER = ".evcards.toml"
STATE_DIR = ".evcards"
ENV_LIBRARY = "EVCARDS_LIBRARY"
_ID_IN_NAME = re.compile(r"([0-9a-f]{16})\.toml$")
_MARKER_TEXT = "# This folder is an evcards library: one card per .toml file.\nversion = 1\n"


def find_library(explicit: str | os.PathLike[str] | None = None, cwd: Path | None = None) -> Path:
    """--library, then EVCARDS_LIBRARY, then the nearest library upward, then the user's own."""
    if explicit:
        return Path(explicit).expanduser()
    env = os.environ.get(ENV_LIBRARY)
    if env:
        return Path(env).expanduser()
    here = (cwd or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / MARKER).is_file():
            return folder
        if (folder / "cards" / MARKER).is_file():
            return folder / "cards"
    from evcards.config import data_dir

    return data_dir() / "library"


def slug(text: str, limit: int = 50) -> str:
    """A file-name-safe ASCII slug: 'RM 6/14' -> 'rm-6-14'."""
    spaced = re.sub(r"[\W_]+", " ", text)  # punctuation such as an en dash separates words
    ascii_text = unicodedata.normalize("NFKD", spaced).encode("ascii", "ignore").decode()
    s = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return s[:limit].rstrip("-")


def file_name(card: Card) -> str:
    """Short cite and tag say what the card is; the full id makes the name unique."""
    parts = [p for p in (slug(card.cite.short, 24), slug(card.tag)) if p]
    return "-".join([*parts, card.id]) + ".toml"


@dataclass
class AddResult:
    """What adding one card did: 'added', 'merged' (seen again) or 'unchanged'."""

    card: Card
    path: Path
    status: str


@dataclass
class Library:
    root: Path
    _ids: dict[str, list[Path]] | None = field(default=None, repr=False)

    # -- opening ---------------------------------------------------------------------------
    @classmethod
    def open(cls, root: Path, create: bool = False) -> Library:
        """The library at `root`; with create=True a missing one is made (for writes)."""
        if root.exists() and not root.is_dir():
            raise LibraryError(f"{root}: the library path is a file, not a folder")
        if not root.exists():
            if not create:
                return cls(root)
            try:
                root.mkdir(parents=True, exist_ok=True)
            except OSError as e:
                raise LibraryError(f"{root}: cannot create the library ({e.strerror})") from None
        if create and not (root / MARKER).exists():
            atomic_write(root / MARKER, _MARKER_TEXT)
        return cls(root)

    @property
    def state_dir(self) -> Path:
        return self.root / STATE_DIR

    @contextmanager
    def lock(self, timeout: float = 30.0) -> Iterator[None]:
        """Serialise read-modify-write across processes, so no update is lost."""
        import filelock

        self.state_dir.mkdir(parents=True, exist_ok=True)
        lock = filelock.FileLock(str(self.state_dir / "write.lock"), timeout=timeout)
        try:
            with lock:
                self._ids = None  # another process may have written meanwhile
                self._sweep_temp_files()
                yield
        except filelock.Timeout:
            raise LibraryError(
                f"{self.root}: another evcards command has been writing for {timeout:.0f}s;"
                " try again when it finishes"
            ) from None

    def _sweep_temp_files(self) -> None:
        """Temp files left by a writer that was killed mid-write; safe to drop under the lock."""
        for tmp in [*self.root.glob(".tmp-*"), *(self.state_dir / "staging").glob("*")]:
            try:
                tmp.unlink()
            except OSError:
                pass
        # A staging folder renamed aside on Ctrl-C whose remover was killed too.
        for aside in self.state_dir.glob("staging.discarded-*"):
            shutil.rmtree(aside, ignore_errors=True)

    # -- reading ---------------------------------------------------------------------------
    def paths(self) -> Iterator[Path]:
        """Every card file (by the rule in `walk`), in a stable order: by name within a folder,
        then each sub-folder in turn."""
        for folder in walk.folders(self.root):
            for name in sorted(folder.files):
                yield Path(folder.path, name)

    def read(self, path: Path) -> Card:
        from evcards.store import cardfile

        return cardfile.read(path)

    def cards(self) -> Iterator[tuple[Path, Card]]:
        for path in self.paths():
            yield path, self.read(path)

    def ids(self) -> dict[str, list[Path]]:
        """id -> files, from file names where they carry the id, else from the file itself."""
        if self._ids is None:
            ids: dict[str, list[Path]] = {}
            for path in self.paths():
                card_id = card_id_of(path)
                if card_id:
                    ids.setdefault(card_id, []).append(path)
            self._ids = ids
        return self._ids

    def path_of(self, card_id: str) -> Path | None:
        paths = self.ids().get(card_id)
        if not paths:
            return None
        if len(paths) > 1:
            names = ", ".join(str(p) for p in paths)
            raise LibraryError(f"card {card_id} is stored twice ({names}); delete one of them")
        return paths[0]

    def resolve(self, ref: str) -> tuple[Path, Card]:
        """A card from an id, an unambiguous id prefix, or a path to its file."""
        as_path = Path(ref).expanduser()
        if ref.endswith(".toml") or os.sep in ref or as_path.is_file():
            if as_path.is_file():
                return as_path, self.read(as_path)
            if not (self.root / ref).is_file():
                raise CardNotFound(f"{ref}: no such card file")
            return self.root / ref, self.read(self.root / ref)
        key = ref.strip().lower()
        if not re.fullmatch(r"[0-9a-f]{1,16}", key):
            raise CardNotFound(
                f"'{ref}' is not a card id or a card file; `evcards list` shows the ids"
            )
        matches = sorted(i for i in self.ids() if i.startswith(key))
        if not matches:
            raise CardNotFound(
                f"no card with id '{ref}' in {self.root}; `evcards list` shows the ids"
            )
        if len(matches) > 1:
            shown = ", ".join(matches[:5]) + (" ..." if len(matches) > 5 else "")
            raise AmbiguousCard(
                f"id prefix '{ref}' matches {len(matches)} cards ({shown}); type more of the id"
            )
        path = self.path_of(matches[0])
        assert path is not None
        return path, self.read(path)

    # -- writing ---------------------------------------------------------------------------
    def write(self, card: Card, old_path: Path | None = None) -> Path:
        """Write a card atomically under the name it should have, renaming its old file."""
        self.open(self.root, create=True)
        new_path = (old_path.parent if old_path else self.root) / file_name(card)
        from evcards.store import cardfile

        text = cardfile.dumps(card)
        renamed = old_path is not None and old_path != new_path and old_path.exists()
        touched = (old_path, new_path) if renamed and old_path else (new_path,)
        with journal.noting(self.root, *touched):  # so that search re-reads just these
            if renamed and old_path:
                # Rename first: a crash between the steps leaves one valid file, never two.
                os.rename(old_path, new_path)
                self._forget(old_path)
            atomic_write(new_path, text)
        if self._ids is not None:
            paths = self._ids.setdefault(card.id, [])
            if new_path not in paths:
                paths.append(new_path)
        return new_path

    def add(self, card: Card) -> AddResult:
        """Store a card; the same card again only records where it was seen. Call under lock()."""
        path = self.path_of(card.id)
        if path is None:
            return AddResult(card, self.write(card), "added")
        existing = self.read(path)
        merged = merge_sightings(existing, card.sources, card.labels)
        if merged == existing:
            return AddResult(existing, path, "unchanged")
        return AddResult(merged, self.write(merged, path), "merged")

    @contextmanager
    def batch(self, on_commit: Callable[[dict[Path, str]], None] | None = None) -> Iterator[Batch]:
        """Add many cards with one flush to disk (call under lock()); see `Batch`."""
        batch = Batch(self, on_commit=on_commit)
        try:
            yield batch
        except BaseException:
            batch.discard()
            raise
        batch.commit()

    def remove(self, path: Path) -> None:
        with journal.noting(self.root, path):
            path.unlink()
        self._forget(path)

    def _forget(self, path: Path) -> None:
        if self._ids is None:
            return
        for paths in self._ids.values():
            if path in paths:
                paths.remove(path)


@dataclass(frozen=True)
class Prepared:
    """A card made ready to store where it was parsed (maybe in another process): its file
    name and TOML text, and the sightings and labels a merge into an existing card needs."""

    id: str
    kind: str
    name: str
    text: str
    sources: tuple[tuple[str, int | None], ...]
    labels: tuple[str, ...]
    staged: str | None = None  # a file in the batch's staging folder already holding `text`

    @classmethod
    def of(cls, card: Card, marked: MarkedBody | None = None) -> Prepared:
        """`marked`: the body as (text, marks) pairs, in place of `card.body` (see `cardfile`)."""
        from evcards.store import cardfile

        return cls(
            card.id,
            card.kind,
            file_name(card),
            cardfile.dumps(card, marked=marked),
            tuple((s.file, s.position) for s in card.sources),
            tuple(card.labels),
        )


class Batch:
    """Many adds with one flush to disk: what `Library.add` does per card, for an import.

    Each card goes to a hidden temp file; `commit` makes them durable with one sync and only
    then renames them into place, so a crash leaves old files or new ones, never a torn file
    (the guarantee `atomic_write` gives one file at a time, at one fsync per file).
    """

    def __init__(
        self,
        library: Library,
        flush_every: int = 2000,
        *,
        on_commit: Callable[[dict[Path, str]], None] | None = None,
    ) -> None:
        self.library = library
        self.flush_every = flush_every
        self.on_commit = on_commit or _nothing  # given each commit's files and texts (import)
        self._pending: dict[Path, tuple[Path, str, Path | None]] = {}  # final -> tmp, text, old
        self._by_id: dict[str, Path] = {}
        self._staging: Path | None = None
        library.open(library.root, create=True)

    def add(self, item: Prepared) -> str:
        """'added', 'merged', 'labelled' (only labels were new) or 'unchanged'."""
        lib = self.library
        path = self._by_id.get(item.id) or lib.path_of(item.id)
        if path is None:
            self._stage(lib.root / item.name, item.text, None, item.id, item.staged)
            return "added"
        if item.staged is not None:
            os.unlink(item.staged)  # a sighting of a stored card: what is written is the merge
        from evcards.core.models import Source
        from evcards.store import cardfile

        pending = self._pending.get(path)
        body_table = ""
        if pending is None:
            existing = lib.read(path)
        else:
            # Staged in this batch, so `dumps` wrote it: a merge changes only sightings and
            # labels, so only the part above the body is read back and the body table is kept
            # as text. Parsing the body's markup back was most of the main process's work.
            head, body_table = cardfile.split_body(pending[1])
            existing = cardfile.loads(head, str(path))
        sources = [Source(file=f, position=p) for f, p in item.sources]
        merged = merge_sightings(existing, sources, item.labels)
        if merged == existing:
            return "unchanged"
        old = pending[2] if pending is not None else path
        text = cardfile.dumps(merged) + body_table
        self._stage(path.parent / file_name(merged), text, old, item.id)
        # Only new labels (re-importing with -l) is not a new sighting: not a duplicate.
        return "merged" if merged.sources != existing.sources else "labelled"

    @property
    def staging(self) -> Path:
        """The folder cards wait in until `commit`; worker processes may write there too
        (see `stage`). Outside the card folders: a folder's mtime then moves only at commit,
        where the journal notes it, so the next search need not list a huge folder again."""
        if self._staging is None:
            self._staging = self.library.state_dir / "staging"
            self._staging.mkdir(parents=True, exist_ok=True)
        return self._staging

    def _stage(
        self, final: Path, text: str, old: Path | None, card_id: str, staged: str | None = None
    ) -> None:
        prior = self._by_id.get(card_id)
        previous = self._pending.pop(prior, None) if prior is not None else None
        if previous is not None:
            # Staged before in this batch (a card seen twice in one import): its file is
            # rewritten, whoever staged it, and it still replaces what the first staging did.
            tmp, old = previous[0], previous[2]
        elif staged is not None:
            tmp = Path(staged)
        else:
            tmp = self.staging / f"{os.getpid()}-{final.name}"
        if staged is None:
            _write_text(tmp, text)
        self._pending[final] = (tmp, text, old)
        self._by_id[card_id] = final
        if len(self._pending) >= self.flush_every:
            self.commit()

    def commit(self) -> None:
        """Make every staged file durable, then move it into place."""
        if not self._pending:
            return
        tmps = [tmp for tmp, _, _ in self._pending.values()]
        if hasattr(os, "sync"):
            os.sync()
        else:  # pragma: no cover - Windows has no os.sync
            for tmp in tmps:
                fd = os.open(tmp, os.O_RDONLY)
                try:
                    os.fsync(fd)
                finally:
                    os.close(fd)
        ids = self.library._ids
        touched = [p for final, (_, _, old) in self._pending.items() for p in (old, final) if p]
        # Noted for the search index: a merged card replaced under its own name is otherwise
        # invisible in a big folder until the index's rolling stat pass reaches it.
        with journal.noting(self.library.root, *touched):
            for final, (tmp, _, old) in self._pending.items():
                os.replace(tmp, final)
                if old is not None and old != final:
                    os.unlink(old)
                    self.library._forget(old)
        for final in self._pending:
            if ids is not None:
                card_id = _ID_IN_NAME.search(final.name)
                if card_id:
                    paths = ids.setdefault(card_id.group(1), [])
                    if final not in paths:
                        paths.append(final)
        _fsync_dir(self.library.root)
        written = self._texts()
        self._pending.clear()
        self._by_id.clear()
        self.on_commit(written)

    def _texts(self) -> dict[Path, str]:
        return {final: text for final, (_, text, _) in self._pending.items()}

    def discard(self) -> None:
        for tmp, _, _ in self._pending.values():
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
        self._pending.clear()
        self._by_id.clear()


def _nothing(written: dict[Path, str]) -> None:
    pass


def stage(items: list[Prepared], staging: Path) -> list[Prepared]:
    """Each item's text written to a new file in a batch's staging folder (`Batch.staging`),
    named in the item: a worker process's share of the writing, so that creating the files
    (the costly part of writing) runs in parallel, alongside the parsing. The batch renames
    each into place at commit, or deletes it if the card was already stored."""
    out: list[Prepared] = []
    for item in items:
        # Unique per process and call: one worker may stage the same card from two files.
        tmp = staging / f"{os.getpid()}-{next(_STAGED)}-{item.name}"
        _write_text(tmp, item.text)
        out.append(replace(item, staged=str(tmp)))
    return out


_STAGED = itertools.count()


def _write_text(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(text)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - folders cannot be opened on Windows
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def merge_sightings(card: Card, sources: Iterable[Source], labels: Iterable[str] = ()) -> Card:
    """The card with new sightings and labels added; an old sighting is not counted twice."""
    known = {(s.file, s.position) for s in card.sources}
    new_sources = list(card.sources)
    for s in sources:
        if (s.file, s.position) not in known:
            new_sources.append(s)
            known.add((s.file, s.position))
    new_labels = fold_all([*card.labels, *labels])
    if new_sources == card.sources and new_labels == card.labels:
        return card
    return card.model_copy(update={"sources": new_sources, "labels": new_labels})


def card_id_of(path: Path) -> str | None:
    """A card file's id: from its name where it carries it, else from the file itself."""
    m = _ID_IN_NAME.search(path.name)
    return m.group(1) if m else _read_id(path)


def _read_id(path: Path) -> str | None:
    """The id of a card file whose name does not carry it (hand-made files)."""
    try:
        with path.open("rb") as f:
            head = f.read(4096).decode("utf-8", "replace")
    except OSError:
        return None
    m = re.search(r'^id\s*=\s*"([0-9a-f]{16})"', head, re.MULTILINE)
    return m.group(1) if m else None
