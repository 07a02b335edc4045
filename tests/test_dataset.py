"""OpenDebateEvidence rows: JSONL/CSV export, import, and byte-identical round trips."""

from __future__ import annotations

import csv
import io
import json

from budget import examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evcards.cli import app
from evcards.core.models import HIGHLIGHT_COLORS, Cite, Location, Source, Span, new_card
from evcards.formats.dataset import (
    CITE_COLUMNS,
    COLUMNS,
    FIELDS,
    parse_markup,
    parse_rows,
    render_csv,
    render_jsonl,
)

# -- strategies: any card the model allows ------------------------------------------------
text = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\x7f") | st.just("\t"),
    max_size=12,
)
line = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=20)
spans = st.builds(
    Span,
    text=text,
    underline=st.booleans(),
    emphasis=st.booleans(),
    box=st.booleans(),
    highlight=st.none() | st.sampled_from(HIGHLIGHT_COLORS),
    shading=st.none() | st.sampled_from(["D9D9D9", "00FF00", "FFFFFF"]),
    bold=st.booleans(),
    italic=st.booleans(),
    size=st.none() | st.sampled_from([1.0, 4.0, 7.5, 8.0, 11.0, 400.0]),
)
bodies = st.lists(st.lists(spans, max_size=5), max_size=4)


@st.composite
def cards(draw):
    body = draw(bodies)
    analytic = not body and draw(st.booleans())
    cite = Cite() if analytic else Cite(short=draw(line), full=draw(line))
    return new_card(
        tag=draw(line.filter(bool)),  # a row with nothing at all is skipped on import
        kind="analytic" if analytic else "card",
        cite=cite,
        undertag=draw(st.lists(line, max_size=2).map("\n".join)),
        location=Location(pocket=draw(line), hat=draw(line), block=draw(line)),
        sources=[Source(file="f.docx", position=k) for k in range(draw(st.integers(1, 3)))],
        body=body,
    )


def meick():
    body = [
        [
            Span(text="Moscow is "),
            Span(text="preoccupied", underline=True, highlight="cyan"),
            Span(text=" with ", size=6.0),
            Span(text="buffer states", emphasis=True, box=True, highlight="green"),
        ],
        [Span(text="Beijing ", shading="D9D9D9"), Span(text="& <the> sea", italic=True)],
    ]
    return new_card(
        tag="China-Russia alliance unlikely",
        cite=Cite(short="Meick 18", full="Ethan Meick, Policy Analyst, 9-2-2018"),
        location=Location(pocket="1NC", hat="Russia DA", block="Alliance"),
        body=body,
    )


# -- export ------------------------------------------------------------------------------
def test_jsonl_row_fields():
    row = json.loads(render_jsonl([meick()]))
    assert tuple(row) == FIELDS + CITE_COLUMNS == COLUMNS
    assert row["cite"] == "Meick 18"
    # The whole cite paragraph, as OpenDebateEvidence has it; evcards' fields beside it.
    assert row["fullcite"] == "Meick 18 (Ethan Meick, Policy Analyst, 9-2-2018)"
    assert row["cite_full"] == "Ethan Meick, Policy Analyst, 9-2-2018"
    assert (row["cite_author"], row["cite_date"], row["cite_title"]) == (None, None, None)
    assert row["summary"] == "preoccupied buffer states"
    assert row["spoken"] == "preoccupied buffer states"
    assert row["fulltext"] == "Moscow is preoccupied with buffer states\nBeijing & <the> sea"
    assert (row["pocket"], row["hat"], row["block"]) == ("1NC", "Russia DA", "Alliance")
    assert row["duplicateCount"] == 0
    m = row["markup"]
    assert m.startswith("<h4>China-Russia alliance unlikely</h4>")
    assert '<p class="cite"><strong>Meick 18</strong> (Ethan Meick, Policy' in m
    assert '<u><mark data-color="cyan"' not in m  # mark is the outermost element
    assert '<mark data-color="cyan" style="background-color:#00FFFF"><u>preoccupied</u></mark>' in m
    assert '<span style="font-size:6pt"> with </span>' in m
    assert "&amp; &lt;the&gt; sea" in m


def test_markup_reads_back_every_mark():
    card = meick()
    found = parse_markup(json.loads(render_jsonl([card]))["markup"])
    assert found["body"] == card.body
    assert found["tag"] == card.tag


def test_jsonl_round_trip_bytes():
    first = render_jsonl([meick()])
    again = render_jsonl(parse_rows(first, ".jsonl", "rows.jsonl"))
    assert again == first


def test_csv_round_trip_bytes():
    first = render_csv([meick()])
    rows = list(csv.DictReader(io.StringIO(first)))
    assert rows[0]["cite"] == "Meick 18"
    assert render_csv(parse_rows(first, ".csv", "rows.csv")) == first


