"""Prefect tasks shared by the flows: read the warehouse, judge, archive.

Tasks are units of I/O or of expensive work (one per project, never per item). Only I/O
tasks retry; the judgement itself is a pure function from `checks/` called inside a task.
Tasks are declared with `flows.orchestration.task`: Prefect tasks inside a Prefect flow run,
plain calls (same retries) when the CLI runs a flow in-process without a Prefect server.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from checks.model import Evaluation, QualityReport
from flows.orchestration import task
from flows.runtime import Runtime

if TYPE_CHECKING:
    from reports.summary import ReportContext

CENSUS_METRIC = "census.live_tasks"


@dataclass(frozen=True)
class Judged:
    """An evaluation with where its report was written."""

    evaluation: Evaluation
    document: dict[str, Any]
    report_path: Path
    html: str
    context: ReportContext | None = None  # what the report was rendered with


@task(name="read-warehouse", retries=2, retry_delay_seconds=2)
def read_frames(runtime: Runtime) -> dict[str, pd.DataFrame]:
    return runtime.warehouse.read_all()


@task(name="quality-gates")
def run_quality(
    runtime: Runtime, frames: Mapping[str, pd.DataFrame], as_of: datetime
) -> QualityReport:
    from checks.quality import QualityContext, run_quality_gates
    from flows.quality_record import suite_results

    context = QualityContext(
        as_of=as_of,
        last_sync=dict(runtime.warehouse.last_successful_sync()),
        previous_counts=previous_census(runtime, as_of),
    )
    suites = suite_results(runtime, frames, as_of)  # GX's, or the last run's when they hold
    return run_quality_gates(frames, context, runtime.settings.checks, table_results=suites)


def earlier_snapshots(
    runtime: Runtime, as_of: datetime, project_ids: list[str] | None = None
) -> pd.DataFrame:
    """Metric snapshots from before the status date's day.

    Today's snapshots are this day's own output: feeding them back in would change the
    evaluation's data version between two runs of the same day, and publish it twice.
    """
    snaps = runtime.warehouse.metric_snapshots(project_ids)
    return snaps[pd.to_datetime(snaps["snapshot_date"]) < pd.Timestamp(as_of.date())].reset_index(
        drop=True
    )


def previous_census(runtime: Runtime, as_of: datetime) -> dict[str, int]:
    """Live tasks per project at the latest snapshot before today (for the census-drop gate)."""
    snaps = runtime.warehouse.metric_snapshots()
    earlier = (snaps["metric"] == CENSUS_METRIC) & (
        pd.to_datetime(snaps["snapshot_date"]) < pd.Timestamp(as_of.date())
    )
    census = snaps[earlier].sort_values("snapshot_date")
    latest = census.groupby("project_id")["value"].last()
    return {str(pid): int(v) for pid, v in latest.items() if pd.notna(v)}


@task(name="evaluate-project")
def evaluate(
    runtime: Runtime,
    frames: Mapping[str, pd.DataFrame],
    project_id: str,
    quality: QualityReport,
    as_of: datetime,
    *,
    phase: str | None = None,
    closeout: bool = False,
) -> Evaluation:
    from checks.evaluation.evaluate import evaluate_closeout, evaluate_gate
    from config.lifecycle import load_rules

    rules = load_rules(runtime.settings)
    snapshots = earlier_snapshots(runtime, as_of, [project_id])
    default = not runtime.as_of_pinned  # finished projects: as of their finish
    if closeout:
        return evaluate_closeout(
            frames, project_id, runtime.settings, rules, as_of, quality, snapshots,
            default_as_of=default,
        )  # fmt: skip
    return evaluate_gate(
        frames, project_id, runtime.settings, rules, as_of, quality, snapshots, phase,
        default_as_of=default,
    )  # fmt: skip


@task(name="archive-evaluation", retries=2, retry_delay_seconds=2)
def archive(
    runtime: Runtime, evaluation: Evaluation, frames: Mapping[str, pd.DataFrame] | None = None
) -> Judged:
    """Store the evaluation with its evidence, snapshot its metrics, write the HTML report
    (issue keys linked, people by name, dates in the configured zone, from `frames`)."""
    from flows.report_context import report_context
    from reports.evaluation import evaluation_html  # charts: matplotlib, only when drawing

    document = evaluation.to_dict()
    runtime.warehouse.save_evaluation(document)
    # The daily snapshot is dated by the run, not by the evaluation's as-of (a finished
    # project is judged as of its finish: a back-dated snapshot would change tomorrow's
    # inputs); a re-judgement as of a chosen date does not rewrite the daily history.
    if not runtime.as_of_pinned:
        with runtime.warehouse.transaction() as txn:
            txn.snapshot_metrics(evaluation.project_id, runtime.as_of().date(), evaluation.metrics)
    ctx = report_context(
        runtime.settings, runtime.sandbox_info, frames or {}, evaluation.project_id
    )
    html = evaluation_html(document, ctx)
    path = report_path(runtime, document)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")
    return Judged(evaluation, document, path, html, ctx)


def report_path(runtime: Runtime, document: Mapping[str, Any]) -> Path:
    safe_key = "".join(
        ch if ch.isalnum() or ch in "-_" else "_" for ch in str(document["project_key"])
    )
    name = f"{document['kind']}-{safe_key}-{document.get('phase') or 'all'}-{str(document['data_version'])[:12]}.html"
    return runtime.reports_dir / name


def resolve_project(frames: Mapping[str, pd.DataFrame], project: str) -> str:
    """A project key (ABC) or id (jira:10000) to its id; a clear error when unknown."""
    projects = frames["projects"]
    if project in set(projects["project_id"]):
        return project
    matches = projects[projects["key"].str.upper() == project.upper()]
    if matches.empty:
        known = ", ".join(sorted(projects["key"].dropna().astype(str)))
        raise LookupError(
            f"unknown project {project!r}; the warehouse knows: {known or 'none (run pmo sync)'}"
        )
    return str(matches["project_id"].iloc[0])


def snapshot_census(runtime: Runtime, frames: Mapping[str, pd.DataFrame], as_of: datetime) -> None:
    """Live tasks per project today: tomorrow's census-drop gate compares against it."""
    from checks.quality import census_counts

    with runtime.warehouse.transaction() as txn:
        for project_id, count in census_counts(frames["tasks"]).items():
            txn.snapshot_metrics(str(project_id), as_of.date(), {CENSUS_METRIC: float(count)})
