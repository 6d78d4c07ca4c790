"""Proportionate data quality (issue 11, point 3): a critical rule holds the gate only when
it taints more than its share of the project's rows or hours; a few outliers are a warning
that names them and their issues."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import pytest

from checks.model import QualityResult, Severity
from checks.quality import QualityContext, run_quality_gates
from checks.quality.severity import critical_share, proportionate
from checks.schema import to_frame
from config.settings import ChecksSettings
from tests.unit.quality.builders import ABC, ANA, AS_OF, clean_rows

HOURS_RULE = "time_entries.hours.range"


def _with_worklogs(normal: int, long: list[float]) -> dict[str, pd.DataFrame]:
    """The clean data set plus `normal` 2-hour ABC worklogs and ABC worklogs of `long` hours
    (Jira allows multi-day worklogs) on task jira:12 (key '12')."""
    rows = clean_rows()
    template = next(r for r in rows["time_entries"] if r["entry_id"] == "jira:worklog:2")
    for i in range(normal):
        day = (AS_OF - timedelta(days=30 + i % 20)).date().isoformat()
        rows["time_entries"].append(
            {**template, "entry_id": f"jira:worklog:n{i}", "work_date": day, "hours": 2.0}
        )
    for i, hours in enumerate(long):
        rows["time_entries"].append(
            {**template, "entry_id": f"jira:worklog:long{i}", "hours": hours, "person_id": ANA}
        )
    return {name: to_frame(name, items) for name, items in rows.items()}


def _hours_results(frames, settings: ChecksSettings | None = None) -> list[QualityResult]:
    report = run_quality_gates(frames, QualityContext(as_of=AS_OF), settings or ChecksSettings())
    return [r for r in report.results if r.expectation == HOURS_RULE and not r.success]


CASES = [
    # 3 multi-day worklogs (30 h) among ~1000 of 2 h: 90 of ~2100 h = 4.3 % -> warning
    pytest.param(1000, [30.0, 30.0, 30.0], {}, Severity.WARNING, id="few-outliers-warn"),
    # the same share with the rule made strict in settings -> critical (the old behaviour)
    pytest.param(
        1000, [30.0, 30.0, 30.0], {HOURS_RULE: 0.0}, Severity.CRITICAL, id="strict-by-config"
    ),
    # one row of 60, but 500 of 620 hours: the hours share decides -> critical
    pytest.param(60, [500.0], {}, Severity.CRITICAL, id="hours-share-decides"),
    # 10 of 110 rows (9 %) bad -> critical
    pytest.param(100, [25.0] * 10, {}, Severity.CRITICAL, id="many-rows-critical"),
    # a looser project-wide default (250 of ~465 h is 54 %)
    pytest.param(100, [25.0] * 10, {"*": 0.6}, Severity.WARNING, id="loose-default"),
]


@pytest.mark.parametrize(("normal", "long", "shares", "severity"), CASES)
def test_severity_follows_the_share_of_evidence_tainted(gx_runtime, normal, long, shares, severity):
    results = _hours_results(
        _with_worklogs(normal, long), ChecksSettings(quality_critical_share=shares)
    )
    abc = [r for r in results if r.project_id == ABC]
    assert len(abc) == 1
    assert abc[0].severity == severity
    assert abc[0].failing_count == len(long)
    assert abc[0].tainted_share is not None and abc[0].tainted_share > 0


def test_a_warning_names_the_outlier_rows_and_their_issues(gx_runtime):
    (result,) = [r for r in _hours_results(_with_worklogs(1000, [30.0, 36.0])) if r.project_id]
    assert result.severity == Severity.WARNING
    assert {"jira:worklog:long0", "jira:worklog:long1"} <= set(result.example_keys)
    assert "issues: 12" in result.detail
    assert "a warning, not a hold" in result.detail


def test_stale_sync_stays_critical_whatever_its_size():
    stale = QualityResult("sync", "freshness.last_sync", Severity.CRITICAL, False, 1, 1_000_000)
    assert proportionate([stale])[0].severity == Severity.CRITICAL


def test_unevaluated_expectation_stays_critical():
    raised = QualityResult("tasks", "tasks.key.unique", Severity.CRITICAL, False, 0, 100)
    assert proportionate([raised])[0].severity == Severity.CRITICAL


def test_rule_share_lookup_exact_then_longest_pattern_then_default():
    overrides = {"integrity.time_entries.*": 0.1, "integrity.*": 0.3}
    assert critical_share("integrity.time_entries.task_id", overrides) == 0.1
    assert critical_share("integrity.tasks.project_id", overrides) == 0.3
    assert critical_share("tasks.status_category.known") == 0.05
    assert critical_share("census.task_drop") == 0.0
    assert critical_share("tasks.status_category.known", {"*": 0.2}) == 0.2


def test_quality_share_setting_is_validated():
    with pytest.raises(ValueError, match="quality_critical_share"):
        ChecksSettings(quality_critical_share={"*": 1.5})
