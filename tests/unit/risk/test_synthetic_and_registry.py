"""The synthetic portfolio, the registry and the catalogue working together."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import pytest

from checks.evaluation.frames import PortfolioSplit, project_frames
from checks.model import Severity
from checks.risk import METRICS, run_risk_checks
from checks.risk.catalog import unknown_threshold_keys
from checks.schema import CANONICAL_TABLES, to_frame
from config.settings import ChecksSettings
from sandbox.synthetic_frames import (
    Problems,
    synthetic_portfolio,
    synthetic_portfolio_with_manifest,
)

AS_OF = datetime(2026, 11, 27, 6, tzinfo=UTC)
ALL_PROBLEMS = Problems(
    late=1,
    cycle=1,
    long_day=1,
    missing_estimates=1,
    stale_in_progress=1,
    unowned_risk=1,
    overdue_mitigation=1,
    critical_defects=1,
    over_allocation=1,
)


@pytest.fixture(scope="module")
def planted():
    frames, manifest = synthetic_portfolio_with_manifest(12, 100, 5, 3, AS_OF, ALL_PROBLEMS)
    split = PortfolioSplit(frames)
    outputs = {
        p: run_risk_checks(split.project(p, AS_OF), ChecksSettings()) for p in split.project_ids
    }
    return frames, manifest, outputs


def test_synthetic_frames_are_canonical_and_keys_unique(planted):
    frames, _, _ = planted
    assert set(frames) == set(CANONICAL_TABLES)
    for name, frame in frames.items():
        again = to_frame(name, frame)
        assert list(again.dtypes) == list(frame.dtypes), name
        assert not frame.duplicated(list(CANONICAL_TABLES[name].primary_key)).any(), name
    entries = frames["time_entries"]
    assert ((entries["hours"] > 0) & (entries["hours"] <= 24)).all()
    assert set(entries["task_id"]) <= set(frames["tasks"]["task_id"])


def test_synthetic_portfolio_is_deterministic_and_sized():
    first = synthetic_portfolio(4, 50, 3, 11, AS_OF)
    second = synthetic_portfolio(4, 50, 3, 11, AS_OF)
    for name in first:
        pd.testing.assert_frame_equal(first[name], second[name])
    assert len(first["tasks"]) == 200
    assert len(first["time_entries"]) >= 600


def test_every_planted_problem_is_found_by_its_check_with_the_planted_ids(planted):
    _, manifest, outputs = planted
    assert len(manifest) == 9
    for problem in manifest:
        findings = [f for f in outputs[problem["project"]].findings if f.check == problem["check"]]
        assert findings, problem
        evidence = {i for f in findings for i in f.item_ids}
        if problem["check"] != "evm.spi":  # SPI's evidence is the lagging items, not the project
            assert set(problem["ids"]) <= evidence, problem


def test_a_clean_portfolio_raises_no_critical_finding():
    frames = synthetic_portfolio(10, 100, 5, 5, AS_OF)
    split = PortfolioSplit(frames)
    for project in split.project_ids:
        out = run_risk_checks(split.project(project, AS_OF), ChecksSettings())
        critical = [(f.check, f.value) for f in out.findings if f.severity == Severity.CRITICAL]
        assert critical == [], project


def test_every_metric_is_in_the_catalogue_and_the_catalogue_is_complete(planted):
    frames, _, _ = planted
    settings = ChecksSettings(hourly_rates={"*": 80})
    out = run_risk_checks(project_frames(frames, "jira:10000", AS_OF), settings)
    assert set(out.metrics) == set(METRICS)
    assert set(out.evidence) == set(out.metrics)
    for finding in out.findings:
        assert finding.project_id == "jira:10000"


def test_threshold_overrides_change_severity_and_unknown_keys_are_reported(planted):
    frames, manifest, _ = planted
    late = next(p["project"] for p in manifest if p["id"] == "late")
    pf = project_frames(frames, late, AS_OF)
    relaxed = ChecksSettings(thresholds={"evm.spi": 0.3, "evm.spi.critical": 0.2})
    spi = [f for f in run_risk_checks(pf, relaxed).findings if f.check == "evm.spi"]
    assert spi == []
    strict = ChecksSettings(thresholds={"evm.spi.critical": 0.95})
    (finding,) = [f for f in run_risk_checks(pf, strict).findings if f.check == "evm.spi"]
    assert finding.severity == Severity.CRITICAL and finding.threshold == 0.95
    assert unknown_threshold_keys({"evm.spii": 1, "evm.spi": 1, "flow.stale_days": 9}) == [
        "evm.spii"
    ]


def test_tombstoned_rows_are_left_out(planted):
    frames, _, _ = planted
    tasks = frames["tasks"].copy()
    tasks.loc[tasks["project_id"] == "jira:10001", "is_deleted"] = True
    pf = project_frames({**frames, "tasks": tasks}, "jira:10001", AS_OF)
    assert pf.tasks.empty
    with pytest.raises(KeyError, match="jira:999"):
        project_frames(frames, "jira:999", AS_OF)
