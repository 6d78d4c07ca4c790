"""Scratch PostgreSQL databases for tests, next to the one `scripts/test.sh` creates per run."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import sqlalchemy as sa
from psycopg import sql


def _admin(url: sa.URL) -> dict[str, object]:
    return {
        "host": url.host,
        "port": url.port or 5432,
        "user": url.username,
        "password": url.password,
        "dbname": "postgres",
        "autocommit": True,
    }


def _drop(url: sa.URL, name: str) -> None:
    with psycopg.connect(**_admin(url)) as conn:  # type: ignore[arg-type]
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


@contextmanager
def scratch_database(server_url: str, name: str) -> Iterator[str]:
    """A fresh database `name` on the server of `server_url` (any left over from an earlier
    run is dropped first), its URL yielded, dropped again on exit."""
    url = sa.engine.make_url(server_url)
    _drop(url, name)
    with psycopg.connect(**_admin(url)) as conn:  # type: ignore[arg-type]
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        _drop(url, name)
