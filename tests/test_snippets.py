"""The snippet under a search result: cut in Python, with the tokenizer's notion of a word."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

from budget import examples, scaled
from hypothesis import example, given, settings
from hypothesis import strategies as st

from evcards.index.search import quote_query
from evcards.index.snippets import Term, fold, snippet, snippet_reference, terms_of, terms_of_raw

S, E = "[", "]"


def cut(text: str, query: str, width: int = 16) -> str:
    return snippet(text, terms_of(quote_query(query)), S, E, width)


def test_terms_follow_the_quoted_query() -> None:
    assert terms_of(quote_query('nuclear "brain drain" econ* NOT Café')) == [
        Term(("nuclear",)),
        Term(("brain", "drain")),
        Term(("econ",), prefix=True),
        Term(("cafe",)),
    ]
    assert terms_of_raw('tag: war AND "cold peace" NEAR(x y) fin*') == [
        Term(("cold", "peace")),
        Term(("war",)),
        Term(("x",)),
        Term(("y",)),
        Term(("fin",), prefix=True),
    ]


def test_words_phrases_prefixes_case_and_accents() -> None:
    text = "The Economy of war. Brain drain hurts; the brain is fine. Résumé padding."
    assert (
        cut(text, "war")
        == "The Economy of [war]. Brain drain hurts; the brain is fine. Résumé padding."
    )
    assert "[Brain drain]" in cut(text, '"brain drain"')
    assert "the brain is" in cut(text, '"brain drain"')  # a lone "brain" is not the phrase
    assert "[Economy]" in cut(text, "econ*")
    assert "[Résumé]" in cut(text, "resume")
    assert "[war]. [Brain]" in cut(text, "war brain")  # neighbours with punctuation stay apart


def test_the_window_goes_where_the_matches_are() -> None:
    words = [f"w{i}" for i in range(100)]
    words[60] = "nuclear"
    words[62] = "war"
    words[5] = "war"
    got = cut(" ".join(words), "nuclear war", width=8)
    assert got == "…w58 w59 [nuclear] w61 [war] w63 w64 w65…"


def test_no_match_gives_the_opening_words() -> None:
    text = " ".join(f"w{i}" for i in range(30))
    assert cut(text, "absent", width=4) == "w0 w1 w2 w3…"
    assert cut("short text.", "absent") == "short text."
    assert cut("", "x") == ""


CARD_TEXT = st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=300)  # no controls


@given(CARD_TEXT, st.lists(st.text(min_size=1, max_size=8), max_size=3))
def test_a_snippet_is_a_slice_of_the_text_with_marked_terms(text: str, words: list[str]) -> None:
    terms = [Term((fold(w),)) for w in words if w.strip() and fold(w).isalnum()]
    out = snippet(text, terms, "\x02", "\x03", 8)
    plain = out.replace("\x02", "").replace("\x03", "").removeprefix("…").removesuffix("…")
    assert plain.strip() in text
    for marked in out.split("\x02")[1:]:
        assert marked.count("\x03") == 1


VOCAB = ["war", "nuclear", "Nuclear", "peace", "the", "econ", "economy", "x1", "café", "Cafe"]


@given(
    st.lists(st.sampled_from(VOCAB), min_size=1, max_size=400),
    st.lists(st.sampled_from(VOCAB), min_size=1, max_size=2),
    st.sampled_from([" ", ", ", ". ", "’ ", "\n"]),
    st.booleans(),
)
# A phrase's first word more often away from the phrase than at it: found by CI's budget.
@example(["peace"] + ["war"] * 18 + ["nuclear"] * 7 + ["peace"] * 2, ["peace", "war"], " ", False)
def test_long_texts_still_show_a_match(
    words: list[str], query: list[str], sep: str, pre: bool
) -> None:
    """Long bodies take the fast path (a regex finds the region); it must agree with the
    tokenizer's view of what matches."""
    text = sep.join(words)
    term = Term(tuple(fold(w) for w in query), prefix=pre)
    out = snippet(text, [term], S, E)
    folded = [fold(w) for w in words]
    n = len(term.tokens)
    found = any(
        folded[i : i + n - 1] == list(term.tokens[:-1])
        and (
            folded[i + n - 1].startswith(term.tokens[-1])
            if pre
            else folded[i + n - 1] == term.tokens[-1]
        )
        for i in range(len(folded) - n + 1)
    )
    assert (S in out) == found
    assert len(out.replace(S, "").replace(E, "").replace("…", "").split()) <= 16


