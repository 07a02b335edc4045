"""Push, pull, status and search --remote against a real PostgreSQL server (remote_pg.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from remote_fixtures import card, files, library, pg_url_fixture, tdb_fixture  # noqa: F401
from remote_pg import TeamDb

from evcards.remote import remotes
from evcards.remote.pull import pull
from evcards.remote.push import push
from evcards.remote.status import status
from evcards.store.library import Library


def squad(lib: Library) -> remotes.Remote:
    return remotes.get(lib, "squad")


def test_push_then_pull_into_a_second_library_gives_the_same_files(tmp_path: Path, tdb: TeamDb):
    a = library(tmp_path, "a", tdb)
    with a.lock():
        for i in range(30):
            a.add(card(i, labels=["neg"] if i % 2 else []))
    r = push(a, squad(a))
    assert (r.sent, r.unchanged, r.deleted) == (30, 0, 0)
    b = library(tmp_path, "b", tdb, who="carl")
    got = pull(b, squad(b))
    assert got.added == 30
    assert files(b) == files(a)


def _retag(lib: Library, card_id: str, tag: str) -> None:
    with lib.lock():
        path = lib.path_of(card_id)
        assert path is not None
        lib.write(lib.read(path).model_copy(update={"tag": tag}), path)


def _relabel(lib: Library, card_id: str, *labels: str) -> None:
    with lib.lock():
        path = lib.path_of(card_id)
        assert path is not None
        c = lib.read(path)
        lib.write(c.model_copy(update={"labels": sorted({*c.labels, *labels})}), path)


def _synced_pair(tmp_path: Path, tdb: TeamDb, n: int = 10) -> tuple[Library, Library, list[str]]:
    a = library(tmp_path, "a", tdb)
    with a.lock():
        ids = [a.add(card(i)).card.id for i in range(n)]
    push(a, squad(a))
    b = library(tmp_path, "b", tdb)  # the same writer on a second laptop
    pull(b, squad(b))
    return a, b, ids


def test_an_incremental_pull_moves_only_what_changed(tmp_path: Path, tdb: TeamDb):
    a, b, ids = _synced_pair(tmp_path, tdb, 20)
    before = {p.name: p.stat().st_ino for p in b.paths()}
    _retag(a, ids[3], "A new tag")
    _relabel(a, ids[5], "aff")
    with a.lock():
        new_id = a.add(card(99)).card.id
    r = push(a, squad(a))
    assert r.sent == 3  # no selection: only what changed since the last sync
    got = pull(b, squad(b))
    assert (got.added, got.updated, got.removed, got.merged) == (1, 2, 0, 0)
    assert files(b) == files(a)
    after = {p.name: p.stat().st_ino for p in b.paths()}
    untouched = [n for n in before if ids[3] not in n and ids[5] not in n]
    assert all(after[n] == before[n] for n in untouched)  # not rewritten
    assert new_id in "".join(after)
    again = pull(b, squad(b))
    assert (again.added, again.updated, again.merged) == (0, 0, 0)


def test_status_counts_what_differs_each_way(tmp_path: Path, tdb: TeamDb):
    a, b, ids = _synced_pair(tmp_path, tdb, 6)
    st = status(b, squad(b))
    assert (st.to_push, st.deleted_here, st.to_pull) == (0, 0, 0)
    _retag(a, ids[0], "Changed there")
    push(a, squad(a))
    _retag(b, ids[1], "Changed here")
    from evcards.store.trash import move_to_trash

    with b.lock():
        path = b.path_of(ids[2])
        assert path is not None
        move_to_trash(b, [path])
    st = status(b, squad(b))
    assert (st.to_push, st.deleted_here, st.to_pull, st.deleted_there) == (1, 1, 1, 0)


def test_a_removed_card_travels_as_a_tombstone_to_the_trash(tmp_path: Path, tdb: TeamDb):
    from evcards.store.trash import contents, move_to_trash

    a, b, ids = _synced_pair(tmp_path, tdb, 5)
    with a.lock():
        path = a.path_of(ids[1])
        assert path is not None
        move_to_trash(a, [path])
    assert push(a, squad(a)).deleted == 1
    deleted = tdb.sql("SELECT deleted FROM cards WHERE card_id = %s", [ids[1]])
    assert deleted == [(True,)]
    got = pull(b, squad(b))
    assert got.removed == 1
    assert b.path_of(ids[1]) is None
    assert [t.id for t in contents(b)] == [ids[1]]  # restorable
    assert files(b) == files(a)


def test_a_tag_changed_on_both_sides_warns_and_keeps_the_other_in_history(
    tmp_path: Path, tdb: TeamDb
):
    a, b, ids = _synced_pair(tmp_path, tdb, 3)
    x = ids[0]
    _retag(a, x, "Tag from A")
    assert push(a, squad(a)).warnings == []
    _retag(b, x, "Tag from B")
    _relabel(b, x, "neg")
    r = push(b, squad(b))
    assert len(r.warnings) == 1 and x[:8] in r.warnings[0] and "tag" in r.warnings[0]
    assert tdb.sql("SELECT tag FROM cards WHERE card_id = %s", [x]) == [("Tag from B",)]
    hist = tdb.sql("SELECT field, value, replaced_by FROM history WHERE card_id = %s", [x])
    assert hist == [("tag", "Tag from A", f"alice_{tdb.suffix}")]
    # A had not changed it since: a pull takes B's tag without a word.
    got = pull(a, squad(a))
    assert (got.updated, got.warnings) == (1, [])
    assert a.read(a.path_of(x)).tag == "Tag from B"  # type: ignore[arg-type]
    assert files(a) == files(b)


def test_a_pull_over_an_unpushed_conflicting_change_keeps_it_in_the_trash(
    tmp_path: Path, tdb: TeamDb
):
    from evcards.store.trash import contents

    a, b, ids = _synced_pair(tmp_path, tdb, 3)
    x = ids[1]
    _retag(b, x, "Pushed by B")
    push(b, squad(b))
    _retag(a, x, "Unpushed in A")
    _relabel(a, x, "aff")
    got = pull(a, squad(a))
    assert len(got.warnings) == 1 and x[:8] in got.warnings[0]
    now = a.read(a.path_of(x))  # type: ignore[arg-type]
    assert now.tag == "Pushed by B"
    assert now.labels == ["aff"]  # labels are a union: the local one stays
    trashed = [t for t in contents(a) if t.id == x]
    assert len(trashed) == 1 and "Unpushed in A" in trashed[0].path.read_text()
    push(a, squad(a))  # the label travels; the tag stays B's
    assert tdb.sql("SELECT tag, labels FROM cards WHERE card_id = %s", [x]) == [
        ("Pushed by B", ["aff"])
    ]


def test_one_card_cut_by_two_people_is_one_row_with_both_sightings(tmp_path: Path, tdb: TeamDb):
    a = library(tmp_path, "a", tdb)
    b = library(tmp_path, "b", tdb)
    with a.lock():
        x = a.add(card(7, labels=["neg"], source="alice.docx")).card.id
    with b.lock():
        assert b.add(card(7, labels=["da"], source="bob.docx")).card.id == x
    push(a, squad(a))
    r = push(b, squad(b))
    assert r.warnings == []  # same tag and cite: nothing to warn of
    rows = tdb.sql("SELECT labels, sources FROM cards WHERE card_id = %s", [x])
    assert rows[0][0] == ["da", "neg"]
    assert sorted(s["file"] for s in rows[0][1]) == ["alice.docx", "bob.docx"]
    # B's own file was rewritten with the merge; A gets it on pull.
    pull(a, squad(a))
    assert files(a) == files(b)
    assert a.read(a.path_of(x)).seen == 2  # type: ignore[arg-type]


def test_push_by_selection(tmp_path: Path, tdb: TeamDb):
    a = library(tmp_path, "a", tdb)
    with a.lock():
        ids = [a.add(card(i, labels=["neg"] if i < 2 else [])).card.id for i in range(5)]
    assert push(a, squad(a), refs=[ids[4][:8]]).sent == 1
    assert push(a, squad(a), labels=["neg"]).sent == 2
    assert push(a, squad(a), everything=True).sent == 2  # the other three were there
    assert tdb.sql("SELECT count(*) FROM cards") == [(5,)]


def test_a_read_only_role_cannot_push_but_can_pull_and_search(tmp_path: Path, tdb: TeamDb):
    from evcards.errors import RemoteDenied
    from evcards.remote.search import search

    a = library(tmp_path, "a", tdb)
    with a.lock():
        a.add(card(1, tag="Nuclear deterrence works"))
    push(a, squad(a))
    c = library(tmp_path, "c", tdb, who="carl")
    with c.lock():
        c.add(card(2))
    with pytest.raises(RemoteDenied) as e:
        push(c, squad(c))
    assert f"carl_{tdb.suffix}" in str(e.value) and "read-write" in str(e.value)
    assert pull(c, squad(c)).added == 1
    hits = search(c, squad(c), "nuclear")
    assert [h.tag for h in hits] == ["Nuclear deterrence works"]


def test_a_second_team_cannot_see_the_first_teams_cards(tmp_path: Path, tdb: TeamDb):
    import psycopg

    from evcards.errors import RemoteDenied

    a = library(tmp_path, "a", tdb)
    with a.lock():
        a.add(card(1))
    push(a, squad(a))
    bea = library(tmp_path, "bea", tdb, who="bea", team="b")
    with bea.lock():
        bea.add(card(2))
    push(bea, squad(bea))
    assert pull(bea, squad(bea)).added == 0  # her own card only, already here
    assert len(files(bea)) == 1
    with psycopg.connect(tdb.url("bea")) as conn:  # no team set: still only her team's rows
        conn.execute("SELECT set_config('evcards.team', %s, false)", [tdb.team("b")])
        assert conn.execute("SELECT count(*) FROM cards").fetchone() == (1,)
    with psycopg.connect(tdb.url("bea")) as conn:
        assert conn.execute("SELECT count(*) FROM cards").fetchone() == (0,)
    spy = library(tmp_path, "spy", tdb, who="bea", team="a")  # claims team a
    with pytest.raises(RemoteDenied):
        pull(spy, squad(spy))
    assert tdb.sql("SELECT count(*) FROM cards") == [(2,)]


def test_the_search_function_gives_a_member_only_their_own_teams_cards(tmp_path: Path, tdb: TeamDb):
    """`evcards_matches` runs as the tables' owner (who is not bound by the policy): the team
    it reads is the session's, checked against the session role, whatever is asked."""
    import psycopg

    from evcards.remote.search import search

    a = library(tmp_path, "a", tdb)
    with a.lock():
        mine = a.add(card(1, tag="Sanctions fail")).card.id
    push(a, squad(a))
    bea = library(tmp_path, "bea", tdb, who="bea", team="b")
    with bea.lock():
        hers = bea.add(card(2, tag="Sanctions work")).card.id
    push(bea, squad(bea))
    assert [h.tag for h in search(bea, squad(bea), "sanctions")] == ["Sanctions work"]
    assert [h.tag for h in search(a, squad(a), "sanctions")] == ["Sanctions fail"]
    both = "SELECT card_id FROM evcards_matches(to_tsquery('sanction'), %s, NULL)"
    body = "SELECT card_id FROM evcards_matches(to_tsquery('russia'), false, NULL)"
    with psycopg.connect(tdb.url("bea"), autocommit=True) as conn:
        assert conn.execute(both, [True]).fetchall() == []  # no team set: her role's rows
        assert conn.execute(body).fetchall() == []
        conn.execute("SELECT set_config('evcards.team', %s, false)", [tdb.team("b")])
        assert conn.execute(both, [True]).fetchall() == [(hers,)]
        for team in (tdb.team("a"), f"owner_{tdb.suffix}", "postgres"):
            conn.execute("SELECT set_config('evcards.team', %s, false)", [team])
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(both, [True])
        conn.execute("RESET evcards.team")
        conn.execute("SELECT set_config('evcards.team', %s, true)", [""])
        assert conn.execute(body).fetchall() == []
    with psycopg.connect(tdb.url("alice"), autocommit=True) as conn:
        conn.execute("SELECT set_config('evcards.team', %s, false)", [tdb.team("a")])
        got = conn.execute(body).fetchall()  # 'russia' is in the body only
        assert got == [(mine,)]