@settings(max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(cards(), max_size=4))
def test_jsonl_round_trip_generated(generated):
    first = render_jsonl(generated)
    assert render_jsonl(parse_rows(first, ".jsonl", "r.jsonl")) == first


@settings(max_examples=examples(60), deadline=None)
@given(st.lists(cards(), max_size=3))
def test_csv_round_trip_generated(generated):
    first = render_csv(generated)
    assert render_csv(parse_rows(first, ".csv", "r.csv")) == first


# -- rows from elsewhere -------------------------------------------------------------------
def test_foreign_markup_row():
    row = {
        "tag": "Warming is real",
        "cite": "Smith 19",
        "fullcite": "John Smith, Professor, 2019",
        "markup": "<h4>Warming is real</h4><p><strong>Smith 19</strong> John Smith, Professor,"
        " 2019</p><p>It is <u>really <mark>happening</mark></u> <strong>now</strong>"
        '<br/><mark style="background-color: #00FF00">green</mark></p>',
        "duplicateCount": 2,
    }
    [card] = parse_rows(json.dumps(row), ".jsonl", "ev.jsonl")
    assert card.cite.short == "Smith 19" and card.cite.author == "John Smith"
    assert card.text == "It is really happening now green"
    assert card.spoken == "happening green"
    assert card.underlined == "really happening now"
    assert [s.highlight for s in card.body[0] if s.highlight] == ["yellow", "green"]
    assert card.seen == 3


def test_row_without_markup_aligns_summary_and_spoken():
    row = {
        "tag": "T",
        "cite": "Smith 19",
        "fulltext": "the cat sat on the mat\nand then it slept all day",
        "summary": "cat sat on the mat it slept",
        "spoken": "cat sat slept",
    }
    [card] = parse_rows(json.dumps(row), ".jsonl", "ev.jsonl")
    assert card.paragraphs == ["the cat sat on the mat", "and then it slept all day"]
    assert card.underlined == "cat sat on the mat it slept"
    assert card.spoken == "cat sat slept"


def test_bad_rows_are_clean_errors(runner, tmp_path, lib):
    (tmp_path / "bad.jsonl").write_text('{"tag": "a"}\nnot json\n', encoding="utf-8")
    result = runner.invoke(app, ["import", str(tmp_path / "bad.jsonl")])
    assert result.exit_code == 1
    assert "bad.jsonl, line 2: not JSON" in result.stderr
    assert list(lib.paths()) == []
    (tmp_path / "bad2.jsonl").write_text('{"tag": 5}\n', encoding="utf-8")
    result = runner.invoke(app, ["import", str(tmp_path / "bad2.jsonl")])
    assert "field 'tag' must be text" in result.stderr
    (tmp_path / "x.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    result = runner.invoke(app, ["import", str(tmp_path / "x.csv")])
    assert "not an OpenDebateEvidence CSV" in result.stderr


def test_cli_export_import_export_identical(runner, tmp_path, lib, monkeypatch):
    for card in (meick(), new_card(tag="An analytic", kind="analytic")):
        lib.add(card)
    out = tmp_path / "a.jsonl"
    result = runner.invoke(app, ["export", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "Exported 2 cards" in result.stderr
    monkeypatch.setenv("EVCARDS_LIBRARY", str(tmp_path / "other"))
    result = runner.invoke(app, ["import", str(out)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["export", "-f", "jsonl", "-o", "-"])
    assert result.exit_code == 0, result.output
    assert result.stdout == out.read_text(encoding="utf-8")


def test_csv_with_a_long_card():
    big = new_card(tag="Long", cite=Cite(short="A 20"), body=[[Span(text="word " * 60_000)]])
    first = render_csv([big])
    assert len(first) > 300_000
    assert render_csv(parse_rows(first, ".csv", "big.csv")) == first


@settings(max_examples=examples(300), deadline=None)
@given(card=cards())
def test_a_row_from_pairs_is_the_row_from_spans(card):
    """What a library export writes (rows from `cardfile.loads_marked`'s pairs) is what the
    card model says: its text, underlined and spoken text, and each span's HTML."""
    from evcards.formats.dataset import card_row
    from evcards.formats.html import paragraph_html
    from evcards.store import cardfile

    row = card_row(*cardfile.loads_marked(cardfile.dumps(card)))
    assert row == card_row(card)
    assert (row["fulltext"], row["summary"], row["spoken"]) == (
        card.text,
        card.underlined,
        card.spoken,
    )
    body_html = "".join(f"<p>{paragraph_html(para)}</p>" for para in card.body)
    assert row["markup"].endswith(body_html)
