"""Warehouses for the reliability tests: SQLite always, PostgreSQL when the run has one.

PostgreSQL gets a database of its own per test (created and dropped here), so these tests
never meet the warehouse tests' scratch database that another worker may be resetting.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa
from psycopg import sql

PG_URL = os.environ.get("PMO_TEST_POSTGRES_URL")


def _admin(url: sa.URL) -> dict[str, object]:
    return {
        "host": url.host,
        "port": url.port or 5432,
        "user": url.username,
        "password": url.password,
        "dbname": "postgres",
        "autocommit": True,
    }


@pytest.fixture(params=["sqlite", "postgresql"])
def warehouse_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'warehouse.db'}"
        return
    if not PG_URL:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but PMO_TEST_POSTGRES_URL is not set")
        pytest.skip("no PostgreSQL: set PMO_TEST_POSTGRES_URL (scripts/test.sh does)")
    url = sa.engine.make_url(PG_URL)
    name = f"pmo_reliability_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(**_admin(url)) as conn:  # type: ignore[arg-type]
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(**_admin(url)) as conn:  # type: ignore[arg-type]
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