def test_hostile_text_round_trips_or_is_refused(tmp_path: Path, tdb: TeamDb):
    from evcards.core.models import Source
    from evcards.errors import RemoteError

    a = library(tmp_path, "a", tdb)
    drop = "'; DROP TABLE cards; --"
    huge = " ".join(f"w{i}" for i in range(180_000))  # a 1 MB tag
    assert len(huge) > 1_000_000
    with a.lock():
        a.add(card(1, tag=drop, short=drop))
        a.add(card(2, tag=huge, labels=["x"]))
        a.add(card(3, tag='quotes " \\ and $$ dollars $$ and %s %(x)s'))
    push(a, squad(a))
    b = library(tmp_path, "b", tdb)
    pull(b, squad(b))
    assert files(b) == files(a)
    assert tdb.sql("SELECT count(*) FROM cards") == [(3,)]
    with a.lock():
        nul = card(4).model_copy(update={"sources": [Source(file="a\x00b.docx")]})
        a.write(nul)
    with pytest.raises(RemoteError) as e:
        push(a, squad(a))
    assert nul.id in str(e.value) and "NUL" in str(e.value)
    assert tdb.sql("SELECT count(*) FROM cards") == [(3,)]


def test_search_remote_ranks_filters_and_has_the_local_json_shape(tmp_path: Path, tdb: TeamDb):
    from evcards.index.query import Filters
    from evcards.index.search import search as local_search
    from evcards.remote.search import search

    a = library(tmp_path, "a", tdb)
    with a.lock():
        a.add(card(1, tag="Sanctions fail", labels=["neg"]))
        a.add(card(2, tag="Unrelated thing", short="Sanctions 19"))
        a.add(card(3, tag="Nothing at all"))
    push(a, squad(a))
    hits = search(a, squad(a), "sanctions")
    assert [h.tag for h in hits] == ["Sanctions fail", "Unrelated thing"]  # tag over cite
    assert hits[0].score > hits[1].score and hits[0].rank == 1
    local = local_search(a.root, "sanctions")
    assert set(hits[0].as_json()) == set(local[0].as_json())
    assert hits[0].path and Path(hits[0].path).is_file()
    only = search(a, squad(a), "sanctions", Filters(labels=["neg"]))
    assert [h.tag for h in only] == ["Sanctions fail"]
    by_tag = search(a, squad(a), "", Filters(tag=["nothing"]))
    assert [h.tag for h in by_tag] == ["Nothing at all"]
    assert search(a, squad(a), "objectives -sanctions", limit=5)[0].tag == "Nothing at all"
    assert "«" in search(a, squad(a), "objectives")[0].snippet


