"""The card id has two implementations: `content_key` over Span bodies, and its fast twin
`content_key_marked` over the (text, marks) pairs the .docx reader keeps. They must agree,
or a card imported from .docx would get another id than the same card built any other way.
The corpus check is in tests/test_docx_corpus.py."""

from __future__ import annotations

from budget import examples
from hypothesis import example, given, settings
from hypothesis import strategies as st
from strategies import line, raw_bodies

from evcards.core.models import (
    Cite,
    Span,
    content_key,
    content_key_marked,
    normalize_body,
)


def _marked(body: list[list[Span]]) -> list[list[tuple[str, object]]]:
    return [[(span.text, span.marks()) for span in para] for para in body]


@settings(max_examples=examples(1000), deadline=None)
@given(raw_bodies, line, line, line, st.sampled_from(["card", "analytic"]))
# The rare paragraphs the twin normalises, each alone: a decomposed accent, a double space,
# a tab; and an accent split across two spans, which neither normalises.
@example([[Span(text="cafe\u0301"), Span(text=" x", underline=True)]], "", "", "", "card")
@example([[Span(text="a  b"), Span(text=" c", bold=True)]], "", "", "", "card")
@example([[Span(text="a\tb"), Span(text=" c", bold=True)]], "", "", "", "card")
@example([[Span(text="cafe"), Span(text="\u0301 x", underline=True)]], "", "", "", "card")
def test_marked_key_equals_span_key(
    raw: list[list[Span]], tag: str, short: str, full: str, kind: str
) -> None:
    body = normalize_body(raw)  # the twin's contract: bodies in canonical form
    cite = Cite(short=short, full=full)
    assert content_key_marked(_marked(body), tag, cite, kind) == content_key(body, tag, cite, kind)
