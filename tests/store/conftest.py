"""Warehouse fixtures: every test runs on SQLite and, where a server is given, PostgreSQL.

`scripts/test.sh` creates a fresh PostgreSQL database per run and exports its URL as
PMO_TEST_POSTGRES_URL; each test here gets its own schema-free database state by dropping
and re-creating all tables, so tests stay independent inside that one database.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from connectors.store import Warehouse
from connectors.store.tables import metadata

POSTGRES_URL = os.environ.get("PMO_TEST_POSTGRES_URL")


def _reset_postgres(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        metadata.drop_all(conn)
        conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def warehouse_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'warehouse.db'}"
        return
    if not POSTGRES_URL:
        if os.environ.get("CI") == "true":
            pytest.fail(
                "CI=true but PMO_TEST_POSTGRES_URL is not set: scripts/test.sh must provide it"
            )
        pytest.skip(
            "no PostgreSQL server: set PMO_TEST_POSTGRES_URL (scripts/test.sh does when one answers)"
        )
    _reset_postgres(POSTGRES_URL)
    yield POSTGRES_URL
    _reset_postgres(POSTGRES_URL)


@pytest.fixture
def warehouse(warehouse_url: str) -> Iterator[Warehouse]:
    wh = Warehouse(warehouse_url, batch_size=500)
    wh.migrate()
    yield wh
    wh.dispose()
