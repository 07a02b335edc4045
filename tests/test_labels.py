"""Labels are kept in one spelling (core/labels.py): `Neg`, `neg` and `NEG` are one label, a
label may be typed with spaces, and a card file written before folding reads folded, through
the model and the index's fast reader alike."""

from __future__ import annotations

import json
import re

import pytest
import tomli_w
from budget import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from evcards.cli import app
from evcards.core.labels import fold, fold_all, is_label
from evcards.core.markup import parse
from evcards.core.markup_text import NotPlain
from evcards.errors import InvalidCard
from evcards.index.facts import extract, facts_from_card, facts_from_dict
from evcards.store import cardfile
from evcards.store.cardtoml import loads_card_toml

OLD_LABEL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.+-]{0,39}$")  # what cards could hold before


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("neg", "neg"),
        ("Neg", "neg"),
        ("NEG", "neg"),
        ("China DA", "china-da"),
        ("case_neg", "case-neg"),
        ("  politics  da ", "politics-da"),
        ("a_-_b", "a-b"),
        ("t.sub+", "t.sub+"),
    ],
)
def test_a_label_folds_to_one_spelling(typed: str, stored: str) -> None:
    assert fold(typed) == stored
    assert is_label(typed)


@pytest.mark.parametrize("typed", ["", "  ", "-", "no/slash", "é", "x" * 41, ".dot"])
def test_what_is_not_a_label(typed: str) -> None:
    assert not is_label(typed)


@settings(max_examples=examples(500), deadline=None)
@given(st.from_regex(OLD_LABEL, fullmatch=True))
def test_every_label_a_card_could_hold_still_reads(label: str) -> None:
    # a file written before labels were folded must not become invalid
    assert is_label(label)
    assert fold(fold(label)) == fold(label)


_messy = st.text(alphabet="aAbB1 _-.+/é\t", max_size=6)


@settings(max_examples=examples(500), deadline=None)
@given(_messy)
def test_folding_skips_only_what_is_already_folded(text: str) -> None:
    # fold() returns a folded label as it is (the index folds every label it reads)
    assert fold(text) == re.sub(r"[\s_-]+", "-", text.casefold()).strip("-")


@settings(max_examples=examples(500), deadline=None)
@given(labels=st.lists(_messy, max_size=4))
def test_the_index_reads_labels_as_the_model_does(labels: list[str]) -> None:
    text = tomli_w.dumps({"id": "0123456789abcdef", "tag": "T", "labels": labels})
    try:
        model = facts_from_card(cardfile.loads(text))
    except InvalidCard:
        with pytest.raises(NotPlain):
            facts_from_dict(loads_card_toml(text))
        return
    assert model.labels == tuple(fold_all(labels))
    assert facts_from_dict(loads_card_toml(text)) == model
    assert extract(text.encode()) == model


def test_an_old_card_file_reads_folded_and_is_written_folded(lib) -> None:
    path = lib.root / "old.toml"
    path.write_text(
        'id = "0123456789abcdef"\ntag = "T"\nlabels = ["Neg", "neg", "China_DA"]\n'
        '[body]\ntext = """\nbody\n"""\n',
        encoding="utf-8",
    )
    card = lib.read(path)
    assert card.labels == ["china-da", "neg"]
    assert 'labels = [\n    "china-da",\n    "neg",\n]' in cardfile.dumps(card)


def test_a_label_added_without_validation_is_written_folded() -> None:
    from evcards.core.models import new_card

    card = new_card(tag="T", body=parse("body")).model_copy(update={"labels": ["Neg", "A b"]})
    assert cardfile.card_to_dict(card)["labels"] == ["a-b", "neg"]


def _run(runner, *args):
    return runner.invoke(app, [str(a) for a in args])


def test_filters_and_tags_fold_what_the_debater_types(runner, lib, tmp_path) -> None:
    (tmp_path / "b.txt").write_text("a body", encoding="utf-8")
    result = _run(runner, "add", tmp_path / "b.txt", "-t", "Tag", "-l", "Neg", "-l", "China DA")
    assert result.exit_code == 0, result.output
    [(_, card)] = list(lib.cards())
    assert card.labels == ["china-da", "neg"]

    result = _run(runner, "list", "-l", "NEG", "--json")
    assert result.exit_code == 0, result.output
    assert [row["id"] for row in json.loads(result.stdout)] == [card.id]
    result = _run(runner, "search", "body", "-l", "china_da", "--json")
    assert result.exit_code == 0, result.output
    assert [row["id"] for row in json.loads(result.stdout)] == [card.id]

    result = _run(runner, "export", "-l", "Neg", "-f", "text", "-o", "-")
    assert result.exit_code == 0, result.output
    assert "a body" in result.stdout

    result = _run(runner, "tag", card.id[:6], "--unlabel", "China-DA", "-l", "Politics DA")
    assert result.exit_code == 0, result.output
    assert lib.resolve(card.id)[1].labels == ["neg", "politics-da"]
    result = _run(runner, "tag", card.id[:6], "-l", "no/slash")
    assert result.exit_code == 2
    assert "is not a label" in result.output
