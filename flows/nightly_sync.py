"""`nightly_sync`: every configured Jira project (and Microsoft 365, when enabled) into the
warehouse, incrementally. Tasks are units of I/O: one per project step and per page batch,
never per issue; each page batch commits its data with its watermark. `pmo sync` without a
configured Prefect server runs this flow's function in-process (`flows.orchestration`).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, cast

from connectors.jira.errors import JiraRetryExhaustedError
from connectors.jira.sync import JiraSync, Steps, run_steps
from connectors.store import close_stale_syncs, log_sync
from connectors.sync_types import SyncSummary
from flows.artifacts import in_a_run, table_artifact
from flows.orchestration import RunLogger, flow, run_logger, task

if TYPE_CHECKING:
    from config.settings import Settings
    from connectors.store import Warehouse
    from flows.runtime import Runtime

_LISTENERS: list[Callable[[str, dict[str, Any]], None]] = []


def add_progress_listener(listener: Callable[[str, dict[str, Any]], None]) -> Callable[[], None]:
    """Hear the sync's progress events (the CLI draws them); returns the remover."""
    _LISTENERS.append(listener)
    return lambda: _LISTENERS.remove(listener)


def _notify(event: str, data: dict[str, Any]) -> None:
    for listener in list(_LISTENERS):
        listener(event, data)


def _transient(_task: Any, _run: Any, state: Any) -> bool:
    """Retry a task only for I/O that may pass: throttling that outlasted the budget, a
    dropped connection or a busy database; never for bad credentials or a missing project."""
    try:
        state.result()
    except (JiraRetryExhaustedError, ConnectionError, TimeoutError):
        return True
    except Exception as exc:
        return type(exc).__name__ == "OperationalError"
    return False


io_task = task(retries=2, retry_delay_seconds=1, retry_condition_fn=_transient)


@io_task
def jira_prepare(sync: JiraSync) -> list[str]:
    return sync.prepare()


@io_task
def jira_project_meta(sync: JiraSync, key: str) -> None:
    sync.sync_project_meta(key)


@io_task
def jira_issue_page(
    sync: JiraSync, key: str, since_ms: int | None, token: str | None
) -> str | None:
    return sync.sync_issue_page(key, since_ms, token)


@io_task
def jira_finish_project(sync: JiraSync, key: str) -> None:
    sync.finish_project(key)


@io_task
def jira_retry_worklogs(sync: JiraSync) -> None:
    sync.retry_quarantined_worklogs()


@io_task
def jira_worklog_page(sync: JiraSync, stream: str, since: int) -> int | None:
    return sync.sync_worklog_page(stream, since)


@task
def graph_sync(
    settings: Settings, warehouse: Warehouse, access: tuple[str | None, str | None], full: bool
) -> list[SyncSummary]:
    """The Microsoft 365 sync (another connector), in its own task. Imported here: the
    Graph SDK is heavy and a Jira-only configuration never loads it."""
    from connectors.graph.sync import sync_graph

    graph_url, token = access
    return sync_graph(settings, warehouse, graph_url=graph_url, token=token, full=full)


class _Progress:
    """A Prefect progress artifact moved forward as projects finish."""

    def __init__(self) -> None:
        self.total, self.done = 1, 0
        self.artifact_id: uuid.UUID | None = None
        if in_a_run():
            from prefect.artifacts import create_progress_artifact

            # called from sync code: Prefect's sync/async dispatch returns the id itself
            self.artifact_id = cast(
                uuid.UUID,
                create_progress_artifact(
                    0.0, key="nightly-sync-progress", description="Nightly sync"
                ),
            )

    def step(self) -> None:
        self.done += 1
        if self.artifact_id is not None:
            from prefect.artifacts import update_progress_artifact

            update_progress_artifact(self.artifact_id, min(100.0, 100.0 * self.done / self.total))


TASK_STEPS = Steps(
    prepare=jira_prepare,
    project_meta=jira_project_meta,
    issue_page=jira_issue_page,
    finish_project=jira_finish_project,
    retry_worklogs=jira_retry_worklogs,
    worklog_page=jira_worklog_page,
)


def run_jira_steps(sync: JiraSync, progress: _Progress | None = None) -> None:
    """The connector's step sequence, each step a task; progress counts projects plus the
    worklogs."""
    run_steps(sync, TASK_STEPS, progress)


@flow(name="nightly-sync", log_prints=False)
def nightly_sync(
    config_path: str | None = None,
    full: bool = False,
    projects: list[str] | None = None,
    judge: bool = True,
    as_of: str | None = None,
) -> list[dict[str, Any]]:
    """Sync every configured project; returns the per-scope summaries (also a table artifact
    and rows in the warehouse's sync log). With `judge` (the default), then run the quality
    gates and checks, snapshot metrics, alert on new red findings and answer gate requests;
    `as_of` (YYYY-MM-DD or ISO) pins the status date of that judgement."""
    from checks.evaluation.as_of import parse_as_of
    from flows.runtime import open_runtime

    logger = run_logger()
    with open_runtime(config_path, as_of=parse_as_of(as_of)) as runtime:
        summaries = _run(runtime, full, projects, logger)
        if judge:
            _judge(runtime, logger)
        return summaries


