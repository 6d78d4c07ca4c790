"""Small canonical frames for risk-check tests, built from a few dicts per table."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from checks.evaluation.frames import project_frames
from checks.model import ProjectFrames
from checks.schema import to_frame

PROJECT = "jira:1"
AS_OF = datetime(2026, 1, 6, tzinfo=UTC)
_LINEAGE = {"source": "jira", "is_deleted": False, "synced_at": "2026-01-01T00:00:00+00:00"}


def rows(items: Iterable[Mapping[str, Any]], **defaults: Any) -> list[dict[str, Any]]:
    return [{**_LINEAGE, **defaults, **item} for item in items]


def task(task_id: str, **fields: Any) -> dict[str, Any]:
    base = {
        "task_id": task_id,
        "project_id": PROJECT,
        "task_type": "task",
        "status_category": "todo",
        "created_at": "2025-12-01T00:00:00+00:00",
        "assignee_id": "a@x.com",
    }
    return {**base, **fields}


def entry(entry_id: str, hours: float, work_date: str, **fields: Any) -> dict[str, Any]:
    base = {"entry_id": entry_id, "kind": "worklog", "person_id": "a@x.com", "project_id": PROJECT}
    return {**base, "hours": hours, "work_date": work_date, **fields}


def change(
    change_id: str, task_id: str, at: str, to: str, frm: str | None = None, **fields: Any
) -> dict[str, Any]:
    names = {"todo": "To Do", "in_progress": "In Progress", "done": "Done"}
    return {
        "change_id": change_id,
        "task_id": task_id,
        "changed_at": at,
        "from_category": frm,
        "to_category": to,
        "from_status": names.get(frm or ""),
        "to_status": names.get(to),
        **fields,
    }


def portfolio(
    tasks: Iterable[Mapping[str, Any]] = (),
    *,
    project: Mapping[str, Any] | None = None,
    extra_projects: Iterable[Mapping[str, Any]] = (),
    dependencies: Iterable[Mapping[str, Any]] = (),
    changes: Iterable[Mapping[str, Any]] = (),
    entries: Iterable[Mapping[str, Any]] = (),
    risks: Iterable[Mapping[str, Any]] = (),
    people: Iterable[Mapping[str, Any]] = (),
    milestones: Iterable[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    main = {
        "project_id": PROJECT,
        "key": "ABC",
        "name": "ABC",
        "phase": "execution",
        **(project or {}),
    }
    return {
        "projects": to_frame("projects", rows([main, *extra_projects])),
        "tasks": to_frame("tasks", rows(tasks)),
        "dependencies": to_frame(
            "dependencies", rows(dependencies, is_blocking=True, link_type="Blocks")
        ),
        "status_changes": to_frame("status_changes", rows(changes)),
        "time_entries": to_frame("time_entries", rows(entries)),
        "risks": to_frame("risks", rows(risks, project_id=PROJECT)),
        "people": to_frame("people", rows(people)),
        "milestones": to_frame("milestones", rows(milestones, project_id=PROJECT)),
        "sprints": to_frame("sprints", []),
    }


def frames_of(as_of: datetime = AS_OF, **kwargs: Any) -> ProjectFrames:
    return project_frames(portfolio(**kwargs), PROJECT, as_of)
