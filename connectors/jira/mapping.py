"""Pure mapping from Jira API records to canonical rows (`checks.schema`).

Every function takes a record (a dict in the API's shape) plus a `MappingContext` and
returns row dicts, or raises `MappingError` with a reason the caller quarantines.
No I/O here: the tests feed records shaped like the Jira v3 spec and compare rows.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from config.settings import DEFAULT_DEPENDENCY_LINK_TYPES
from connectors.jira.records import MappingContext, MappingError, categories_of, link_type_map
from connectors.timeparse import parse_date, parse_time

SOURCE = "jira"
ROAM = {"resolved", "owned", "accepted", "mitigated"}


def task_id(issue_id: Any) -> str:
    return f"jira:{issue_id}"


@dataclass
class IssueRows:
    task: dict[str, Any]
    risk: dict[str, Any] | None = None
    dependencies: list[dict[str, Any]] = field(default_factory=list)
    status_changes: list[dict[str, Any]] = field(default_factory=list)


def _require(record: Mapping[str, Any], path: str) -> Any:
    node: Any = record
    for part in path.split("."):
        node = node.get(part) if isinstance(node, Mapping) else None
        if node is None or node == "":
            raise MappingError(f"missing required field {path}")
    return node


def _hours(seconds: Any) -> float | None:
    return round(float(seconds) / 3600, 6) if seconds not in (None, "") else None


def _number(value: Any) -> float | None:
    """Numbers, numeric strings and select options ({"value": "3"}) as floats."""
    if isinstance(value, Mapping):
        value = value.get("value")
    if value is None or value == "":
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        raise MappingError(f"not a number: {str(value)[:40]!r}") from None


def _text(value: Any) -> str | None:
    """Plain text from a string, a select option or ADF (v3 textarea custom fields)."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping) and "value" in value and "type" not in value:
        return str(value["value"])
    parts: list[str] = []
    _adf_text(value, parts)
    return "".join(parts).strip() or None


def _adf_text(node: Any, out: list[str]) -> None:
    if isinstance(node, Mapping):
        if node.get("type") == "text":
            out.append(str(node.get("text", "")))
        for child in node.get("content") or []:
            _adf_text(child, out)
        if node.get("type") in ("paragraph", "heading", "listItem"):
            out.append("\n")
    elif isinstance(node, list):
        for child in node:
            _adf_text(child, out)


def _current_sprint(value: Any) -> str | None:
    """Jira lists every sprint an issue passed through; the active one, else the last."""
    sprints = [s for s in value or [] if isinstance(s, Mapping) and s.get("id") is not None]
    if not sprints:
        return None
    active = [s for s in sprints if s.get("state") == "active"]
    return f"jira:sprint:{(active or sprints)[-1]['id']}"


def _custom(fields: Mapping[str, Any], ctx: MappingContext, role: str) -> Any:
    field_id = ctx.fields.get(role)
    return fields.get(field_id) if field_id else None


def map_issue(record: Mapping[str, Any], ctx: MappingContext) -> IssueRows:
    issue_id = _require(record, "id")
    fields = _require(record, "fields")
    project_id = f"jira:{_require(record, 'fields.project.id')}"
    source_type = str(_require(record, "fields.issuetype.name"))
    status = fields.get("status") or {}
    task = {
        "task_id": task_id(issue_id),
        "project_id": project_id,
        "key": _require(record, "key"),
        "title": fields.get("summary"),
        "task_type": ctx.task_type(fields["issuetype"]),
        "source_type": source_type,
        "status": _require(record, "fields.status.name"),
        "status_category": _status_category(status, ctx),
        "priority": (fields.get("priority") or {}).get("name"),
        "severity": _severity(_custom(fields, ctx, "severity")),
        "assignee_id": ctx.person_id(fields.get("assignee")),
        "parent_id": task_id(fields["parent"]["id"])
        if (fields.get("parent") or {}).get("id")
        else None,
        "sprint_id": _current_sprint(_custom(fields, ctx, "sprint")),
        "milestone_id": _first_version(fields.get("fixVersions")),
        "labels": list(fields.get("labels") or []),
        "estimate_hours": _hours(fields.get("timeoriginalestimate")),
        "remaining_hours": _hours(fields.get("timeestimate")),
        "story_points": _number(_custom(fields, ctx, "story_points")),
        "percent_complete": None,
        "start_date": parse_date(_custom(fields, ctx, "start_date")),
        "due_date": parse_date(fields.get("duedate")),
        "created_at": parse_time(_require(record, "fields.created")),
        "updated_at": parse_time(_require(record, "fields.updated")),
        "resolved_at": parse_time(fields.get("resolutiondate")),
        "source": SOURCE,
    }
    rows = IssueRows(
        task,
        dependencies=map_links(
            record, ctx.dependency_link_types, ctx.ignored_link_types, ctx.unknown_link_types
        ),
    )
    if source_type in ctx.risk_types:
        rows.risk = map_risk(task, fields, ctx)
    return rows


