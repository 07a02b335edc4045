"""The library export's bytes route agrees with its str route: `rowbytes.body_fields` with
`rows.body_fields` (each column encoded), `cardfile.loads_unparsed_bytes` with
`cardfile.loads_unparsed`, `cardtoml.loads_card_head` with `loads_card_toml`, the row's
byte pieces with `rows.json_pieces_bytes` / `rows.csv_pieces`, and
`cardfile._read_bytes_quick` with `_read_bytes` (hypothesis, and the corpus files)."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest
from budget import examples
from conftest import CORPUS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import any_markup, cards, raw_bodies
from test_rows import _debatesum_bodies, _edited, typed

from evcards import library_rows
from evcards.core import markup
from evcards.core.markup_text import NotPlain
from evcards.core.models import HIGHLIGHT_COLORS, Card, Cite, Span, new_card, normalize_body
from evcards.errors import EvcardsError, InvalidCard
from evcards.formats import rowbytes, rows
from evcards.formats.dataset import card_row
from evcards.store import cardfile
from evcards.store.cardtoml import loads_card_head, loads_card_toml
from evcards.store.library import file_name

colors = st.sampled_from(HIGHLIGHT_COLORS)
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# Every whitespace character str knows and bytes does not, and their neighbours in UTF-8.
WIDE = [c for c in map(chr, range(0x80, 0x3001)) if c.isspace()]
NEAR_WIDE = ["\u2019", "\u2013", "\u2026", "\u00e9", "\u00a9", "\u2081", "\u3001", "\u1681"]


def bytes_agree(text: str, default: str) -> bool:
    """Whether the bytes reader gives the str reader's columns, encoded, or declines; it
    must decline whatever the str reader declines (and so whatever the reference refuses)."""
    if CONTROL.search(text) or "\r" in text:
        return False  # not the markup of a clean file: the bytes reader is never given it
    fast = rowbytes.body_fields(text.encode(), default)
    ref = rows.body_fields(text, default, clean=True)
    if ref is None:  # the str reader declines `~{6}`, which this one reads: the reference
        try:
            ref = rows.body_columns(markup.parse_marked(text, default))
        except EvcardsError:
            ref = None
    if fast is not None:
        assert ref is not None, (text, default)
        assert fast == tuple(c.encode() for c in ref), (text, default)
    return fast is not None


@settings(max_examples=examples(1500), deadline=None)
@given(raw_bodies, colors)
def test_bytes_body_fields_agree_on_every_body_the_model_allows(body: list[list[Span]], d: str):
    bytes_agree(markup.render(normalize_body(body), default_highlight=d), d)


@settings(max_examples=examples(2000), deadline=None)
@given(any_markup, colors)
def test_bytes_body_fields_agree_on_mistyped_markup(text: str, default: str):
    bytes_agree(text, default)


spaced = st.lists(
    st.sampled_from([*"ab _==~*\n", "\n\n", "**", "\\ ", *WIDE, *NEAR_WIDE]), max_size=30
).map("".join)
# Shrinks to sizes among the other toggles: sizes of every kind, refused ones included.
sized = st.lists(
    st.sampled_from([*"ab _~{}", "==", "**", "\n\n", "{b}", "{box}", "\\~", "\\{"])
    | st.sampled_from(["~{6}", "~{8}", "~{8.0}", "~{6.5}", "~{4}", "~{0}", "~{401}", "~{7.25}"])
    | st.integers(1, 12).map(lambda n: f"~{{{n}}}"),
    max_size=24,
).map("".join)


@settings(max_examples=examples(3000), deadline=None)
@given(typed | spaced | sized, colors)
def test_bytes_body_fields_agree_on_typed_markup(text: str, default: str):
    bytes_agree(text, default)


def test_bytes_body_fields_read_the_common_shapes_themselves():
    for text in (
        "_a_ ==b== ~c~ **d** {b}e{b} {i}f{i} {box}g{box}",
        "a\n\nb \\_c\\* d",
        "x &<> y",
        "_a\u00a0 b_ c\u3000\u2019d ==e\u2003==\n\nf",
        "a\nb\n\n\nc \\\\ d",
        "a ~{6}b ==c~ d== ~e~ ~{4}f~ _~{6}g~_",
    ):
        assert bytes_agree(text, "cyan"), text
    assert rowbytes.body_fields(b"_a\r\nb_", "cyan") is None  # not from a clean file


def test_bytes_body_fields_agree_on_debatesum(corpus: Path):
    bodies = _debatesum_bodies()
    assert sum(bytes_agree(text, "cyan") for text in bodies) >= len(bodies) * 0.9


@settings(max_examples=examples(2000), deadline=None)
@given(st.text(st.sampled_from(["a", " ", "\n", *WIDE, *NEAR_WIDE]), max_size=12))
def test_wide_spaces_misses_none(text: str):
    found = rowbytes.wide_spaces(text.encode())
    assert {c.encode() for c in text if c in WIDE} <= found


# -- a card file read up to its markup, as bytes -----------------------------------------
def unparsed_bytes_agree(text: str) -> bool:
    raw = text.encode("utf-8", "surrogatepass")
    fast = cardfile.loads_unparsed_bytes(raw)
    ref = cardfile.loads_unparsed(text, clean=not CONTROL.search(text))
    if fast is None:
        return False
    assert ref is not None, text
    assert fast.card == ref.card and fast.highlight == ref.highlight
    assert fast.markup == ref.markup.encode()
    return True


@settings(max_examples=examples(1000), deadline=None)
@given(cards())
def test_loads_unparsed_bytes_reads_every_file_dumps_writes(card: Card):
    assert unparsed_bytes_agree(cardfile.dumps(card))


@settings(max_examples=examples(2000), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cards(), st.data())
def test_loads_unparsed_bytes_agrees_on_edited_files(card: Card, data: st.DataObject):
    unparsed_bytes_agree(_edited(cardfile.dumps(card), data.draw))


def test_loads_unparsed_bytes_declines_what_it_cannot_vouch_for():
    card = new_card(tag="T", cite=Cite(short="A 20"), body=[[Span(text='say "hi" \\ ok')]])
    raw = cardfile.dumps(card).encode()
    assert unparsed_bytes_agree(raw.decode())
    assert cardfile.loads_unparsed_bytes(raw.replace(b"say", b"s\x01y")) is None
    assert cardfile.loads_unparsed_bytes(raw.replace(b"\n", b"\r\n")) is None
    assert cardfile.loads_unparsed_bytes(raw.replace(b"say", b"s\xffy")) is None  # not UTF-8
    assert cardfile.loads_unparsed_bytes(raw.replace(b'\\"', b'"', 1)) is None


# -- the head's TOML by str methods ------------------------------------------------------
def head_agrees(head: str) -> bool:
    if CONTROL.search(head) or "\r" in head:
        return False  # the precondition: a clean file
    fast = loads_card_head(head)
    if fast is None:
        return False
    try:
        ref = loads_card_toml(head)
    except NotPlain:
        import tomllib

        ref = tomllib.loads(head)
    assert fast == ref and list(fast) == list(ref), head
    return True


@settings(max_examples=examples(1000), deadline=None)
@given(cards())
def test_loads_card_head_reads_the_heads_dumps_writes(card: Card):
    head, _ = cardfile.split_body(cardfile.dumps(card))
    head_agrees(head)


@settings(max_examples=examples(3000), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cards(), st.data())
def test_loads_card_head_agrees_on_edited_heads(card: Card, data: st.DataObject):
    head, _ = cardfile.split_body(cardfile.dumps(card))
    at = data.draw(st.integers(0, len(head)))
    piece = data.draw(
        st.sampled_from(
            ['"', '\\"', "\\", "\\\\", "\\n", "\n", " ", "=", " = ", "[", "]", "[cite]\n"]
            + ["[[sources]]\n", "[location]\n", 'x = "1"\n', 'tag = "t"\n', "# c", "\t"]
            + ['    "a",\n', "]\n", "sources = [\n", "position = 07\n", "position = 7\n"]
            + ["\\u00e9", '"""', "'", "{ ", " }"]
        )
    )
    head_agrees(head[:at] + piece + head[at:])


