"""Warehouse fixtures: every test runs on SQLite and, where a server is given, PostgreSQL.

`scripts/test.sh` creates a fresh PostgreSQL database per run and exports its URL as
PMO_TEST_POSTGRES_URL. Each pytest-xdist worker takes a database of its own next to it
(`<name>_<worker>`, created here and dropped at the end of the session): with `--dist loadfile`
two files of this folder run at the same time on two workers, and one resetting the tables
of a shared database under the other made the migration test flaky. Inside its database, each
test gets a clean state by dropping and re-creating all tables.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from connectors.store import Warehouse
from connectors.store.tables import metadata
from tests.pg import scratch_database

POSTGRES_URL = os.environ.get("PMO_TEST_POSTGRES_URL")


def _reset_postgres(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        metadata.drop_all(conn)
        conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    engine.dispose()


@pytest.fixture(scope="session")
def postgres_worker_url(worker_id: str) -> Iterator[str | None]:
    """This xdist worker's own PostgreSQL database (None when the run has no server)."""
    if not POSTGRES_URL:
        yield None
        return
    name = f"{sa.engine.make_url(POSTGRES_URL).database}_{worker_id}"
    with scratch_database(POSTGRES_URL, name) as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def warehouse_url(
    request: pytest.FixtureRequest, tmp_path: Path, postgres_worker_url: str | None
) -> Iterator[str]:
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
    assert postgres_worker_url is not None
    _reset_postgres(postgres_worker_url)
    yield postgres_worker_url
    _reset_postgres(postgres_worker_url)


@pytest.fixture
def warehouse(warehouse_url: str) -> Iterator[Warehouse]:
    wh = Warehouse(warehouse_url, batch_size=500)
    wh.migrate()
    yield wh
    wh.dispose()
