"""Fixtures on the real-data tenants (`tests.realdata.builder`): a sandbox serving one, a
Jira sync into a fresh SQLite warehouse, or a config file for flow tests.

- `jira_archive_synced` / `cesaw_synced` (session): `Synced(doc, server, warehouse,
  summaries)` — the tenant served by a sandbox that stays up for the session, synced
  once with the real `jira` client and default settings. Read-only: don't write to
  this warehouse or sandbox; build your own with `synced(name, tmp_path)` if you must.
- `realdata_config(tmp_path, name, **sections)`: a ``pmo.yaml`` (as
  `tests.flows.conftest.write_config`) whose sandbox serves the named tenant, for
  `open_runtime` / flow tests.

Everything here skips when the real data directory is absent, and only then.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from config.settings import Settings
from connectors.store import Warehouse
from connectors.sync_types import SyncSummary
from sandbox.server import SandboxServer, start_sandbox
from tests.connectors.jira.conftest import new_warehouse, sync
from tests.realdata.builder import REALDATA_MISSING, save, tenant


@dataclass
class Synced:
    doc: dict[str, Any]
    server: SandboxServer
    warehouse: Warehouse
    summaries: list[SyncSummary]


@contextmanager
def synced(name: str, directory: Path, settings: Settings | None = None) -> Iterator[Synced]:
    """Serve the named real-data tenant and sync it into a new warehouse in `directory`."""
    if REALDATA_MISSING:
        pytest.skip("no real data at <repo>/../shared/realdata")
    doc = tenant(name)
    with start_sandbox(tenant(name)) as server:
        warehouse = new_warehouse(directory, name)
        try:
            summaries, _api = sync(server, warehouse, settings)
            yield Synced(doc, server, warehouse, summaries)
        finally:
            warehouse.dispose()


@pytest.fixture(scope="session")
def jira_archive_synced(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Synced]:
    with synced("jira-archive", tmp_path_factory.mktemp("realdata-archive")) as done:
        yield done


@pytest.fixture(scope="session")
def cesaw_synced(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Synced]:
    with synced("cesaw", tmp_path_factory.mktemp("realdata-cesaw")) as done:
        yield done


def realdata_config(tmp_path: Path, name: str, **sections: Any) -> Path:
    """A config file whose sandbox serves the real-data tenant `name` (saved under tmp_path)."""
    if REALDATA_MISSING:
        pytest.skip("no real data at <repo>/../shared/realdata")
    from tests.flows.conftest import write_config

    path = save(name, tmp_path / f"{name}.tenant.json")
    sandbox = {"tenant": str(path), **sections.pop("sandbox", {})}
    return write_config(tmp_path, sandbox=sandbox, **sections)
