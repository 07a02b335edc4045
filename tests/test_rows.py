"""The dataset rows' fast paths agree with their references: `rows.body_fields` with
`parse_marked` + `rows.body_columns`, `rows.json_pieces` with json.dumps, `rows.csv_field`
with the csv module, `json_pieces_bytes` with `json_pieces` encoded, `cardfile.loads_unparsed` with `cardfile.loads` (hypothesis, the
DebateSum corpus and the .docx corpus)."""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
from pathlib import Path

import pytest
from budget import examples
from conftest import CORPUS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import any_markup, cards, raw_bodies

from evcards.core import markup
from evcards.core.models import HIGHLIGHT_COLORS, Card, Cite, Span, new_card, normalize_body
from evcards.errors import EvcardsError
from evcards.formats import rows
from evcards.formats.dataset import COLUMNS, card_row, render_csv, render_jsonl
from evcards.store import cardfile

colors = st.sampled_from(HIGHLIGHT_COLORS)


def reference(text: str, default: str) -> tuple[str, str, str, str] | None:
    try:
        return rows.body_columns(markup.parse_marked(text, default))
    except EvcardsError:
        return None


def agrees(text: str, default: str) -> bool:
    """Whether the fast reader gives the reference's columns, or declines (None); it must
    decline whatever the reference refuses."""
    fast = rows.body_fields(text, default)
    ref = reference(text, default)
    assert fast is None or fast == ref, (text, default)
    return fast is not None


@settings(max_examples=examples(1500), deadline=None)
@given(raw_bodies, colors)
def test_body_fields_agree_on_every_body_the_model_allows(body: list[list[Span]], default: str):
    agrees(markup.render(normalize_body(body), default_highlight=default), default)


@settings(max_examples=examples(2000), deadline=None)
@given(any_markup, colors)
def test_body_fields_agree_on_mistyped_markup(text: str, default: str):
    agrees(text, default)


# Markup as people type it around the quick toggles: soft and hard line breaks, blanks,
# escapes of every kind, entities, braces that are and are not toggles.
typed = st.lists(
    st.sampled_from(
        [*"ab _*=~\\\n\t<>&\"'{}", "**", "==", "{b}", "{i}", "{box}", "\n\n", " \n\t\n ", "\\\n"]
        + ["\\_", "\\*", "\\=", "\\~", "\\{", "\\\\", "\\ ", "\\\t", "\\a", "\\}", "é", "\u2028"]
    ),
    max_size=30,
).map("".join)


@settings(max_examples=examples(3000), deadline=None)
@given(typed, colors)
def test_body_fields_agree_on_typed_markup(text: str, default: str):
    agrees(text, default)


def test_body_fields_read_the_common_shapes_themselves():
    """The quick reader is not a reader that declines everything."""
    for text in ("_a_ ==b== ~c~ **d** {b}e{b} {i}f{i} {box}g{box}", "a\n\nb \\_c\\* d", "x &<> y"):
        assert agrees(text, "cyan"), text
    assert rows.body_fields("=={green}a==", "cyan") is None  # a colour: the reference reads it
    assert rows.body_fields("_a", "cyan") is None  # left open: the reference's error


def _debatesum_bodies(limit: int = 400) -> list[str]:
    """DebateSum articles as card markup: each selection underlined, every other one
    highlighted, the first words of every third emphasised (as bench/export_bench.py)."""
    path = CORPUS / "debatesum" / "train-DebateSum.jsonl.gz"
    out = []
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for n, line in enumerate(f):
            if n >= limit:
                break
            row = json.loads(line)
            text = row["docs"][0]["text"]
            marks = [[False, None, False] for _ in text]
            selections = [s for g in row["selections"] for s in g["selections"]]
            for k, sel in enumerate(selections):
                for i in range(sel["start_pos"], min(sel["end_pos"], len(text))):
                    marks[i] = [True, "cyan" if k % 2 == 0 else None, k % 3 == 0]
            spans = [
                Span(text=text[i : i + 1].replace("\n", " "), underline=u, highlight=h, emphasis=e)
                for i, (u, h, e) in enumerate(marks)
            ]
            paras = [spans[i : i + 400] for i in range(0, len(spans), 400)]
            out.append(markup.render(normalize_body(paras), default_highlight="cyan"))
    return out


def test_body_fields_agree_on_debatesum(corpus: Path):
    bodies = _debatesum_bodies()
    read = sum(agrees(text, "cyan") for text in bodies)
    assert read >= len(bodies) * 0.9  # nearly all through the quick reader


def _docx_files() -> list[str]:
    folder = CORPUS / "docx"
    return sorted(p.name for p in folder.glob("*.docx")) if folder.is_dir() else ["(absent)"]


@pytest.mark.parametrize("name", _docx_files())
def test_fast_paths_agree_on_the_docx_corpus(name: str, corpus: Path):
    from evcards.formats.docx.read import parse_docx

    for card in parse_docx(corpus / "docx" / name):
        text = cardfile.dumps(card)
        unparsed_agrees(text)
        found = cardfile.loads_unparsed(text, clean=True)
        if found is not None:
            agrees(found.markup, found.highlight)
        row = card_row(card)
        assert rows.join_json(*rows.json_pieces(row)) == json.dumps(row, ensure_ascii=False) + "\n"
        assert rows.join_csv(*rows.csv_pieces(row)) == render_csv([card]).split("\r\n", 1)[1]
        assert_bytes_agree(row)


