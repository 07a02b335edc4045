"""Hostile and malformed text files, card files and config: a clean error, nothing changed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import snapshot
from harness import assert_clean_failure, evcards

from evcards.core.markup import parse
from evcards.core.models import new_card
from evcards.store.library import Library

CITE = b'Smith 19 (John Smith, Professor, 2019, "Title," Journal) ab\n'


@pytest.fixture
def filled(tmp_path) -> Library:
    lib = Library.open(tmp_path / "library", create=True)
    lib.add(new_card(tag="Kept", cite={"short": "Kept 20"}, body=parse("_keep ==me==_")))
    return lib


TEXT_CASES = {
    "invalid-utf8": (b"Smith 19 (Smith, 2019) ab\ncaf\xe9 \xff\xfe", "not UTF-8"),
    "nul-bytes": (CITE + b"body with a \x00 NUL", "NUL bytes"),
    "empty": (b"", "no card found"),
    "only-whitespace": (b"\n \n\t\n", "no card found"),
    "binary-garbage": (bytes(range(256)) * 64, "UTF-8"),
    "huge-paragraph": (CITE + b"word " * (11 * 1024 * 1024 // 5), "over 1,000,000 characters"),
    "too-big-file": (b"x" * (21 * 1024 * 1024), "larger than 20 MB"),
    "utf16-bom": ("Smith 19 (Smith) ab\nbody".encode("utf-16"), "not UTF-8"),
    "cite-with-no-body": (b"Tag\n" + CITE, "a cite with no card text after it"),
}


@pytest.mark.parametrize("name", sorted(TEXT_CASES))
def test_hostile_text_import(name, filled, tmp_path):
    data, fragment = TEXT_CASES[name]
    path = tmp_path / f"{name}.txt"
    path.write_bytes(data)
    before = snapshot(filled.root)
    out = evcards("import", path, library=filled.root)
    assert_clean_failure(out, fragment)
    assert snapshot(filled.root) == before


# A cite it cannot read no longer refuses the file (issue 12): the line is kept as the full
# cite, and one warning names the file and the line.
UNREAD_CITES = {"no-cite-line": b"just text\nmore text\n", "cite-line-parens-only": b"()\nbody\n"}


@pytest.mark.parametrize("name", sorted(UNREAD_CITES))
def test_unread_cite_imports_with_one_warning(name, filled, tmp_path):
    path = tmp_path / f"{name}.txt"
    path.write_bytes(UNREAD_CITES[name])
    out = evcards("import", path, library=filled.root)
    assert out.code == 0, out.stderr
    [warning] = out.stderr.splitlines()
    assert warning.startswith(f"Warning: {path}: line 1: no cite found in ")
    assert len(list(filled.cards())) == 2


@pytest.mark.parametrize("name", ["invalid-utf8", "nul-bytes", "empty", "huge-paragraph"])
def test_hostile_text_on_stdin(name, filled):
    data, fragment = TEXT_CASES[name]
    before = snapshot(filled.root)
    out = evcards("import", "-", library=filled.root, stdin=data)
    assert_clean_failure(out, fragment)
    assert snapshot(filled.root) == before


CARD_FILE_CASES = {
    "invalid-utf8": (b'id = "0123456789abcdef"\ntag = "caf\xe9"\n', "not UTF-8"),
    "nul-byte": (b'id = "0123456789abcdef"\ntag = "a\x00b"\n', "invalid TOML"),
    "unknown-key": (b'id = "0123456789abcdef"\nsecret = 1\n', "secret - unknown key"),
    "wrong-type": (b'id = "0123456789abcdef"\nlabels = "neg"\n', "labels - Input should be"),
    "wrong-nested-type": (b'id = "0123456789abcdef"\n[cite]\nshort = 18\n', "cite.short"),
    "body-not-table": (b'id = "0123456789abcdef"\nbody = "x"\n', "body - must be a table"),
    "bad-markup": (b'id = "0123456789abcdef"\n[body]\ntext = "{evil}"\n', "unknown markup"),
    "truncated": (b'id = "0123456789abcdef"\n[body]\ntext = """\nabc', "invalid TOML"),
    "deep-nesting": (b"x = " + b"[" * 5000 + b"]" * 5000 + b"\n", "invalid TOML"),
    "huge-card-file": (
        b'id = "0123456789abcdef"\ntag = "' + b"a" * (5 * 1024 * 1024) + b'"\n',
        "too big to be one card",
    ),
    "missing-id": (b'tag = "no id"\n', "id - Field required"),
    "control-chars-in-tag": (b'id = "0123456789abcdef"\ntag = "a\\u0007b"\n', "single line"),
}


