"""One expectation suite per canonical table, each built by a function of the status date.

Severity says what a failure means for the gate: critical = the evidence can't be trusted
(the decision becomes Hold); warning = worth fixing, the numbers still stand.

- critical: keys unique and present; columns the schema declares non-nullable present;
  hours outside (0, 24]; percent outside 0-100; unknown status category, entry kind or phase.
- warning: timestamps out of order or after the status date; unknown task type, ROAM status,
  sprint state; probability/impact outside 1-5; negative estimates or capacities.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pandas as pd

from checks.model import Severity
from checks.quality.specs import ExpectationSpec
from checks.schema import (
    PHASES,
    ROAM_STATUSES,
    STATUS_CATEGORIES,
    TASK_TYPES,
    table,
)

CRITICAL, WARNING = Severity.CRITICAL, Severity.WARNING
ENTRY_KINDS = ("worklog", "timecard", "timesheet")
SPRINT_STATES = ("future", "active", "closed")


def _structural(name: str) -> list[ExpectationSpec]:
    """Keys unique and not null; every non-nullable column present (all critical)."""
    t = table(name)
    specs = []
    for key in t.primary_key:
        specs.append(
            ExpectationSpec(f"{name}.{key}.unique", "unique", key, CRITICAL, f"{key} is unique")
        )
    for col in t.columns:
        if not col.nullable:
            specs.append(
                ExpectationSpec(
                    f"{name}.{col.name}.not_null",
                    "not_null",
                    col.name,
                    CRITICAL,
                    f"{col.name} is present",
                )
            )
    return specs


def _not_after(name: str, column: str, as_of: pd.Timestamp) -> ExpectationSpec:
    return ExpectationSpec(
        f"{name}.{column}.not_future",
        "between",
        column,
        WARNING,
        f"{column} is not after the status date",
        max_value=as_of,
    )


def _ordered(name: str, later: str, earlier: str) -> ExpectationSpec:
    return ExpectationSpec(
        f"{name}.{later}_after_{earlier}",
        "pair_ge",
        later,
        WARNING,
        f"{later} is not before {earlier}",
        column_b=earlier,
    )


def _in_set(name: str, column: str, values: tuple[str, ...], severity: Severity) -> ExpectationSpec:
    return ExpectationSpec(
        f"{name}.{column}.known",
        "in_set",
        column,
        severity,
        f"{column} is one of {', '.join(values)}",
        value_set=values,
    )


def _range(
    name: str,
    column: str,
    low: float,
    high: float | None,
    severity: Severity,
    strict_low: bool = False,
    only_where: str | None = None,
) -> ExpectationSpec:
    bounds = f"{'(' if strict_low else '['}{low}, {'' if high is None else high}]"
    return ExpectationSpec(
        f"{name}.{column}.range",
        "between",
        column,
        severity,
        f"{column} in {bounds}" + (f" where {only_where}" if only_where else ""),
        min_value=low,
        max_value=high,
        strict_min=strict_low,
        only_where=only_where,
    )


def projects_suite(as_of: pd.Timestamp) -> list[ExpectationSpec]:
    return [
        *_structural("projects"),
        _in_set("projects", "phase", PHASES, CRITICAL),
        _range("projects", "budget_hours", 0, None, WARNING),
        _range("projects", "budget_cost", 0, None, WARNING),
        _not_after("projects", "updated_at", as_of),
    ]


def people_suite(as_of: pd.Timestamp) -> list[ExpectationSpec]:
    return [*_structural("people"), _range("people", "weekly_capacity_hours", 0, 168, WARNING)]


def tasks_suite(as_of: pd.Timestamp) -> list[ExpectationSpec]:
    return [
        *_structural("tasks"),
        _in_set("tasks", "status_category", STATUS_CATEGORIES, CRITICAL),
        _in_set("tasks", "task_type", TASK_TYPES, WARNING),
        _range("tasks", "percent_complete", 0, 100, CRITICAL),
        _range("tasks", "estimate_hours", 0, None, WARNING),
        _range("tasks", "remaining_hours", 0, None, WARNING),
        _range("tasks", "story_points", 0, None, WARNING),
        _ordered("tasks", "updated_at", "created_at"),
        _ordered("tasks", "resolved_at", "created_at"),
        _not_after("tasks", "created_at", as_of),
        _not_after("tasks", "updated_at", as_of),
        _not_after("tasks", "resolved_at", as_of),
    ]


def dependencies_suite(as_of: pd.Timestamp) -> list[ExpectationSpec]:
    return _structural("dependencies")


def status_changes_suite(as_of: pd.Timestamp) -> list[ExpectationSpec]:
    return [
        *_structural("status_changes"),
        _in_set("status_changes", "to_category", STATUS_CATEGORIES, WARNING),
        _in_set("status_changes", "from_category", STATUS_CATEGORIES, WARNING),
        _not_after("status_changes", "changed_at", as_of),
    ]


def time_entries_suite(as_of: pd.Timestamp) -> list[ExpectationSpec]:
    return [
        *_structural("time_entries"),
        # placeholder 0 h of open or reversed time cards are not measurements (see specs)
        _range(
            "time_entries", "hours", 0, 24, CRITICAL, strict_low=True, only_where="hours_measured"
        ),
        _in_set("time_entries", "kind", ENTRY_KINDS, CRITICAL),
        _not_after("time_entries", "started_at", as_of),
        _not_after("time_entries", "updated_at", as_of),
    ]


def milestones_suite(as_of: pd.Timestamp) -> list[ExpectationSpec]:
    return _structural("milestones")


def sprints_suite(as_of: pd.Timestamp) -> list[ExpectationSpec]:
    return [
        *_structural("sprints"),
        _in_set("sprints", "state", SPRINT_STATES, WARNING),
        _ordered("sprints", "end_at", "start_at"),
    ]


def risks_suite(as_of: pd.Timestamp) -> list[ExpectationSpec]:
    return [
        *_structural("risks"),
        _range("risks", "probability", 1, 5, WARNING),
        _range("risks", "impact", 1, 5, WARNING),
        _in_set("risks", "roam_status", ROAM_STATUSES, WARNING),
        _ordered("risks", "updated_at", "created_at"),
        _not_after("risks", "updated_at", as_of),
    ]


SUITE_BUILDERS: dict[str, Callable[[pd.Timestamp], list[ExpectationSpec]]] = {
    "projects": projects_suite,
    "people": people_suite,
    "tasks": tasks_suite,
    "dependencies": dependencies_suite,
    "status_changes": status_changes_suite,
    "time_entries": time_entries_suite,
    "milestones": milestones_suite,
    "sprints": sprints_suite,
    "risks": risks_suite,
}


def suite_for(name: str, as_of: datetime) -> list[ExpectationSpec]:
    """The expectation suite of canonical table `name` at status date `as_of` (UTC)."""
    if name not in SUITE_BUILDERS:
        raise KeyError(f"no quality suite for table {name!r}; known: {sorted(SUITE_BUILDERS)}")
    return SUITE_BUILDERS[name](_utc_timestamp(as_of))


def _utc_timestamp(as_of: datetime) -> pd.Timestamp:
    stamp = pd.Timestamp(as_of)
    if stamp.tzinfo is None:
        raise ValueError(f"as_of must be timezone-aware (UTC), got naive {as_of!r}")
    return stamp.tz_convert("UTC")