def _status_category(status: Mapping[str, Any], ctx: MappingContext) -> str | None:
    """From Jira's status list (by id, then name); a status created after the list was read
    falls back to the category the issue itself carries (the same whatever the read order)."""
    known = ctx.category(status.get("id"), status.get("name"))
    if known is not None:
        return known
    return categories_of([status]).get(str(status.get("id") or status.get("name") or "").lower())


def _first_version(versions: Any) -> str | None:
    ids = [v.get("id") for v in versions or [] if isinstance(v, Mapping) and v.get("id")]
    return f"jira:version:{ids[0]}" if ids else None


def _severity(value: Any) -> str | None:
    text = _text(value)
    return text.strip().lower() if text else None


def _scale(value: Any, what: str) -> int | None:
    number = _number(value)
    if number is None:
        return None
    if not 1 <= number <= 5:
        raise MappingError(f"{what} {number:g} is outside 1-5")
    return round(number)


def map_risk(
    task: Mapping[str, Any], fields: Mapping[str, Any], ctx: MappingContext
) -> dict[str, Any]:
    status = str(task["status"]).strip().lower()
    roam = (
        status if status in ROAM else ("resolved" if task["status_category"] == "done" else "open")
    )
    labels = {str(label).lower() for label in task["labels"]}
    return {
        "risk_id": task["task_id"],
        "project_id": task["project_id"],
        "title": task["title"],
        "probability": _scale(_custom(fields, ctx, "risk_probability"), "risk probability"),
        "impact": _scale(_custom(fields, ctx, "risk_impact"), "risk impact"),
        "roam_status": roam,
        "owner_id": task["assignee_id"],
        "mitigation": _text(_custom(fields, ctx, "mitigation")),
        "mitigation_due": parse_date(_custom(fields, ctx, "mitigation_due")),
        "materialised": bool(labels & {"materialised", "materialized"}),
        "created_at": task["created_at"],
        "updated_at": task["updated_at"],
        "source": SOURCE,
    }


def map_links(
    record: Mapping[str, Any],
    dependency_types: Mapping[str, str] | None = None,
    ignored: Iterable[str] = (),
    unknown: dict[str, set[str]] | None = None,
) -> list[dict[str, Any]]:
    """Issue links as rows; each link appears on both issues and maps to the same row from
    either side. A dependency link type (`dependency_types`: lower-case name -> the side
    that is the predecessor) is blocking and oriented predecessor -> successor; any other
    link keeps the outward reading ("A relates to B": A -> B). Types neither dependencies
    nor `ignored` are collected in `unknown` (name -> link ids) for the sync summary."""
    own = task_id(record["id"])
    types = (
        link_type_map(DEFAULT_DEPENDENCY_LINK_TYPES)
        if dependency_types is None
        else dependency_types
    )
    skip = {str(name).lower() for name in ignored}
    rows = []
    for link in (record.get("fields") or {}).get("issuelinks") or []:
        link_type = link.get("type") or {}
        if link.get("id") is None:
            raise MappingError("issue link without id")
        # (subject, object) of the outward description: "subject <outward> object"
        if link.get("outwardIssue"):
            pair = (own, task_id(link["outwardIssue"]["id"]))
        elif link.get("inwardIssue"):
            pair = (task_id(link["inwardIssue"]["id"]), own)
        else:
            raise MappingError(f"issue link {link['id']} names no other issue")
        name = str(link_type.get("name") or "")
        side = types.get(name.lower())
        if side == "inward":
            pair = (pair[1], pair[0])
        elif side is None and unknown is not None and name.lower() not in skip:
            unknown.setdefault(name, set()).add(str(link["id"]))
        rows.append(
            {
                "dependency_id": f"jira:link:{link['id']}",
                "from_task_id": pair[0],
                "to_task_id": pair[1],
                "link_type": link_type.get("name"),
                "is_blocking": side is not None,
                "source": SOURCE,
            }
        )
    return rows


