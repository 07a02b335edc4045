"""The server's schema, as numbered migrations: `remote init` applies those not yet applied.

Each migration runs in one transaction with the version it brings, under an advisory lock,
so two `init`s at once apply it once. A role that may not create tables gets one Error.

Rows belong to a team (`evcards_team()`: the `evcards.team` setting when the role is a
member of that role, else the role itself). Row-level security, forced on the tables'
owner too, keeps each team to its own rows; README.md shows the roles to create."""

from __future__ import annotations

from evcards.errors import RemoteDenied, RemoteError
from evcards.remote.connect import Session

# Weights A-D for the tag, cite, spoken and body text; each is cut to a length whose
# tsvector stays under PostgreSQL's 1 MB limit (a 1 MB tag is stored whole, searched cut).
_SEARCH = """
    setweight(to_tsvector('english', left(tag, 100000)), 'A')
    || setweight(to_tsvector('english', left(cite_words, 50000)), 'B')
    || setweight(to_tsvector('english', left(spoken, 100000)), 'C')
    || setweight(to_tsvector('english', left(body, 200000)), 'D')
"""

_V1 = f"""
CREATE FUNCTION evcards_team() RETURNS text LANGUAGE plpgsql STABLE AS $$
DECLARE
    t text := nullif(current_setting('evcards.team', true), '');
BEGIN
    IF t IS NULL THEN
        RETURN current_user;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = t)
       OR NOT pg_has_role(current_user, t, 'MEMBER') THEN
        RAISE EXCEPTION 'role % is not a member of team %', current_user, t
            USING ERRCODE = '42501';
    END IF;
    RETURN t;
END $$;

CREATE SEQUENCE evcards_seq;

CREATE TABLE cards (
    team text NOT NULL DEFAULT evcards_team(),
    card_id text NOT NULL,
    name text NOT NULL,
    toml text NOT NULL,
    hash text NOT NULL,
    kind text NOT NULL DEFAULT 'card',
    tag text NOT NULL DEFAULT '',
    cite text NOT NULL DEFAULT '{{}}',
    cite_words text NOT NULL DEFAULT '',
    short_cite text NOT NULL DEFAULT '',
    author text NOT NULL DEFAULT '',
    year integer,
    labels text[] NOT NULL DEFAULT '{{}}',
    sources jsonb NOT NULL DEFAULT '[]',
    pocket text NOT NULL DEFAULT '',
    hat text NOT NULL DEFAULT '',
    block text NOT NULL DEFAULT '',
    spoken text NOT NULL DEFAULT '',
    body text NOT NULL DEFAULT '',
    words_read integer NOT NULL DEFAULT 0,
    highlighted boolean NOT NULL DEFAULT false,
    deleted boolean NOT NULL DEFAULT false,
    seq bigint NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    updated_by text NOT NULL DEFAULT current_user,
    search tsvector GENERATED ALWAYS AS ({_SEARCH}) STORED,
    PRIMARY KEY (team, card_id)
);
CREATE INDEX cards_seq ON cards (team, seq);
CREATE INDEX cards_search ON cards USING gin (search);

CREATE TABLE history (
    team text NOT NULL DEFAULT evcards_team(),
    card_id text NOT NULL,
    field text NOT NULL,
    value text NOT NULL,
    replaced_at timestamptz NOT NULL DEFAULT now(),
    replaced_by text NOT NULL DEFAULT current_user
);
CREATE INDEX history_card ON history (team, card_id);

CREATE TABLE speeches (
    team text NOT NULL DEFAULT evcards_team(),
    name text NOT NULL,
    toml text NOT NULL,
    seq bigint NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    updated_by text NOT NULL DEFAULT current_user,
    PRIMARY KEY (team, name)
);
"""

_RLS = """
ALTER TABLE {t} ENABLE ROW LEVEL SECURITY;
ALTER TABLE {t} FORCE ROW LEVEL SECURITY;
CREATE POLICY {t}_team ON {t}
    USING (team = (SELECT evcards_team())) WITH CHECK (team = (SELECT evcards_team()));
"""

# Version 2 (speed, issue 17): `search` stops being generated, so that a push can have the
# server compute the vectors outside the team's write lock, over several connections, and
# send them with the rows (see `push`); a row sent without one gets SEARCH (`sqlio.upsert`).
# `head` is the tag, cite and spoken part of it (weights A-C), small and under its own GIN
# index: `search --remote` ranks on it, not on the whole vector (see `search`). It is kept
# in the row itself (STORAGE MAIN: compressed, not moved out to TOAST, where reading it for
# each match cost a TOAST index lookup).
_V2 = """
ALTER TABLE cards ALTER COLUMN search DROP EXPRESSION;
ALTER TABLE cards ADD COLUMN head tsvector
    GENERATED ALWAYS AS (ts_filter(search, '{a,b,c}')) STORED,
    ALTER COLUMN head SET STORAGE MAIN;
CREATE INDEX cards_head ON cards USING gin (head);
"""

