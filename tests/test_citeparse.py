"""The cite parser: real cites read field by field, the no-loss invariant on any text, and
every cite of the corpus parsed without an error."""

from __future__ import annotations

import gzip
import json
import tomllib
from pathlib import Path
from typing import Any

import pytest
from budget import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from evcards.core.citeparse import (
    SEPARATORS,
    SPAN_LABELS,
    ParsedCite,
    parse_cite,
    parse_cite_runs,
)
from evcards.core.syntax import CITE_FIELDS

CASES = tomllib.loads((Path(__file__).parent / "data" / "cites.toml").read_text())["case"]
_SIMPLE = ("short", "speech", "title", "publication", "url", "accessed", "initials", "quals")


def check_lossless(p: ParsedCite) -> None:
    """The spans do not overlap, each lies in the text, and only separators lie outside them;
    every field's words come from the text."""
    covered = [False] * len(p.text)
    for label, a, b in p.spans:
        assert label in SPAN_LABELS
        assert 0 <= a < b <= len(p.text), (label, a, b)
        assert not any(covered[a:b]), f"{label} {a}:{b} overlaps"
        covered[a:b] = [True] * (b - a)
    lost = [c for c, cov in zip(p.text, covered, strict=True) if not cov and c not in SEPARATORS]
    assert not lost, f"characters outside every span: {''.join(lost)!r}"
    words = set(p.text.split()) | {w.strip("".join(SEPARATORS)) for w in p.text.split()}
    for name in p.authors:
        for w in name.split():
            assert any(w in x for x in words), (w, p.text)
    for f in ("title", "publication", "url", "accessed", "initials"):
        value = getattr(p, f)
        if value is not None:
            assert " ".join(value.split()) in " ".join(p.text.split()), f


def _check(case: dict[str, Any]) -> None:
    p = parse_cite(case["text"])
    for key in _SIMPLE:
        if key in case:
            assert getattr(p, key) == case[key], (key, p)
    if "authors" in case:
        assert list(p.authors) == case["authors"], p
    if "et_al" in case:
        assert p.et_al == case["et_al"]
    if "date" in case:
        assert p.date is not None and p.date.text == case["date"], p.date
    for key in ("year", "month", "day"):
        if key in case:
            assert p.date is not None and getattr(p.date, key) == case[key], p.date
    if case.get("no_year"):
        assert p.date is not None and p.date.year is None
    check_lossless(p)


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(c, marks=pytest.mark.xfail(reason=c["xfail"], strict=True))
        if "xfail" in c
        else c
        for c in CASES
    ],
    ids=[c["text"][:40] for c in CASES],
)
def test_cite(case: dict[str, Any]) -> None:
    _check(case)


def test_enough_real_cases() -> None:
    real = CASES[: next(i for i, c in enumerate(CASES) if c["text"].startswith("Meick 18 ("))]
    assert len(real) >= 80


def test_cite_fields_map_to_the_model() -> None:
    p = parse_cite(next(c["text"] for c in CASES if c["text"].startswith("Meick, Ethan.")))
    fields = p.cite_fields()
    assert tuple(fields) == CITE_FIELDS
    assert fields["author"] == "Ethan Meick"
    q = parse_cite("Smith et al. 21 (John Smith, Professor)")
    assert q.author == "John Smith et al."
    assert parse_cite("Ikenberry, Brooks, and Wohlforth ‘13").author == (
        "Ikenberry, Brooks, and Wohlforth"
    )


def test_full_is_the_citation_without_the_short_cite() -> None:
    p = parse_cite("Meick 18 (Ethan Meick, Policy Analyst) ank")
    assert p.full == "Ethan Meick, Policy Analyst ank"
    assert parse_cite("Ethan Meick 18, Policy Analyst").full == "Ethan Meick 18, Policy Analyst"


def test_runs_bold_makes_the_short_cite() -> None:
    runs = [("Ethan ", False, False), ("Meick 18", True, True), (", Policy Analyst", False, False)]
    p = parse_cite_runs(runs)
    assert p.short == "Meick 18"
    assert p.authors == ("Ethan Meick",)
    check_lossless(p)


def test_runs_cite_style_with_bold_off_is_not_the_short_cite() -> None:
    runs = [
        ("Brands 22", True, True),
        (", Hal Brands, Professor, ", False, True),  # Cite style, bold switched off
        ("1-2-2022", False, False),
    ]
    p = parse_cite_runs(runs)
    assert p.short == "Brands 22"
    assert p.authors == ("Hal Brands",)
    assert p.date is not None and p.date.year == 2022


def test_runs_without_bold_read_as_text() -> None:
    p = parse_cite_runs([("Meick 18 (Ethan Meick, Analyst)", False, False)])
    assert p.short == "Meick 18"


PIECES = st.sampled_from(
    [
        "Meick",
        "Ethan",
        "18",
        "'18",
        "’19",
        "2K",
        "6/14",
        "9-2-2018",
        "Sept 2, 2018",
        "Summer 2019",
        "(2021)",
        "No Date",
        "n.d.",
        "ND",
        "et al.",
        "&",
        "and",
        "1AC",
        "Professor of Law",
        "(",
        ")",
        "[",
        "]",
        ",",
        ";",
        " – ",
        ":",
        ". ",
        "\n",
        '"',
        "“",
        "”",
        "https://example.org/a_(b)",
        "accessed",
        "DOA",
        "ank",
        "//",
        "*",
        " ",
    ]
)


@settings(max_examples=examples(500), deadline=None)
@given(st.text())
def test_never_raises_never_loses_on_any_text(text: str) -> None:
    check_lossless(parse_cite(text))


@settings(max_examples=examples(1000), deadline=None)
@given(st.lists(PIECES, max_size=30).map("".join))
def test_never_raises_never_loses_on_cite_like_text(text: str) -> None:
    check_lossless(parse_cite(text))


@settings(max_examples=examples(300), deadline=None)
@given(st.lists(st.tuples(st.text(max_size=20), st.booleans(), st.booleans()), max_size=8))
def test_runs_never_raise_never_lose(runs: list[tuple[str, bool, bool]]) -> None:
    p = parse_cite_runs(runs)
    assert p.text == "".join(r[0] for r in runs)
    check_lossless(p)


def test_every_docx_cite_of_the_corpus(corpus: Path) -> None:
    from evcards.formats.docx.read import parse_docx

    n = 0
    for path in sorted((corpus / "docx").glob("*.docx")):
        for card in parse_docx(path):
            short, full = card.cite.short, card.cite.full
            text = full if full.startswith(short) else f"{short}\n{full}"
            check_lossless(parse_cite(text))
            check_lossless(parse_cite_runs([(short, True, True), ("\n" + full, False, False)]))
            n += 1
    assert n > 1000


def test_every_debatesum_cite_of_the_corpus(corpus: Path) -> None:
    path = corpus / "debatesum" / "train-DebateSum.jsonl.gz"
    n = 0
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            check_lossless(parse_cite(json.loads(line)["source_sample"]["Citation"]))
            n += 1
    assert n == 1000


def test_et_al_glued_to_the_next_name_keeps_two_words() -> None:
    # Found by Hypothesis: 'et al.' dropped between two words joined them ('MeickMeick').
    p = parse_cite("Meick et al.Meick 18")
    check_lossless(p)
    assert all("MeickMeick" not in a for a in p.authors)