def map_status_changes(
    issue_id: Any, histories: Sequence[Mapping[str, Any]], ctx: MappingContext
) -> list[dict[str, Any]]:
    """Status transitions from the full changelog; the id keeps the item's index in its
    history, so the embedded and the paged changelog yield the same ids."""
    rows = []
    for history in histories:
        history_id = _require(history, "id")
        changed_at = parse_time(_require(history, "created"))
        for index, item in enumerate(history.get("items") or []):
            if (item.get("fieldId") or item.get("field")) != "status":
                continue
            rows.append(
                {
                    "change_id": f"jira:{history_id}:{index}",
                    "task_id": task_id(issue_id),
                    "changed_at": changed_at,
                    "author_id": ctx.person_id(history.get("author")),
                    "from_status": item.get("fromString"),
                    "to_status": item.get("toString"),
                    "from_category": ctx.category(item.get("from"), item.get("fromString")),
                    "to_category": ctx.category(item.get("to"), item.get("toString")),
                    "source": SOURCE,
                }
            )
    return rows


def work_date(started: str, time_zone: str | None) -> date:
    """The day of `started` in the author's zone; without a known zone, in the offset the
    timestamp carries (Jira writes `started` in the author's zone)."""
    moment = parse_time(started, keep_offset=True)
    if moment is None:
        raise MappingError("missing required field started")
    if time_zone:
        try:
            return moment.astimezone(ZoneInfo(time_zone)).date()
        except (ZoneInfoNotFoundError, ValueError):
            raise MappingError(f"unknown time zone {time_zone!r} of the worklog author") from None
    return moment.date()


def worklog_hours_problem(
    record: Mapping[str, Any], started: str, max_per_day: float
) -> str | None:
    """Why a worklog's time can't be work time: negative, or more than `max_per_day` hours
    per calendar day of its span - from the day it started to the day it was logged (at
    least one day: a worklog logged ahead of its start is bounded by one day)."""
    try:
        seconds = float(record.get("timeSpentSeconds"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return f"timeSpentSeconds {record.get('timeSpentSeconds')!r} is not a number"
    hours = seconds / 3600
    if not math.isfinite(hours):
        return f"timeSpentSeconds {seconds!r} is not a number"
    if hours < 0:
        return f"timeSpentSeconds is {seconds:g} ({hours:g} h): negative time is no work"
    start = parse_time(started, keep_offset=True)
    logged = parse_time(record.get("created"), keep_offset=True)
    assert start is not None
    days = 1
    if logged is not None and start.tzinfo is not None:
        days = max(1, (logged.astimezone(start.tzinfo).date() - start.date()).days + 1)
    if hours > max_per_day * days:
        return (
            f"{hours:g} h logged for {days} day(s) from its start to when it was logged: more "
            f"than {max_per_day:g} h per day (jira.max_worklog_hours_per_day)"
        )
    return None


def map_worklog(
    record: Mapping[str, Any], ctx: MappingContext, project_id: str | None
) -> dict[str, Any]:
    worklog_id = _require(record, "id")
    started = str(_require(record, "started"))
    seconds = _require(record, "timeSpentSeconds")
    author = ctx.person(record.get("author"))
    started_at = parse_time(started)
    assert isinstance(started_at, datetime)
    problem = worklog_hours_problem(record, started, ctx.max_worklog_hours_per_day)
    if problem:
        raise MappingError(problem)
    return {
        "entry_id": f"jira:worklog:{worklog_id}",
        "kind": "worklog",
        "person_id": author.person_id if author else None,
        "project_id": project_id,
        "task_id": task_id(_require(record, "issueId")),
        "started_at": started_at,
        "work_date": work_date(started, author.time_zone if author else None),
        "hours": _hours(seconds),
        "is_confirmed": True,
        "flags": [],
        "updated_at": parse_time(record.get("updated")),
        "source": SOURCE,
    }
