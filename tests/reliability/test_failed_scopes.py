"""A failing Microsoft 365 scope shows (issue 13 point 3, issue 12 point 5): a `sync_log` row,
a row in the `nightly-sync-summary` artifact, an ERROR in the flow run's logs, a Failed flow
run and `pmo sync` exit 3 with one line naming the scope, while Jira's data still lands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from connectors.store.tables import SYNC_LOG
from flows.runtime import open_runtime
from tests.connectors.jira.tenant_factory import build_tenant
from tests.flows.conftest import write_config

pytestmark = pytest.mark.xdist_group("prefect")
WRONG_LIST = {"site": "contoso.sharepoint.com,1,2", "list": "No Such List"}


def _config(tmp_path: Path) -> str:
    tenant = tmp_path / "tenant.json"
    tenant.write_text(json.dumps(build_tenant(12, 1)), encoding="utf-8")
    return str(
        write_config(
            tmp_path,
            graph={"timesheet_lists": [WRONG_LIST]},
            sandbox={"tenant": str(tenant)},
        )
    )


def _run_logs(flow_run_id: object) -> list[tuple[int, str]]:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId
    from prefect.logging.handlers import APILogHandler

    APILogHandler().flush()  # run logs reach the API in batches: send what is queued first
    with get_client(sync_client=True) as client:
        logs = client.read_logs(LogFilter(flow_run_id=LogFilterFlowRunId(any_=[flow_run_id])))
    return [(log.level, log.message) for log in logs]


def test_a_failing_graph_scope_fails_the_run_while_jira_lands(tmp_path: Path) -> None:
    from prefect.client.orchestration import get_client

    from flows.nightly_sync import SyncFailedError, nightly_sync

    config = _config(tmp_path)
    with open_runtime(config) as runtime:
        issues = len(runtime.sandbox_server.state.doc["jira"]["issues"])
        with pytest.raises(SyncFailedError) as failed:
            nightly_sync(config_path=config, judge=False)
        warehouse = runtime.warehouse
        assert len(warehouse.read("tasks", where={"source": "jira"})) == issues  # Jira landed
        with warehouse.engine.connect() as conn:
            log = conn.execute(
                sa.select(SYNC_LOG.c.run_id, SYNC_LOG.c.source, SYNC_LOG.c.status, SYNC_LOG.c.error)
            ).all()
    message = str(failed.value)
    assert "\n" not in message and "sharepoint" in message
    assert "graph.timesheet_lists[0] (list 'No Such List'" in message
    rows = {(source, status) for _run, source, status, _error in log}
    assert ("sharepoint", "failed") in rows and ("jira", "succeeded") in rows
    assert not any(source in ("planner", "shifts") for _run, source, _s, _e in log)  # unused
    failed_row = next(sorted(summary["errors"]) for summary in failed.value.summaries
                      if summary["source"] == "sharepoint")  # fmt: skip
    assert failed_row and "No Such List" in failed_row[0]
    run_id = next(run for run, source, _s, _e in log if source == "sharepoint")
    with get_client(sync_client=True) as client:
        state = client.read_flow_run(run_id).state
        artifacts = client.read_artifacts()
    assert state is not None and state.is_failed()
    table = [
        a
        for a in artifacts
        if a.key == "nightly-sync-summary" and a.flow_run_id == state.state_details.flow_run_id
    ]
    rows_shown = json.loads(table[0].data) if isinstance(table[0].data, str) else table[0].data
    shown = [r for r in rows_shown if r["source"] == "sharepoint"]
    assert shown and shown[0]["status"] == "failed" and "No Such List" in shown[0]["error"]
    errors = [m for level, m in _run_logs(run_id) if level >= 40]
    assert any("sharepoint" in m and "No Such List" in m for m in errors)


def test_pmo_sync_exits_3_naming_the_scope_and_shows_the_table(tmp_path: Path) -> None:
    from flows.cli import app

    config = _config(tmp_path)
    result = CliRunner().invoke(app, ["sync", "--no-judge", "--config", config])
    assert result.exit_code == 3, result.output
    output = " ".join(result.output.split())
    assert "microsoft 365 sharepoint" in output and "No Such List" in output
    assert "Sync summary" in output and "failed" in output
