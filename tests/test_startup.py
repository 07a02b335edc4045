"""Commands load lazily (see COMMANDS in evcards/cli/app.py); nothing may go missing for it."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest
import typer.main
from conftest import REPO

from evcards.cli import app
from evcards.cli.app import COMMANDS


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "EVCARDS_LIBRARY": str(REPO / "cards"), "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "evcards", *args], capture_output=True, text=True, env=env
    )


def test_commands_lists_every_registered_command():
    """A command registered on `app` but left out of COMMANDS would be missing from help."""
    for module in set(COMMANDS.values()):
        __import__(f"evcards.cli.{module}")
    assert set(typer.main.get_group(app).commands) == set(COMMANDS)  # order: in a fresh process


def test_help_in_a_fresh_process_lists_every_command_in_order():
    result = _run("--help")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.split("Commands:")[1].splitlines()
    assert [line.split()[0] for line in lines if line.startswith("  ")] == list(COMMANDS)


@pytest.mark.parametrize("name", list(COMMANDS))
def test_each_command_help_works_in_a_fresh_process(name):
    result = _run(name, "--help")
    assert result.returncode == 0, result.stderr
    assert f"Usage: evcards {name}" in result.stdout


@pytest.mark.parametrize(
    ("name", "modules"),
    [("search", {"search", "filters"}), ("stats", {"export", "output"}), ("cut", {"cut"})],
)
def test_a_command_loads_only_its_own_module(name, modules):
    code = textwrap.dedent(
        f"""
        import sys
        sys.argv = ["evcards", {name!r}, "--help"]
        from evcards.cli import main
        try:
            main()
        except SystemExit:
            pass
        print(",".join(m for m in sys.modules if m.startswith("evcards.cli.")), file=sys.stderr)
        """
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    loaded = set(proc.stderr.strip().splitlines()[-1].split(","))
    assert loaded == {f"evcards.cli.{m}" for m in {"app", *modules}}


def test_a_mistyped_command_still_gets_a_suggestion():
    result = _run("serch", "alliance")
    assert result.returncode == 2
    assert "No such command 'serch'. Did you mean 'search'" in result.stderr


def test_no_arguments_shows_help_with_every_command():
    result = _run()
    assert "Commands:" in result.stdout + result.stderr
    assert all(name in result.stdout + result.stderr for name in COMMANDS)


def test_completion_sees_every_command_and_option():
    group = typer.main.get_command(app)
    ctx = group.make_context("evcards", [], resilient_parsing=True)
    names = [item.value for item in group.shell_complete(ctx, "s")]
    assert names == ["show", "stats", "speech", "search"]
    search = group.get_command(ctx, "search")  # type: ignore[attr-defined]
    sub = search.make_context("search", [], parent=ctx, resilient_parsing=True)
    assert [item.value for item in search.shell_complete(sub, "--li")] == ["--limit"]


LIGHT = ("pydantic", "lxml", "docx", "trafilatura", "zstandard", "pyarrow")


@pytest.mark.parametrize(
    "args",
    [
        ["list", "-n", "20"],
        ["list", "--sort", "tag", "--json"],
        ["stats"],
        ["stats", "-l", "neg", "--json"],
        ["show", "62e6"],  # found by prefix in the catalog, read and drawn without the model
        ["show", "0123a"],  # an id no card has
        ["search", "alliance"],
    ],
)
def test_reading_commands_load_no_pydantic(tmp_path, args):
    """`list`, `stats`, `show` and `search` read the config (here one with every setting)
    and the index without the models: pydantic alone cost about 100 ms of start-up."""
    import shutil

    library = tmp_path / "cards"
    shutil.copytree(REPO / "cards", library, ignore=shutil.ignore_patterns(".evcards"))
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.toml").write_text(
        'initials = "ank"\nwpm = 300\nhighlight = "cyan"\ncite_format = "two-line"\n'
    )
    code = textwrap.dedent(
        f"""
        import sys
        sys.argv = ["evcards", *{args!r}]
        from evcards.__main__ import main
        try:
            main()
        except SystemExit:
            pass
        print("LOADED", ",".join(sorted(sys.modules)), file=sys.stderr)
        """
    )
    env = {**os.environ, "EVCARDS_LIBRARY": str(library), "EVCARDS_HOME": str(home)}
    subprocess.run([sys.executable, "-m", "evcards", "list"], env=env, check=True)  # the index
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    loaded = set(proc.stderr.rsplit("LOADED ", 1)[1].strip().split(","))
    # a search's snippets decompress the stored text (index.fulltext.packed): 1.2 ms of import
    light = [m for m in LIGHT if m != "zstandard" or args[0] != "search"]
    assert not {m for m in loaded if m.split(".")[0] in light}, proc.stderr
    assert "evcards.core.models" not in loaded
    if args[0] == "search":  # the cuts' keys hash with _blake2: hashlib would load OpenSSL
        assert "_hashlib" not in loaded, proc.stderr
    if args[0] == "show" and args[1] == "62e6":
        assert "Meick 18" in proc.stdout and "300 wpm" in proc.stdout
    if args[0] == "stats" and "--json" in args:
        assert '"wpm": 300' in proc.stdout


@pytest.mark.parametrize(
    "args", [["--help"], ["search", "alliance"], ["list", "--json"], ["mark", "--help"]]
)
def test_textual_loads_only_when_a_full_screen_runs(args):
    """Textual (about 0.2 s to import) is for `mark`'s screen alone: not for help, search, list,
    nor `mark --help`."""
    code = textwrap.dedent(
        f"""
        import sys
        sys.argv = ["evcards", *{args!r}]
        from evcards.cli import main
        try:
            main()
        except SystemExit:
            pass
        print(",".join(m for m in sys.modules if m.split(".")[0] in ("textual", "evcards")),
              file=sys.stderr)
        """
    )
    env = {**os.environ, "EVCARDS_LIBRARY": str(REPO / "cards")}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    loaded = set(proc.stderr.strip().splitlines()[-1].split(","))
    assert "evcards.cli.app" in loaded  # the probe ran the command
    assert not {m for m in loaded if m.split(".")[0] == "textual" or m.startswith("evcards.tui")}
