"""Fixtures for Jira connector tests: a sandbox per test, settings, warehouses, snapshots."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from checks.schema import CANONICAL_TABLES
from config.settings import JiraSettings, Settings
from connectors.jira.client import JiraApi, build_jira
from connectors.jira.sync import run_jira_sync
from connectors.store import Warehouse
from connectors.sync_types import SyncSummary
from sandbox.server import SandboxServer, start_sandbox
from tests.connectors.jira.tenant_factory import build_tenant

VOLATILE = {"synced_at", "deleted_at"}


def jira_settings(**overrides: Any) -> Settings:
    return Settings(jira=JiraSettings(**overrides))


def new_warehouse(tmp_path: Path, name: str = "wh") -> Warehouse:
    warehouse = Warehouse(f"sqlite:///{tmp_path / name}.db")
    warehouse.migrate()
    return warehouse


def sync(
    server: SandboxServer, warehouse: Warehouse, settings: Settings | None = None, **kw: Any
) -> tuple[list[SyncSummary], JiraApi]:
    settings = settings or jira_settings()
    api = build_jira(settings, server.info, seed=1)
    return run_jira_sync(settings, warehouse, api, **kw), api


def snapshot(warehouse: Warehouse) -> dict[str, list[dict[str, Any]]]:
    """Live rows of every canonical table, sorted, without write timestamps: two warehouses
    holding the same data compare equal."""
    out = {}
    for name, table in CANONICAL_TABLES.items():
        frame = warehouse.read(name).drop(columns=sorted(VOLATILE))
        frame = frame.astype(object).where(frame.notna(), None)
        rows = frame.to_dict("records")
        key = table.primary_key[0]
        out[name] = sorted(
            ({k: _plain(v) for k, v in r.items()} for r in rows), key=lambda r: r[key]
        )
    return out


def _plain(value: Any) -> Any:
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return value


def diff(a: dict[str, list[dict[str, Any]]], b: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """Where two snapshots differ (empty when equal), readable in an assertion message."""
    out = {}
    for name in a:
        if a[name] != b[name]:
            key = CANONICAL_TABLES[name].primary_key[0]
            left = {r[key]: r for r in a[name]}
            right = {r[key]: r for r in b[name]}
            only = sorted(set(left) ^ set(right))[:5]
            changed = [k for k in set(left) & set(right) if left[k] != right[k]][:3]
            out[name] = {"only_one_side": only, "changed": [(left[k], right[k]) for k in changed]}
    return out


@pytest.fixture
def tenant() -> dict[str, Any]:
    return build_tenant()


@pytest.fixture
def server(tenant: dict[str, Any]) -> Iterator[SandboxServer]:
    with start_sandbox(copy.deepcopy(tenant)) as running:
        yield running


@pytest.fixture
def warehouse(tmp_path: Path) -> Warehouse:
    return new_warehouse(tmp_path)
