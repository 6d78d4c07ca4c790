"""Deployment for real: a `prefect server`, `prefect deploy --all` from prefect.yaml, a process
worker, one nightly sync and a gate review triggered with parameters whose result lands in
the sandbox outbox.

Runs on a SQLite-backed server and on a PostgreSQL-backed one (PMO_TEST_POSTGRES_URL, set by
scripts/test.sh; required in CI). Every child writes its output to a log in tmp_path and
every failure message carries the tails of those logs.
"""

from __future__ import annotations

import copy
import json
import os
import socket
import sys
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import yaml

from sandbox.generator import generate_tenant
from sandbox.server import start_sandbox
from tests.deploy.processes import (
    Stage,
    deployments,
    finished_state,
    flow_run,
    flow_run_id,
    flow_run_logs,
    healthy,
    state_type,
)
from tests.pg import scratch_database

ROOT = Path(__file__).resolve().parents[2]
PREFECT = str(Path(sys.executable).parent / "prefect")
PG_URL = os.environ.get("PMO_TEST_POSTGRES_URL")
EXPECTED_DEPLOYMENTS = {"nightly", "weekly-status", "gate-review", "closeout"}
GATE_REVIEW = "phase-gate-review/gate-review"
NIGHTLY = "nightly-sync/nightly"
# The API only: no UI build, no scheduler filling the cron schedules with future runs.
SERVER_FLAGS = ("--no-ui", "--no-scheduler", "--analytics-off")
RUN_TIMEOUT = 300  # seconds a flow run may take before the test gives up (it is ~20-40 s)

pytestmark = [pytest.mark.xdist_group("prefect-server"), pytest.mark.slow]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(params=["sqlite", "postgresql"])
def server_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The Prefect server's database URL; PostgreSQL gets a database of its own (Prefect's
    Alembic tables must not meet the warehouse tests' in the run's scratch database)."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'prefect.db'}"
        return
    if not PG_URL:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but PMO_TEST_POSTGRES_URL is not set")
        pytest.skip(
            "no PostgreSQL: set PMO_TEST_POSTGRES_URL (scripts/test.sh does when one answers)"
        )
    with scratch_database(PG_URL, f"pmo_prefect_{uuid.uuid4().hex[:8]}") as url:
        async_url = sa.engine.make_url(url).set(drivername="postgresql+asyncpg")
        yield async_url.render_as_string(hide_password=False)


def write_config(config: Path, info: dict[str, Any], tenant: dict[str, Any]) -> None:
    """Settings for the flow runs: join the sandbox this test runs, a SQLite warehouse."""
    folder = config.parent
    (folder / "sandbox.json").write_text(json.dumps(info), encoding="utf-8")
    (folder / "tenant.json").write_text(json.dumps(tenant), encoding="utf-8")
    body = {
        "warehouse": {"url": f"sqlite:///{folder / 'warehouse.db'}"},
        "sandbox": {
            "info_file": str(folder / "sandbox.json"),
            "tenant": str(folder / "tenant.json"),
        },
        "checks": {"lifecycle_file": str(ROOT / "config" / "lifecycle.yaml")},
        "publish": {"reports_dir": str(folder / "reports")},
    }
    config.write_text(yaml.safe_dump(body), encoding="utf-8")


def prefect_env(tmp_path: Path, api: str, database: str, config: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PREFECT_HOME": str(tmp_path / "prefect-home"),
        "PREFECT_PROFILES_PATH": str(tmp_path / "prefect-home" / "profiles.toml"),
        "PREFECT_API_URL": api,
        "PREFECT_API_DATABASE_CONNECTION_URL": database,
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_WORKER_QUERY_SECONDS": "1",  # picks a new run up within a second, not ten
        "PREFECT_CLI_PROMPT": "false",
        "DO_NOT_TRACK": "1",
        "GX_ANALYTICS_ENABLED": "false",
        "PMO_HOME": str(ROOT),
        "PMO_CONFIG": str(config),
    }


def start_server(stage: Stage, api: str, folder: Path) -> None:
    port = api.removeprefix("http://127.0.0.1:").removesuffix("/api")
    args = [PREFECT, "server", "start", "--host", "127.0.0.1", "--port", port, *SERVER_FLAGS]
    stage.start("server", args, cwd=folder)


def deploy(stage: Stage, api: str) -> None:
    """The README's steps: create the process pool, `prefect deploy --all` from prefect.yaml."""
    stage.wait_until("the Prefect server's /health", lambda: healthy(api), 120)
    stage.cli([PREFECT, "work-pool", "create", "pmo", "--type", "process"])
    stage.cli([PREFECT, "--no-prompt", "deploy", "--all"])
    assert_deployed_as_configured(api)
    # enforce_parameter_schema: the server refuses a run whose parameters don't fit.
    refused = stage.cli(
        [PREFECT, "deployment", "run", GATE_REVIEW, *param_args("project=NET", "publish=maybe")],
        expect_ok=False,
    )
    assert "publish" in refused and "boolean" in refused, refused


