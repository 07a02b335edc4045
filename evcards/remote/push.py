"""`evcards push`: send cards to a remote, merging with what is there.

Cards go in batches, one transaction each: the team's advisory lock first (so `seq` order is
commit order, and a pull's cursor never skips a row committed late), then the batch's rows
already on the server, locked in id order, are merged in Python (see `merge`), the results
go through COPY into a temp table and from there into `cards` in one INSERT .. ON CONFLICT.
A batch is on the server whole or not at all; the sync base is written after each commit, so
a push killed midway is finished by the next one (a card sent twice merges to itself)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evcards.errors import Interrupted, RemoteDenied
from evcards.remote import sqlio
from evcards.remote.cardrow import Row, row_of, text_hash
from evcards.remote.connect import Session, session
from evcards.remote.merge import loser_value, merge
from evcards.remote.remotes import Remote
from evcards.remote.state import Base, SyncState, stat_of
from evcards.store.library import Library

BATCH = 2000


@dataclass
class PushResult:
    sent: int = 0  # cards added to the server or changed there
    unchanged: int = 0  # already there as they are
    deleted: int = 0  # tombstones sent for cards removed here
    merged: int = 0  # cards that came back changed by the merge (written here too)
    speeches: int = 0
    warnings: list[str] = field(default_factory=list)


@dataclass
class Selection:
    paths: list[Path]
    tombstones: list[str]  # ids in the sync base that are gone from the library


def select(
    lib: Library, state: SyncState, refs: list[str], labels: list[str], everything: bool
) -> Selection:
    """The cards to send: those named, those with a label, all, or (no choice) every card
    changed since the last sync, with a tombstone for each synced card deleted here."""
    if refs:
        return Selection(list(dict.fromkeys(lib.resolve(r)[0] for r in refs)), [])
    if labels:
        return Selection([p for p in lib.paths() if _has_labels(p, labels)], [])
    bases = state.all()
    ids = {card_id: paths for card_id, paths in lib.ids().items() if paths}
    for card_id, paths in ids.items():
        if len(paths) > 1:
            lib.path_of(card_id)  # the library's own error: one card stored twice
    gone = sorted(set(bases) - set(ids))
    if everything:
        return Selection([paths[0] for paths in ids.values()], gone)
    changed = [paths[0] for card_id, paths in ids.items() if _changed(paths[0], bases.get(card_id))]
    return Selection(sorted(changed), gone)


def _changed(path: Path, base: Base | None) -> bool:
    """Whether a card file differs from what was synced; one whose size and mtime are
    those it had then is not read again."""
    if base is None:
        return True
    if stat_of(path) == (base.size, base.mtime):
        return False
    return _hash_of(path) != base.hash


def _has_labels(path: Path, labels: list[str]) -> bool:
    from evcards.store.cardtoml import loads_card_toml

    try:
        data = loads_card_toml(path.read_text(encoding="utf-8"))
    except Exception:  # not the fast reader's shape: the full reader decides
        data = {"labels": list(Library(path.parent).read(path).labels)}
    have = data.get("labels")
    return isinstance(have, list) and all(label in have for label in labels)


def _hash_of(path: Path) -> str:
    return text_hash(path.read_text(encoding="utf-8"))


def push(
    lib: Library,
    remote: Remote,
    refs: list[str] | None = None,
    labels: list[str] | None = None,
    everything: bool = False,
    speeches: bool = False,
) -> PushResult:
    """Send the chosen cards (see `select`) and, with `speeches`, every speech file."""
    result = PushResult()
    with lib.lock(), session(remote, "write to") as s:
        from evcards.remote.migrations import check

        check(s)
        _check_writable(s)
        state = SyncState(lib, remote)
        try:
            chosen = select(lib, state, refs or [], labels or [], everything)
            try:
                _send(lib, s, state, chosen.paths, result)
                if chosen.tombstones:
                    _push_tombstones(s, state, chosen.tombstones, result)
                if speeches:
                    result.speeches = sqlio.push_speeches(lib, s)
            except KeyboardInterrupt:
                raise Interrupted(
                    f"push stopped: {result.sent} cards were sent whole, none in part; push"
                    " again to send the rest"
                ) from None
        finally:
            state.close()
    return result


def _check_writable(s: Session) -> None:
    row = s.conn.execute("SELECT has_table_privilege('cards', 'INSERT, UPDATE')").fetchone()
    s.conn.commit()
    if not row or not row[0]:
        raise RemoteDenied(
            f"role '{s.role}' may not write to remote '{s.remote.name}' (permission denied);"
            f" ask the database's owner for a read-write role of team '{s.team}'"
        )


def _batches(paths: list[Path]) -> Iterator[list[tuple[Path, str]]]:
    batch: list[tuple[Path, str]] = []
    for path in paths:
        from evcards.store.cardfile import _read_text

        batch.append((path, _read_text(path)))
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


@dataclass
class _Out:
    """One card's outcome in a batch: the row to send (None: the server has it already),
    and the text the local file should hold (None: it holds it)."""

    row: Row
    send: bool
    local_text: str | None = None
    history: list[tuple[str, str]] = field(default_factory=list)


_Sent = tuple[dict[str, "_Out"], dict[str, int], dict[str, sqlio.ServerRow]]


VECTOR_CHUNK = 500  # rows per statement computing vectors


def _workers() -> int:
    """Connections computing vectors: one per core, at most 4."""
    return max(1, min(4, os.cpu_count() or 1))


def _send(lib: Library, s: Session, state: SyncState, paths: list[Path], r: PushResult) -> None:
    """Batch after batch: the server computes each batch's search vectors (the costly part)
    over several connections of their own, outside the team's lock; the batch's transaction
    then only merges and writes (in a thread: psycopg waits on the socket without the GIL),
    while the next batch is read and parsed here. Each batch's local rewrites and sync base
    follow its commit."""
    from concurrent.futures import ThreadPoolExecutor, wait

    pending: tuple[Future[_Sent], dict[str, tuple[Path, Row]]] | None = None
    helpers = _Helpers(s.remote, _workers())
    with ThreadPoolExecutor(1, thread_name_prefix="evcards-push") as pool, helpers:
        try:
            for batch in _batches(paths):
                rows = {}
                for path, text in batch:
                    row, _ = row_of(text, str(path))
                    rows[row.card_id] = (path, row)
                vectors = helpers.vectors([row for _, row in rows.values()])
                bases = state.many(rows)
                if pending is not None:
                    _finish(lib, state, pending[0].result(), pending[1], r)
                pending = (pool.submit(_transact, s, rows, bases, vectors, r), rows)
            if pending is not None:
                _finish(lib, state, pending[0].result(), pending[1], r)
        except BaseException:
            if pending is not None and not pending[0].done():
                s.conn.cancel_safe()  # Ctrl-C or an error here: the server's batch rolls back
                wait([pending[0]])
            raise


class _Helpers:
    """Connections of their own that compute search vectors, one thread each; they only
    read, so stopping them midway leaves nothing behind."""

    def __init__(self, remote: Remote, n: int) -> None:
        from concurrent.futures import ThreadPoolExecutor
        from queue import SimpleQueue

        from evcards.remote.connect import connect

        self.sessions = [connect(remote) for _ in range(n)]
        self.free: SimpleQueue[Session] = SimpleQueue()
        for h in self.sessions:
            self.free.put(h)
        self.pool = ThreadPoolExecutor(n, thread_name_prefix="evcards-vectors")

    def __enter__(self) -> _Helpers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)
        for h in self.sessions:
            h.conn.cancel_safe()
        self.pool.shutdown(wait=True)
        for h in self.sessions:
            h.close()

    def vectors(self, rows: list[Row]) -> list[Future[dict[str, str]]]:
        return [
            self.pool.submit(self._one, rows[i : i + VECTOR_CHUNK])
            for i in range(0, len(rows), VECTOR_CHUNK)
        ]

    def _one(self, rows: list[Row]) -> dict[str, str]:
        h = self.free.get()
        try:
            return sqlio.vectors(h, rows)
        finally:
            self.free.put(h)


def _transact(
    s: Session,
    rows: dict[str, tuple[Path, Row]],
    bases: dict[str, Base],
    vectors: list[Future[dict[str, str]]],
    result: PushResult,
) -> _Sent:
    """One batch in one transaction: lock, merge with what is there, write, commit. A row
    the merge changed is sent without its precomputed vector (the server computes it)."""
    have: dict[str, str] = {}
    for f in vectors:
        have.update(f.result())
    with s.conn.transaction():
        server = sqlio.lock_rows(s, sorted(rows))
        outs = {
            card_id: _decide(s, row, server.get(card_id), bases.get(card_id), result)
            for card_id, (_, row) in rows.items()
        }
        sent = [o.row for o in outs.values() if o.send]
        mine = {
            o.row.card_id: have[o.row.card_id]
            for o in outs.values()
            if o.send and o.row is rows[o.row.card_id][1] and o.row.card_id in have
        }
        seqs = sqlio.upsert(s, sent, mine)
        sqlio.add_history(s, [(cid, f, v) for cid, o in outs.items() for f, v in o.history])
    return outs, seqs, server


def _finish(
    lib: Library,
    state: SyncState,
    sent: _Sent,
    rows: dict[str, tuple[Path, Row]],
    result: PushResult,
) -> None:
    """After a batch's commit: merged cards rewritten here, the sync base noted."""
    outs, seqs, server = sent
    new: dict[str, Base] = {}
    for card_id, out in outs.items():
        path = rows[card_id][0]
        if out.local_text is not None:
            path = _rewrite(lib, path, out.row, out.local_text)
            result.merged += 1
        seq = seqs.get(card_id) or (server[card_id].seq if card_id in server else 0)
        new[card_id] = Base(out.row.hash, seq, out.row.tag, out.row.cite, *stat_of(path))
    result.sent += len(seqs)
    result.unchanged += len(outs) - len(seqs)
    state.record(new)
    state.commit()


