"""Search queries made of special characters (FTS5's and tantivy's): never a traceback, never
a changed library.

In the default mode every query either finds cards or finds none (exit 0); in --raw mode a
query tantivy's parser rejects is one `Error:` line, exit 1. Runs through the CLI in-process for speed,
plus a subprocess sample under the harness limits.
"""

from __future__ import annotations

import json

import pytest
from budget import examples
from conftest import snapshot
from harness import assert_clean_failure, evcards
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evcards.cli import app
from evcards.core.markup import parse
from evcards.core.models import new_card
from evcards.store.library import Library

SPECIAL = [
    '"',
    "'",
    "*",
    "^",
    ":",
    "(",
    ")",
    "-",
    "+",
    "NEAR",
    "AND",
    "OR",
    "NOT",
    "{",
    "}",
    "[",
    "]",
    ",",
    ".",
    "/",
    "\\",
    "%",
    "_",
    "\x00",
    "\t",
    "…",
    "¶",
    "中",
]


@pytest.fixture
def filled(tmp_path):
    lib = Library.open(tmp_path / "library", create=True)
    lib.add(
        new_card(
            tag="Nuclear war: don't risk it",
            cite={"short": "Doe 20"},
            body=parse("The _==risk of nuclear war==_ is (still) real: 50% NOT zero."),
        )
    )
    return lib


QUERIES = [
    '"',
    '""',
    '"unclosed',
    "*",
    "**",
    "^war",
    "tag:war",
    "(war",
    "war)",
    "NOT",
    "AND OR",
    "war NOT",
    "NOT war",
    "NEAR(war risk)",
    "-war",
    "+war",
    "don't",
    "50%",
    "{war}",
    "war*risk",
    "\\",
    "…",
    "¶",
    "中",
    "a" * 5000,
    " ".join(SPECIAL),
    "'; DROP TABLE cards;--",
    "war\x00risk",
    "\t",
    "",
    "   ",
]


@pytest.mark.parametrize("query", QUERIES, ids=range(len(QUERIES)))
def test_default_mode_never_fails(runner, filled, query):
    before = snapshot(filled.root)
    result = runner.invoke(app, ["search", query, "--json"])
    assert result.exit_code in (0, 2), result.output  # 2: an empty query with no filters
    if result.exit_code == 0:
        json.loads(result.stdout)
    else:
        assert "Traceback" not in result.output
    assert snapshot(filled.root) == before


RAW_BAD = [
    '"',
    "(war",
    "war)",
    "NOT",
    "AND",
    "tag:",
    "nosuchcolumn:war",
    "NEAR(",
    "^",
    "war AND",
    "tag:[a TO",
    "war^",
    "body:/wa.*/",  # regexes are not allowed
    "year:soon",
]


@pytest.mark.parametrize("query", RAW_BAD, ids=range(len(RAW_BAD)))
def test_raw_mode_errors_are_clean(runner, filled, query):
    before = snapshot(filled.root)
    result = runner.invoke(app, ["search", "--raw", query])
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("Error: bad search query"), result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert snapshot(filled.root) == before


def test_nul_in_a_filter(runner, filled):
    result = runner.invoke(app, ["search", "--tag", "war\x00", "--json"])
    assert result.exit_code == 0, result.output


def test_raw_mode_valid_syntax_works(runner, filled):
    result = runner.invoke(app, ["search", "--raw", 'tag:nuclear AND body:"risk war"~2', "--json"])
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)) == 1


@settings(
    max_examples=examples(300),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    st.lists(st.sampled_from(SPECIAL + ["war", "risk", "nuclear"]), max_size=8).map(" ".join)
    | st.text(max_size=40)
)
def test_query_fuzz(runner, filled, query):
    result = runner.invoke(app, ["search", query, "--json"])
    assert result.exit_code in (0, 2), (query, result.output)
    raw = runner.invoke(app, ["search", "--raw", query, "--json"])
    assert raw.exit_code in (0, 1, 2), (query, raw.output)
    if raw.exit_code == 1:
        assert raw.stderr.startswith("Error: ")


def test_query_in_a_subprocess_under_limits(filled):
    out = evcards("search", "--raw", '"unbalanced', library=filled.root)
    assert_clean_failure(out, "bad search query")
    argv_safe = [c for c in SPECIAL if c != "\x00"]  # argv cannot carry a NUL
    out = evcards("search", " ".join(argv_safe), "--tag", "(war", library=filled.root)
    assert out.code == 0, out.stderr


def test_corrupt_index_is_rebuilt_not_a_crash(filled):
    assert evcards("search", "war", library=filled.root).code == 0
    index = filled.root / ".evcards" / "index.sqlite"
    index.write_bytes(b"\x00garbage" * 1000)
    out = evcards("search", "nuclear", "--json", library=filled.root)
    assert out.code == 0, out.stderr
    assert len(json.loads(out.stdout)) == 1
