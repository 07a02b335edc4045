"""Ctrl-C: a command stops, removes what it was half-way through, and says in one line what it
kept (`Interrupted: ...`, exit 130). Real processes get real signals here; the seconds they
take to stop are measured in bench/interrupt_bench.py, not asserted."""

from __future__ import annotations

import http.server
import multiprocessing
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import snapshot
from process_group import HANG_GUARD, group_gone

from evcards import importing
from evcards.cli import app
from evcards.errors import Interrupted
from evcards.store import cardfile
from evcards.store.library import Batch, Library

INTERRUPTED_IMPORT = re.compile(
    r"Interrupted: (\d+) cards? imported before the interrupt; nothing half-written"
)


def _start(args: list[str], library: Path) -> subprocess.Popen[str]:
    """`evcards ARGS` in a session of its own (a terminal's Ctrl-C goes to the whole group)."""
    env = dict(os.environ, EVCARDS_LIBRARY=str(library), EVCARDS_DEBUG="")
    return subprocess.Popen(
        [sys.executable, "-m", "evcards", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def _wait_for(ready, proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + HANG_GUARD
    while not ready():
        assert proc.poll() is None, f"ended before the interrupt: {proc.communicate()}"
        assert time.monotonic() < deadline, "never got going"
        time.sleep(0.005)


def _staged_files(library: Path) -> list[Path]:
    """What is left of staging once the interrupted import and its remover have finished
    (the folder is renamed aside at once and removed by a process of its own)."""
    state = library / ".evcards"
    deadline = time.monotonic() + HANG_GUARD
    while any(state.glob("staging.discarded-*")) and time.monotonic() < deadline:
        time.sleep(0.01)
    return [*state.glob("staging/*"), *state.glob("staging.discarded-*")]


def _card_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*.toml") if ".evcards" not in p.parts and p.name[0] != "."]


@pytest.mark.parametrize("to", ["group", "main"])
def test_ctrl_c_stops_a_folder_import_and_removes_its_staging_files(tmp_path, corpus, to):
    # It exited 130 without a word after up to 2.3 s, leaving 800-1,300 staging files.
    library = tmp_path / "library"
    folder = str(corpus / "docx")
    proc = _start(["import", folder, folder], library)
    staging = library / ".evcards" / "staging"
    _wait_for(lambda: staging.is_dir() and any(staging.iterdir()), proc)  # workers writing
    if to == "group":
        os.killpg(proc.pid, signal.SIGINT)
    else:
        proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=HANG_GUARD)
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    last = err.strip().splitlines()[-1]
    found = INTERRUPTED_IMPORT.fullmatch(last)
    assert found, err
    assert group_gone(proc.pid), "a worker process outlived the import"
    assert not staging.is_dir() or list(staging.iterdir()) == []  # at once
    assert _staged_files(library) == []
    cards = _card_files(library)
    assert len(cards) == int(found.group(1))
    for path in cards:  # whole cards only
        cardfile.read(path)


PASTE = """Tag {n}: the claim
Author {n} (Jo Author, Professor, 2020, "Title {n}," Journal, https://example.org/{n}) ab
Body of card {n} with enough words in it to be a body, number {n}.
"""


def _pasted_files(folder: Path, count: int) -> list[str]:
    folder.mkdir()
    for n in range(count):
        (folder / f"f{n:02}.txt").write_text(PASTE.format(n=n), encoding="utf-8")
    return [str(folder)]


@pytest.mark.parametrize("jobs", [1, 2])
def test_an_interrupted_import_keeps_only_what_was_flushed_and_says_how_many(
    tmp_path, lib, monkeypatch, jobs
):
    # Flush every 3 cards, so that some are stored before Ctrl-C comes after the 8th file.
    monkeypatch.setattr(Batch.__init__, "__defaults__", (3,))
    paths = _pasted_files(tmp_path / "in", 12)
    taken: list[str] = []

    def on_file(path: str) -> None:
        taken.append(path)
        if len(taken) == 8:
            raise KeyboardInterrupt

    with pytest.raises(Interrupted) as e:
        importing.import_paths(lib, paths, on_file=on_file, jobs=jobs)
    assert str(e.value) == "6 cards imported before the interrupt; nothing half-written"
    assert len(_card_files(lib.root)) == 6
    assert _staged_files(lib.root) == []
    assert multiprocessing.active_children() == []
    # What was kept is whole, and importing again adds the rest.
    summary = importing.import_paths(lib, paths, jobs=jobs)
    assert (summary.cards, summary.failed) == (6, 0)


def test_ctrl_c_in_index_rebuild_says_the_old_index_stays(runner, lib, monkeypatch):
    from evcards.index import build

    def interrupted(root, **options):
        raise KeyboardInterrupt

    monkeypatch.setattr(build, "rebuild", interrupted)
    result = runner.invoke(app, ["index", "rebuild"])
    assert result.exit_code == 130
    assert result.stderr.startswith("Interrupted: the index was not rebuilt; the old one stays")
    assert len(result.stderr.splitlines()) == 1


def test_ctrl_c_elsewhere_is_one_line_and_exit_130(runner, lib, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(Library, "paths", interrupted)
    result = runner.invoke(app, ["export"])
    assert result.exit_code == 130
    assert result.stderr == "Interrupted: stopped before the end; no file was left half-written\n"


class _Hanging(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        self.server.asked.set()  # type: ignore[attr-defined]
        self.server.release.wait(HANG_GUARD)  # type: ignore[attr-defined]


@pytest.fixture
def hanging_server():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Hanging)
    server.asked = threading.Event()  # type: ignore[attr-defined]
    server.release = threading.Event()  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.release.set()  # type: ignore[attr-defined]
    server.shutdown()
    server.server_close()


def test_ctrl_c_while_cut_fetches_a_page_saves_nothing(tmp_path, lib, hanging_server):
    url = f"http://127.0.0.1:{hanging_server.server_address[1]}/slow-page"
    before = snapshot(lib.root)
    proc = _start(["cut", url, "--no-edit", "-t", "Tag", "--timeout", "50"], lib.root)
    _wait_for(hanging_server.asked.is_set, proc)
    proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=HANG_GUARD)
    assert proc.returncode == 130
    assert err == f"Interrupted: stopped reading {url}; nothing was saved\n"
    assert snapshot(lib.root) == before


def test_ctrl_c_inside_a_string_of_code_still_exits_130(tmp_path):
    """A Ctrl-C that lands in an `exec` of a string (dataclasses and namedtuples build their
    methods so while a module imports) is marked unhandled by CPython even once caught, and
    `python -m` then died by SIGINT (-2) after printing the line. Raised there on purpose."""
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(
        "import evcards.collections.manage as manage\n"
        "def _ctrl_c(*args, **kwargs):\n"
        "    exec('raise KeyboardInterrupt')\n"
        "manage.list_collections = _ctrl_c\n"
    )
    env = dict(os.environ, PYTHONPATH=str(hook), EVCARDS_DEBUG="")
    done = subprocess.run(
        [sys.executable, "-m", "evcards", "collection", "list"],
        env=env,
        capture_output=True,
        text=True,
        timeout=HANG_GUARD,
    )
    assert done.returncode == 130, done
    assert done.stderr.startswith("Interrupted: "), done.stderr
    assert "Traceback" not in done.stderr
