"""The library stays readable: small modules, short functions, low branching (issue 11).

Numbers from docs/ARCHITECTURE.md: no module over 500 lines, no function over 60 lines, no
function above radon's cyclomatic complexity 15. A function that needs more is a sign that it
holds several steps, each of which wants a name.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from conftest import REPO
from radon.complexity import cc_visit

MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 60
MAX_COMPLEXITY = 15

SOURCES = sorted((REPO / "evcards").rglob("*.py"))


def _id(path: Path) -> str:
    return str(path.relative_to(REPO))


def long_functions(source: str) -> list[str]:
    """Functions (methods included) whose body is longer than the limit. The signature and
    docstring are not counted: a Typer command declares each option in its signature."""
    out = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if len(body) > 1 and isinstance(body[0], ast.Expr):
                if isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
                    body = body[1:]
            length = (node.end_lineno or node.lineno) - body[0].lineno + 1
            if length > MAX_FUNCTION_LINES:
                out.append(f"{node.name} (line {node.lineno}): {length} lines")
    return out


def complex_functions(source: str) -> list[str]:
    """Functions and methods above the complexity limit (radon lists a method both on its
    own and under its class: each is named once)."""
    found = {
        f"{b.name} (line {b.lineno}): complexity {b.complexity}": None
        for block in cc_visit(source)
        for b in [block, *getattr(block, "methods", [])]
        if b.complexity > MAX_COMPLEXITY and not hasattr(b, "methods")
    }
    return list(found)


@pytest.mark.parametrize("path", SOURCES, ids=_id)
def test_module_is_small(path: Path) -> None:
    lines = len(path.read_text().splitlines())
    assert lines <= MAX_MODULE_LINES, f"{_id(path)} has {lines} lines"


@pytest.mark.parametrize("path", SOURCES, ids=_id)
def test_functions_are_short_and_simple(path: Path) -> None:
    source = path.read_text()
    found = long_functions(source) + complex_functions(source)
    assert not found, f"{_id(path)}: " + "; ".join(found)


def test_the_checks_see_a_long_branchy_function() -> None:
    branches = "".join(f"    if x == {i}:\n        return {i}\n" for i in range(40))
    source = f"class C:\n    def f(self, x):\n{branches.replace('    ', '        ')}"
    assert complex_functions(source) == ["f (line 2): complexity 41"]
    assert long_functions(source) == ["f (line 2): 80 lines"]
