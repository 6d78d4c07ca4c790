"""Fixtures: the sandbox serving the small tenant, a fresh SQLite warehouse, matching settings."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from config.settings import Settings
from connectors.store import Warehouse
from sandbox.server import start_sandbox
from tests.connectors.graph.tenant import SITE, small_tenant


@pytest.fixture
def tenant() -> dict[str, Any]:
    return small_tenant()


@pytest.fixture
def sandbox(tenant) -> Iterator[Any]:
    with start_sandbox(tenant) as server:
        yield server


@pytest.fixture
def warehouse(tmp_path) -> Iterator[Warehouse]:
    wh = Warehouse(f"sqlite:///{tmp_path / 'wh.db'}")
    wh.migrate()
    yield wh
    wh.dispose()


def graph_settings(**graph: Any) -> Settings:
    base = {
        "groups": ["g1"],
        "plans": ["plan-small"],
        "shifts_teams": ["team1"],
        "timesheet_lists": [{"site": SITE, "list": "Timesheets"}],
        "bucket_phase_map": {"Planning": "planning", "execution": "execution"},
        "email_aliases": {"a.lima@example.onmicrosoft.com": "ana.lima@example.com"},
        "max_retries": 8,
        "concurrency": 4,
    }
    return Settings.model_validate({"time_zone": "Europe/Berlin", "graph": {**base, **graph}})


@pytest.fixture
def settings() -> Settings:
    return graph_settings()
