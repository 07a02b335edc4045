"""Docs that cannot drift: every command has help and is in the README."""

from __future__ import annotations

import pytest
import typer.main
from conftest import REPO

from evcards.cli import app


def command_names() -> list[str]:
    # Through Click's list_commands/get_command, as help and completion see them: the group
    # loads its commands lazily, so its `.commands` holds only those loaded so far.
    group = typer.main.get_command(app)
    ctx = group.make_context("evcards", [], resilient_parsing=True)
    names = []
    for name in group.list_commands(ctx):  # type: ignore[attr-defined]
        cmd = group.get_command(ctx, name)  # type: ignore[attr-defined]
        subs = getattr(cmd, "commands", None)
        names.extend(f"{name} {sub}" for sub in subs) if subs else names.append(name)
    return sorted(names)


def test_all_commands_are_there():
    assert {
        "show",
        "list",
        "add",
        "edit",
        "tag",
        "rm",
        "import",
        "cut",
        "fix",
        "search",
        "index rebuild",
        "index status",
        "export",
        "stats",
    } <= set(command_names())


@pytest.mark.parametrize("name", command_names())
def test_command_has_help_and_is_documented(runner, name):
    result = runner.invoke(app, [*name.split(), "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    first = name.split()[0]
    assert f"evcards {first}" in readme, f"`evcards {first}` is not in README.md"
