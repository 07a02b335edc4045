"""The library on disk: names, ids, atomic writes, and writers that never lose an update."""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

from evcards.core.markup import parse
from evcards.core.models import Source, new_card
from evcards.store.library import Library, file_name, find_library, slug


def test_slug_and_file_name():
    assert slug("RM 6/14") == "rm-6-14"
    assert slug("Россия и Китай") == ""
    card = new_card(tag="China–Russia: no alliance!", cite={"short": "Meick 18"}, body=parse("x"))
    assert file_name(card) == f"meick-18-china-russia-no-alliance-{card.id}.toml"


def test_same_tag_and_cite_never_collide(lib):
    a = new_card(tag="Same", cite={"short": "X 19"}, body=parse("one"))
    b = new_card(tag="Same", cite={"short": "X 19"}, body=parse("two"))
    pa, pb = lib.add(a).path, lib.add(b).path
    assert pa != pb and pa.exists() and pb.exists()


def test_id_is_content_derived_and_survives_retag():
    a = new_card(tag="One", body=parse("same  text"))
    b = new_card(tag="Two", body=parse("same text"))
    assert a.id == b.id  # whitespace and tag do not make a new card
    c = new_card(tag="One", body=parse("same ==text=="))
    assert c.id != a.id  # a different cut of the same text is a different card


def test_add_merges_sightings(lib):
    card = new_card(body=parse("x"), sources=[Source(file="a.docx", position=1)])
    assert lib.add(card).status == "added"
    again = card.model_copy(update={"sources": [Source(file="b.docx", position=4)]})
    result = lib.add(again)
    assert result.status == "merged"
    assert result.card.seen == 2
    assert lib.add(again).status == "unchanged"


def test_atomic_write_leaves_no_temp_files(lib):
    lib.add(new_card(body=parse("x")))
    assert [p.name for p in lib.root.iterdir() if p.name.startswith(".tmp")] == []


def test_find_library_order(tmp_path, monkeypatch):
    monkeypatch.setenv("EVCARDS_LIBRARY", str(tmp_path / "env"))
    assert find_library(tmp_path / "opt") == tmp_path / "opt"
    assert find_library() == tmp_path / "env"
    monkeypatch.delenv("EVCARDS_LIBRARY")
    Library.open(tmp_path / "repo" / "cards", create=True)
    assert find_library(cwd=tmp_path / "repo") == tmp_path / "repo" / "cards"
    assert find_library(cwd=tmp_path / "repo" / "cards") == tmp_path / "repo" / "cards"
    assert find_library(cwd=tmp_path) == tmp_path / "home" / "library"


def test_symlinked_card_files_are_not_followed(lib, tmp_path):
    outside = tmp_path / "outside.toml"
    outside.write_text('id = "0123456789abcdef"\n')
    os.symlink(outside, lib.root / "link.toml")
    assert list(lib.paths()) == []


def test_concurrent_taggers_lose_no_update(lib, tmp_path):
    """Eight processes each add a label to the same card at once: all eight labels stay."""
    card = lib.add(new_card(tag="T", body=parse("body"))).card
    env = {**os.environ, "EVCARDS_LIBRARY": str(lib.root)}

    def tag(i: int) -> int:
        cmd = [sys.executable, "-m", "evcards", "tag", card.id, "-l", f"l{i}"]
        return subprocess.run(cmd, env=env, capture_output=True).returncode

    with ThreadPoolExecutor(8) as pool:
        assert list(pool.map(tag, range(8))) == [0] * 8
    _, after = lib.resolve(card.id)
    assert after.labels == [f"l{i}" for i in range(8)]
    assert len(list(lib.paths())) == 1


def test_year_ignores_the_access_date():
    from evcards.core.models import Cite

    assert Cite(short="Meick 18").year == 2018
    assert Cite(short="RM 6/14", full="RM, 6-14-2019, Russia Matters").year == 2019
    assert (
        Cite(short="Wire ND", full="Energy Wire, https://x.org, accessed 11-29-2026").year is None
    )
    assert Cite(short="X 99").year == 1999
    assert Cite(short="Doe", date="July 2017").year == 2017


def test_atomic_write_gives_the_usual_mode_or_keeps_the_old_one(tmp_path):
    # mkstemp's 0600 used to stick: an exported speech doc could not be shared or served.
    from evcards.store.atomic import atomic_write

    old = os.umask(0o022)
    try:
        atomic_write(tmp_path / "new.docx", b"x", overwrite=False)
        assert (tmp_path / "new.docx").stat().st_mode & 0o777 == 0o644
        (tmp_path / "kept.toml").write_bytes(b"old")
        (tmp_path / "kept.toml").chmod(0o640)
        atomic_write(tmp_path / "kept.toml", b"new")
        assert (tmp_path / "kept.toml").stat().st_mode & 0o777 == 0o640
    finally:
        os.umask(old)


def test_year_follows_the_short_cite():
    # Imported cites put any year of the quals in `date`: 'Ahmed 20' with a DPhil (April 2009)
    # was filed under 2009, and one-digit years ('Hellman 8') had no year at all.
    from evcards.core.models import Cite
    from evcards.index.facts import cite_year

    cases = [
        (
            Cite(short="Ahmed 20", full="Nafeez Ahmed 20, DPhil (April 2009)", date="April 2009"),
            2020,
        ),
        (Cite(short="Hellman 8", full="Martin Hellman, SPRING 2008, Tau Beta Pi"), 2008),
        (Cite(short="Bova ‘8"), 2008),
        (Cite(short="Scannell 2018", date="2019"), 2018),
        (Cite(short="Meick 18", full="Ethan Meick, 2016 fellow, 9-2-2018"), 2018),
        (Cite(short="RM 6/14", full="RM, 6-14-2019, Russia Matters"), 2019),
        (Cite(short="Doe", date="July 2017"), 2017),
    ]
    for cite, year in cases:
        assert cite.year == year, cite.short
        assert cite_year(cite.date, cite.full, cite.short) == year, cite.short


def test_the_next_write_removes_staging_left_by_a_killed_interrupt(tmp_path):
    """Ctrl-C renames the staging folder aside for a process of its own to remove; when that
    process is killed too, the next command that writes removes it."""
    lib = Library.open(tmp_path / "lib", create=True)
    aside = lib.state_dir / "staging.discarded-123-456"
    aside.mkdir(parents=True)
    (aside / "123-card.toml").write_text("half")
    (lib.state_dir / "staging").mkdir()
    (lib.state_dir / "staging" / "9-other.toml").write_text("half")
    with lib.lock():
        pass
    assert not aside.exists()
    assert not any((lib.state_dir / "staging").iterdir())
