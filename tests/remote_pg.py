"""A real PostgreSQL server for the remote tests, and a fresh database and roles per test.

EVCARDS_TEST_PG_URL (a superuser's URL; `.ci/run` sets it) names a server to use. Without
it, a throwaway cluster is started from the server binaries when they are installed
(`initdb` into a temp folder, a Unix socket there, no TCP), and stopped at the end. Without
either, the tests skip with the reason; under CI=true that is a failure instead."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest


def bindir() -> Path | None:
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).parent
    for d in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if (Path(d) / "pg_ctl").exists():
            return Path(d)
    return None


def _as_server_user(argv: list[str]) -> list[str]:
    """initdb refuses root: run the server as the `postgres` OS user then."""
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *argv]
    return argv


@dataclass
class Cluster:
    """A throwaway cluster: its data folder and socket folder."""

    bin: Path
    folder: Path

    @property
    def data(self) -> Path:
        return self.folder / "data"

    @property
    def url(self) -> str:
        return f"postgresql://postgres@/postgres?host={quote(str(self.folder))}"

    def run(self, *argv: str) -> None:
        subprocess.run(
            _as_server_user([str(self.bin / argv[0]), *argv[1:]]),
            check=True,
            capture_output=True,
            timeout=120,
        )

    def start(self) -> None:
        opts = f"-k {self.folder} -c listen_addresses='' -c fsync=off -c max_connections=60"
        self.run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-o",
            opts,
            "-l",
            str(self.folder / "log"),
            "-w",
            "start",
        )

    def stop(self, mode: str = "fast") -> None:
        self.run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")


def start_cluster(folder: Path) -> Cluster:
    b = bindir()
    assert b is not None
    folder.mkdir(parents=True, exist_ok=True)
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        shutil.chown(folder, "postgres")
    c = Cluster(b, folder)
    c.run(
        "initdb",
        "-D",
        str(c.data),
        "-A",
        "trust",
        "-U",
        "postgres",
        "--no-sync",
        "-E",
        "UTF8",
        "--locale=C.UTF-8",
    )
    c.start()
    return c


def no_server(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason}: under CI=true the remote tests must run, not skip")
    pytest.skip(reason)


def need_binaries() -> Path:
    b = bindir()
    if b is None:
        no_server("no PostgreSQL server binaries (pg_ctl) here")
    assert b is not None
    return b


def short_tmp(name: str) -> Path:
    """A folder for a cluster's socket: a Unix socket path must stay under ~100 bytes."""
    import tempfile

    return Path(tempfile.mkdtemp(prefix=f"evpg-{name}-", dir="/tmp"))


def role_url(admin_url: str, user: str, dbname: str) -> str:
    """A URL for `user` on `dbname` of the server `admin_url` reaches."""
    from psycopg.conninfo import conninfo_to_dict

    info = conninfo_to_dict(admin_url)
    query = [f"host={quote(str(info['host']), safe='')}"] if info.get("host") else []
    if info.get("port"):
        query.append(f"port={info['port']}")
    return f"postgresql://{user}@/{dbname}?{'&'.join(query)}"


@dataclass
class TeamDb:
    """A database of its own for one test, the owner who ran `remote init`, and roles:
    team `a` with a writer and a read-only member, team `b` with a writer."""

    admin: str  # superuser URL to this database
    suffix: str
    db: str

    def url(self, who: str) -> str:
        return role_url(self.admin, f"{who}_{self.suffix}", self.db)

    def team(self, name: str) -> str:
        return f"team{name}_{self.suffix}"

    def sql(self, statement: str, params: object = None) -> list[tuple]:
        import psycopg

        with psycopg.connect(self.admin, autocommit=True) as conn:
            cur = conn.execute(statement, params)  # type: ignore[arg-type]
            return cur.fetchall() if cur.description else []


def roles_sql(suffix: str) -> list[str]:
    """README's role setup, for the teams of one test."""
    out = [f"CREATE ROLE owner_{suffix} LOGIN"]
    for team, members in (("a", ("alice", "carl")), ("b", ("bea",))):
        t = f"team{team}_{suffix}"
        out += [
            f"CREATE ROLE {t} NOLOGIN",
            f"CREATE ROLE {t}_writers NOLOGIN IN ROLE {t}",
            f"CREATE ROLE {members[0]}_{suffix} LOGIN IN ROLE {t}_writers",
        ]
        out += [f"CREATE ROLE {m}_{suffix} LOGIN IN ROLE {t}" for m in members[1:]]
    return out


def grants_sql(suffix: str) -> list[str]:
    out = []
    for team in ("a", "b"):
        t = f"team{team}_{suffix}"
        out += [
            f"GRANT SELECT ON cards, history, speeches, schema_version TO {t}",
            f"GRANT INSERT, UPDATE ON cards, history, speeches TO {t}_writers",
            f"GRANT USAGE ON SEQUENCE evcards_seq TO {t}_writers",
        ]
    return out


def make_team_db(server_url: str) -> TeamDb:
    import psycopg
    from psycopg.conninfo import conninfo_to_dict

    suffix = uuid.uuid4().hex[:10]
    db = f"ev_{suffix}"
    superuser = conninfo_to_dict(server_url).get("user") or "postgres"
    with psycopg.connect(server_url, autocommit=True) as conn:
        for statement in roles_sql(suffix):
            conn.execute(statement)  # type: ignore[arg-type]
        conn.execute(f"CREATE DATABASE {db} OWNER owner_{suffix}")  # type: ignore[arg-type]
    return TeamDb(role_url(server_url, str(superuser), db), suffix, db)


def drop_team_db(server_url: str, t: TeamDb) -> None:
    import psycopg

    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {t.db} WITH (FORCE)")  # type: ignore[arg-type]
        for statement in reversed(roles_sql(t.suffix)):
            role = statement.split()[2]
            conn.execute(f"DROP ROLE IF EXISTS {role}")  # type: ignore[arg-type]
