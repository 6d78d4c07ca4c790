"""The demo portfolio's reports, made once per session for the browser and consistency tests.

The generated demo tenant is served by the sandbox, synced by both connectors into a SQLite
warehouse, judged by the pure core and rendered with the context the flows use
(`flows.report_context`): the same documents `pmo demo` writes, without Prefect.

Screenshots and PDFs are kept as test artefacts under ``$PMO_TEST_ARTIFACTS`` (default
``.pmo/test-artifacts``) so a person can look at every demo report after a run.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ROOT = Path(__file__).resolve().parents[2]


@dataclass
class DemoReport:
    name: str
    document: dict[str, Any]
    html: str
    path: Path
    frames: dict[str, pd.DataFrame]


def artefact_dir() -> Path:
    base = Path(os.environ.get("PMO_TEST_ARTIFACTS") or ROOT / ".pmo" / "test-artifacts")
    base.mkdir(parents=True, exist_ok=True)
    return base


@pytest.fixture(scope="session")
def chromium() -> str:
    if CHROMIUM is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but chromium is missing: scripts/test.sh installs it")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    return CHROMIUM


@pytest.fixture(scope="session")
def demo_reports(tmp_path_factory: pytest.TempPathFactory) -> list[DemoReport]:
    from checks.evaluation.evaluate import evaluate_portfolio
    from checks.quality import QualityContext, run_quality_gates
    from config.lifecycle import load_rules
    from config.settings import load_settings
    from connectors.graph.sync import sync_graph
    from connectors.jira.client import build_jira
    from connectors.jira.sync import run_jira_sync
    from connectors.store import Warehouse
    from flows.report_context import report_context
    from flows.runtime import with_sandbox_scopes
    from reports.evaluation import evaluation_html
    from reports.portfolio import portfolio_html, row_from_evaluation
    from sandbox.generator import generate_tenant
    from sandbox.server import start_sandbox

    tmp = tmp_path_factory.mktemp("demo-reports")
    config = tmp / "pmo.yaml"
    config.write_text(
        yaml.safe_dump(
            {"warehouse": {"url": f"sqlite:///{tmp / 'w.db'}"}, "time_zone": "Europe/Berlin"}
        ),
        encoding="utf-8",
    )
    tenant, _ = generate_tenant(seed=7, scale="demo")
    settings = with_sandbox_scopes(load_settings(config), tenant)
    warehouse = Warehouse(settings.warehouse.url)
    warehouse.migrate()
    with start_sandbox(tenant) as server:
        info = server.info.as_dict()
        run_jira_sync(settings, warehouse, build_jira(settings, info))
        sync_graph(settings, warehouse, graph_url=info["graph_base_url"], token=info["graph_token"])
        as_of = server.state.now().astimezone(UTC)
    frames = warehouse.read_all()
    warehouse.dispose()
    quality = run_quality_gates(frames, QualityContext(as_of=as_of), settings.checks)
    evaluations = evaluate_portfolio(frames, settings, load_rules(settings), as_of, quality)
    out = artefact_dir() / "reports"
    out.mkdir(exist_ok=True)
    reports = []
    for evaluation in evaluations:
        document = evaluation.to_dict()
        ctx = report_context(settings, info, frames, evaluation.project_id)
        html = evaluation_html(document, ctx)
        name = f"{document['kind']}-{document['project_key']}"
        path = out / f"{name}.html"
        path.write_text(html, encoding="utf-8")
        reports.append(DemoReport(name, document, html, path, frames))
    rows = [row_from_evaluation(r.document, r.path.name) for r in reports]
    status = portfolio_html(rows, f"Portfolio status {as_of:%Y-%m-%d}")
    status_path = out / "status.html"
    status_path.write_text(status, encoding="utf-8")
    reports.append(DemoReport("status", {}, status, status_path, frames))
    return reports
