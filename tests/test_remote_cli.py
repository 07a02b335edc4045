"""The remote commands through the CLI: one Error line for each thing a user can get wrong,
no psycopg for commands that do not talk to a server, and the URL and row rules."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import REPO
from remote_fixtures import card, library, pg_url_fixture, tdb_fixture  # noqa: F401
from remote_pg import TeamDb, drop_team_db, make_team_db
from typer.testing import CliRunner

from evcards.cli import app
from evcards.errors import RemoteError
from evcards.remote.url import NO_PASSWORD, check_url
from evcards.store.library import Library


def _one_error(result, *words: str) -> str:
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    for w in words:
        assert w in lines[0]
    return lines[0]


@pytest.mark.parametrize(
    "url",
    ["postgresql://u:secret@db/x", "postgresql://u@db/x?password=secret"],
)
def test_a_url_with_a_password_is_refused(url):
    with pytest.raises(RemoteError) as e:
        check_url(url)
    assert str(e.value) == NO_PASSWORD


@pytest.mark.parametrize(
    "url", ["mysql://u@db/x", "postgresql://u@db/x?sslmode=sometimes", "postgresql://u@db:99999/x"]
)
def test_a_bad_url_is_refused(url):
    with pytest.raises(RemoteError):
        check_url(url)


def test_remote_add_list_rm(tmp_path: Path):
    runner = CliRunner()
    root = str(tmp_path / "lib")
    url = "postgresql://alice@db.example.org/evidence?sslmode=verify-full"
    r = runner.invoke(app, ["-L", root, "remote", "add", "squad", url, "--team", "lincoln"])
    assert r.exit_code == 0, r.output
    assert "version = 1" in (tmp_path / "lib" / ".evcards.toml").read_text()
    r = runner.invoke(app, ["-L", root, "remote", "list"])
    assert r.stdout.split() == ["squad", url, "(team", "lincoln)"]
    _one_error(runner.invoke(app, ["-L", root, "remote", "add", "squad", url]), "exists")
    bad = "postgresql://alice:pw@db/evidence"
    _one_error(runner.invoke(app, ["-L", root, "remote", "add", "x", bad]), "PGPASSWORD")
    assert "pw" not in (tmp_path / "lib" / ".evcards.toml").read_text()
    assert runner.invoke(app, ["-L", root, "remote", "rm", "squad"]).exit_code == 0
    assert runner.invoke(app, ["-L", root, "remote", "list"]).stdout == ""
    _one_error(runner.invoke(app, ["-L", root, "pull"]), "no remote")


def test_an_unreachable_server_is_one_error(tmp_path: Path):
    runner = CliRunner()
    root = str(tmp_path / "lib")
    url = f"postgresql://alice@/x?host={tmp_path}/nowhere"
    assert runner.invoke(app, ["-L", root, "remote", "add", "squad", url]).exit_code == 0
    for args in (["pull"], ["push"], ["remote", "status"], ["search", "x", "--remote", "squad"]):
        _one_error(runner.invoke(app, ["-L", root, *args]), "cannot connect to remote 'squad'")


@pytest.fixture
def bare(pg_url: str) -> Iterator[TeamDb]:
    """A database evcards never ran `init` on."""
    t = make_team_db(pg_url)
    yield t
    drop_team_db(pg_url, t)


def test_no_schema_says_to_run_init_and_init_needs_a_role_that_may(tmp_path: Path, bare):
    runner = CliRunner()
    lib = library(tmp_path, "a", bare)
    root = str(lib.root)
    _one_error(runner.invoke(app, ["-L", root, "pull"]), "evcards remote init squad")
    _one_error(
        runner.invoke(app, ["-L", root, "remote", "init"]),
        "may not create tables",
        f"alice_{bare.suffix}",
    )
    with lib.lock():
        from evcards.remote import remotes

        remotes.add(lib, "own", bare.url("owner"))
    r = runner.invoke(app, ["-L", root, "remote", "init", "own"])
    from evcards.remote.migrations import VERSION

    assert r.exit_code == 0 and f"schema version 0 -> {VERSION}" in r.stdout, r.output
    r = runner.invoke(app, ["-L", root, "remote", "init", "own"])
    assert "up to date" in r.stdout


def test_push_pull_status_and_search_through_the_cli(tmp_path: Path, tdb: TeamDb):
    runner = CliRunner()
    a = library(tmp_path, "a", tdb)
    with a.lock():
        ids = [a.add(card(i, tag=f"Sanctions fail {i}")).card.id for i in range(3)]
    r = runner.invoke(app, ["-L", str(a.root), "push", ids[0][:6]])  # a card, not a remote
    assert r.exit_code == 0 and "1 cards sent" in r.stdout, r.output
    r = runner.invoke(app, ["-L", str(a.root), "remote", "status"])
    assert "to push: 2 changed here" in r.stdout, r.output
    assert runner.invoke(app, ["-L", str(a.root), "push", "squad"]).exit_code == 0
    c = library(tmp_path, "c", tdb, who="carl")  # read-only
    r = runner.invoke(app, ["-L", str(c.root), "pull"])
    assert r.exit_code == 0 and "3 added" in r.stdout, r.output
    with c.lock():
        c.add(card(9))
    _one_error(
        runner.invoke(app, ["-L", str(c.root), "push"]), f"carl_{tdb.suffix}", "permission denied"
    )
    r = runner.invoke(
        app, ["-L", str(c.root), "search", "sanctions", "--remote", "squad", "--json"]
    )
    assert r.exit_code == 0, r.output
    rows = json.loads(r.stdout)
    assert len(rows) == 3 and {"id", "tag", "snippet", "score", "path"} <= set(rows[0])
    r = runner.invoke(app, ["-L", str(c.root), "search", "sanctions", "--remote", "squad"])
    assert r.exit_code == 0 and "Sanctions fail" in r.stdout


def _modules(*args: str) -> set[str]:
    code = textwrap.dedent(
        f"""
        import sys
        sys.argv = ["evcards", *{list(args)!r}]
        from evcards.cli import main
        try:
            main()
        except SystemExit:
            pass
        print(",".join(sorted(sys.modules)), file=sys.stderr)
        """
    )
    env = {**os.environ, "EVCARDS_LIBRARY": str(REPO / "cards")}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    return set(proc.stderr.strip().splitlines()[-1].split(","))


@pytest.mark.parametrize(
    "args", [("--help",), ("list",), ("search", "deterrence"), ("push", "--help")]
)
def test_commands_that_talk_to_no_server_do_not_load_psycopg(args):
    assert not {m for m in _modules(*args) if m.split(".")[0] == "psycopg"}


def test_row_texts_agree_with_the_card_model(corpus: Path):
    """The row's spoken and body text come from the pairs `loads_marked` gives (one parse);
    they must be what the card model says: on the real debate files' cards (as `dumps`
    writes them) and on the bundled library's files."""
    from evcards.formats.docx.read import parse_docx
    from evcards.remote.cardrow import row_of, row_of_reference
    from evcards.store import cardfile
    from evcards.store.library import file_name

    texts = [p.read_text(encoding="utf-8") for p in Library(REPO / "cards").paths()]
    for path in sorted((corpus / "docx").glob("*.docx"))[:6]:
        texts += [cardfile.dumps(c) for c in parse_docx(path)]
    assert len(texts) > 100
    for text in texts:
        model = cardfile.loads(text)
        row, _ = row_of(text, "card")
        assert row == row_of_reference(text, "card")[0]  # the fast path and its reference
        assert (row.card_id, row.name) == (model.id, file_name(model))
        assert row.spoken == model.spoken, model.id
        assert row.body == model.text, model.id
        assert row.highlighted == model.has_highlight, model.id
        assert row.words_read == model.words_read, model.id