def test_loads_card_head_reads_escaped_quotes_and_backslashes():
    assert head_agrees('id = "x"\ntag = "say \\"hi\\" \\\\ ok\\\\"')
    assert loads_card_head('tag = "a\\tb"') is None  # other escapes: the regex reader
    assert loads_card_head('tag = "a\\"') is None


# -- the rows ------------------------------------------------------------------------------
@settings(max_examples=examples(500), deadline=None)
@given(cards())
def test_a_card_files_row_is_the_same_by_bytes_and_by_str(tmp_path_factory, card: Card):
    folder = tmp_path_factory.mktemp("rows")
    path = folder / file_name(card)
    path.write_text(cardfile.dumps(card), encoding="utf-8")
    for fmt in ("jsonl", "csv"):
        assert library_rows.card_file_row(str(path), fmt) == library_rows.card_file_row_str(
            str(path), fmt
        )


@settings(max_examples=examples(3000), deadline=None)
@given(st.text(st.sampled_from([*'a,"\n\r \t\\é', "\u2028", "\x01"])))
def test_bytes_fields_are_the_str_fields_encoded(value: str):
    raw = value.encode()
    assert rowbytes.csv_field(raw) == rows.csv_field(value).encode()
    if not CONTROL.search(value) and "\r" not in value:
        assert b'"' + rowbytes._json_inner(raw) + b'"' == rows.json_bytes(value)