# Version 3 (speed, issue 17): `search --remote` finds its matches through
# `evcards_matches`, a SECURITY DEFINER function of the tables' owner that applies the team
# filter itself, so the planner can use the GIN indexes (under row-level security it uses an
# index only for LEAKPROOF operators, and `@@` is not one). The team is the calling
# session's (the `evcards.team` setting, checked against the session role's memberships,
# else the session role), never an argument. The owner stops being bound by the cards'
# policy (NO FORCE: it owns the table and may turn the policy off anyway), which is what lets
# its function read the index; the function returns only ids, and `search` reads the rows
# under the caller's own row-level security. `in_head`: matches in `head`, else body-only
# matches (in `search`, not in `head`); `lim` caps them (NULL: all). With `weights`, the
# head matches are the best `lim` ranked as `search` ranks them (`neg`: the whole card must
# match too; `aloud`: the spoken words must): a page without filters needs no others.
# New values of the big columns are compressed with lz4 where the server has it: pglz
# compression was about half of the cost of writing a row (a push's INSERT), lz4 a few
# times cheaper.
_V3 = """
ALTER TABLE cards NO FORCE ROW LEVEL SECURITY;
CREATE FUNCTION evcards_matches(
    q tsquery, in_head boolean, lim integer,
    weights real[] DEFAULT NULL, neg boolean DEFAULT false, aloud boolean DEFAULT false
) RETURNS TABLE (card_id text) LANGUAGE plpgsql STABLE SECURITY DEFINER AS $$
DECLARE
    t text := nullif(current_setting('evcards.team', true), '');
BEGIN
    IF t IS NULL THEN
        t := session_user;
    ELSIF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = t)
       OR NOT pg_has_role(session_user, t, 'MEMBER') THEN
        RAISE EXCEPTION 'role % is not a member of team %', session_user, t
            USING ERRCODE = '42501';
    END IF;
    IF in_head AND weights IS NOT NULL THEN
        RETURN QUERY SELECT c.card_id FROM cards AS c
            WHERE c.team = t AND NOT c.deleted AND c.head @@ q
                AND (NOT neg OR c.search @@ q)
                AND (NOT aloud OR ts_filter(c.head, '{c}') @@ q)
            ORDER BY c.kind = 'analytic', ts_rank(weights, c.head, q) DESC, c.card_id
            LIMIT lim;
    ELSIF in_head THEN
        RETURN QUERY SELECT c.card_id FROM cards AS c
            WHERE c.team = t AND NOT c.deleted AND c.head @@ q LIMIT lim;
    ELSE
        RETURN QUERY SELECT c.card_id FROM cards AS c
            WHERE c.team = t AND NOT c.deleted AND c.search @@ q AND NOT c.head @@ q LIMIT lim;
    END IF;
END $$;
DO $$ BEGIN
    ALTER TABLE cards ALTER toml SET COMPRESSION lz4, ALTER body SET COMPRESSION lz4,
        ALTER spoken SET COMPRESSION lz4, ALTER search SET COMPRESSION lz4,
        ALTER head SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
    NULL;  -- a server built without lz4 keeps pglz
END $$;
DO $$ BEGIN
    EXECUTE format('ALTER FUNCTION evcards_matches(tsquery, boolean, integer, real[], boolean,'
        ' boolean) SET search_path = pg_catalog, %I, pg_temp', current_schema());
END $$;
"""

# What `search` holds for a row's texts (its columns by name): the SQL of version 1's column.
SEARCH = _SEARCH

MIGRATIONS: list[str] = [
    _V1 + "".join(_RLS.format(t=t) for t in ("cards", "history", "speeches")),
    _V2,
    _V3,
]
VERSION = len(MIGRATIONS)
_LOCK = 0x65766361  # 'evca': one init at a time on a server


def current_version(s: Session) -> int:
    """The schema version on the server; 0 when evcards never ran `init` there. One
    statement (a search pays for each round trip)."""
    from psycopg import errors as pe

    try:
        got = s.conn.execute("SELECT max(version) FROM schema_version").fetchone()
    except pe.UndefinedTable:
        s.conn.rollback()
        return 0
    s.conn.commit()
    return int(got[0] or 0) if got else 0


def check(s: Session) -> None:
    """The server's schema is the one this evcards speaks, else a RemoteError saying what."""
    from evcards.remote.connect import init_hint

    have = current_version(s)
    if have == 0:
        raise RemoteError(init_hint(s.remote.name))
    if have < VERSION:
        raise RemoteError(
            f"remote '{s.remote.name}' has schema version {have}, older than this evcards'"
            f" {VERSION}; run `evcards remote init {s.remote.name}` to upgrade it"
        )
    if have > VERSION:
        raise RemoteError(
            f"remote '{s.remote.name}' has schema version {have}, newer than this evcards'"
            f" {VERSION}; upgrade evcards"
        )


def init(s: Session) -> tuple[int, int]:
    """Apply the migrations the server lacks: (version before, version after)."""
    from psycopg import errors as pe

    try:
        with s.conn.transaction():
            s.conn.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK])
            s.conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_version"
                " (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
            )
            got = s.conn.execute("SELECT max(version) FROM schema_version").fetchone()
            before = int(got[0] or 0) if got else 0
            if before > VERSION:
                raise RemoteError(
                    f"remote '{s.remote.name}' has schema version {before}, newer than this"
                    f" evcards' {VERSION}; upgrade evcards"
                )
            for version in range(before + 1, VERSION + 1):
                s.conn.execute(MIGRATIONS[version - 1].encode())
                s.conn.execute("INSERT INTO schema_version (version) VALUES (%s)", [version])
    except pe.InsufficientPrivilege:
        raise RemoteDenied(
            f"role '{s.role}' may not create tables on remote '{s.remote.name}' (permission"
            " denied); run `evcards remote init` once as a role that owns the database or may"
            " CREATE in its schema"
        ) from None
    return before, VERSION
