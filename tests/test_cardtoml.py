"""The fast TOML reader (store/cardtoml.loads_card_toml) reads card files exactly as tomllib:
every file `cardfile.dumps` writes, generated or from the corpus, it reads itself; on any
other TOML it either agrees with tomllib or raises NotPlain."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from budget import examples
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import cards

from evcards.core.markup_text import NotPlain
from evcards.core.models import Card
from evcards.store import cardfile
from evcards.store.cardtoml import loads_card_toml
from tests.conftest import CORPUS

_any_text = st.lists(
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=3)
    | st.sampled_from(['"', "\\", "\n", '"""', "\\n", "\t", "\x7f", "\x01", "#", "]", " }, {"]),
    max_size=8,
).map("".join)
_card_like = st.fixed_dictionaries(
    {"id": st.just("0123456789abcdef"), "tag": _any_text},
    optional={
        "labels": st.lists(st.sampled_from(["aff", "neg", "k"]), max_size=3),
        "sources": st.lists(
            st.fixed_dictionaries({"file": _any_text}, optional={"position": st.integers(0, 99)}),
            max_size=3,
        ),
        "cite": st.fixed_dictionaries({"short": _any_text}, optional={"full": _any_text}),
        "body": st.fixed_dictionaries({"text": _any_text.map(lambda t: t + "\n")}),
    },
)


@settings(max_examples=examples(400), deadline=None)
@given(data=_card_like)
def test_fast_toml_reads_what_tomli_w_writes(data: dict) -> None:
    import tomli_w

    text = tomli_w.dumps(data, multiline_strings=True)
    expected = tomllib.loads(text)
    try:
        got = loads_card_toml(text)
    except NotPlain:
        return  # the caller falls back to tomllib
    assert got == expected
    assert loads_card_toml(text, text.encode()) == expected  # given the file's bytes as well


_TOML_PIECES = [
    'id = "x"\n',
    "tag = ",
    '"a\\"b"',
    '"\\q"',
    '"\\u00e9"',
    '"\\ud800"',
    "\n",
    "[cite]\n",
    "[[sources]]\n",
    "sources = [\n",
    '    "aff",\n',
    '    { file = "f", position = 1 },\n',
    "    { file = 1, },\n",
    "]\n",
    'text = """\n',
    '"""\n',
    '"""',
    '""""',
    "x\\\n  y",
    "\\\\",
    "# note\n",
    " # c\n",
    "key = 12\n",
    "key = 012\n",
    "labels = []\n",
    "\r\n",
    "\t",
    "\x01",
    "[body]\n",
    "[cite]\n",
    'full = "a"\n',
    "= ",
    "'lit'",
    "a.b = 1\n",
]


@settings(max_examples=examples(600), deadline=None)
@given(text=st.lists(st.sampled_from(_TOML_PIECES), max_size=14).map("".join))
def test_fast_toml_never_disagrees_with_tomllib(text: str) -> None:
    raw = text.encode("utf-8", "surrogatepass")
    try:
        got = loads_card_toml(text)
    except NotPlain:
        with pytest.raises(NotPlain):  # the file's bytes given too: the same judgement
            loads_card_toml(text, raw)
        return
    assert loads_card_toml(text, raw) == got
    assert got == tomllib.loads(text)  # raises if the fast reader accepted invalid TOML


@settings(max_examples=examples(1000), deadline=None)
@given(cards())
def test_fast_toml_reads_every_card_file_dumps_writes(card: Card) -> None:
    text = cardfile.dumps(card)
    assert loads_card_toml(text) == tomllib.loads(text)  # no NotPlain: no slow path for these


def _docx_files() -> list[str]:
    folder = CORPUS / "docx"
    return sorted(p.name for p in folder.glob("*.docx")) if folder.is_dir() else ["(absent)"]


@pytest.mark.parametrize("name", _docx_files())
def test_fast_toml_reads_the_corpus(name: str, corpus: Path) -> None:
    from evcards.formats.docx.read import parse_docx

    for card in parse_docx(corpus / "docx" / name):
        text = cardfile.dumps(card)
        assert loads_card_toml(text) == tomllib.loads(text), card.id
