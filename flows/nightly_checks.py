"""What the nightly run does after the sync: judge, snapshot, alert, answer gate requests.

- quality gates and every project's checks, once for the portfolio: the projects fan out as
  Prefect tasks, one per shard, on the runner `evaluation.task_runner` names (threads, a
  process pool, or a Dask cluster shared by several machines; `flows.evaluation`);
- metric snapshots per project and day (trends, and the record past forecasts are scored on);
- a Teams card for each *new* red finding (the ledger remembers what was alerted);
- a gate review for each open gate-review request filed in Jira, answered on that issue.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime
from typing import Any, cast

import pandas as pd

from checks.gates.requests import GateRequest, open_gate_requests
from checks.model import Evaluation, QualityReport
from connectors.ports import JSON, Ledger
from flows.orchestration import run_flow, task
from flows.publishing import (
    alert_epic,
    alerts_sent_before,
    jira_publisher,
    publish_alert,
    record_alerts,
)
from flows.runtime import Runtime
from flows.status_report import evaluate_all
from flows.steps import read_frames, run_quality, snapshot_census


def judge_portfolio(runtime: Runtime) -> dict[str, Any]:
    """Run after every sync; returns counts for the run summary."""
    as_of = runtime.as_of()
    frames = read_frames(runtime)
    reports: list[QualityReport] = []

    def gates() -> QualityReport:  # run while the workers assess the projects
        reports.append(run_quality(runtime, frames, as_of))
        return reports[-1]

    evaluations = evaluate_all(runtime, frames, gates, as_of, None)
    quality = reports[-1]
    snapshot(runtime, evaluations, frames, as_of)
    alerts = alert_new_red_findings(runtime, evaluations)
    answered = answer_gate_requests(runtime, frames)
    return {
        "projects": len(evaluations),
        "alerts": alerts,
        "gate_requests": answered,
        "quality": quality.summary() | {"failures": len(quality.summary()["failures"])},
    }


@task(name="snapshot-metrics", retries=2, retry_delay_seconds=2)
def snapshot(
    runtime: Runtime,
    evaluations: list[Evaluation],
    frames: Mapping[str, pd.DataFrame],
    as_of: datetime,
) -> int:
    with runtime.warehouse.transaction() as txn:
        for evaluation in evaluations:
            txn.snapshot_metrics(evaluation.project_id, as_of.date(), evaluation.metrics)
    snapshot_census(runtime, frames, as_of)
    return len(evaluations)


def alert_key(evaluation: Evaluation, check: str, item_ids: tuple[str, ...]) -> str:
    digest = hashlib.sha256("|".join(sorted(item_ids)).encode()).hexdigest()[:12]
    return f"alert:{evaluation.project_key}:{check}:{digest}"


@task(name="alert-red-findings")
def alert_new_red_findings(runtime: Runtime, evaluations: list[Evaluation]) -> int:
    """One card per project listing the critical findings not alerted before."""
    ledger = runtime.warehouse.ledger()
    sent = 0
    for evaluation in evaluations:
        fresh = [
            (alert_key(evaluation, f.check, f.item_ids), f)
            for f in evaluation.findings
            if f.severity == "critical"
        ]
        fresh = [(key, f) for key, f in fresh if ledger.get(key) is None]
        if not fresh:
            continue
        epic = alert_epic(runtime, evaluation.project_id)
        adopted = alerts_sent_before(runtime, epic)  # a fresh warehouse: what Jira says went out
        for key, finding in fresh:
            if key in adopted:
                ledger.mark_done(key, "alert", "adopted", {"check": finding.check})
        fresh = [(key, f) for key, f in fresh if key not in adopted]
        if not fresh:
            continue
        card_key = (
            "alert-card:" + hashlib.sha256("|".join(k for k, _ in fresh).encode()).hexdigest()[:16]
        )
        publish_alert(runtime, evaluation.project_key, [f.to_dict() for _, f in fresh], card_key)
        for key, finding in fresh:
            ledger.mark_done(key, "alert", card_key, {"check": finding.check})
        record_alerts(runtime, epic, [key for key, _ in fresh])
        sent += 1
    return sent


def answer_gate_requests(
    runtime: Runtime, frames: Mapping[str, pd.DataFrame]
) -> list[dict[str, Any]]:
    from flows.gate_review import phase_gate_review

    known = set(frames["projects"]["key"].dropna().astype(str))
    ledger = runtime.warehouse.ledger()
    answered = []
    for request in open_gate_requests(frames["tasks"], known):
        if _answered(runtime, ledger, request.issue_key):
            continue
        if request.problem:
            answered.append(_reject(runtime, request))
            continue
        answered.append(_review(runtime, request, phase_gate_review))
    return answered


def _answered(runtime: Runtime, ledger: Ledger, issue_key: str) -> bool:
    """Answered by an earlier run: the ledger says so, or (a fresh or rebuilt warehouse) the
    request issue carries our answer, which is then adopted into the ledger. A claim held by
    a run that is gone is not an answer: the publishers take it over and finish the job."""
    key = f"request:{issue_key}:jira_comment"
    known = ledger.get(key)
    if known is not None and known.status in ("done", "unknown"):
        return True
    if known is not None or not runtime.settings.jira.enabled:
        return False
    found = jira_publisher(runtime).find_comment(issue_key, key)
    if found is None:
        return False
    ledger.mark_done(key, f"jira:{issue_key}:comment", found, {"adopted": True})
    return True


def _review(runtime: Runtime, request: GateRequest, review: Any) -> dict[str, Any]:
    """A subflow here, or a run of the gate-review deployment when config names one (its
    idempotency key makes a retried nightly run reuse the run it already started)."""
    deployment = runtime.settings.orchestration.gate_review_deployment
    params = {
        "project": request.project_key,
        "phase": request.phase,
        "request_issue": request.issue_key,
    }
    if deployment:
        from prefect.client.schemas.objects import FlowRun
        from prefect.deployments import run_deployment

        # called from sync code, Prefect's sync/async dispatch returns the FlowRun itself
        run = cast(
            FlowRun,
            run_deployment(
                deployment,
                parameters=params,
                idempotency_key=f"request:{request.issue_key}",
                timeout=0,
            ),
        )
        return {
            "request": request.issue_key,
            "project": request.project_key,
            "flow_run": str(run.id),
        }
    document = run_flow(review, **params)  # a plain call when the CLI runs in-process
    return {
        "request": request.issue_key,
        "project": request.project_key,
        "decision": document["decision"],
    }


def _reject(runtime: Runtime, request: GateRequest) -> dict[str, Any]:
    """Tell the requester what is wrong with the request, once."""
    text = f"This gate-review request can't be answered: {request.problem}."
    body: JSON = (
        text
        if runtime.settings.jira.deployment != "cloud"
        else {
            "type": "doc",
            "version": 1,
            "content": [{"type": "paragraph", "content": [{"type": "text", "text": text}]}],
        }
    )
    jira_publisher(runtime).comment(
        request.issue_key, body, f"request:{request.issue_key}:jira_comment"
    )
    return {"request": request.issue_key, "problem": request.problem}