def _judge(runtime: Runtime, logger: RunLogger) -> None:
    """Judge the portfolio, unless nothing it reads changed since the last judgement
    (`flows.judgement_record`): then its evaluations, snapshots and alerts stand."""
    from flows.judgement_record import (
        forget_judgement,
        judgement_key,
        record_judgement,
        unchanged_since,
    )

    key = judgement_key(runtime)  # before the judgement reads: a later write judges again
    last = unchanged_since(runtime, key)
    if last is not None:
        logger.info(
            "nothing changed since the judgement of %s: evaluations unchanged, not judged again",
            last["judged_at"],
        )
        _notify("judgement", {"judged": False, "judged_at": last["judged_at"]})
        return
    from flows.nightly_checks import judge_portfolio

    forget_judgement(runtime)  # until this judgement succeeds, no record stands
    counts = judge_portfolio(runtime)
    record_judgement(runtime, key, counts)
    logger.info("judged after sync: %s", counts)
    _notify("judgement", {"judged": True, "projects": counts["projects"]})


def _run(
    runtime: Runtime, full: bool, projects: list[str] | None, logger: RunLogger
) -> list[dict[str, Any]]:
    run_id = _run_id()
    started = datetime.now(UTC)
    summaries: list[SyncSummary] = []
    failures: list[str] = []
    settings, warehouse = runtime.settings, runtime.sql_warehouse()
    closed = close_stale_syncs(warehouse)  # rows a killed run left `running`
    if closed:
        logger.warning("closed %d sync-log row(s) left running by an interrupted run", closed)
    if settings.jira.enabled:
        summaries += _sync_jira(runtime, full, projects, run_id, started, failures)
    if settings.graph.enabled and not projects:
        try:
            graph_summaries = graph_sync(settings, warehouse, runtime.graph_access(), full)
            summaries += _record_graph(warehouse, run_id, started, graph_summaries, failures)
        except Exception as exc:  # one source failing must not hide the other's results
            failures.append(f"graph: {exc}")
            log_sync(
                warehouse,
                run_id,
                "graph",
                "*",
                started_at=started,
                status="failed",
                error=str(exc)[:500],
            )
    table_artifact(
        summary_rows(summaries),
        "nightly-sync-summary",
        "Rows per stream, requests and retries; a failed scope shows its error",
    )
    for summary in summaries:
        for warning in summary.warnings:
            logger.warning("sync %s: %s", summary.source, warning)
    for failure in failures:
        logger.error("sync failed: %s", failure)
    if failures:
        # the flow run is Failed (the CLI exits 3): every scope that worked has landed
        raise SyncFailedError(failures, [s.to_dict() for s in summaries])
    return [s.to_dict() for s in summaries]


class SyncFailedError(RuntimeError):
    """Some source scopes failed; the message names each in one line. The summaries of the
    whole run (failed scopes included) ride along for the CLI's table."""

    def __init__(self, failures: list[str], summaries: list[dict[str, Any]]) -> None:
        super().__init__("; ".join(" ".join(f.split()) for f in failures))
        self.summaries = summaries


def summary_rows(summaries: list[SyncSummary]) -> list[dict[str, Any]]:
    """One row per stream, plus a row for a scope that failed before reading any stream."""
    rows = []
    for s in summaries:
        extra = {
            "requests": s.requests,
            "retries": s.retries,
            "status": "failed" if s.errors else "ok",
            "error": " ".join(s.errors[0].split())[:300] if s.errors else "",
        }
        found = s.rows() or (
            [{"source": s.source, "scope": s.scope, "stream": "-"}] if s.errors else []
        )
        rows += [row | extra for row in found]
    return rows


def _record_graph(
    warehouse: Warehouse,
    run_id: str,
    started: datetime,
    summaries: list[SyncSummary],
    failures: list[str],
) -> list[SyncSummary]:
    """Microsoft 365 scopes in the sync log like Jira's; each failed one becomes a failure
    line naming it. Sources the config doesn't use (no streams, no errors) are left out."""
    used = [s for s in summaries if s.streams or s.errors]
    for summary in used:
        error = " ".join(summary.errors[0].split())[:500] if summary.errors else None
        log_sync(
            warehouse,
            run_id,
            summary.source,
            summary.scope,
            started_at=started,
            status="failed" if summary.errors else "succeeded",
            summary=summary.to_dict(),
            error=error,
        )
        if error:
            failures.append(f"microsoft 365 {summary.source}: {error}")
    return used


def _sync_jira(
    runtime: Runtime,
    full: bool,
    projects: list[str] | None,
    run_id: str,
    started: datetime,
    failures: list[str],
) -> list[SyncSummary]:
    warehouse = runtime.sql_warehouse()
    log_sync(warehouse, run_id, "jira", "*", started_at=started, status="running")
    try:
        sync = JiraSync(
            runtime.settings,
            warehouse,
            runtime.jira(),
            full=full,
            projects=projects,
            progress=_notify,
        )
    except Exception as exc:  # e.g. bad credentials: recorded, then the flow fails
        failures.append(f"jira: {exc}")
        log_sync(
            warehouse,
            run_id,
            "jira",
            "*",
            started_at=started,
            status="failed",
            error=str(exc)[:500],
        )
        return []
    try:
        run_jira_steps(sync, _Progress())
    except Exception as exc:
        failures.append(f"jira: {exc}")
    summaries = sync.finalize()
    status = "failed" if failures else "succeeded"
    for summary in summaries:
        log_sync(
            warehouse,
            run_id,
            "jira",
            summary.scope,
            started_at=started,
            status=status,
            summary=summary.to_dict(),
            error=failures[-1][:500] if failures else None,
        )
    return summaries


def _run_id() -> str:
    """The flow run's id under Prefect (the sync log names the run), else a fresh one."""
    if not in_a_run():
        return str(uuid.uuid4())
    from prefect.runtime import flow_run

    return str(flow_run.id or uuid.uuid4())