def test_search_remote_finds_the_hits_files_in_the_catalog_not_by_a_walk(
    tmp_path: Path, tdb: TeamDb, monkeypatch: pytest.MonkeyPatch
):
    from evcards.index.sync import ensure
    from evcards.remote.search import search

    a = library(tmp_path, "a", tdb)
    with a.lock():
        ids = [a.add(card(n, tag=f"Sanctions fail {n}")).card.id for n in range(1, 4)]
    push(a, squad(a))
    files = {i: a.path_of(i) for i in ids}
    ensure(a.root).close()

    def walked(self):
        raise AssertionError("listed every card file for twenty hits")

    monkeypatch.setattr(Library, "ids", walked)
    hits = search(a, squad(a), "sanctions")
    assert {h.id: h.path for h in hits} == {i: str(p) for i, p in files.items()}


def test_speeches_travel_with_speeches(tmp_path: Path, tdb: TeamDb):
    from evcards.store import speechfile

    a = library(tmp_path, "a", tdb)
    with a.lock():
        x = a.add(card(1)).card.id
    text = f'title = "1NC vs Michigan"\n\n[[blocks]]\nheading = "DA"\nitems = ["{x}"]\n'
    folder = speechfile.folder(a.root)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "1nc.toml").write_text(text, encoding="utf-8")
    r = push(a, squad(a), speeches=True)
    assert (r.sent, r.speeches) == (1, 1)
    assert push(a, squad(a), speeches=True).speeches == 0  # unchanged: not sent again
    b = library(tmp_path, "b", tdb)
    got = pull(b, squad(b), speeches=True)
    assert (got.added, got.speeches) == (1, 1)
    assert speechfile.path_of(b.root, "1nc").read_text(encoding="utf-8") == text
    assert pull(b, squad(b), speeches=True).speeches == 0


