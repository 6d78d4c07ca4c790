"""The warehouse is the same whatever the Jira page size, read order or crash point.

Status categories used to be learned from the issues a run had read so far: a changelog
entry got a category only if an issue in that status had come earlier in the run, so the
same tenant gave different `status_changes` rows with page size 10 and 100, after a crash
and an incremental resume, and a status seen only in changelogs never got a category.
Categories now come from Jira's status list (`GET status`, cached with the metadata).
Every canonical table is compared (`snapshot`: without the write/tombstone timestamps),
and the quarantine (what was held back and why, not when).
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import sqlalchemy as sa

from connectors.jira.errors import JiraError
from connectors.store import Warehouse
from connectors.store.tables import QUARANTINE
from sandbox.faults import FaultRule
from sandbox.server import start_sandbox
from tests.connectors.jira.conftest import diff, jira_settings, new_warehouse, snapshot, sync
from tests.connectors.jira.tenant_factory import build_tenant

IN_REVIEW = {
    "id": "10001",
    "name": "In Review",
    "statusCategory": {"key": "indeterminate", "name": "In Progress"},
}
BLOCKED = {
    "id": "10002",
    "name": "Blocked",
    "statusCategory": {"key": "indeterminate", "name": "In Progress"},
}


def _tenant() -> dict[str, Any]:
    """The connector tests' tenant plus two statuses that expose order dependence: "In
    Review" appears only in changelogs, "Blocked" in early changelogs but as a current
    status only on each project's last issue (read last)."""
    doc = build_tenant(issues_per_project=30)
    doc["jira"]["statuses"] += [copy.deepcopy(IN_REVIEW), copy.deepcopy(BLOCKED)]
    issues = doc["jira"]["issues"]
    for index, issue in enumerate(issues):
        for item in issue["changelog"][-1]["items"]:
            if item["fieldId"] == "status" and index % 4 == 0:
                planted = IN_REVIEW if index % 8 == 0 else BLOCKED
                item["to"], item["toString"] = planted["id"], planted["name"]
    for project_id in {i["fields"]["project"]["id"] for i in issues}:
        last = max(
            (i for i in issues if i["fields"]["project"]["id"] == project_id),
            key=lambda i: i["fields"]["updated"],
        )
        last["fields"]["status"] = copy.deepcopy(BLOCKED)
    return doc


def _quarantine(warehouse: Warehouse) -> list[tuple[Any, ...]]:
    """Held-back records: what and why, and whether a later sync mapped them (not when)."""
    query = sa.select(
        QUARANTINE.c.source,
        QUARANTINE.c.stream,
        QUARANTINE.c.record_id,
        QUARANTINE.c.reason,
        QUARANTINE.c.resolved_at.is_(None),
    )
    with warehouse.engine.connect() as conn:
        return sorted(tuple(row) for row in conn.execute(query))


def _all_tables(warehouse: Warehouse) -> dict[str, Any]:
    return {**snapshot(warehouse), "quarantine": _quarantine(warehouse)}


def _synced(tmp_path: Path, name: str, page_size: int, crash_on_page: int = 0) -> dict[str, Any]:
    settings = jira_settings(page_size=page_size)
    with start_sandbox(_tenant()) as server:
        warehouse = new_warehouse(tmp_path, name)
        if crash_on_page:
            # a 500 on a search page stops the run half-way (a crash at that point)
            rule = FaultRule(
                route="/rest/api/*/search/jql", kind="500", every_nth=crash_on_page, limit=1
            )
            server.app.faults.set_rules([rule])
            with pytest.raises(JiraError):
                sync(server, warehouse, settings)
            assert server.app.stats.snapshot()["faults"] == {"500": 1}
            server.app.faults.set_rules([])
        summaries, _ = sync(server, warehouse, settings)
        assert all(s.ok for s in summaries)
        tables = _all_tables(warehouse)
        warehouse.dispose()
    return tables


def test_same_warehouse_with_page_sizes_7_10_and_100_and_after_a_crash(tmp_path: Path) -> None:
    reference = _synced(tmp_path, "p100", 100)
    changes = pd.DataFrame(reference["status_changes"])
    assert len(changes) > 0 and changes["to_category"].notna().all()
    assert changes["from_category"].notna().all()
    # a status seen only in changelogs has its category from Jira's status list
    assert set(changes.loc[changes["to_status"] == "In Review", "to_category"]) == {"in_progress"}
    for name, page_size, crash in (("p7", 7, 0), ("p10", 10, 0), ("crash", 7, 3)):
        other = _synced(tmp_path, name, page_size, crash)
        canonical = {k: v for k, v in reference.items() if k != "quarantine"}
        assert diff(canonical, other) == {}, name  # readable: which rows differ
        assert other == reference, name
