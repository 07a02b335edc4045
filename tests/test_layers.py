"""The import rules that keep each folder of evcards one layer (docs/ARCHITECTURE.md).

Every import in the package is read from the source (module level and inside functions
alike, since lazy imports are still dependencies), and each must go to a layer its own layer
may use. Typer, Rich and Textual are the terminal's business: only cli/ and tui/ import them;
nobody imports click, whose copy Typer ships itself. tui/ draws a card as `show` does, so it
may import cli/render.py (Rich styles over the core model, no Typer) and nothing else of cli/.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from conftest import REPO

PACKAGE = REPO / "evcards"

BASE = {"evcards", "evcards.errors", "evcards.limits", "evcards.pools"}
USE_CASES = {
    "evcards.cards",
    "evcards.importing",
    "evcards.exporting",
    "evcards.library_rows",
    "evcards.cutting",
    "evcards.fixing",
    "evcards.stats",
    "evcards.showing",
    "evcards.speeches",
    "evcards.speechdoc",
}
# What each layer may import, besides itself.
MAY_USE = {
    "base": set(),
    "core": {"base"},
    "config": {"base", "core"},
    "formats": {"base", "core"},
    "store": {"base", "core", "config"},
    "index": {"base", "core", "store"},
    "remote": {"base", "core", "config", "store", "index"},
    "collections": {"base", "core", "config", "formats", "store", "index"},
    "use cases": {"base", "core", "config", "formats", "store", "index", "collections"},
    "cli": {
        "base",
        "core",
        "config",
        "formats",
        "store",
        "index",
        "remote",
        "collections",
        "use cases",
        "render",
        "tui",
    },
    "tui": {
        "base",
        "core",
        "config",
        "formats",
        "store",
        "index",
        "collections",
        "use cases",
        "render",
    },
    "render": {
        "base",
        "core",
        "config",
        "store",
        "index",
        "use cases",
    },  # showing: a card as show prints it
}
# The one module of cli/ that tui/ shares: how a card looks in a terminal.
RENDER = "evcards.cli.render"
TERMINAL = {"typer", "rich", "textual"}


def layer(module: str) -> str:
    if module in BASE:
        return "base"
    if module == "evcards.config":
        return "config"
    if module in USE_CASES:
        return "use cases"
    if module == RENDER:
        return "render"
    if module == "evcards.__main__":
        return "cli"
    parts = module.split(".")
    if len(parts) > 2 and parts[1] in MAY_USE:
        return parts[1]
    if len(parts) == 2 and parts[1] in MAY_USE:  # a package's own __init__
        return parts[1]
    raise AssertionError(f"{module} belongs to no layer: add it to tests/test_layers.py")


def module_name(path: Path) -> str:
    rel = path.relative_to(REPO).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(path: Path, module: str | None = None) -> list[tuple[int, str]]:
    """(line, module) of every import in a file, relative ones resolved."""
    tree = ast.parse(path.read_text(), str(path))
    here = (module or module_name(path)).split(".")
    package = here if path.name == "__init__.py" else here[:-1]
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package[: len(package) - node.level + 1] + ([base] if base else []))
            # `from evcards.store import cardfile` imports a module, `from evcards.store.cardfile
            # import dumps` a name: `own` finds the module either way
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
    return found


def own(module: str) -> str:
    """An imported evcards name as the module it lives in (`evcards.x.y.func` -> module)."""
    parts = module.split(".")
    while parts and not (
        (PACKAGE.parent / Path(*parts)).with_suffix(".py").is_file()
        or (PACKAGE.parent / Path(*parts) / "__init__.py").is_file()
    ):
        parts.pop()
    return ".".join(parts)


SOURCES = sorted(PACKAGE.rglob("*.py"))


def violations(path: Path, module: str | None = None) -> list[str]:
    mine = layer(module or module_name(path))
    wrong = []
    for line, name in imports(path, module):
        top = name.split(".")[0]
        if top == "click":
            wrong.append(f"line {line}: click (Typer ships its own; import typer)")
        elif top in TERMINAL and mine not in ("cli", "tui", "render"):
            wrong.append(f"line {line}: {name} (only cli/ and tui/ import {top})")
        elif top == "evcards":
            theirs = layer(own(name))
            if theirs != mine and theirs not in MAY_USE[mine]:
                wrong.append(f"line {line}: {name} ({mine} may not import {theirs})")
    return wrong


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(REPO)))
def test_each_module_imports_only_the_layers_below(path: Path) -> None:
    wrong = violations(path)
    assert not wrong, f"{path.relative_to(REPO)}: " + "; ".join(wrong)


def test_every_module_has_a_layer() -> None:
    assert {layer(module_name(p)) for p in SOURCES} <= set(MAY_USE)


def test_the_rules_catch_a_wrong_import(tmp_path: Path) -> None:
    """The checker itself: a core module importing the store or Rich, lazily, is caught."""
    probe = tmp_path / "probe.py"
    probe.write_text("def f():\n    from evcards.store import cardfile\n    from . import x\n")
    assert violations(probe, "evcards.core.probe") == [
        "line 2: evcards.store.cardfile (core may not import store)"
    ]
    probe.write_text("import rich.text\nimport click\n")
    assert len(violations(probe, "evcards.index.probe")) == 2
    assert violations(probe, "evcards.cli.probe") == [
        "line 2: click (Typer ships its own; import typer)"
    ]
    probe.write_text("def f():\n    from evcards.store import cardfile\n    from . import x\n")
    probe.write_text("from evcards.cli.render import span_style\nfrom evcards.cli import app\n")
    assert violations(probe, "evcards.tui.probe") == [
        "line 2: evcards.cli.app (tui may not import cli)"
    ]
    probe.write_text("def f():\n    from evcards.store import cardfile\n    from . import x\n")
    assert imports(probe, "evcards.core.probe") == [
        (2, "evcards.store.cardfile"),
        (3, "evcards.core.x"),
    ]
