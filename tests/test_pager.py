"""`show` pages a card longer than the screen, on a terminal only (cli/pager.py)."""

from __future__ import annotations

import io

import pytest

from evcards.cli import app, pager
from evcards.core.markup import parse
from evcards.core.models import new_card


@pytest.mark.parametrize(
    ("is_terminal", "no_pager", "lines", "height", "pages"),
    [
        (True, False, 80, 24, True),
        (True, False, 24, 24, True),  # the last line would push the first off the screen
        (True, False, 10, 24, False),
        (True, True, 80, 24, False),  # --no-pager
        (False, False, 80, 24, False),  # piped or redirected
    ],
)
def test_the_pager_decision(is_terminal, no_pager, lines, height, pages):
    assert (
        pager.wants_pager(is_terminal=is_terminal, no_pager=no_pager, lines=lines, height=height)
        is pages
    )


def test_the_pager_program():
    has = {"less": "/usr/bin/less", "more": "/bin/more"}.get
    assert pager.pager_command({}, has) == ["less"]
    assert pager.pager_command({}, {"more": "/bin/more"}.get) == ["more"]
    assert pager.pager_command({}, {}.get) is None
    assert pager.pager_command({"PAGER": "most -s"}, has) == ["most", "-s"]
    assert pager.pager_command({"PAGER": "cat"}, has) is None
    assert pager.pager_command({"PAGER": ""}, has) is None


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def runs(monkeypatch):
    """The pager programs `pager.show` runs, with what they were given."""
    calls: list[tuple[list[str], str, str]] = []

    def run(command, input, text, env, check):
        calls.append((command, input, env["LESS"]))

    monkeypatch.setattr(pager.subprocess, "run", run)
    monkeypatch.setattr(pager.shutil, "which", {"less": "/usr/bin/less"}.get)
    monkeypatch.delenv("PAGER", raising=False)
    monkeypatch.delenv("LESS", raising=False)
    return calls


def test_a_long_text_on_a_terminal_goes_through_less(runs, monkeypatch):
    out = _Terminal()
    monkeypatch.setattr(pager.sys, "stdout", out)
    text = "line\n" * 30
    pager.show(text, no_pager=False, height=24)
    assert runs == [(["less"], text, "FRX")] and out.getvalue() == ""
    pager.show(text, no_pager=True, height=24)
    pager.show("line\n" * 3, no_pager=False, height=24)
    monkeypatch.setenv("PAGER", "cat")
    pager.show(text, no_pager=False, height=24)
    assert len(runs) == 1
    assert out.getvalue() == text + "line\n" * 3 + text
    monkeypatch.setenv("PAGER", "most")
    monkeypatch.setenv("LESS", "R")
    pager.show(text, no_pager=False, height=24)
    assert runs[-1] == (["most"], text, "R")


@pytest.mark.parametrize("options", [[], ["--no-pager"]])
def test_show_piped_never_pages(runner, lib, runs, monkeypatch, options):
    monkeypatch.setenv("FORCE_COLOR", "1")  # colours forced: still not a terminal to page on
    monkeypatch.setenv("LINES", "5")
    card = new_card(tag="Long", body=parse("\n\n".join(f"paragraph {i}" for i in range(60))))
    lib.write(card)
    result = runner.invoke(app, ["show", card.id[:6], *options])
    assert result.exit_code == 0, result.output
    assert "paragraph 59" in result.stdout
    assert runs == []