def _corpus_files() -> list[Path]:
    """Card files of the .docx corpus, made once (dumps of what the reader gives)."""
    folder = CORPUS / "docx"
    return sorted(folder.glob("*.docx"))[:6] if folder.is_dir() else []


def test_bytes_route_agrees_on_the_docx_corpus(tmp_path: Path, corpus: Path):
    from evcards.formats.docx.read import parse_docx

    read = 0
    for docx in _corpus_files():
        for card in parse_docx(docx):
            path = tmp_path / file_name(card)
            text = cardfile.dumps(card)
            path.write_text(text, encoding="utf-8")
            read += unparsed_bytes_agree(text)
            head_agrees(cardfile.split_body(text)[0])
            for fmt in ("jsonl", "csv"):
                got = library_rows.card_file_row(str(path), fmt)
                assert got == library_rows.card_file_row_str(str(path), fmt)
    assert read


# -- reading the file --------------------------------------------------------------------
def _message(read, path: str) -> str:
    with pytest.raises(InvalidCard) as e:
        read(path)
    return str(e.value)


def test_the_quick_read_is_the_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    card = tmp_path / "a.toml"
    for data in (b"", b'id = "x"\n', "é\n".encode() * 5000):
        card.write_bytes(data)
        assert cardfile._read_bytes_quick(str(card)) == cardfile._read_bytes(str(card)) == data
    for path in (tmp_path / "missing.toml", tmp_path):
        assert _message(cardfile._read_bytes_quick, str(path)) == _message(
            cardfile._read_bytes, str(path)
        )
    monkeypatch.setattr(cardfile, "MAX_CARD_FILE_BYTES", 100)
    assert "larger than" in _message(cardfile._read_bytes_quick, str(card))
    if sys.platform != "win32" and os.geteuid() != 0:
        card.chmod(0)
        assert _message(cardfile._read_bytes_quick, str(card)) == _message(
            cardfile._read_bytes, str(card)
        )


def test_json_pieces_know_the_dataset_columns():
    from evcards.formats.dataset import COLUMNS

    assert COLUMNS[:10] == (
        "tag", "cite", "fullcite", "summary", "spoken", "fulltext", "markup",
        "pocket", "hat", "block",
    )  # fmt: skip
    card = new_card(tag="T é", cite=Cite(short="A 20", full='A "q" \\ 20'), body=[[Span(text="x")]])
    row = card_row(card, columns=("", "", "", ""))
    body = (b"f\tu\n", b'"s"', b"\\p", b"<p>h</p>")
    assert rowbytes.json_pieces(row, body) == rowbytes.json_pieces_loop(row, body)
    full = dict(
        row, fulltext="f\tu\n", summary='"s"', spoken="\\p", markup=row["markup"] + "<p>h</p>"
    )
    assert rowbytes.json_pieces(row, body) == rows.json_pieces_bytes(full)
    shuffled = dict(reversed(row.items()))  # another shape: item by item
    assert rowbytes.json_pieces(shuffled, body) == rowbytes.json_pieces_loop(shuffled, body)
