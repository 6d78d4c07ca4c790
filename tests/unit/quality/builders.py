"""A small, clean, consistent canonical data set for quality-gate tests, and ways to spoil it.

Two projects; a done and an in-progress task in ABC, a to-do task in XYZ; Ana logs Jira
worklogs and Shifts time cards that agree within the tolerance; Bo logs on XYZ.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pandas as pd

from checks.schema import CANONICAL_TABLES, table, to_frame

AS_OF = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)
ABC, XYZ = "jira:10000", "jira:20000"
ANA, BO = "ana@example.com", "bo@example.com"
_LINEAGE = {"source": "jira", "is_deleted": False, "synced_at": "2026-11-27T05:00:00+00:00"}


def _rows(*items: dict[str, Any]) -> list[dict[str, Any]]:
    return [{**_LINEAGE, **item} for item in items]


def _task(task_id: str, project: str, category: str, **extra: Any) -> dict[str, Any]:
    return {
        "task_id": task_id,
        "project_id": project,
        "key": task_id.split(":")[1],
        "title": f"Task {task_id}",
        "task_type": "task",
        "status": category,
        "status_category": category,
        "assignee_id": ANA,
        "estimate_hours": 8.0,
        "remaining_hours": 4.0,
        "percent_complete": 50.0,
        "created_at": "2026-10-01T09:00:00+00:00",
        "updated_at": "2026-11-20T09:00:00+00:00",
        **extra,
    }


def _entry(entry_id: str, kind: str, person: str, day: str, hours: float, **extra: Any) -> dict:
    return {
        "entry_id": entry_id,
        "kind": kind,
        "person_id": person,
        "work_date": day,
        "hours": hours,
        "started_at": f"{day}T09:00:00+00:00",
        "is_confirmed": True,
        "flags": [],
        "updated_at": f"{day}T18:00:00+00:00",
        **({"source": "shifts"} if kind == "timecard" else {}),
        **extra,
    }


def clean_rows() -> dict[str, list[dict[str, Any]]]:
    return {
        "projects": _rows(
            {
                "project_id": ABC,
                "key": "ABC",
                "name": "Alpha",
                "phase": "execution",
                "budget_hours": 400.0,
                "updated_at": "2026-11-01T00:00:00+00:00",
            },
            {
                "project_id": XYZ,
                "key": "XYZ",
                "name": "Xylo",
                "phase": "planning",
                "budget_hours": 100.0,
                "updated_at": "2026-11-01T00:00:00+00:00",
            },
        ),
        "people": _rows(
            {"person_id": ANA, "display_name": "Ana", "weekly_capacity_hours": 40.0},
            {"person_id": BO, "display_name": "Bo", "weekly_capacity_hours": 32.0},
        ),
        "tasks": _rows(
            _task(
                "jira:11",
                ABC,
                "done",
                percent_complete=100.0,
                remaining_hours=0.0,
                resolved_at="2026-11-20T09:00:00+00:00",
            ),
            _task("jira:12", ABC, "in_progress"),
            _task("jira:21", XYZ, "todo", assignee_id=BO, percent_complete=0.0),
        ),
        "dependencies": _rows(
            {
                "dependency_id": "jira:link:1",
                "from_task_id": "jira:11",
                "to_task_id": "jira:12",
                "link_type": "Blocks",
                "is_blocking": True,
            },
        ),
        "status_changes": _rows(
            {
                "change_id": "jira:h1:0",
                "task_id": "jira:11",
                "changed_at": "2026-11-20T09:00:00+00:00",
                "from_status": "in_progress",
                "to_status": "done",
                "from_category": "in_progress",
                "to_category": "done",
            },
        ),
        "time_entries": _rows(
            _entry(
                "jira:worklog:1",
                "worklog",
                ANA,
                "2026-11-18",
                4.0,
                project_id=ABC,
                task_id="jira:11",
            ),
            _entry(
                "jira:worklog:2",
                "worklog",
                ANA,
                "2026-11-18",
                3.5,
                project_id=ABC,
                task_id="jira:12",
            ),
            _entry("shifts:TC1", "timecard", ANA, "2026-11-18", 8.0),
            _entry(
                "jira:worklog:3",
                "worklog",
                ANA,
                "2026-11-19",
                6.0,
                project_id=ABC,
                task_id="jira:12",
            ),
            _entry("shifts:TC2", "timecard", ANA, "2026-11-19", 6.5),
            _entry(
                "jira:worklog:4",
                "worklog",
                BO,
                "2026-11-19",
                5.0,
                project_id=XYZ,
                task_id="jira:21",
            ),
        ),
        "milestones": _rows(
            {
                "milestone_id": "jira:version:1",
                "project_id": ABC,
                "name": "1.0",
                "due_date": "2026-12-15",
                "released": False,
            },
        ),
        "sprints": _rows(
            {
                "sprint_id": "jira:sprint:1",
                "project_id": ABC,
                "name": "S1",
                "state": "active",
                "start_at": "2026-11-16T00:00:00+00:00",
                "end_at": "2026-11-30T00:00:00+00:00",
            },
        ),
        "risks": _rows(
            {
                "risk_id": "jira:31",
                "project_id": ABC,
                "title": "Vendor late",
                "probability": 3,
                "impact": 4,
                "roam_status": "owned",
                "owner_id": ANA,
                "created_at": "2026-10-02T00:00:00+00:00",
                "updated_at": "2026-11-02T00:00:00+00:00",
            },
        ),
    }


def clean_frames() -> dict[str, pd.DataFrame]:
    return {name: to_frame(name, items) for name, items in clean_rows().items()}


def spoiled(name: str, key: str, **changes: Any) -> dict[str, pd.DataFrame]:
    """Clean frames with row `key` of table `name` changed (or a copy appended: `append=True`)."""
    rows = clean_rows()
    pk = table(name).primary_key[0]
    append = changes.pop("append", False)
    target = next(r for r in rows[name] if r[pk] == key)
    if append:
        rows[name].append({**target, **changes})
    else:
        target.update(changes)
    assert set(rows) == set(CANONICAL_TABLES)
    return {n: to_frame(n, items) for n, items in rows.items()}
