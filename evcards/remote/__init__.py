"""A team library on PostgreSQL: remotes named per library, push, pull, status and search.

psycopg loads only inside this package, when a command talks to a server (`connect`), so
`--help`, `list` and a local `search` never pay for it."""
