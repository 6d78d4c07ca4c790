"""Absurd Jira worklog hours are quarantined with the reason; long multi-day ones are kept.

The old sync stored a worklog of -3,600 s as -1 h and one of 10^9 s as 277,778 h. Now a
negative worklog, and one longer than `jira.max_worklog_hours_per_day` (24 h) per calendar
day from its start to when it was logged, is held back in the quarantine, naming why.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from connectors.store.tables import QUARANTINE
from sandbox.server import start_sandbox
from tests.connectors.jira.conftest import jira_settings, new_warehouse, sync
from tests.connectors.jira.tenant_factory import build_tenant

PLANTED = {
    # id: (started, created, seconds, kept)
    "990001": ("2026-11-20T09:00:00.000+0100", "2026-11-20T18:00:00.000+0100", -3600, False),
    "990002": ("2026-11-20T09:00:00.000+0100", "2026-11-21T10:00:00.000+0100", 10**9, False),
    "990003": ("2026-11-20T09:00:00.000+0100", "2026-11-20T23:00:00.000+0100", 30 * 3600, False),
    # 30 h started Friday, logged on Sunday: three days, within 72 h
    "990004": ("2026-11-20T09:00:00.000+0100", "2026-11-22T17:00:00.000+0100", 30 * 3600, True),
    "990005": ("2026-11-20T09:00:00.000+0100", "2026-11-20T17:00:00.000+0100", 8 * 3600, True),
}


def _tenant() -> dict[str, Any]:
    doc = build_tenant(issues_per_project=5)
    template = doc["jira"]["worklogs"][0]
    for worklog_id, (started, created, seconds, _kept) in PLANTED.items():
        worklog = copy.deepcopy(template)
        worklog.update(
            id=worklog_id,
            started=started,
            created=created,
            updated=created,
            timeSpentSeconds=seconds,
            timeSpent=f"{seconds // 60}m",
        )
        doc["jira"]["worklogs"].append(worklog)
    return doc


def test_negative_and_impossible_worklogs_are_quarantined_with_the_reason(tmp_path: Path) -> None:
    with start_sandbox(_tenant()) as server:
        warehouse = new_warehouse(tmp_path)
        summaries, _ = sync(server, warehouse, jira_settings())
    assert all(s.ok for s in summaries)
    stored = set(warehouse.read("time_entries")["entry_id"])
    for worklog_id, (*_, kept) in PLANTED.items():
        assert (f"jira:worklog:{worklog_id}" in stored) is kept, worklog_id
    entries = warehouse.read("time_entries").set_index("entry_id")
    assert entries.loc["jira:worklog:990004", "hours"] == 30.0
    assert (entries["hours"] >= 0).all() and (entries["hours"] <= 72).all()
    query = sa.select(QUARANTINE.c.record_id, QUARANTINE.c.reason).where(
        QUARANTINE.c.stream == "time_entries"
    )
    with warehouse.engine.connect() as conn:
        reasons = dict(conn.execute(query).all())
    assert "negative" in reasons["990001"]
    assert "277778 h" in reasons["990002"] and "jira.max_worklog_hours_per_day" in reasons["990002"]
    assert "30 h logged for 1 day(s)" in reasons["990003"]
    assert not {"990004", "990005"} & set(reasons)


def test_the_bound_is_configurable(tmp_path: Path) -> None:
    with start_sandbox(_tenant()) as server:
        warehouse = new_warehouse(tmp_path)
        sync(server, warehouse, jira_settings(max_worklog_hours_per_day=6))
    stored = set(warehouse.read("time_entries")["entry_id"])
    assert "jira:worklog:990005" not in stored  # 8 h on one day is beyond a 6 h bound
    assert "jira:worklog:990004" not in stored  # 30 h over three days is beyond 18 h
