"""Pure mapping of Jira metadata: projects (+ charter property), versions, sprints, people."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from checks.schema import PHASES
from connectors.jira.records import MappingContext, MappingError, Person
from connectors.timeparse import parse_date, parse_time

SOURCE = "jira"


def _require(record: Mapping[str, Any], key: str, what: str) -> Any:
    value = record.get(key)
    if value is None or value == "":
        raise MappingError(f"{what} without required field {key}")
    return value


def _float(value: Any, name: str) -> float | None:
    if value is None or value == "":
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        raise MappingError(f"charter {name} is not a number: {str(value)[:40]!r}") from None


def map_project(
    record: Mapping[str, Any], charter: Mapping[str, Any] | None, ctx: MappingContext
) -> dict[str, Any]:
    """A project row; the charter (a project entity property) carries phase, dates, budget
    and KPIs, which Jira has no fields for."""
    project_id = _require(record, "id", "project")
    charter = charter or {}
    phase = charter.get("phase")
    if phase is not None and phase not in PHASES:
        raise MappingError(f"charter phase {phase!r} is not one of {', '.join(PHASES)}")
    return {
        "project_id": f"jira:{project_id}",
        "key": _require(record, "key", "project"),
        "name": record.get("name"),
        "phase": phase,
        "lead_id": ctx.person_id(record.get("lead")),
        "start_date": parse_date(charter.get("start_date")),
        "target_date": parse_date(charter.get("target_date")),
        "baseline_date": parse_time(charter.get("baseline_date")),
        "budget_hours": _float(charter.get("budget_hours"), "budget_hours"),
        "budget_cost": _float(charter.get("budget_cost"), "budget_cost"),
        "objectives": list(charter.get("objectives") or []),
        "kpi_targets": dict(charter.get("kpi_targets") or {}),
        "kpi_actuals": dict(charter.get("kpi_actuals") or {}),
        "updated_at": parse_time(charter.get("updated_at")),
        "source": SOURCE,
    }


def map_version(
    record: Mapping[str, Any], project_id: str, phase_map: Mapping[str, str] | None = None
) -> dict[str, Any]:
    version_id = _require(record, "id", "version")
    name = record.get("name")
    return {
        "milestone_id": f"jira:version:{version_id}",
        "project_id": project_id,
        "name": name,
        "due_date": parse_date(record.get("releaseDate")),
        "released": bool(record.get("released", False)),
        "phase": (phase_map or {}).get(str(name)) if name else None,
        "source": SOURCE,
    }


def map_sprint(record: Mapping[str, Any], project_id: str) -> dict[str, Any]:
    sprint_id = _require(record, "id", "sprint")
    board = record.get("originBoardId")
    return {
        "sprint_id": f"jira:sprint:{sprint_id}",
        "project_id": project_id,
        "board_id": str(board) if board is not None else None,
        "name": record.get("name"),
        "state": record.get("state"),
        "start_at": parse_time(record.get("startDate")),
        "end_at": parse_time(record.get("endDate")),
        "completed_at": parse_time(record.get("completeDate")),
        "goal": record.get("goal"),
        "source": SOURCE,
    }


def person_from_user(user: Mapping[str, Any]) -> Person:
    account = _require(user, "accountId", "user")
    return Person(
        str(account), user.get("emailAddress"), user.get("displayName"), user.get("timeZone")
    )


def map_person(person: Person) -> dict[str, Any]:
    """A people row. A user whose e-mail Jira hides is kept, keyed by account id."""
    return {
        "person_id": person.person_id,
        "display_name": person.display_name,
        "time_zone": person.time_zone,
        "weekly_capacity_hours": None,
        "source_ids": {"jira": person.account_id},
        "source": SOURCE,
    }
