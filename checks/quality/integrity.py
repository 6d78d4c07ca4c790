"""Referential integrity across canonical tables (plain pandas: GX suites are per table).

Hours on a task or project the warehouse doesn't know never reach earned value or the gate,
so those references are critical. Dependencies, changelog rows and register entries that
point nowhere weaken a metric without falsifying it: warnings (cross-project links to
projects that are not synced are common in Jira).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from checks.model import QualityResult, Severity
from checks.quality.evidence import failure_results, passed, row_projects
from checks.schema import table as table_schema


@dataclass(frozen=True)
class Reference:
    table: str
    column: str
    target: str
    target_key: str
    severity: Severity

    @property
    def name(self) -> str:
        return f"integrity.{self.table}.{self.column}"

    @property
    def description(self) -> str:
        return f"every {self.table}.{self.column} names an existing {self.target}.{self.target_key}"


REFERENCES = (
    Reference("time_entries", "task_id", "tasks", "task_id", Severity.CRITICAL),
    Reference("time_entries", "project_id", "projects", "project_id", Severity.CRITICAL),
    Reference("tasks", "project_id", "projects", "project_id", Severity.CRITICAL),
    Reference("dependencies", "from_task_id", "tasks", "task_id", Severity.WARNING),
    Reference("dependencies", "to_task_id", "tasks", "task_id", Severity.WARNING),
    Reference("status_changes", "task_id", "tasks", "task_id", Severity.WARNING),
    Reference("milestones", "project_id", "projects", "project_id", Severity.WARNING),
    Reference("sprints", "project_id", "projects", "project_id", Severity.WARNING),
    Reference("risks", "project_id", "projects", "project_id", Severity.WARNING),
)


def referential_integrity(
    live: Mapping[str, pd.DataFrame], by_task: pd.Series
) -> list[QualityResult]:
    """Each reference checked where both tables are present (live rows only)."""
    results: list[QualityResult] = []
    for ref in REFERENCES:
        if ref.table in live and ref.target in live:
            results.extend(_check(ref, live[ref.table], live[ref.target], by_task))
    return results


def _check(
    ref: Reference, frame: pd.DataFrame, target: pd.DataFrame, by_task: pd.Series
) -> list[QualityResult]:
    values = frame[ref.column]
    dangling = values.notna() & ~values.isin(target[ref.target_key].dropna().unique())
    dangling = dangling.fillna(False).astype(bool)
    if not dangling.any():
        return [passed(ref.table, ref.name, ref.severity, len(frame), ref.description)]
    missing = sorted(values[dangling].astype(str).unique())
    detail = f"expected: {ref.description}; unknown: {', '.join(missing[:5])}"
    if len(missing) > 5:
        detail += f" and {len(missing) - 5} more"
    return failure_results(
        table=ref.table,
        expectation=ref.name,
        severity=ref.severity,
        detail=detail,
        keys=frame[table_schema(ref.table).primary_key[0]],
        failing=dangling,
        projects=row_projects(ref.table, frame, by_task),
        weights=frame["hours"] if ref.table == "time_entries" else None,
    )
