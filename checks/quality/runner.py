"""`run_quality_gates`: every data-quality check over canonical frames, as one report."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import pandas as pd

from checks.model import QualityReport, QualityResult, Severity
from checks.quality import freshness, integrity, reconciliation, tables, timesheets
from checks.quality.context import QualityContext
from checks.quality.evidence import task_projects
from checks.quality.severity import entry_issue_keys, proportionate
from checks.schema import CANONICAL_TABLES
from config.settings import ChecksSettings


def run_quality_gates(
    frames: Mapping[str, pd.DataFrame],
    context: QualityContext,
    settings: ChecksSettings,
    *,
    table_results: list[QualityResult] | None = None,
) -> QualityReport:
    """Per-table GX suites plus cross-table checks; results carry the project they concern.

    `frames` are canonical frames keyed by table name (absent tables are not checked).
    A gate review keeps its project's part with `quality_results_for_project`.
    `table_results`: the per-table suites' results on these frames at this status date
    (`table_suite_results`, for instance an earlier run's when `tables.suites_agree`): GX
    then does not run; everything else does.
    """
    unknown = sorted(set(frames) - set(CANONICAL_TABLES))
    if unknown:
        raise KeyError(
            f"run_quality_gates: unknown table(s) {unknown}; known: {sorted(CANONICAL_TABLES)}"
        )
    live = {name: tables.live_rows(frame) for name, frame in frames.items()}
    by_task = task_projects(live.get("tasks"))
    results = (
        list(table_results)
        if table_results is not None
        else tables.run_table_suites(live, context.as_of, by_task)
    )
    results += integrity.referential_integrity(live, by_task)
    results += freshness.freshness(context.last_sync, context.as_of, settings.freshness_hours)
    results += freshness.census_drop(
        live.get("tasks"), context.previous_counts, settings.census_drop_share
    )
    results += _timesheet_checks(live, by_task, context, settings)
    results = proportionate(
        results, settings.quality_critical_share, _outlier_issue_keys(results, live)
    )
    return QualityReport(tuple(results))


def table_suite_results(frames: Mapping[str, pd.DataFrame], as_of: datetime) -> list[QualityResult]:
    """The per-table suites' results on the portfolio, as `run_quality_gates` computes them."""
    live = {name: tables.live_rows(frame) for name, frame in frames.items()}
    return tables.run_table_suites(live, as_of, task_projects(live.get("tasks")))


def _outlier_issue_keys(
    results: list[QualityResult], live: Mapping[str, pd.DataFrame]
) -> dict[str, str]:
    """Issue keys of the time entries named by failed critical results (only those rows)."""
    named = {
        k
        for r in results
        if not r.success and r.table == "time_entries" and r.severity == Severity.CRITICAL
        for k in r.example_keys
    }
    entries = live.get("time_entries")
    if not named or entries is None:
        return {}
    return entry_issue_keys(entries[entries["entry_id"].isin(named)], live.get("tasks"))


def _timesheet_checks(
    live: Mapping[str, pd.DataFrame],
    by_task: pd.Series,
    context: QualityContext,
    settings: ChecksSettings,
) -> list[QualityResult]:
    entries = live.get("time_entries")
    if entries is None:
        return []
    as_of = pd.Timestamp(context.as_of)
    return [
        *timesheets.long_days(entries, by_task, settings.max_hours_per_day),
        *timesheets.clock_out_before_in(entries, by_task),
        *timesheets.logged_after_close(entries, live.get("tasks"), by_task),
        *timesheets.future_work_dates(entries, by_task, as_of),
        *reconciliation.reconcile(entries, settings.reconciliation_tolerance_hours),
    ]


def quality_results_for_project(report: QualityReport, project_id: str) -> QualityReport:
    """The part of `report` a gate review of `project_id` must see: its own and global results."""
    kept = tuple(r for r in report.results if r.project_id in (None, project_id))
    return QualityReport(kept)