# -- a card file read up to its markup ----------------------------------------------------
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def unparsed_agrees(text: str) -> bool:
    found = cardfile.loads_unparsed(text, clean=not CONTROL.search(text))
    try:
        card, marked = cardfile.loads_marked(text)
    except EvcardsError:
        # What `loads` refuses the quick reader never accepts, but for a mistake in the
        # markup, which it leaves to the markup's reader.
        if found is not None:
            with pytest.raises(EvcardsError):
                markup.parse_marked(found.markup, found.highlight)
        return False
    if found is None:
        return False
    assert found.card == card
    assert rows.body_columns(markup.parse_marked(found.markup, found.highlight)) == (
        rows.body_columns(marked)
    )
    return True


@settings(max_examples=examples(1000), deadline=None)
@given(cards())
def test_loads_unparsed_reads_every_file_dumps_writes(card: Card):
    assert unparsed_agrees(cardfile.dumps(card))


def _edited(text: str, draw: st.DrawFn) -> str:
    """The file with a hand edit at some point: a piece of TOML or markup put in."""
    at = draw(st.integers(0, len(text)))
    piece = draw(
        st.sampled_from(
            [
                '"',
                '\\"',
                "\\",
                "\\\\",
                '"""',
                "\n",
                "[body]\n",
                'x = "1"\n',
                "\r",
                "\x01",
                "\\u0041",
            ]
            + ["\\n", '\nhighlight = "pink"\n', "'''", "\n[cite]\n", "_", "{b}", "\t"]
        )
    )
    return text[:at] + piece + text[at:]


@settings(max_examples=examples(2000), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cards(), st.data())
def test_loads_unparsed_agrees_on_edited_files(card: Card, data: st.DataObject):
    unparsed_agrees(_edited(cardfile.dumps(card), data.draw))


def test_loads_unparsed_declines_what_it_cannot_vouch_for():
    card = new_card(tag="T", cite=Cite(short="A 20"), body=[[Span(text='say "hi" \\ ok')]])
    text = cardfile.dumps(card)
    assert unparsed_agrees(text)
    assert cardfile.loads_unparsed(text, clean=False) is None  # control characters unseen
    assert cardfile.loads_unparsed(text.replace('\\"', '"', 1), clean=True) is None
    assert cardfile.loads_unparsed(text.replace("text = ", "x = 1\ntext = "), clean=True) is None


# -- the row's pieces ------------------------------------------------------------------------
def assert_bytes_agree(row: dict) -> None:
    """The byte pieces the library export writes are the str pieces, encoded."""
    assert rows.json_pieces_bytes(row) == tuple(p.encode() for p in rows.json_pieces(row))


def test_the_location_is_where_the_pieces_cut():
    assert COLUMNS[rows.LOCATION] == ("pocket", "hat", "block")


@settings(max_examples=examples(500), deadline=None)
@given(cards())
def test_json_and_csv_pieces_are_the_writers_rows(card: Card):
    row = card_row(card)
    assert rows.join_json(*rows.json_pieces(row)) == render_jsonl([card])
    header, line = render_csv([card]).split("\r\n", 1)
    assert rows.csv_header(COLUMNS) == header + "\r\n"
    assert rows.join_csv(*rows.csv_pieces(row)) == line
    assert_bytes_agree(row)


# Every character JSON escapes, those it does not (DEL, U+2028, non-ASCII of each width).
json_text = st.text(
    st.sampled_from([*'\\"\n\r\t\b\f\x00\x01\x1f\x7f', *"a ,é€中😀\u2028\u2029"])
    | st.characters(blacklist_categories=("Cs",))
)


@settings(max_examples=examples(3000), deadline=None)
@given(json_text)
def test_json_bytes_are_json_dumps(value: str):
    assert rows.json_bytes(value) == json.dumps(value, ensure_ascii=False).encode()


values = (
    st.none() | st.integers(-5, 10**12) | st.text(st.sampled_from([*'a,"\n\r \t\x00é;', "\u2028"]))
)


@settings(max_examples=examples(3000), deadline=None)
@given(st.lists(values, min_size=2, max_size=5))
def test_csv_fields_are_the_csv_modules(line: list[object]):
    buf = io.StringIO()
    csv.writer(buf).writerow(line)
    assert ",".join(rows.csv_field(v) for v in line) + "\r\n" == buf.getvalue()


def test_a_row_value_of_another_type_is_refused():
    with pytest.raises(TypeError):
        rows.json_pieces(dict.fromkeys(COLUMNS, 1.5))
    with pytest.raises(TypeError):
        rows.csv_field(True)
    assert re.fullmatch(
        r"\{.*\}", rows.join_json(*rows.json_pieces(dict.fromkeys(COLUMNS))).strip()
    )
    with pytest.raises(TypeError):
        rows.json_pieces_bytes(dict.fromkeys(COLUMNS, 1.5))
    assert_bytes_agree(dict.fromkeys(COLUMNS))
    assert_bytes_agree(dict.fromkeys(COLUMNS, 7))
