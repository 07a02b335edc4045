"""A collection build killed (SIGKILL) or interrupted (Ctrl-C) half-way leaves the previous
collection in use and searchable, and no partial files in use. Real processes, real signals."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from collection_data import ode_rows, write_csv
from process_group import HANG_GUARD, group_gone

from evcards.collections import building, manage, places
from evcards.collections.feed import PARALLEL_MIN
from evcards.collections.searching import search_all


@pytest.fixture
def previous(tmp_path):
    """A built collection `ode` of the 7 bundled cards, and a big file to rebuild it from."""
    building.build("ode", [write_csv(tmp_path / "small.csv", ode_rows())])
    big = write_csv(tmp_path / "big.csv", ode_rows(3000))
    assert big.stat().st_size > PARALLEL_MIN  # built through the row producer
    return big


def _start(tmp_path: Path, source: Path) -> subprocess.Popen[str]:
    env = dict(os.environ, EVCARDS_DEBUG="")
    return subprocess.Popen(
        [sys.executable, "-m", "evcards", "collection", "add", "ode", str(source)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def _building(proc: subprocess.Popen[str]) -> Path:
    """The build folder of `proc` once it holds rows in its catalog."""
    here = places.root() / "ode"
    name = f"{places.BUILD_PREFIX}{proc.pid}-"
    deadline = time.monotonic() + HANG_GUARD
    while True:
        assert proc.poll() is None, f"ended before the signal: {proc.communicate()}"
        assert time.monotonic() < deadline, "never got going"
        found = [p for p in here.iterdir() if p.name.startswith(name)]
        if found and any(found[0].glob("fulltext-*")):
            time.sleep(0.3)  # some rows in
            return found[0]
        time.sleep(0.01)


def _still_the_previous(tmp_path: Path) -> None:
    listed = manage.list_collections()
    assert [(c.name, c.cards) for c in listed] == [("ode", 7)]
    hits = search_all(tmp_path / "library", "alliance", where=["ode"])
    assert hits and all(h.path.startswith("small.csv:") for h in hits)


def test_sigkill_during_a_build_leaves_the_previous_collection(tmp_path, previous):
    before = places.current("ode")
    proc = _start(tmp_path, previous)
    aside = _building(proc)
    proc.kill()
    proc.wait(HANG_GUARD)
    assert group_gone(proc.pid)  # its row producer stops too, finding its writer gone
    assert places.current("ode") == before
    _still_the_previous(tmp_path)  # and the listing swept the dead build's folder
    assert not aside.exists()
    assert sorted(p.name for p in (places.root() / "ode").iterdir()) == sorted(
        [places.CURRENT, before.name]  # type: ignore[union-attr]
    )


def test_ctrl_c_during_a_build_says_so_and_leaves_nothing(tmp_path, previous):
    before = places.current("ode")
    proc = _start(tmp_path, previous)
    aside = _building(proc)
    os.killpg(proc.pid, signal.SIGINT)  # a terminal's Ctrl-C goes to the whole group
    out, err = proc.communicate(timeout=HANG_GUARD)
    assert proc.returncode == 130, (out, err)
    assert err.startswith("Interrupted: the collection was not changed")
    assert "Traceback" not in err
    assert not aside.exists()
    assert places.current("ode") == before
    _still_the_previous(tmp_path)
