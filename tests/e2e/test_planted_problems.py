"""Every problem planted in the sandbox's demo tenant is found by the check its manifest
names, with the planted ids as evidence; the clean tenant raises no critical finding.

The whole chain runs for real: the generated tenant served by the sandbox, both connectors
syncing into a SQLite warehouse, then the quality gates and the risk checks.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from checks.evaluation.frames import PortfolioSplit
from checks.model import Finding, QualityReport, Severity
from checks.quality import QualityContext, run_quality_gates
from checks.risk import run_risk_checks
from config.settings import load_settings
from connectors.graph.sync import sync_graph
from connectors.jira.client import build_jira
from connectors.jira.sync import run_jira_sync
from connectors.store import Warehouse
from flows.runtime import with_sandbox_scopes
from sandbox.generator import generate_tenant
from sandbox.server import start_sandbox

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("e2e")]

# Problems the connectors handle (no check raises them): how each is verified instead.
CONNECTOR_LEVEL = {"timesheet.work_date_timezone", "jira.deleted_worklog"}


def judge(tenant: dict[str, Any], tmp_path: Path) -> tuple[dict, QualityReport, list[Finding]]:
    config = tmp_path / "pmo.yaml"
    config.write_text(
        yaml.safe_dump({"warehouse": {"url": f"sqlite:///{tmp_path / 'w.db'}"}}), encoding="utf-8"
    )
    settings = with_sandbox_scopes(load_settings(config), tenant)
    warehouse = Warehouse(settings.warehouse.url)
    warehouse.migrate()
    with start_sandbox(tenant) as server:
        info = server.info.as_dict()
        run_jira_sync(settings, warehouse, build_jira(settings, info))
        sync_graph(settings, warehouse, graph_url=info["graph_base_url"], token=info["graph_token"])
        as_of = server.state.now().astimezone(UTC)
    frames = warehouse.read_all(include_deleted=True)
    live = {name: frame[~frame["is_deleted"].astype(bool)] for name, frame in frames.items()}
    quality = run_quality_gates(live, QualityContext(as_of=as_of), settings.checks)
    split = PortfolioSplit(live)
    findings = [
        f
        for pid in split.project_ids
        for f in run_risk_checks(split.project(pid, as_of), settings.checks).findings
    ]
    warehouse.dispose()
    return frames, quality, findings


@pytest.fixture(scope="module")
def demo(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[dict, dict, QualityReport, list[Finding]]:
    tenant, manifest = generate_tenant(seed=7)
    return (manifest, *judge(tenant, tmp_path_factory.mktemp("demo")), tenant)  # type: ignore[return-value]


def evidence_for(check: str, quality: QualityReport, findings: list[Finding]) -> set[str]:
    ids = {i for f in findings if f.check == check for i in f.item_ids}
    return ids | {
        k
        for r in quality.results
        if not r.success and r.expectation == check
        for k in r.example_keys
    }


def test_every_planted_problem_is_found_by_its_check_with_the_planted_ids(demo: tuple) -> None:
    manifest, _frames, quality, findings, _tenant = demo
    checked = [p for p in manifest["problems"] if p["check"] not in CONNECTOR_LEVEL]
    assert len(checked) >= 12
    for problem in checked:
        found = evidence_for(problem["check"], quality, findings)
        missing = sorted(set(problem["ids"]) - found)
        assert not missing, (
            f"{problem['id']} ({problem['check']}): not in the evidence: {missing[:5]}"
        )


def test_worklogs_land_on_the_authors_own_day(demo: tuple) -> None:
    manifest, frames, _quality, _findings, tenant = demo
    (problem,) = [p for p in manifest["problems"] if p["check"] == "timesheet.work_date_timezone"]
    started = {f"jira:worklog:{w['id']}": w["started"] for w in tenant["jira"]["worklogs"]}
    entries = frames["time_entries"].set_index("entry_id")
    for entry_id in problem["ids"]:
        local_day = started[entry_id][:10]  # `started` carries the author's own offset
        utc_day = (
            datetime.strptime(started[entry_id], "%Y-%m-%dT%H:%M:%S.%f%z")
            .astimezone(UTC)
            .date()
            .isoformat()
        )
        assert local_day != utc_day, "the planted worklog crosses midnight between the zones"
        assert entries.loc[entry_id, "work_date"].date().isoformat() == local_day


def test_the_deleted_worklog_is_not_counted(demo: tuple) -> None:
    manifest, frames, _quality, _findings, _tenant = demo
    (problem,) = [p for p in manifest["problems"] if p["check"] == "jira.deleted_worklog"]
    entries = frames["time_entries"]
    worklog_ids = [i for i in problem["ids"] if i.startswith("jira:worklog:")]
    live = entries[entries["entry_id"].isin(worklog_ids) & ~entries["is_deleted"].astype(bool)]
    assert live.empty


def test_the_clean_tenant_raises_no_critical_finding(tmp_path: Path) -> None:
    tenant, manifest = generate_tenant(seed=7, clean=True)
    assert manifest["problems"] == []
    _frames, quality, findings = judge(tenant, tmp_path)
    critical = [
        (f.check, f.project_id, f.message) for f in findings if f.severity == Severity.CRITICAL
    ]
    assert critical == []
    assert quality.critical_failures == ()