@pytest.mark.parametrize("name", sorted(CARD_FILE_CASES))
def test_hostile_card_files(name, filled):
    data, fragment = CARD_FILE_CASES[name]
    bad = filled.root / f"bad-{name}-0123456789abcdef.toml"
    bad.write_bytes(data)
    before = snapshot(filled.root)
    out = evcards("list", library=filled.root)
    assert_clean_failure(out, fragment)
    assert str(bad.name) in out.stderr  # the error names the file
    # A write to the good card still works and does not touch the bad file.
    good = next(p for p in filled.paths() if p != bad)
    out = evcards("tag", good, "-l", "safe", library=filled.root)
    assert out.code == 0, out.stderr
    assert bad.read_bytes() == before[bad.name]


def test_duplicate_ids(filled):
    (path,) = list(filled.paths())
    copy = filled.root / ("copy-" + path.name)
    copy.write_bytes(path.read_bytes())
    card_id = path.name[-21:-5]
    before = snapshot(filled.root)
    out = evcards("show", card_id, library=filled.root)
    assert_clean_failure(out, "is stored twice")
    out = evcards("rm", card_id[:6], library=filled.root)
    assert_clean_failure(out, "delete one of them")
    assert snapshot(filled.root) == before


def test_symlink_to_outside_is_ignored(filled, tmp_path):
    secret = tmp_path / "secret.toml"
    secret.write_text('id = "fedcba9876543210"\ntag = "EVIL-LINK-TAG"\n')
    os.symlink(secret, filled.root / "evil-fedcba9876543210.toml")
    out = evcards("list", "--json", library=filled.root)
    assert out.code == 0, out.stderr
    assert "EVIL-LINK-TAG" not in out.stdout
    out = evcards("rm", "fedcba", library=filled.root)
    assert_clean_failure(out, "no card with id")
    assert secret.exists()


CONFIG_CASES = {
    "invalid-toml": (b"wpm = = 3\n", "invalid TOML"),
    "wrong-type": (b"wpm = 'fast'\n", "wpm - Input should be"),
    "unknown-key": (b"colour = 'red'\n", "colour - unknown key"),
    "bad-colour": (b"highlight = 'puce'\n", "highlight - Input should be"),
    "negative-wpm": (b"wpm = -5\n", "wpm - Input should be greater than 0"),
    "invalid-utf8": (b"initials = '\xff'\n", "not UTF-8"),
    "huge": (b"#" * (2 * 1024 * 1024), "over 1 MB"),
}


@pytest.mark.parametrize("name", sorted(CONFIG_CASES))
def test_hostile_config(name, filled, tmp_path):
    data, fragment = CONFIG_CASES[name]
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    (home / "config.toml").write_bytes(data)
    (path,) = list(filled.paths())
    before = snapshot(filled.root)
    out = evcards("show", path, library=filled.root, env={"EVCARDS_HOME": str(home)})
    assert_clean_failure(out, fragment)
    assert "config.toml" in out.stderr
    assert snapshot(filled.root) == before


def test_library_path_is_a_file(tmp_path):
    f = tmp_path / "notadir"
    f.write_text("x")
    out = evcards("list", library=f)
    assert_clean_failure(out, "is a file, not a folder")
    assert f.read_text() == "x"


def test_library_markup_written_by_hand_with_every_special_character(filled):
    """A body of nothing but markup characters, all escaped, loads back exactly."""
    text = "\\_\\*\\=\\~\\{\\\\ }}} * = [x] … ¶"
    card = new_card(tag="t", body=parse(text))
    filled.add(card)
    out = evcards("show", card.id, "--json", library=filled.root)
    assert out.code == 0, out.stderr
    assert "_*=~{\\\\ }}} * = [x] … ¶" in out.stdout
    assert Path(filled.root).exists()
