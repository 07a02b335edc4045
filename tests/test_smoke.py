"""Docs that cannot drift: every command has help and is in the README."""

from __future__ import annotations

import pytest
import typer.main
from conftest import REPO

from evcards.cli import app


def command_names() -> list[str]:
    group = typer.main.get_command(app)
    names = []
    for name, cmd in group.commands.items():  # type: ignore[attr-defined]
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
