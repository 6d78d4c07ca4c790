"""`nightly_sync` under the Prefect harness (on a small exact tenant): tasks per project step and page, progress and
summary artifacts, sync-log rows, an incremental second run, and no secret in artifacts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from connectors.store.tables import SYNC_LOG
from flows.runtime import open_runtime
from tests.connectors.jira.tenant_factory import build_tenant
from tests.flows.conftest import write_config

pytestmark = pytest.mark.xdist_group("prefect")


def _artifacts(key: str) -> list[object]:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    with get_client(sync_client=True) as client:
        return client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key]))
        )


def test_nightly_sync_loads_the_demo_tenant_and_reports_it(tmp_path: Path) -> None:
    from flows.nightly_sync import nightly_sync

    tenant = tmp_path / "tenant.json"
    tenant.write_text(json.dumps(build_tenant(60, 2)), encoding="utf-8")
    config = str(write_config(tmp_path, graph={"enabled": False}, sandbox={"tenant": str(tenant)}))
    with open_runtime(config) as runtime:
        doc = runtime.sandbox_server.state.doc  # the tenant actually served
        first = nightly_sync(config_path=config, judge=False)
        second = nightly_sync(config_path=config, judge=False)
        warehouse = runtime.warehouse
        assert len(warehouse.read("tasks", where={"source": "jira"})) == len(doc["jira"]["issues"])
        assert len(warehouse.read("time_entries", where={"source": "jira"})) == len(
            doc["jira"]["worklogs"]
        )
        with warehouse.engine.connect() as conn:
            log = conn.execute(
                sa.select(SYNC_LOG.c.scope, SYNC_LOG.c.status, SYNC_LOG.c.summary)
            ).all()
    scopes = {p["key"] for p in doc["jira"]["projects"]}
    assert scopes <= {s["scope"] for s in first}
    inserted = sum(s["streams"].get("tasks", {}).get("inserted", 0) for s in first)
    assert inserted == len(doc["jira"]["issues"])
    assert sum(s["streams"].get("tasks", {}).get("inserted", 0) for s in second) == 0  # incremental
    assert sum(s["requests"] for s in second) < sum(s["requests"] for s in first)
    assert {status for _scope, status, _summary in log} == {"succeeded"}
    assert len([row for row in log if row[0] == "*"]) == 2  # one per run
    table = _artifacts("nightly-sync-summary")
    progress = _artifacts("nightly-sync-progress")
    assert table and progress
    published = json.dumps([a.data for a in table + progress], default=str) + json.dumps(
        log, default=str
    )
    secrets = doc["credentials"]["jira"]
    assert secrets["api_token"] not in published and secrets["pat"] not in published
