"""Evaluation assembly: JSON contract, determinism, data version, overrides, DQ holds."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checks.evaluation.evaluate import evaluate_closeout, evaluate_gate, evaluate_portfolio
from checks.forecast.monte_carlo import epoch_days
from checks.model import (
    CriterionResult,
    Decision,
    Evaluation,
    QualityReport,
    QualityResult,
    Severity,
)
from config.settings import ConfigError, Settings

from .conftest import AS_OF

CLEAN = QualityReport((QualityResult("tasks", "task_id_unique", Severity.CRITICAL, True, 0, 1),))
TOP_KEYS = {
    "kind", "project_id", "project_key", "project_name", "phase", "decision", "rationale",
    "criteria", "findings", "data_quality", "metrics", "forecast", "data_version",
    "evaluated_at", "conditions", "closeout", "extra", "not_computable", "phase_source",
}  # fmt: skip


def first_project(frames) -> str:
    return sorted(frames["projects"]["project_id"])[0]


def gate(frames, rules, settings=None, quality=CLEAN, **kw) -> Evaluation:
    pid = kw.pop("project_id", first_project(frames))
    return evaluate_gate(frames, pid, settings or Settings(), rules, AS_OF, quality, **kw)


def test_json_round_trip_keeps_every_documented_key(portfolio, rules):
    frames, _ = portfolio
    evaluation = gate(frames, rules)
    text = json.dumps(evaluation.to_dict(), sort_keys=True, allow_nan=False)
    back = json.loads(text)
    assert set(back) == TOP_KEYS
    assert back == evaluation.to_dict()
    criterion = back["criteria"][0]
    assert {"id", "value", "threshold", "result", "evidence", "comparison", "must_meet"} <= set(
        criterion
    )
    assert back["decision"] in {d.value for d in Decision}
    assert back["forecast"]["percentiles"].keys() == {"p50", "p70", "p85", "p95"}
    assert back["evaluated_at"] == AS_OF.isoformat()


def test_chart_series_travel_in_extra(portfolio, rules):
    frames, _ = portfolio
    out = gate(frames, rules).to_dict()
    charts = out["extra"]["charts"]
    assert set(charts) == {
        "evm_series",
        "forecast_histogram",
        "risks",
        "resource_load",
        "project_load",
    }
    histogram = charts["forecast_histogram"]
    # every trial finishes within the horizon here: the bars hold all 10,000 trials
    assert sum(histogram["counts"]) == out["forecast"]["trials"]
    assert histogram["dates"] == sorted(histogram["dates"]) and len(histogram["dates"]) <= 40
    assert out["forecast"]["percentiles"]["p50"] >= histogram["dates"][0]
    assert "histogram" not in out["forecast"]


def test_same_input_same_output(portfolio, rules):
    frames, _ = portfolio
    first, again = gate(frames, rules), gate(frames, rules)
    assert json.dumps(first.to_dict(), sort_keys=True) == json.dumps(
        again.to_dict(), sort_keys=True
    )


def test_portfolio_and_single_project_agree(portfolio, rules):
    frames, _ = portfolio
    pid = first_project(frames)
    single = gate(frames, rules, project_id=pid)
    every = {e.project_id: e for e in evaluate_portfolio(frames, Settings(), rules, AS_OF, CLEAN)}
    assert sorted(every) == sorted(frames["projects"]["project_id"])
    assert every[pid].to_dict() == single.to_dict()


def _shuffled(frames):
    out = dict(frames)
    out["tasks"] = frames["tasks"].sample(frac=1.0, random_state=3).reset_index(drop=True)
    out["time_entries"] = frames["time_entries"].assign(synced_at=pd.Timestamp.now(tz="UTC"))
    return out


def _retitled(frames, pid):
    tasks = frames["tasks"].copy()
    row = tasks.index[tasks["project_id"] == pid][0]
    tasks.loc[row, "title"] = "renamed"
    return {**frames, "tasks": tasks}


VERSION_CASES = [
    # row order and sync times are not content: same version
    ("shuffled", _shuffled, None, True),
    # a changed title is new data: new version
    ("retitled", lambda f: _retitled(f, first_project(f)), None, False),
    # another project's change leaves this project's version alone
    ("other project", lambda f: _retitled(f, sorted(f["projects"]["project_id"])[1]), None, True),
    # a changed threshold is a changed config: new version
    ("config", lambda f: f, Settings(checks={"thresholds": {"evm.spi": 0.7}}), False),
]


@pytest.mark.parametrize(("name", "change", "settings", "same"), VERSION_CASES)
def test_data_version(portfolio, rules, name, change, settings, same):
    frames, _ = portfolio
    base = gate(frames, rules).data_version
    changed = gate(change(frames), rules, settings).data_version
    assert (base == changed) is same
    assert len(base) == 16


def test_critical_data_quality_failure_holds_with_dq_evidence(portfolio, rules):
    frames, _ = portfolio
    pid = first_project(frames)
    task_id = frames["tasks"].loc[frames["tasks"]["project_id"] == pid, "task_id"].iloc[0]
    broken = QualityReport((
        QualityResult("tasks", "task_id_unique", Severity.CRITICAL, False, 1, 40, (task_id,)),
    ))  # fmt: skip
    evaluation = gate(frames, rules, quality=broken, project_id=pid)
    assert evaluation.decision == Decision.HOLD
    assert evaluation.data_quality["trustworthy"] is False
    assert evaluation.metrics["dq.critical_failures"] == 1.0
    assert evaluation.extra["evidence"]["dq.critical_failures"] == [task_id]
    # the same failure in another project's rows doesn't hold this one
    other = sorted(frames["projects"]["project_id"])[1]
    assert gate(frames, rules, quality=broken, project_id=other).data_quality["trustworthy"]


def test_planted_late_project_recycles_on_spi(portfolio, rules):
    frames, manifest = portfolio
    late = next(p for p in manifest if p["id"].startswith("late"))
    pid = late["project"]
    evaluation = gate(frames, rules, project_id=pid)
    spi = next(c for c in evaluation.criteria if c.id == "spi_floor")
    assert spi.result == CriterionResult.FAIL
    assert evaluation.decision == Decision.RECYCLE
    assert "spi_floor" in evaluation.rationale


def test_per_project_overrides_from_settings(portfolio, rules):
    frames, _ = portfolio
    key = frames["projects"].sort_values("project_id")["key"].iloc[0]
    relaxed = Settings(
        projects={key: {"gates": {"execution": {"work_complete": 0, "spi_floor": 0}}}}
    )
    before = {c.id: c for c in gate(frames, rules).criteria}
    after = {c.id: c for c in gate(frames, rules, relaxed).criteria}
    assert before["work_complete"].threshold == 90 and after["work_complete"].threshold == 0
    assert after["work_complete"].result == CriterionResult.PASS


def test_phase_and_target_date_from_config(portfolio, rules):
    frames, _ = portfolio
    key = frames["projects"].sort_values("project_id")["key"].iloc[0]
    settings = Settings(projects={key: {"phase": "planning", "target_date": "2026-12-01"}})
    evaluation = gate(frames, rules, settings)
    assert evaluation.phase == "planning"
    assert evaluation.forecast["target_date"] == "2026-12-01"
    bad = Settings(projects={key: {"target_date": "soon"}})
    with pytest.raises(ConfigError, match=f"projects.{key}.target_date: 'soon' is not a date"):
        gate(frames, rules, bad)


def test_unknown_phase_is_named(portfolio, rules):
    frames, _ = portfolio
    with pytest.raises(ConfigError, match="no gate for phase 'closed'"):
        gate(frames, rules, phase="closed")


def test_closeout_evaluation_carries_the_closeout_report(portfolio, rules):
    frames, _ = portfolio
    pid = first_project(frames)
    snapshots = pd.DataFrame(
        [
            {"project_id": pid, "snapshot_date": "2026-10-01", "metric": f"forecast.{p}_date",
             "value": epoch_days(AS_OF.date()) + offset}
            for p, offset in (("p50", -30), ("p85", -20), ("p95", -10))
        ]
    )  # fmt: skip
    evaluation = evaluate_closeout(frames, pid, Settings(), rules, AS_OF, CLEAN, snapshots)
    assert evaluation.kind == "closeout" and evaluation.phase == "closeout"
    report = evaluation.to_dict()["closeout"]
    assert set(report) == {"objectives", "kpis", "variances", "forecast_record", "lessons"}
    # still open on the status date, after the forecast's P95: the forecast missed
    assert report["forecast_record"]["scored"][0]["outcome"] == "missed"
    assert evaluation.metrics["closeout.open_work_items"] > 0
    work = next(c for c in evaluation.criteria if c.id == "work_finished")
    assert work.result == CriterionResult.FAIL and work.evidence
    assert evaluation.decision == Decision.RECYCLE


def test_portfolio_skips_closed_projects_and_runs_closeout_for_closeout(portfolio, rules):
    frames, _ = portfolio
    keys = sorted(frames["projects"]["key"])
    settings = Settings(projects={keys[0]: {"phase": "closed"}, keys[1]: {"phase": "closeout"}})
    evaluations = evaluate_portfolio(frames, settings, rules, AS_OF, CLEAN)
    kinds = {e.project_key: e.kind for e in evaluations}
    assert keys[0] not in kinds
    assert kinds[keys[1]] == "closeout"
    assert set(kinds.values()) == {"closeout", "gate_review"}


def test_portfolio_runs_quality_once(portfolio, rules):
    frames, _ = portfolio
    calls = []

    def runner(all_frames, context, checks_settings):
        calls.append((len(all_frames["tasks"]), context.as_of))
        return CLEAN

    evaluations = evaluate_portfolio(frames, Settings(), rules, AS_OF, run_quality=runner)
    assert calls == [(len(frames["tasks"]), AS_OF)]
    assert len(evaluations) == len(frames["projects"])


def _documented_keys(section: str) -> set[str]:
    text = (Path(__file__).parents[3] / "docs" / "evaluation.md").read_text(encoding="utf-8")
    body = text.split(f"## {section}\n", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `([a-z_]+)`", body, flags=re.MULTILINE))


def test_docs_describe_every_key(portfolio, rules):
    frames, _ = portfolio
    out = gate(frames, rules).to_dict()
    assert _documented_keys("Top level") == set(out)
    assert _documented_keys("`criteria[]`") == set(out["criteria"][0])
    text = (Path(__file__).parents[3] / "docs" / "evaluation.md").read_text(encoding="utf-8")
    for nested in ("forecast", "data_quality", "extra"):
        undocumented = [k for k in out[nested] if f"`{k}`" not in text]
        assert not undocumented, f"{nested}: {undocumented}"


@settings(max_examples=3, deadline=None, suppress_health_check=list(HealthCheck))
@given(seed=st.integers(0, 10_000))
def test_evaluation_is_deterministic_for_any_portfolio(seed, rules):
    from sandbox.synthetic_frames import synthetic_portfolio

    frames = synthetic_portfolio(2, 15, 2, seed, AS_OF)
    quick = Settings(checks={"forecast_trials": 500})
    runs = [
        json.dumps([e.to_dict() for e in evaluate_portfolio(frames, quick, rules, AS_OF, CLEAN)])
        for _ in range(2)
    ]
    assert runs[0] == runs[1]
