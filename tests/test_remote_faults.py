"""The remote under stress: ten pushes at once, a push killed midway, the server restarted
during a pull. Against a real server (remote_pg.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import REPO
from remote_fixtures import card, files, library, pg_url_fixture, tdb_fixture  # noqa: F401
from remote_pg import (
    TeamDb,
    drop_team_db,
    grants_sql,
    make_team_db,
    need_binaries,
    short_tmp,
    start_cluster,
)

from evcards.errors import RemoteError
from evcards.remote import remotes, sqlio
from evcards.remote.connect import session
from evcards.remote.migrations import init
from evcards.remote.pull import pull
from evcards.remote.push import push


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO)}


def test_ten_pushes_at_once_lose_nothing(tmp_path: Path, tdb: TeamDb):
    """Ten libraries hold overlapping cards with their own labels and sightings; they push at
    the same moment. Every card ends with every label and every sighting."""
    libs = []
    for i in range(10):
        lib = library(tmp_path, f"lib{i}", tdb)
        with lib.lock():
            for j in range(i, i + 10):
                lib.add(card(j, labels=[f"l{i}"], source=f"lib{i}.docx"))
        libs.append(lib)
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "evcards", "-L", str(lib.root), "push"],
            env=_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for lib in libs
    ]
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
        assert "Warning" not in err
    rows = tdb.sql("SELECT card_id, labels, sources FROM cards")
    assert len(rows) == 19
    z = library(tmp_path, "z", tdb)
    pull(z, remotes.get(z, "squad"))
    for j in range(19):
        have = range(max(0, j - 9), min(j, 9) + 1)  # the libraries that held card j
        c = z.read(z.path_of(card(j).id))  # type: ignore[arg-type]
        assert c.labels == sorted(f"l{i}" for i in have)
        assert sorted(s.file for s in c.sources) == sorted(f"lib{i}.docx" for i in have)


_KILLER = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    from evcards.remote import push as P, remotes, sqlio
    from evcards.store.library import Library

    P.BATCH = 10
    calls = [0]
    real = sqlio.upsert

    def upsert(s, rows, *more):
        out = real(s, rows, *more)  # the batch is written, not yet committed
        calls[0] += 1
        if calls[0] == int(sys.argv[2]):
            os.kill(os.getpid(), signal.SIGKILL)
        return out

    sqlio.upsert = upsert
    lib = Library(Path(sys.argv[1]))
    P.push(lib, remotes.get(lib, None))
    """
)


@pytest.mark.parametrize("killed_in", [1, 2])
def test_a_push_killed_midway_leaves_no_partial_card(tmp_path: Path, tdb: TeamDb, killed_in):
    a = library(tmp_path, "a", tdb)
    with a.lock():
        for i in range(25):
            a.add(card(i))
    proc = subprocess.run(
        [sys.executable, "-c", _KILLER, str(a.root), str(killed_in)],
        env=_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == -9, proc.stderr
    rows = tdb.sql("SELECT card_id, toml, hash FROM cards")
    assert len(rows) == 10 * (killed_in - 1)  # the batches committed before, whole
    from evcards.remote.cardrow import text_hash

    for card_id, toml, digest in rows:
        assert text_hash(toml) == digest and f'id = "{card_id}"' in toml
    r = push(a, remotes.get(a, "squad"))  # the next push completes it
    assert r.sent == 25 - len(rows)  # what was committed (and noted here) is not sent again
    assert tdb.sql("SELECT count(*) FROM cards") == [(25,)]
    b = library(tmp_path, "b", tdb)
    pull(b, remotes.get(b, "squad"))
    assert files(b) == files(a)


def test_the_server_restarted_during_a_pull(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A cluster of the test's own, restarted between two batches of a pull."""
    need_binaries()
    cluster = start_cluster(short_tmp("r"))
    try:
        t = make_team_db(cluster.url)
        with session(remotes.Remote("own", t.url("owner"))) as s:
            init(s)
        for statement in grants_sql(t.suffix):
            t.sql(statement)
        a = library(tmp_path, "a", t)
        with a.lock():
            for i in range(30):
                a.add(card(i))
        push(a, remotes.get(a, "squad"))
        b = library(tmp_path, "b", t)
        real = sqlio.changes
        calls = []

        def changes(*args, **kwargs):
            if len(calls) == 1:
                cluster.stop("fast")
                cluster.start()
            calls.append(1)
            return real(*args, **kwargs)

        monkeypatch.setattr(sqlio, "changes", changes)
        with pytest.raises(RemoteError) as e:
            pull(b, remotes.get(b, "squad"), batch=10)
        assert "connection" in str(e.value) and "run the command again" in str(e.value)
        assert len(files(b)) == 10  # the first batch, whole
        monkeypatch.setattr(sqlio, "changes", real)
        got = pull(b, remotes.get(b, "squad"), batch=10)
        assert got.added == 20  # the rest, not the first ten again
        assert files(b) == files(a)
        drop_team_db(cluster.url, t)
    finally:
        cluster.stop("immediate")
