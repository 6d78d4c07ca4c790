"""From failing rows to `QualityResult`s: entity ids as examples, one result per project.

A failure is reported once per project it touches (so a gate review of project A is not held
by bad rows of project B) and once without a project for rows that belong to none.
"""

from __future__ import annotations

import pandas as pd

from checks.model import QualityResult, Severity

MAX_EXAMPLES = 20  # example keys per result: enough to find the pattern, small enough to post


def task_projects(tasks: pd.DataFrame | None) -> pd.Series:
    """task_id -> project_id, for attributing rows that only name a task."""
    if tasks is None or tasks.empty:
        return pd.Series(dtype="string")
    pairs = tasks[["task_id", "project_id"]].dropna(subset=["task_id"])
    return pairs.drop_duplicates("task_id").set_index("task_id")["project_id"]


def row_projects(table: str, frame: pd.DataFrame, by_task: pd.Series) -> pd.Series | None:
    """The project each row belongs to (null where unknown); None for tables above projects."""
    if table == "people":
        return None
    if table == "dependencies":
        return _via_task(frame["from_task_id"], by_task).fillna(
            _via_task(frame["to_task_id"], by_task)
        )
    if table == "status_changes":
        return _via_task(frame["task_id"], by_task)
    projects = frame["project_id"].astype("string")
    if table == "time_entries":
        unknown = projects.isna() & frame["task_id"].notna()
        if unknown.any():  # map only those rows: most entries name their project
            projects = projects.copy()
            projects[unknown] = _via_task(frame.loc[unknown, "task_id"], by_task)
    return projects


def _via_task(task_ids: pd.Series, by_task: pd.Series) -> pd.Series:
    return task_ids.astype("string").map(by_task).astype("string")


def failure_results(
    *,
    table: str,
    expectation: str,
    severity: Severity,
    detail: str,
    keys: pd.Series,
    failing: pd.Series,
    projects: pd.Series | None,
    weights: pd.Series | None = None,
) -> list[QualityResult]:
    """Results for a failed check: `keys` and `projects` align with the checked rows, `failing`
    is the boolean mask of failing rows among them; `weights` (e.g. hours) make the tainted
    share the larger of the failing rows' share and the failing weight's share."""
    failing = failing.fillna(False).astype(bool)
    if weights is not None:
        weights = pd.to_numeric(weights, errors="coerce").astype("float64").abs().fillna(0.0)
    if projects is None:
        share = _share(failing, pd.Series(True, index=failing.index), weights)
        return [
            _result(table, expectation, severity, detail, keys[failing], len(keys), None, share)
        ]
    scope = projects.astype("object").mask(projects.isna(), None)
    results = []
    for project in _ordered_projects(scope[failing]):
        in_project = scope.isna() if project is None else scope == project
        results.append(
            _result(
                table,
                expectation,
                severity,
                detail,
                keys[failing & in_project],
                int(in_project.sum()),
                project,
                _share(failing, in_project, weights),
            )
        )
    return results


def _share(failing: pd.Series, scope: pd.Series, weights: pd.Series | None) -> float | None:
    """Share of the rows in `scope` that fail; with weights, the larger of rows and weight."""
    rows = int(scope.sum())
    if rows == 0:
        return None
    share = int((failing & scope).sum()) / rows
    if weights is not None:
        total = float(weights[scope].sum())
        if total > 0:
            share = max(share, float(weights[failing & scope].sum()) / total)
    return min(share, 1.0)


def _ordered_projects(values: pd.Series) -> list[str | None]:
    named = sorted({v for v in values if v is not None})
    return [*named, None] if values.isna().any() else named


def _result(
    table: str,
    expectation: str,
    severity: Severity,
    detail: str,
    failing_keys: pd.Series,
    checked: int,
    project: str | None,
    share: float | None = None,
) -> QualityResult:
    # the smallest keys, not the first rows: the same examples whatever the row order
    examples = tuple(sorted({str(k) for k in failing_keys.dropna()}))[:MAX_EXAMPLES]
    return QualityResult(
        table=table,
        expectation=expectation,
        severity=severity,
        success=False,
        failing_count=len(failing_keys),
        checked_count=checked,
        example_keys=examples,
        detail=detail,
        project_id=project,
        tainted_share=share,
    )


def passed(
    table: str, expectation: str, severity: Severity, checked: int, detail: str
) -> QualityResult:
    return QualityResult(table, expectation, severity, True, 0, checked, (), detail)
