"""One connection to a remote, and the one place psycopg's errors become ours.

Every statement evcards sends is parameterized; names are `psycopg.sql.Identifier`s. A
problem the user can fix (server unreachable or gone, permission denied, no schema) becomes
one `RemoteError`, naming the remote and the role; a bug keeps its traceback."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from evcards.errors import RemoteDenied, RemoteError
from evcards.remote.remotes import Remote
from evcards.remote.url import redact

if TYPE_CHECKING:
    import psycopg

CONNECT_TIMEOUT = 10  # seconds: a server that does not answer is an error, not a hang


@dataclass
class Session:
    """An open connection, the remote it is to, and who the server says we are."""

    remote: Remote
    conn: psycopg.Connection[Any]
    role: str
    team: str

    def close(self) -> None:
        self.conn.close()


def init_hint(name: str) -> str:
    return f"remote '{name}' has no evcards tables; run `evcards remote init {name}`"


@contextmanager
def translated(remote: Remote, doing: str, role: str = "") -> Iterator[None]:
    """psycopg's errors inside as RemoteErrors; `doing` completes 'may not ...'."""
    import psycopg
    from psycopg import errors as pe

    try:
        yield
    except pe.InsufficientPrivilege as e:
        who = f"role '{role}'" if role else "this role"
        raise RemoteDenied(
            f"{who} may not {doing} remote '{remote.name}' (permission denied: {_line(e)});"
            " ask the database's owner for a role that may"
        ) from None
    except (pe.UndefinedTable, pe.UndefinedFunction, pe.InvalidSchemaName):
        raise RemoteError(init_hint(remote.name)) from None
    except psycopg.OperationalError as e:
        raise RemoteError(
            f"lost the connection to remote '{remote.name}' ({_line(e)}); nothing was left"
            " half-written: run the command again"
        ) from None
    except psycopg.Error as e:
        raise RemoteError(f"remote '{remote.name}': {_line(e)}") from None


def connect(remote: Remote, autocommit: bool = False) -> Session:
    """A connection to the remote, its team set; RemoteError when it cannot be had. Its
    setup is one round trip; `autocommit` keeps it in autocommit mode (a search: one
    statement, no BEGIN and COMMIT round trips around it)."""
    try:
        import psycopg
    except ImportError:  # pragma: no cover - a dependency; only a broken install lacks it
        raise RemoteError("psycopg is not installed: pip install 'psycopg[binary]'") from None
    try:
        conn = psycopg.connect(
            remote.url,
            connect_timeout=CONNECT_TIMEOUT,
            application_name="evcards",
            autocommit=True,
        )
    except psycopg.Error as e:
        raise RemoteError(
            f"cannot connect to remote '{remote.name}' ({redact(remote.url)}): {_line(e)}"
        ) from None
    try:
        with translated(remote, "use"):
            row = conn.execute(
                "SELECT current_user, CASE WHEN %s::text IS NOT NULL"
                " THEN set_config('evcards.team', %s, false) END",
                [remote.team, remote.team],
            ).fetchone()
            role = str(row[0]) if row else ""
            team = remote.team or role
            conn.autocommit = autocommit
    except BaseException:
        conn.close()
        raise
    return Session(remote, conn, role, team)


@contextmanager
def session(remote: Remote, doing: str = "use", autocommit: bool = False) -> Iterator[Session]:
    """A Session whose errors are translated, closed on the way out."""
    s = connect(remote, autocommit)
    try:
        with translated(remote, doing, s.role):
            yield s
    finally:
        s.close()


def _line(e: BaseException) -> str:
    text = str(e).strip()
    return text.splitlines()[0] if text else type(e).__name__