def _decide(s: Session, row: Row, there: Any, base: Base | None, result: PushResult) -> _Out:
    """What to send for one local card, given the server's row (or None) and the base."""
    if there is None or there.hash == row.hash and not there.deleted:
        return _Out(row, there is None)
    if there.deleted:
        # Removed there after our last sync, and not changed here: the next pull removes it
        # here too. Changed here since: the newer write brings it back.
        if base is not None and there.seq > base.seq and row.hash == base.hash:
            return _Out(row, False)
        return _Out(row, True)
    from evcards.store import cardfile

    local = cardfile.loads(row.toml, row.card_id)
    theirs = cardfile.loads(there.toml, f"remote card {row.card_id}")
    m = merge(local, theirs, base, winner_is_local=True)
    text = cardfile.dumps(m.card)
    if text == row.toml:
        merged_row = row
    else:
        merged_row, _ = row_of(text, row.card_id)
    history = [(f, loser_value(theirs, f)) for f in m.conflicts]
    for f in m.conflicts:
        result.warnings.append(
            f"card {row.card_id[:8]}: its {f} was changed here and on remote"
            f" '{s.remote.name}' since the last pull; the pushed {f} wins, the other is kept in"
            " the remote's history"
        )
    send = merged_row.hash != there.hash
    return _Out(merged_row, send, text if text != row.toml else None, history)


def _rewrite(lib: Library, path: Path, row: Row, text: str) -> Path:
    """The local file replaced by the merged card, renamed if its name changed."""
    from evcards.store import journal
    from evcards.store.atomic import atomic_write

    new_path = path.parent / row.name
    with journal.noting(lib.root, path, new_path):
        if new_path != path:
            os.rename(path, new_path)
            lib._forget(path)
        atomic_write(new_path, text)
    lib._ids = None
    return new_path


def _push_tombstones(s: Session, state: SyncState, ids: list[str], result: PushResult) -> None:
    for i in range(0, len(ids), BATCH):
        chunk = ids[i : i + BATCH]
        with s.conn.transaction():
            sqlio.team_lock(s)
            done = sqlio.tombstone(s, chunk)
        state.forget(chunk)
        state.commit()
        result.deleted += len(done)
