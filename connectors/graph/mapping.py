"""Pure mapping of Planner records to canonical rows (`checks.schema`), plus shared types.

Same quarantine rule as the Jira connector: a record missing what a canonical row requires
goes to quarantine with the reason and its id, the rest of the run carries on. A record that
maps but looks wrong (no due date, still clocked in) is kept and flagged, never dropped.
Time cards and SharePoint timesheets are mapped in `connectors/graph/mapping_time.py`.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from connectors.graph.people import PersonDirectory
from connectors.graph.records import BucketRecord, PlannerTaskRecord, PlanRecord, TaskDetailsRecord

PLANNER = "planner"


@dataclass(frozen=True)
class Quarantine:
    """A record that could not be mapped: where it came from, its raw id and why."""

    stream: str
    record_id: str
    reason: str
    raw: dict[str, Any] | None = None


@dataclass
class Mapped:
    """Rows of one canonical table plus what was quarantined or flagged on the way."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    quarantined: list[Quarantine] = field(default_factory=list)
    flagged: dict[str, list[str]] = field(default_factory=dict)  # row id -> flags

    def flag(self, row_id: str, name: str) -> None:
        self.flagged.setdefault(row_id, []).append(name)


def record_json(record: Any) -> dict[str, Any]:
    """A record as JSON-safe data for the quarantine table's `raw` column."""

    def convert(value: Any) -> Any:
        if isinstance(value, datetime | date):
            return value.isoformat()
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return {f.name: convert(getattr(value, f.name)) for f in dataclasses.fields(value)}
        if isinstance(value, Mapping):
            return {str(k): convert(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [convert(v) for v in value]
        return value

    converted: dict[str, Any] = convert(record)
    return converted


def slug(text: str | None, limit: int = 60) -> str | None:
    """A readable key from a title: `Go-live checklist!` -> `go-live-checklist`."""
    if not text:
        return None
    cleaned = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return cleaned[:limit].rstrip("-") or None


def local_date(moment: datetime | None, zone: ZoneInfo) -> date | None:
    return None if moment is None else moment.astimezone(zone).date()


# --- plans and buckets -----------------------------------------------------------------------


def project_id(plan_id: str) -> str:
    return f"{PLANNER}:{plan_id}"


def map_plan(
    plan: PlanRecord, people: PersonDirectory, overrides: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """A plan as a `projects` row; phase and dates come from per-project config overrides."""
    extra = dict(overrides or {})
    return {
        "project_id": project_id(plan.id),
        "key": slug(plan.title) or plan.id,
        "name": plan.title,
        "phase": extra.get("phase"),
        "lead_id": people.person_for_user(plan.created_by),
        "start_date": extra.get("start_date"),
        "target_date": extra.get("target_date"),
        "budget_hours": extra.get("budget_hours"),
        "source": PLANNER,
    }


def bucket_phase(name: str | None, phase_map: Mapping[str, str]) -> str | None:
    """The phase a bucket closes: exact name first, then case- and space-insensitive."""
    if not name:
        return None
    if name in phase_map:
        return phase_map[name]
    folded = {k.strip().lower(): v for k, v in phase_map.items()}
    return folded.get(name.strip().lower())


def map_buckets(
    buckets: Iterable[BucketRecord],
    tasks: Iterable[PlannerTaskRecord],
    phase_map: Mapping[str, str],
    zone: ZoneInfo,
) -> list[dict[str, Any]]:
    """Buckets as milestones: due at their latest task's due date, released when all done."""
    by_bucket: dict[str, list[PlannerTaskRecord]] = {}
    for task in tasks:
        by_bucket.setdefault(task.bucket_id or "", []).append(task)
    rows = []
    for bucket in buckets:
        members = by_bucket.get(bucket.id, [])
        dues = [d for d in (local_date(t.due_at, zone) for t in members) if d]
        rows.append(
            {
                "milestone_id": f"{PLANNER}:bucket:{bucket.id}",
                "project_id": project_id(bucket.plan_id),
                "name": bucket.name,
                "due_date": max(dues) if dues else None,
                "released": bool(members)
                and all((t.percent_complete or 0) >= 100 for t in members),
                "phase": bucket_phase(bucket.name, phase_map),
                "source": PLANNER,
            }
        )
    return rows


# --- tasks -------------------------------------------------------------------------------------

# Planner's 0..10 priority scale as the four names its UI shows.
_PRIORITY_NAMES = ((1, "Urgent"), (4, "Important"), (7, "Medium"), (10, "Low"))


def priority_name(priority: int | None) -> str | None:
    if priority is None:
        return None
    return next((name for limit, name in _PRIORITY_NAMES if priority <= limit), "Low")


def task_status(percent: int) -> tuple[str, str]:
    """(status name as Planner shows it, canonical status category)."""
    if percent >= 100:
        return "Completed", "done"
    if percent > 0:
        return "In progress", "in_progress"
    return "Not started", "todo"


def task_type(labels: Iterable[str], type_map: Mapping[str, str]) -> str:
    """The canonical type from a category label that names one (e.g. `Defect`), else task."""
    folded = {k.lower(): v for k, v in type_map.items()}
    for label in labels:
        found = folded.get(label.strip().lower())
        if found:
            return found
    return "task"


def _assignee(task: PlannerTaskRecord, people: PersonDirectory) -> str | None:
    """The earliest assignment wins: canonical rows carry one assignee."""
    ordered = sorted(
        task.assignments, key=lambda a: (a.assigned_at is None, a.assigned_at, a.user_id)
    )
    for assignment in ordered:
        person = people.person_for_user(assignment.user_id)
        if person:
            return person
    return None


def _percent(task: PlannerTaskRecord, details: TaskDetailsRecord | None) -> int:
    """Planner reports 0, 50 or 100; an in-progress task's checklist tells more."""
    percent = task.percent_complete or 0
    if details and details.checklist_total and 0 < percent < 100:
        return round(100 * details.checklist_checked / details.checklist_total)
    return percent


def _task_problem(task: PlannerTaskRecord) -> str | None:
    if not task.plan_id:
        return f"planner task {task.id} has no planId"
    if task.percent_complete is not None and not 0 <= task.percent_complete <= 100:
        return f"planner task {task.id} has percentComplete {task.percent_complete} outside 0-100"
    return None


def map_task(
    task: PlannerTaskRecord,
    people: PersonDirectory,
    zone: ZoneInfo,
    *,
    categories: Mapping[str, str] | None = None,
    type_map: Mapping[str, str] | None = None,
    details: TaskDetailsRecord | None = None,
) -> dict[str, Any] | Quarantine:
    """One Planner task as a `tasks` row, or the reason it can't be one."""
    problem = _task_problem(task)
    if problem:
        return Quarantine("tasks", task.id, problem, record_json(task))
    labels = [(categories or {}).get(slot, slot) for slot in task.categories]
    status, category = task_status(task.percent_complete or 0)
    return {
        "task_id": f"{PLANNER}:{task.id}",
        "project_id": project_id(task.plan_id or ""),
        "key": slug(task.title) or task.id,
        "title": task.title,
        "task_type": task_type(labels, type_map or {}),
        "source_type": "plannerTask",
        "status": status,
        "status_category": category,
        "priority": priority_name(task.priority),
        "assignee_id": _assignee(task, people),
        "milestone_id": f"{PLANNER}:bucket:{task.bucket_id}" if task.bucket_id else None,
        "labels": labels,
        "percent_complete": float(_percent(task, details)),
        "start_date": local_date(task.start_at, zone),
        "due_date": local_date(task.due_at, zone),
        "created_at": task.created_at,
        "resolved_at": task.completed_at if category == "done" else None,
        "source": PLANNER,
    }


def map_tasks(
    tasks: Iterable[PlannerTaskRecord],
    people: PersonDirectory,
    zone: ZoneInfo,
    *,
    categories: Mapping[str, str] | None = None,
    type_map: Mapping[str, str] | None = None,
    details: Mapping[str, TaskDetailsRecord] | None = None,
) -> Mapped:
    """Tasks of one plan; a task without a due date is kept and flagged `no_due_date`."""
    out = Mapped()
    for task in tasks:
        mapped = map_task(
            task,
            people,
            zone,
            categories=categories,
            type_map=type_map,
            details=(details or {}).get(task.id),
        )
        if isinstance(mapped, Quarantine):
            out.quarantined.append(mapped)
            continue
        if mapped["due_date"] is None:
            out.flag(mapped["task_id"], "no_due_date")
        out.rows.append(mapped)
    return out
