"""The weekly status digest: every project's phase, RAG, SPI/CPI and forecast vs target.

Communication is a phase of its own in the lifecycle: stakeholders get this every week
without asking. Projects are judged but not published one by one; the digest is.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import pandas as pd

from checks.evaluation.as_of import parse_as_of
from checks.model import Evaluation
from config.lifecycle import load_rules
from flows.artifacts import markdown_artifact, table_artifact
from flows.evaluation import QualitySource, evaluate_projects
from flows.orchestration import flow
from flows.publishing import publish_status
from flows.runtime import Runtime, open_runtime
from flows.steps import (
    earlier_snapshots,
    read_frames,
    report_path,
    resolve_project,
    run_quality,
)
from reports.portfolio import portfolio_html, portfolio_markdown, row_from_evaluation


def evaluate_all(
    runtime: Runtime,
    frames: Mapping[str, pd.DataFrame],
    quality: QualitySource,
    as_of: datetime,
    project_ids: list[str] | None,
) -> list[Evaluation]:
    """Every (or the named) project's evaluation, as Prefect tasks per shard of projects on
    the runner `evaluation.task_runner` names (`flows.evaluation`)."""
    return evaluate_projects(
        frames,
        runtime.settings,
        load_rules(runtime.settings),
        as_of,
        quality,
        earlier_snapshots(runtime, as_of),
        project_ids,
        default_as_of=not runtime.as_of_pinned,
    )


TREND_METRICS = ("evm.spi", "evm.cpi")
TREND_POINTS = 8


def add_trends_and_links(runtime: Runtime, rows: list[dict[str, Any]]) -> None:
    """Each row gets its SPI/CPI over the last snapshots and a link to its latest report.

    The link is relative (the digest sits next to the reports), so it works wherever the
    folder is opened or copied.
    """

    ids = [r["project_id"] for r in rows]
    snaps = runtime.warehouse.metric_snapshots(ids)
    snaps = snaps[snaps["metric"].isin(TREND_METRICS) & snaps["value"].notna()]
    latest: dict[str, Any] = {}
    for document in runtime.warehouse.latest_evaluations():
        latest.setdefault(str(document["project_id"]), document)
    for row in rows:
        mine = snaps[snaps["project_id"] == row["project_id"]].sort_values("snapshot_date")
        row["trend"] = {
            metric: [float(v) for v in mine[mine["metric"] == metric]["value"].tail(TREND_POINTS)]
            for metric in TREND_METRICS
        }
        last = latest.get(row["project_id"])
        if last is not None:
            path = report_path(runtime, last)
            row["report"] = path.name if path.is_file() else None


@flow(name="status-report", log_prints=False)
def status_report(
    projects: list[str] | None = None,
    publish: bool = True,
    config_path: str | None = None,
    as_of: str | None = None,
) -> dict[str, Any]:
    """Judge every (or the given) project and publish one digest (`as_of`: the status date,
    YYYY-MM-DD or ISO; default now, finished projects as of their finish)."""
    with open_runtime(config_path, as_of=parse_as_of(as_of)) as runtime:
        status_date = runtime.as_of()
        frames = read_frames(runtime)
        ids = [resolve_project(frames, p) for p in projects] if projects else None
        # the quality gates run while the projects are assessed
        gates = lambda: run_quality(runtime, frames, status_date)  # noqa: E731
        rows = [
            row_from_evaluation(e.to_dict())
            for e in evaluate_all(runtime, frames, gates, status_date, ids)
        ]
        add_trends_and_links(runtime, rows)
        title = f"Portfolio status {status_date:%Y-%m-%d}"
        path = runtime.reports_dir / f"status-{status_date:%Y-%m-%d}.html"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            portfolio_html(rows, title, runtime.settings.checks.thresholds), encoding="utf-8"
        )
        markdown_artifact(
            portfolio_markdown(rows, title, runtime.settings.checks.thresholds),
            "status-report",
            title,
        )
        table_artifact(
            [{k: v for k, v in r.items() if k not in ("findings", "trend")} for r in rows],
            "status-report-table",
            title,
        )
        result: dict[str, Any] = {
            "as_of": status_date.isoformat(),
            "projects": rows,
            "report_path": str(path),
        }
        if publish and runtime.settings.publish.enabled:
            result["published"] = publish_status(runtime, rows, path, status_date)
        return result
