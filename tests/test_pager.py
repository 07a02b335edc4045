"""`show` pages a card longer than the screen, on a terminal only (cli/pager.py)."""

from __future__ import annotations

import io
import re

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


@pytest.fixture
def terminal(monkeypatch):
    """stdout as `pager.show` sees it: a terminal, whatever the test runner captures."""
    out = _Terminal()
    monkeypatch.setattr(pager, "sys", type("Sys", (), {"stdout": out}))
    return out


def _fill(lib, n: int) -> None:
    for i in range(n):
        lib.write(new_card(tag=f"tag {i}", body=parse(f"=={{cyan}}word {i}==")))


@pytest.mark.parametrize(
    ("command", "footer"),
    [(["list", "-n", "30"], "30 of 40 cards"), (["stats", "-n", "30"], "Rows for 30 of 40")],
)
def test_list_and_stats_page_as_show_does(
    runner, lib, runs, terminal, monkeypatch, command, footer
):
    _fill(lib, 40)
    monkeypatch.setenv("LINES", "10")
    result = runner.invoke(app, command)
    assert result.exit_code == 0, result.output
    [(program, text, _)] = runs  # one pager, given the table and the line after it
    assert program == ["less"] and footer in text and len(re.findall(r"tag \d", text)) == 30
    assert result.stdout == "" and terminal.getvalue() == ""
    for options, env in (["--no-pager"], {}), ([], {"PAGER": "cat"}):
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        result = runner.invoke(app, [*command, *options])
        assert result.exit_code == 0, result.output
        assert len(runs) == 1 and terminal.getvalue().count(footer) == 1
        terminal.seek(0)
        terminal.truncate()


@pytest.mark.parametrize("command", [["list"], ["stats", "--all"]])
def test_list_and_stats_piped_never_page(runner, lib, runs, monkeypatch, command):
    _fill(lib, 40)
    monkeypatch.setenv("LINES", "10")
    result = runner.invoke(app, command)
    assert result.exit_code == 0, result.output
    assert len(re.findall(r"tag \d", result.stdout)) == 40 and runs == []