def test_ctrl_c_during_a_pull_keeps_whole_cards_and_the_next_pull_goes_on(
    tmp_path: Path, tdb: TeamDb, monkeypatch: pytest.MonkeyPatch
):
    from evcards.errors import Interrupted
    from evcards.remote import sqlio

    a = library(tmp_path, "a", tdb)
    with a.lock():
        for i in range(25):
            a.add(card(i))
    push(a, squad(a))
    b = library(tmp_path, "b", tdb)
    real, calls = sqlio.changes, []

    def changes(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(sqlio, "changes", changes)
    with pytest.raises(Interrupted):
        pull(b, squad(b), batch=10)
    assert len(files(b)) == 10
    monkeypatch.setattr(sqlio, "changes", real)
    assert pull(b, squad(b), batch=10).added == 15
    assert files(b) == files(a)


def _stale_vectors(tdb: TeamDb) -> int:
    """Rows whose `search` differs from what the server computes from their texts."""
    from evcards.remote.migrations import SEARCH

    got = tdb.sql(
        f"SELECT count(*) FILTER (WHERE search IS DISTINCT FROM ({SEARCH})), count(*) FROM cards"
    )
    assert got[0][1] > 0
    return int(got[0][0])


def test_the_vectors_a_push_computes_aside_agree_with_the_servers_own(tmp_path: Path, tdb: TeamDb):
    from evcards.remote.search import search

    a, b, ids = _synced_pair(tmp_path, tdb, 4)
    assert _stale_vectors(tdb) == 0
    _retag(a, ids[0], "Zebra crossings")
    push(a, squad(a))
    _relabel(b, ids[0], "neg")  # B has not pulled: the merge takes A's tag, B's label
    push(b, squad(b))
    assert tdb.sql("SELECT tag, labels FROM cards WHERE card_id = %s", [ids[0]]) == [
        ("Zebra crossings", ["neg"])
    ]
    assert _stale_vectors(tdb) == 0  # the merged row's vector is not the one sent for B's
    assert [h.id for h in search(b, squad(b), "zebra")] == [ids[0]]


@pytest.mark.parametrize("old", [1, 2])
def test_an_older_server_upgrades_and_keeps_its_cards_searchable(
    tmp_path: Path, pg_url: str, monkeypatch: pytest.MonkeyPatch, old: int
):
    from remote_pg import drop_team_db, grants_sql, make_team_db

    from evcards.remote import migrations
    from evcards.remote.connect import session
    from evcards.remote.search import search

    t = make_team_db(pg_url)
    try:
        owner = remotes.Remote("own", t.url("owner"))
        monkeypatch.setattr(migrations, "MIGRATIONS", migrations.MIGRATIONS[:old])
        monkeypatch.setattr(migrations, "VERSION", old)
        with session(owner) as s:
            assert migrations.init(s) == (0, old)
        t.sql(
            "INSERT INTO cards (team, card_id, name, toml, hash, tag, body, seq)"
            " VALUES (%s, 'x1', 'x1.toml', '', '', 'Old sanctions card', 'body words', 1)",
            [t.team("a")],
        )
        if old >= 2:  # a push of version 2 sends the vector with the row
            t.sql(f"UPDATE cards SET search = {migrations.SEARCH}")
        monkeypatch.undo()
        with session(owner) as s:
            assert migrations.init(s) == (old, migrations.VERSION)
        # The owner is no longer bound by the cards' policy (its search function reads the
        # index); the members still are.
        assert t.sql("SELECT relforcerowsecurity FROM pg_class WHERE relname = 'cards'") == [
            (False,)
        ]
        for statement in grants_sql(t.suffix):
            t.sql(statement)
        assert _stale_vectors(t) == 0
        lib = library(tmp_path, "a", t)
        assert [h.id for h in search(lib, squad(lib), "sanctions")] == ["x1"]
        assert [h.id for h in search(lib, squad(lib), "words")] == ["x1"]  # the body's
    finally:
        drop_team_db(pg_url, t)


def test_search_remote_puts_tag_cite_and_spoken_matches_before_body_only_ones(
    tmp_path: Path, tdb: TeamDb
):
    from evcards.core.markup import parse
    from evcards.core.models import Cite, new_card
    from evcards.remote.search import search

    a = library(tmp_path, "a", tdb)
    with a.lock():
        for tag, body in (
            ("Body only", "embargo " * 12 + "fails"),
            ("Read aloud", "the ==embargo== fails"),
            ("Embargo fails", "it does"),
        ):
            a.add(new_card(tag=tag, cite=Cite(short="X 20", full="X, 2020"), body=parse(body)))
    push(a, squad(a))
    hits = search(a, squad(a), "embargo")
    assert [h.tag for h in hits] == ["Embargo fails", "Read aloud", "Body only"]
    assert [h.tag for h in search(a, squad(a), "embargo -fails")] == []
    assert [h.tag for h in search(a, squad(a), "embargo", read=True)] == ["Read aloud"]


def test_search_through_the_owners_function_agrees_with_the_reference(tmp_path: Path, tdb: TeamDb):
    """`evcards_matches` (GIN, as the owner) against the same statement's own `@@`
    conditions under the caller's row-level security: the same hits in the same order."""
    from types import SimpleNamespace

    from evcards.remote.search import search

    a = library(tmp_path, "a", tdb)
    with a.lock():
        for i in range(60):
            tag = ("Russia sanctions fail " if i % 3 == 0 else "Deterrence holds ") + str(i)
            a.add(card(i, tag=tag, labels=["neg"] if i % 4 == 0 else [], short=f"Ng {i % 7}"))
    push(a, squad(a))
    bea = library(tmp_path, "bea", tdb, who="bea", team="b")
    with bea.lock():
        bea.add(card(1000, tag="Russia sanctions fail always"))
    push(bea, squad(bea))
    queries = ["russia", "china", "deterrence -russia", "ng", '"different 7"', "fail OR holds"]
    filters = [None, SimpleNamespace(labels=["neg"]), SimpleNamespace(tag=["sanctions"])]
    seen = 0
    for q in queries:
        for f in filters:
            for read in (False, True):
                got = search(a, squad(a), q, f, read=read, limit=10)
                want = search(a, squad(a), q, f, read=read, limit=10, fast=False)
                assert [(h.id, h.score, h.snippet) for h in got] == [
                    (h.id, h.score, h.snippet) for h in want
                ], (q, f, read)
                assert all("always" not in h.tag for h in got)  # team b's card
                seen += len(got)
    assert seen > 100
