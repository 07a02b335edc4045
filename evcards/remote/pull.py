"""`evcards pull`: bring what changed on a remote since the last pull into the library.

Rows come in `seq` order, in batches. A batch's files are written whole (staged, synced once,
renamed into place) and only then does the cursor move past the batch, so a pull that fails
or is stopped goes on from where it stopped next time, and a card is never half-written.

A card changed here and not yet pushed is merged, not overwritten (see `merge`): where the
tag or cite changed on both sides, the server's value wins here and the local file goes to
the trash (`evcards restore` brings it back), with one warning. A tombstone moves the card to
the trash."""

from __future__ import annotations

import contextlib
import itertools
import os
from dataclasses import dataclass, field
from pathlib import Path

from evcards.errors import Interrupted
from evcards.remote import sqlio
from evcards.remote.cardrow import text_hash
from evcards.remote.connect import Session, session
from evcards.remote.merge import merge
from evcards.remote.remotes import Remote
from evcards.remote.sqlio import ServerRow
from evcards.remote.state import Base, SyncState, stat_of
from evcards.store.library import Library

BATCH = 5000


@dataclass
class PullResult:
    added: int = 0
    updated: int = 0
    removed: int = 0  # moved to the trash by a tombstone
    merged: int = 0  # local changes kept, merged with the server's
    unchanged: int = 0
    speeches: int = 0
    warnings: list[str] = field(default_factory=list)


@dataclass
class _Plan:
    """One batch's effects, applied together: trash first, then the files, then the base."""

    remote: str
    # (card id, its new path, its text, the path it had)
    writes: list[tuple[str, Path, str, Path | None]] = field(default_factory=list)
    trash: list[Path] = field(default_factory=list)
    bases: dict[str, Base] = field(default_factory=dict)
    exact: set[str] = field(default_factory=set)  # cards whose file will hold the base's text
    forget: list[str] = field(default_factory=list)


def pull(lib: Library, remote: Remote, speeches: bool = False, batch: int = BATCH) -> PullResult:
    result = PullResult()
    lib.open(lib.root, create=True)
    with lib.lock(), session(remote, "read") as s:
        from evcards.remote.migrations import check

        check(s)
        state = SyncState(lib, remote)
        try:
            _pull_cards(lib, s, state, batch, result)
            if speeches:
                after = int(state.meta("speech_cursor") or 0)
                written, after = sqlio.pull_speeches(lib, s, after)
                state.set("speech_cursor", str(after))
                state.commit()
                result.speeches = len(written)
        except KeyboardInterrupt:
            raise Interrupted(
                "pull stopped: every card written is whole, and the next pull goes on from"
                " where this one stopped"
            ) from None
        finally:
            state.close()
    return result


