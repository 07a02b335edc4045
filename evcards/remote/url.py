"""A remote's address: a `postgresql://` URL, checked before it is stored.

evcards never stores a password: a URL holding one is refused, and libpq finds the password
itself in PGPASSWORD, ~/.pgpass or a service file. TLS is the URL's own `sslmode`."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

from evcards.errors import RemoteError

SCHEMES = ("postgresql", "postgres")
NO_PASSWORD = "passwords are not stored; use PGPASSWORD, ~/.pgpass or a service file"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
SSLMODES = {"disable", "allow", "prefer", "require", "verify-ca", "verify-full"}


def check_name(name: str) -> str:
    """A remote's name: letters, digits, `_ . -`, as a git remote's (it names a file too)."""
    if not _NAME.match(name):
        raise RemoteError(
            f"'{name}' is not a remote name: use letters, digits and _ . - (like squad)"
        )
    return name


def check_url(url: str) -> str:
    """The URL as given, when it is a postgresql:// URL without a password."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - a bad port raises here
    except ValueError as e:
        raise RemoteError(f"'{url}' is not a valid URL ({e})") from None
    if parts.scheme not in SCHEMES:
        raise RemoteError(
            f"'{redact(url)}' is not a PostgreSQL URL: it must start with postgresql://"
        )
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    if parts.password is not None or "password" in query:
        raise RemoteError(NO_PASSWORD)
    mode = query.get("sslmode")
    if mode is not None and mode not in SSLMODES:
        raise RemoteError(f"sslmode={mode} is not one of {', '.join(sorted(SSLMODES))}")
    try:
        from psycopg.conninfo import conninfo_to_dict

        conninfo_to_dict(url)  # libpq's own parser: an unknown option is refused here
    except ImportError:
        pass
    except Exception as e:  # psycopg.ProgrammingError: libpq could not parse it
        raise RemoteError(f"'{url}' is not a URL libpq accepts ({_first_line(e)})") from None
    return url


def redact(url: str) -> str:
    """The URL with any password hidden, for a message."""
    return re.sub(r"(://[^:/@]*):[^@/]*@", r"\1:***@", url)


def _first_line(e: Exception) -> str:
    return (str(e).strip().splitlines() or [type(e).__name__])[0]
