"""Fixtures of the remote tests: a server for the session, a database and roles per test,
and libraries with a remote each (imported by the tests/test_remote*.py modules)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from remote_pg import (
    TeamDb,
    drop_team_db,
    grants_sql,
    make_team_db,
    need_binaries,
    short_tmp,
    start_cluster,
)

from evcards.core.markup import parse
from evcards.core.models import Card, Cite, Source, new_card
from evcards.remote import remotes
from evcards.remote.connect import session
from evcards.remote.migrations import init
from evcards.store.library import Library


@pytest.fixture(scope="session", name="pg_url")
def pg_url_fixture() -> Iterator[str]:
    url = os.environ.get("EVCARDS_TEST_PG_URL")
    if url:
        yield url
        return
    need_binaries()
    cluster = start_cluster(short_tmp("s"))
    try:
        yield cluster.url
    finally:
        cluster.stop("immediate")
        shutil.rmtree(cluster.folder, ignore_errors=True)


@pytest.fixture(name="tdb")
def tdb_fixture(pg_url: str) -> Iterator[TeamDb]:
    """A database with the evcards schema (made by its owner), and team a's and b's roles."""
    t = make_team_db(pg_url)
    owner = remotes.Remote("own", t.url("owner"))
    with session(owner, "create tables on") as s:
        init(s)
    for statement in grants_sql(t.suffix):
        t.sql(statement)
    try:
        yield t
    finally:
        drop_team_db(pg_url, t)


def library(tmp_path: Path, name: str, tdb: TeamDb, who: str = "alice", team: str = "a") -> Library:
    lib = Library.open(tmp_path / name, create=True)
    with lib.lock():
        remotes.add(lib, "squad", tdb.url(who), tdb.team(team))
    return lib


def card(
    i: int,
    tag: str | None = None,
    labels: list[str] | None = None,
    source: str | None = None,
    short: str | None = None,
) -> Card:
    return new_card(
        tag=tag if tag is not None else f"Deterrence holds {i}",
        cite=Cite(short=short or f"Meick {i % 90 + 10}", full=f"Meick, {i}, Journal of Things"),
        body=parse(f"Russia and ==China== _pursue different {i} objectives_ for reasons {i}"),
        labels=labels or [],
        sources=[Source(file=source or f"round{i}.docx", position=i)],
    )


def files(lib: Library) -> dict[str, bytes]:
    """Card files by name (folders aside), with their bytes."""
    return {p.name: p.read_bytes() for p in lib.paths()}