def test_an_accented_match_deep_in_a_long_text_is_found() -> None:
    text = " ".join(f"w{i}" for i in range(300)) + " the Résumé padding " + "tail " * 50
    assert "[Résumé]" in cut(text, "resume")
    assert "[Résumé]" in cut(text, "RÉSUMÉ")


# -- the fast snippet against the reference (every word tokenized) ---------------------------
# Words that fold in every way the fast path must handle: case, accents (composed and not),
# lower-casing that changes the length (İ), folding to more letters (ß, ﬁ) or to nothing
# (ﾞ), letters beyond Latin, words of 45 and 70 letters, digits, and separators (¶, curly quotes, underscores).
WORDS = [
    "war",
    "War",
    "WAR",
    "nuclear",
    "Nuclear",
    "peace",
    "the",
    "econ",
    "economy",
    "Economic",
    "café",
    "Cafe",
    "CAFÉ",
    "cafe\u0301",
    "résumé",
    "Resume",
    "straße",
    "strasse",
    "ﬁsh",
    "fish",
    "pneumonoultramicroscopicsilicovolcanoconiosis",  # longer than the fast path's first look
    "Ω" * 70,
    "İstanbul",
    "istanbul",
    "ﾞ",
    "Ω",
    "ω",
    "x1",
    "1",
    "naïve",
    "naive",
    "中国",
]
SEPARATORS = [" ", ", ", ". ", "’ ", " ¶ ", "_", "-", " (", "\n", "  "]


@st.composite
def texts(draw: st.DrawFn) -> str:
    words = draw(st.lists(st.sampled_from(WORDS), max_size=120))
    out = [draw(st.sampled_from(["", "", "“", " "]))]
    for w in words:
        out += [w, draw(st.sampled_from(SEPARATORS))]
    return "".join(out)


@st.composite
def queries(draw: st.DrawFn) -> list[Term]:
    """Terms as terms_of makes them: a word, a phrase or a prefix, of the words above."""
    out = []
    for _ in range(draw(st.integers(1, 3))):
        words = draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=3))
        folded = tuple(fold(t) for w in words for t in re.findall(r"[^\W_]+", w))
        if folded:
            cut = draw(st.integers(0, 2))  # a prefix of the last word, as `econ*` is
            last = folded[-1][: max(0, len(folded[-1]) - cut)]
            prefix = draw(st.booleans())
            out.append(Term((*folded[:-1], last) if prefix else folded, prefix))
    return out


@settings(max_examples=examples(2000))
@given(texts(), queries(), st.sampled_from([1, 3, 8, 16]))
@example("peace " + "war " * 18 + "nuclear " * 7 + "peace peace", [Term(("peace", "war"))], 16)
@example("İstanbul war", [Term(("war",))], 16)
@example("ﾞ war ﾞ", [Term(("",), prefix=True), Term(("war",))], 16)
@example("a b c d e f g h war", [Term(("war",))], 3)
@example("nuclear peace peace war ", [Term(("war",)), Term(("nuclear",))], 1)  # lead-in > cap
@example(
    "Ω" * 70 + " x war" + " y" * 20, [Term(("war",))], 16
)  # the lead-in's first look ends in a word
def test_the_fast_snippet_is_the_reference(text: str, terms: list[Term], width: int) -> None:
    assert snippet(text, terms, S, E, width) == snippet_reference(text, terms, S, E, width)


QUERY_WORDS = [
    "nuclear war",
    '"climate change"',
    "econ*",
    "extinction",
    "russia OR china",
    '"free trade"',
    "cap*",
    "solar",
    "the",
    "a",
    "ontology",
    "biopower",
    "café",
    "naïve",
]


def test_the_fast_snippet_is_the_reference_on_the_corpus(corpus: Path) -> None:
    """Every DebateSum body of the shared corpus, as search cuts it (pilcrows for newlines)."""
    path = corpus / "debatesum" / "train-DebateSum.jsonl.gz"
    with gzip.open(path, "rt", encoding="utf-8") as f:
        bodies = [str(json.loads(line)["docs"][0]["text"]) for line in f]
    step = max(1, len(bodies) // scaled(len(bodies), 100))
    for body in bodies[::step]:
        text = body.replace("\n", " ¶ ")
        for query in QUERY_WORDS:
            terms = terms_of(quote_query(query))
            assert snippet(text, terms, S, E) == snippet_reference(text, terms, S, E), query
