"""Warehouses for the reliability tests: SQLite always, PostgreSQL when the run has one.

PostgreSQL gets a database of its own per test (created and dropped here), so these tests
never meet the warehouse tests' scratch database that another worker may be resetting.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.pg import scratch_database

PG_URL = os.environ.get("PMO_TEST_POSTGRES_URL")


@pytest.fixture(params=["sqlite", "postgresql"])
def warehouse_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'warehouse.db'}"
        return
    if not PG_URL:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but PMO_TEST_POSTGRES_URL is not set")
        pytest.skip("no PostgreSQL: set PMO_TEST_POSTGRES_URL (scripts/test.sh does)")
    with scratch_database(PG_URL, f"pmo_reliability_{uuid.uuid4().hex[:8]}") as url:
        yield url
