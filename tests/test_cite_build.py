"""Short cites, full-cite forms, templates and the completeness grade."""

from __future__ import annotations

import pytest

from evcards.core import cite_build
from evcards.core.cite_build import (
    CiteFields,
    full_cite,
    grade,
    last_name,
    short_cite,
    write_form,
)
from evcards.core.syntax import CITE_FIELDS
from evcards.errors import CiteTemplateError

MEICK = CiteFields(
    author="Ethan Meick",
    quals="Policy Analyst at the U.S.-China Economic and Security Review Commission",
    date="9-2-2018",
    title="China-Russia Military Cooperation",
    publication="The National Interest",
    url="https://nationalinterest.example/x",
    accessed="11-29-2026",
    initials="ank",
)
MEICK_FULL = (
    "Ethan Meick, Policy Analyst at the U.S.-China Economic and Security Review Commission,"
    ' 9-2-2018, "China-Russia Military Cooperation," The National Interest,'
    " https://nationalinterest.example/x, accessed 11-29-2026, ank"
)


@pytest.mark.parametrize(
    ("author", "date", "short"),
    [
        ("Ethan Meick", "9-2-2018", "Meick 18"),
        ("RAND Corporation", "2019", "RAND 19"),
        ("Congressional Research Service", "2019", "CRS 19"),
        ("Council on Foreign Relations (CFR)", "2020", "CFR 20"),
        ("Simon Saradzhyan; Ali Wyne", "6-14-2018", "Saradzhyan & Wyne 18"),
        ("Simon Saradzhyan and Ali Wyne", "2018", "Saradzhyan & Wyne 18"),
        ("Jane Smith; Ludwig van der Berg; Maria Lopez", "2021", "Smith et al. 21"),
        ("Jane Smith, Ana Ruiz, and Bo Li", "2021", "Smith et al. 21"),
        ("Ludwig van der Berg Jr.", "2021", "van der Berg 21"),
        ("Stephen Van Evera", "1999", "Evera 99"),
        ("Martin Luther King, Jr.", "1963", "King 63"),
        ("Meick, Ethan", "2018", "Meick 18"),
        ("Ethan Meick", "5-2005", "Meick 05"),
        ("Ethan Meick", None, "Meick ND"),
        ("Jerrold Post", "2019", "Post 19"),
        ("The Heritage Foundation", "2019", "HF 19"),
    ],
)
def test_short_cite_rules(author, date, short):
    assert short_cite(CiteFields(author=author, date=date)) == short


def test_short_cite_falls_back_to_publication_then_explicit_short_wins():
    assert short_cite(CiteFields(publication="Energy Wire", date="2024")) == "Energy Wire 24"
    assert short_cite(CiteFields(publication="Brookings Institution")) == "BI ND"
    assert short_cite(CiteFields(author="Ethan Meick", date="2018", short="EM 18")) == "EM 18"


def test_particles_are_kept_only_in_lower_case():
    assert last_name("Ludwig van Beethoven") == "van Beethoven"
    assert last_name("Charles de Gaulle") == "de Gaulle"
    assert last_name("Stephen Van Evera") == "Evera"  # capitalised: write --short 'Van Evera 99'


def test_standard_full_cite_exact():
    assert full_cite(MEICK) == MEICK_FULL


def test_frontloaded_and_two_line_exact():
    short, full = short_cite(MEICK), full_cite(MEICK)
    assert write_form(short, full, "frontloaded") == f"Meick 18 ({MEICK_FULL})"
    assert write_form(short, full, "two-line") == f"Meick 18\n({MEICK_FULL})"
    assert write_form(short, full, "standard") == MEICK_FULL


def test_full_cite_leaves_out_what_is_missing():
    f = CiteFields(author="Ethan Meick", date="9-2-2018", title="Why?", accessed="1-1-2026")
    assert full_cite(f) == 'Ethan Meick, 9-2-2018, "Why?" accessed 1-1-2026'
    assert full_cite(CiteFields(title="T")) == '"T"'
    assert full_cite(CiteFields()) == ""


def test_two_and_three_authors_in_the_full_cite():
    two = CiteFields(author="Simon Saradzhyan; Ali Wyne", date="2018")
    assert full_cite(two) == "Simon Saradzhyan and Ali Wyne, 2018"
    three = CiteFields(author="A Smith; B Jones; C Lee")
    assert full_cite(three) == "A Smith, B Jones, and C Lee"


def test_template_fields():
    template = "{last} {yy} ({first} {last}, {quals}, {year}) [{title}; {publication}] {initials}"
    assert cite_build.render_template(template, MEICK) == (
        "Meick 18 (Ethan Meick, Policy Analyst at the U.S.-China Economic and Security Review"
        " Commission, 2018) [China-Russia Military Cooperation; The National Interest] ank"
    )
    assert cite_build.full_cite(MEICK, "{short}: {url} {accessed} {date}") == (
        "Meick 18: https://nationalinterest.example/x 11-29-2026 9-2-2018"
    )


@pytest.mark.parametrize("bad", ["{author} {nope}", "{author", "{date!r}"])
def test_template_errors_name_the_fields(bad):
    with pytest.raises(CiteTemplateError):
        cite_build.check_template(bad)


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("2018-09-02", "9-2-2018"),
        ("2018-09-02T08:15:00+00:00", "9-2-2018"),
        ("2021/01/05", "1-5-2021"),
        ("2019-03", "3-2019"),
        ("2019", "2019"),
        ("June 14, 2018", "June 14, 2018"),
        ("", None),
    ],
)
def test_display_date(value, shown):
    assert cite_build.display_date(value) == shown


def test_grade_names_the_missing_fields():
    assert str(grade(MEICK)) == "A"
    assert str(grade(MEICK.updated(quals=""))) == "B - missing: quals"
    no_quals = CiteFields(author="Ethan Meick", date="2018", title="T", publication="P", url="u")
    assert str(grade(no_quals)) == "B - missing: quals"
    assert str(grade(no_quals.updated(url=""))) == "C - missing: quals, url"
    assert str(grade(CiteFields(title="T", publication="P"))) == (
        "F - missing: author, date, quals, url"
    )
    assert str(grade(CiteFields(author="A B", date="2018", title="T"))) == (
        "D - missing: quals, publication, url"
    )


def test_cite_fields_are_the_cites_own():
    """CiteFields and the template name the cite's fields (core.syntax.CITE_FIELDS)."""
    from dataclasses import fields

    assert {f.name for f in fields(CiteFields)} == set(CITE_FIELDS) - {"full"}
    assert set(cite_build.PARTS) | {"short", "full"} == set(CITE_FIELDS)
    assert set(CITE_FIELDS) - {"full"} <= set(cite_build.TEMPLATE_FIELDS)
