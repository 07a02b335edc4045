"""Push, pull, status and search --remote against a real PostgreSQL server (remote_pg.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from remote_fixtures import card, files, library, pg_url, tdb  # noqa: F401 - fixtures
from remote_pg import TeamDb

from evcards.remote import remotes
from evcards.remote.pull import pull
from evcards.remote.push import push
from evcards.remote.status import status
from evcards.store.library import Library


def squad(lib: Library) -> remotes.Remote:
    return remotes.get(lib, "squad")


def test_push_then_pull_into_a_second_library_gives_the_same_files(tmp_path: Path, tdb: TeamDb):
    a = library(tmp_path, "a", tdb)
    with a.lock():
        for i in range(30):
            a.add(card(i, labels=["neg"] if i % 2 else []))
    r = push(a, squad(a))
    assert (r.sent, r.unchanged, r.deleted) == (30, 0, 0)
    b = library(tmp_path, "b", tdb, who="carl")
    got = pull(b, squad(b))
    assert got.added == 30
    assert files(b) == files(a)
