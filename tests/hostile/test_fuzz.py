"""Fuzzing the parsers with hypothesis: they raise our own errors or succeed, nothing else.

CI runs a small budget; `EVCARDS_FUZZ_EXAMPLES=100000 pytest tests/hostile/test_fuzz.py` runs
a large one by hand.
"""

from __future__ import annotations

import os
import tempfile
import zipfile
from pathlib import Path

import pytest
from budget import examples
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from evcards.core import markup
from evcards.errors import EvcardsError, InvalidCard, MarkupError
from evcards.formats.paste import decode, parse_text_cards
from evcards.store import cardfile

BUDGET = int(os.environ.get("EVCARDS_FUZZ_EXAMPLES", examples(1500)))
FUZZ = settings(max_examples=BUDGET, deadline=None, suppress_health_check=[HealthCheck.too_slow])

TOKENS = [
    *"_*=~{}\\/:abAB09 .\n\t[]…¶",
    "{b}",
    "{i}",
    "{box}",
    "{shade:",
    "=={cyan}",
    "~{6}",
    "{/shade}",
    "==",
    "**",
    "D9D9D9}",
    "\n\n",
]
markupish = st.lists(st.sampled_from(TOKENS), max_size=40).map("".join)


@FUZZ
@given(st.one_of(markupish, st.text(max_size=80)))
def test_markup_parser_fuzz(text):
    try:
        body = markup.parse(text)
    except MarkupError as e:
        assert "line" in str(e)
        return
    # Whatever parses renders back to markup that parses to the same body.
    assert markup.parse(markup.render(body)) == body


@FUZZ
@given(st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_text_importer_fuzz(raw):
    try:
        cards = parse_text_cards(decode(raw, "fuzz.txt"), "fuzz.txt")
    except EvcardsError:
        return
    for card in cards:
        assert cardfile.loads(cardfile.dumps(card)) == card


cite_lines = st.builds(
    lambda short, full, ini, body: f"{short} ({full}) {ini}\n{body}",
    st.text(max_size=20),
    st.text(max_size=60),
    st.text(max_size=5),
    st.text(max_size=80),
)


@FUZZ
@given(cite_lines)
@example(" () \n\x1b\x850")  # \x85 breaks the line; the line of \x1b was taken as the cite
def test_text_importer_fuzz_near_valid(text):
    try:
        cards = parse_text_cards(text, "fuzz.txt")
    except EvcardsError:
        return
    # A lone line is an analytic; a cite line it cannot read is kept as the full cite.
    assert all(c.cite.short or c.cite.full or c.kind == "analytic" for c in cards)


@FUZZ
@given(st.text(max_size=200))
def test_card_file_fuzz(text):
    try:
        cardfile.loads('id = "0123456789abcdef"\n' + text, "fuzz.toml")
    except InvalidCard:
        pass


# -- the .docx importer on mutated real documents ----------------------------------------------

CORPUS_DOCX = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "docx"
SNIPPETS = [
    b"<w:p>",
    b"</w:p>",
    b"<w:r>",
    b"</w:r>",
    b"<w:t>",
    b"</w:t>",
    b"&amp;",
    b"&lol;",
    b"<!DOCTYPE x>",
    b'"',
    b"\x00",
    b"\xff\xfe",
    b'<w:pStyle w:val="Heading4"/>',
    b'<w:highlight w:val="none"/>',
    b'<w:b w:val="0"/>',
    b'<w:sz w:val="-4"/>',
    b'<w:fldChar w:fldCharType="begin"/>',
    b"<w:del>",
    b"<w:sdt><w:sdtContent>",
]


def _smallest_real_docx() -> tuple[bytes, dict[str, bytes]]:
    files = sorted(CORPUS_DOCX.glob("*.docx"), key=lambda p: p.stat().st_size)
    with zipfile.ZipFile(files[0]) as z:
        parts = {name: z.read(name) for name in z.namelist()}
    return parts.pop("word/document.xml"), parts


mutation = st.one_of(
    st.tuples(st.just("flip"), st.integers(0, 10**9), st.integers(0, 255)),
    st.tuples(st.just("cut"), st.integers(0, 10**9), st.integers(1, 400)),
    st.tuples(st.just("dup"), st.integers(0, 10**9), st.integers(1, 400)),
    st.tuples(st.just("insert"), st.integers(0, 10**9), st.sampled_from(SNIPPETS)),
    st.tuples(st.just("truncate"), st.integers(0, 10**9), st.just(0)),
)


def mutate(doc: bytes, ops: list[tuple[str, int, object]]) -> bytes:
    buf = bytearray(doc)
    for op, at, arg in ops:
        i = at % max(1, len(buf))
        if op == "flip":
            if buf:
                buf[i] = int(arg)  # type: ignore[call-overload]
        elif op == "cut":
            del buf[i : i + int(arg)]  # type: ignore[call-overload]
        elif op == "dup":
            buf[i:i] = buf[i : i + int(arg)]  # type: ignore[call-overload]
        elif op == "insert":
            buf[i:i] = arg  # type: ignore[assignment]
        else:
            del buf[i:]
    return bytes(buf)


DOCX_BUDGET = int(os.environ.get("EVCARDS_FUZZ_EXAMPLES", examples(300)))


@pytest.mark.skipif(not CORPUS_DOCX.is_dir(), reason="../shared/corpus is not present")
@settings(max_examples=DOCX_BUDGET, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(mutation, min_size=1, max_size=6))
def test_docx_importer_fuzz_mutated_real_documents(ops):
    from evcards.formats.docx.read import parse_docx

    doc, others = _smallest_real_docx()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "mutated.docx"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            for name, data in others.items():
                z.writestr(name, data)
            z.writestr("word/document.xml", mutate(doc, ops))
        try:
            cards = parse_docx(path)
        except EvcardsError as e:
            assert "mutated.docx" in str(e)
            return
        for card in cards:  # whatever parses is a valid card that stores losslessly
            assert cardfile.loads(cardfile.dumps(card)) == card
