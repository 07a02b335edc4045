"""Hypothesis strategies for cards: every body and card the model allows."""

from __future__ import annotations

from hypothesis import strategies as st

from evcards.core.models import HIGHLIGHT_COLORS, Card, Cite, Location, Source, Span, new_card

# Text full of what trips parsers: the markup's own characters, brackets, ellipses, pilcrows,
# quotes, backslashes, tabs and non-Latin scripts (Cyrillic, CJK, Arabic, emoji).
_TRICKY = "_*=~{}\\[]…¶\"'“”‘’\t -—–.,;:()/#<>&"
_SCRIPTS = "abcXYZ019ЖжДд中国俄罗斯العربية😀é̃ß"
text_chars = st.one_of(
    st.sampled_from(list(_TRICKY + _SCRIPTS)),
    st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="\u2028\u2029"),
)
span_text = st.text(text_chars, min_size=1, max_size=12)
sizes = st.integers(min_value=2, max_value=800).map(lambda n: n / 2)
shading = st.sampled_from(["D9D9D9", "FFFF00", "000000", "A5A5A5"])

spans = st.builds(
    Span,
    text=span_text,
    underline=st.booleans(),
    emphasis=st.booleans(),
    box=st.booleans(),
    highlight=st.none() | st.sampled_from(HIGHLIGHT_COLORS),
    shading=st.none() | shading,
    bold=st.booleans(),
    italic=st.booleans(),
    size=st.none() | st.sampled_from([8.0, 6.0, 4.0, 7.5]) | sizes,
)
raw_bodies = st.lists(st.lists(spans, min_size=0, max_size=6), min_size=0, max_size=4)

line = st.text(text_chars, max_size=30)
labels = st.lists(st.from_regex(r"\A[a-z0-9][a-z0-9_.+-]{0,8}\Z"), max_size=3)


@st.composite
def cards(draw: st.DrawFn) -> Card:
    body = draw(raw_bodies)
    cite = Cite(
        short=draw(line),
        full=draw(line),
        author=draw(st.none() | line),
        date=draw(st.none() | line),
        url=draw(st.none() | line),
        initials=draw(st.none() | st.from_regex(r"\A[a-z]{2,3}\Z")),
    )
    kind = "card"
    if not any(s.text.strip() for p in body for s in p) and draw(st.booleans()):
        kind, body = "analytic", []
    return new_card(
        tag=draw(line),
        cite=cite,
        kind=kind,
        body=body,
        undertag=draw(line),
        labels=draw(labels),
        location=Location(pocket=draw(line), hat=draw(line), block=draw(line)),
        sources=draw(
            st.lists(
                st.builds(Source, file=line, position=st.none() | st.integers(0, 10_000)),
                max_size=2,
            )
        ),
    )


# Card markup as a debater might mistype it: the markup's pieces in any order, many invalid.
markup_pieces = [*"ab _*=~{}\\\n", "{b}", "=={cyan}", "~{6}", "{shade:D9D9D9}", "{/shade}", "{box}"]
markup_pieces += ["=={pink}", "~{0}", "\x01", "\n\n", " \n \n", "=={b}", "=={i}", "~{8}", "=={box}"]
markup_pieces += [
    "{i}",
    "{/b}",
    "{b:D9D9D9}",
    "{shade}",
    "~{6.5}",
    "~{401}",
    "=={DarkGray}",
    "\r\n",
]
any_markup = st.lists(st.sampled_from(markup_pieces), max_size=20).map("".join)