def _pull_cards(lib: Library, s: Session, state: SyncState, batch: int, r: PullResult) -> None:
    """Batch after batch, the next one fetched (in a thread: psycopg waits on the socket
    without the GIL) while this one is written; the cursor moves only as each is written."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1, thread_name_prefix="evcards-pull") as pool:
        ahead = pool.submit(sqlio.changes, s, state.cursor, batch)
        while rows := ahead.result():
            ahead = pool.submit(sqlio.changes, s, rows[-1].seq, batch)
            _apply(lib, state, rows, _plan(lib, state, rows, r))


def _plan(lib: Library, state: SyncState, rows: list[ServerRow], result: PullResult) -> _Plan:
    plan = _Plan(state.remote)
    bases = state.many(r.card_id for r in rows)
    for r in rows:
        _plan_row(lib, plan, r, lib.path_of(r.card_id), bases.get(r.card_id), result)
    return plan


def _plan_row(
    lib: Library,
    plan: _Plan,
    r: ServerRow,
    path: Path | None,
    base: Base | None,
    result: PullResult,
) -> None:
    theirs = Base(r.hash, r.seq, r.tag, r.cite)
    if r.deleted:
        plan.forget.append(r.card_id)
        if path is not None:
            plan.trash.append(path)
            result.removed += 1
            if base is not None and _hash(path) != base.hash:
                result.warnings.append(
                    f"card {r.card_id[:8]} was removed on remote '{plan.remote}'; your"
                    " unpushed changes to it are in the trash (`evcards restore`)"
                )
        return
    if base is not None and r.seq == base.seq:
        return  # what we pushed or pulled already: a local change since waits for a push
    if path is None:
        plan.writes.append((r.card_id, lib.root / r.name, r.toml, None))
        plan.bases[r.card_id] = theirs
        plan.exact.add(r.card_id)
        result.added += 1
        return
    here = _hash(path)
    plan.bases[r.card_id] = theirs
    if here == r.hash:
        plan.exact.add(r.card_id)
        result.unchanged += 1
    elif base is not None and here == base.hash:
        plan.writes.append((r.card_id, path.parent / r.name, r.toml, path))
        plan.exact.add(r.card_id)
        result.updated += 1
    else:
        _plan_merge(lib, plan, r, path, base, result)


def _plan_merge(
    lib: Library, plan: _Plan, r: ServerRow, path: Path, base: Base | None, result: PullResult
) -> None:
    from evcards.store import cardfile
    from evcards.store.library import file_name

    local = lib.read(path)
    theirs = cardfile.loads(r.toml, f"remote card {r.card_id}")
    m = merge(theirs, local, base, winner_is_local=False)
    text = cardfile.dumps(m.card)
    old: Path | None = path
    if m.conflicts:
        plan.trash.append(path)
        old = None
        fields = " and ".join(m.conflicts)
        result.warnings.append(
            f"card {r.card_id[:8]}: its {fields} changed here and on the remote since the last"
            " pull; the remote's wins, your version is in the trash (`evcards restore`)"
        )
    plan.writes.append((r.card_id, path.parent / file_name(m.card), text, old))
    if text == r.toml:
        plan.exact.add(r.card_id)  # else the merge holds local changes the next push sends
    result.merged += 1


def _hash(path: Path) -> str:
    return text_hash(path.read_text(encoding="utf-8"))


_STAGED = itertools.count()


def _apply(lib: Library, state: SyncState, rows: list[ServerRow], plan: _Plan) -> None:
    """Trash, then files, then the base and cursor."""
    from evcards.store.trash import move_to_trash

    if plan.trash:
        move_to_trash(lib, plan.trash)
    stats = _write_files(lib, plan.writes) if plan.writes else {}
    # Each file as it is now (written, or found equal to the server's): the next push need
    # not read it to know it is unchanged. A file written here has its stat from the write.
    for card_id in plan.exact:
        got = stats.get(card_id)
        if got is None:
            path = lib.path_of(card_id)
            got = stat_of(path) if path is not None else None
        if got is not None:
            plan.bases[card_id] = plan.bases[card_id]._replace(size=got[0], mtime=got[1])
    state.forget(plan.forget)
    state.record(plan.bases)
    state.set_cursor(rows[-1].seq)
    state.commit()


def _write_files(
    lib: Library, writes: list[tuple[str, Path, str, Path | None]]
) -> dict[str, tuple[int, int]]:
    """Each file staged, all made durable by one sync, then renamed into place: each
    card's file's (size, mtime), as `stat_of` gives them (a rename keeps both)."""
    from evcards.store import journal

    staging = str(lib.state_dir / "staging")
    os.makedirs(staging, exist_ok=True)
    prefix = f"{staging}/pull-{os.getpid()}-"
    staged: list[tuple[str, Path, Path | None, str]] = []
    stats = {}
    moved = 0
    try:
        for card_id, final, text, old in writes:
            tmp = f"{prefix}{next(_STAGED)}.toml"
            fd = os.open(tmp, _CREATE, 0o666)
            try:
                staged.append((tmp, final, old, card_id))
                _write_all(fd, text.encode("utf-8"))
                st = os.fstat(fd)
            finally:
                os.close(fd)
            stats[card_id] = (st.st_size, st.st_mtime_ns)
        if hasattr(os, "sync"):
            os.sync()
        touched = [p for _, final, old, _ in staged for p in (old, final) if p]
        for folder in {final.parent for _, final, _, _ in staged}:
            folder.mkdir(parents=True, exist_ok=True)
        with journal.noting(lib.root, *touched):
            for tmp, final, old, card_id in staged:
                os.replace(tmp, final)
                moved += 1
                if old is not None and old != final:
                    os.unlink(old)
                _note_moved(lib, card_id, final, old)
    except BaseException:
        lib._ids = None  # some moved, some not: read the library afresh
        raise
    finally:
        for tmp, _, _, _ in staged[moved:]:  # those not renamed into place
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
    return stats


# A staged file is new (never one left by another pull); no buffered text layer: one
# `write` a file, about 40% of what `open` + TextIOWrapper cost a file here.
_CREATE = (
    os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _note_moved(lib: Library, card_id: str, final: Path, old: Path | None) -> None:
    """The library's id map kept current, so the next batch need not list the library."""
    if lib._ids is None:
        return
    paths = lib._ids.setdefault(card_id, [])
    if old is not None and old in paths:
        paths.remove(old)
    if final not in paths:
        paths.append(final)