def assert_deployed_as_configured(api: str) -> None:
    deployed = deployments(api)
    assert set(deployed) == EXPECTED_DEPLOYMENTS
    for name, deployment in deployed.items():
        assert deployment["work_pool_name"] == "pmo", name
        assert deployment["enforce_parameter_schema"] is True, name
        assert "pmo" in deployment["tags"], name
    nightly = deployed["nightly"]
    assert (nightly["global_concurrency_limit"] or {}).get("limit") == 1, nightly
    assert nightly["concurrency_options"]["collision_strategy"] == "ENQUEUE"
    schedules = [s["schedule"] for s in nightly["schedules"]]
    assert [(s["cron"], s["timezone"]) for s in schedules] == [("30 2 * * *", "Europe/Berlin")]


def param_args(*params: str) -> list[str]:
    return [arg for param in params for arg in ("-p", param)]


def trigger(stage: Stage, name: str, *params: str) -> str:
    """`prefect deployment run NAME -p key=value ...`; returns the flow run's id."""
    return flow_run_id(stage.cli([PREFECT, "deployment", "run", name, *param_args(*params)]))


def wait_completed(stage: Stage, api: str, name: str, run_id: str) -> dict[str, Any]:
    state = stage.wait_until(
        f"flow run of {name}", lambda: finished_state(api, run_id), RUN_TIMEOUT
    )
    assert state == "COMPLETED", (
        f"{name} ended {state}\n--- flow run logs ---\n{flow_run_logs(api, run_id)}\n"
        f"{stage.report()}"
    )
    return flow_run(api, run_id)


def test_gate_review_deployment_runs_on_a_worker(server_database: str, tmp_path: Path) -> None:
    api = f"http://127.0.0.1:{free_port()}/api"
    config = tmp_path / "team.yaml"
    (tmp_path / "logs").mkdir()
    stage = Stage(ROOT, prefect_env(tmp_path, api, server_database, config), tmp_path / "logs")
    try:
        start_server(stage, api, tmp_path)  # it boots while the tenant is generated
        tenant, _manifest = generate_tenant(seed=7, scale="demo")
        with start_sandbox(copy.deepcopy(tenant)) as sandbox:
            write_config(config, sandbox.info.as_dict(), tenant)
            deploy(stage, api)
            stage.start("worker", [PREFECT, "worker", "start", "--pool", "pmo", "--limit", "1"])
            # One sync fills the warehouse (judging the portfolio is the review's work). The
            # review is triggered while it runs and waits for the worker's only slot.
            nightly = trigger(stage, NIGHTLY, "judge=false")
            stage.wait_until("the worker to take the nightly run", lambda: taken(api, nightly), 120)
            review = trigger(stage, GATE_REVIEW, "project=NET", "publish=true")
            synced = wait_completed(stage, api, NIGHTLY, nightly)
            reviewed = wait_completed(stage, api, GATE_REVIEW, review)
            assert moment(reviewed["start_time"]) >= moment(synced["end_time"]), "review after sync"
            # the deployment's defaults (as_of: null = now) merged with the run's parameters
            assert reviewed["parameters"] == {"project": "NET", "publish": True, "as_of": None}
            assert_gate_review_published(sandbox.state, tenant, "NET", stage)
    finally:
        stage.stop_all()


def moment(timestamp: str) -> datetime:
    return datetime.fromisoformat(timestamp)


def taken(api: str, run_id: str) -> bool:
    """Past SCHEDULED: the worker holds its only slot for this run (it takes it before PENDING)."""
    return state_type(api, run_id) != "SCHEDULED"


def assert_gate_review_published(
    state: Any, tenant: dict[str, Any], project: str, stage: Stage
) -> None:
    """The demo's publishing target is `create_in: PMO`: one Gate Review issue is created in
    the PMO project and answered there, never on one of the project's own epics."""
    outbox = state.outbox_entries()
    seen = [(e["kind"], e["target"]) for e in outbox]
    created = [e for e in outbox if e["kind"] == "issue" and e["target"].startswith("PMO-")]
    assert len(created) == 1, f"one gate review issue created in PMO; outbox: {seen}"
    assert project in json.dumps(created[0]["payload"]), created[0]["payload"]
    target = created[0]["target"]
    comments = [e for e in outbox if e["kind"] == "comment" and e["target"] == target]
    assert len(comments) == 1, f"one decision comment on {target}; outbox: {seen}\n{stage.report()}"
    assert "Decision" in json.dumps(comments[0]["payload"])
    properties = [e for e in outbox if e["kind"] == "property" and e["target"] == target]
    assert len(properties) == 1, f"the evaluation JSON as a property of {target}; outbox: {seen}"
    assert not [e for e in outbox if e["target"] in project_epics(tenant, project)], seen


def project_epics(tenant: dict[str, Any], project: str) -> set[str]:
    return {
        issue["key"]
        for issue in tenant["jira"]["issues"]
        if issue["fields"]["project"]["key"] == project
        and issue["fields"]["issuetype"]["name"] == "Epic"
    }
