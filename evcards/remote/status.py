"""`evcards remote status`: how many cards differ each way since the last sync."""

from __future__ import annotations

from dataclasses import dataclass

from evcards.remote.connect import session
from evcards.remote.remotes import Remote
from evcards.remote.state import SyncState
from evcards.store.library import Library


@dataclass
class Status:
    remote: str
    to_push: int  # cards changed or new here since the last sync
    deleted_here: int  # synced cards removed here: tombstones the next push sends
    to_pull: int  # cards changed on the server since the last pull (not by this library)
    deleted_there: int  # of those, tombstones
    cursor: int


def status(lib: Library, remote: Remote) -> Status:
    from evcards.remote.migrations import check
    from evcards.remote.push import select

    state = SyncState(lib, remote)
    try:
        chosen = select(lib, state, [], [], False)
        with session(remote, "read") as s:
            check(s)
            cur = s.conn.execute(
                "SELECT card_id, seq, deleted FROM cards WHERE team = %s AND seq > %s",
                [s.team, state.cursor],
            )
            changed = cur.fetchall()
        bases = state.many(r[0] for r in changed)
        theirs = [r for r in changed if (b := bases.get(r[0])) is None or b.seq != r[1]]
        return Status(
            remote.name,
            to_push=len(set(chosen.paths)),
            deleted_here=len(chosen.tombstones),
            to_pull=len(theirs),
            deleted_there=sum(1 for r in theirs if r[2]),
            cursor=state.cursor,
        )
    finally:
        state.close()
