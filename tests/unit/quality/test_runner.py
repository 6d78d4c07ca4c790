"""run_quality_gates end to end on canonical frames: trust, scope, planted problems, laziness."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta

import pytest

from checks.model import QualityResult, Severity
from checks.quality import (
    QualityContext,
    quality_results_for_project,
    run_quality_gates,
    suites_agree,
    table_suite_results,
)
from config.settings import ChecksSettings
from sandbox.synthetic_frames import Problems, synthetic_portfolio_with_manifest
from tests.unit.quality.builders import ABC, AS_OF, XYZ, clean_frames, spoiled

pytestmark = pytest.mark.usefixtures("gx_runtime")  # one shared GX context (conftest)


SETTINGS = ChecksSettings()


def _failed(report) -> list[tuple[str, str | None]]:
    return [(r.expectation, r.project_id) for r in report.results if not r.success]


def test_clean_canonical_set_is_trustworthy_with_every_check_run() -> None:
    context = QualityContext(
        AS_OF, last_sync={"jira": AS_OF - timedelta(hours=2)}, previous_counts={ABC: 2, XYZ: 1}
    )
    report = run_quality_gates(clean_frames(), context, SETTINGS)
    assert _failed(report) == []
    assert report.trustworthy
    checks = {r.expectation for r in report.results}
    for expected in (
        "tasks.percent_complete.range",
        "integrity.time_entries.task_id",
        "freshness.last_sync",
        "census.task_drop",
        "timesheet.long_day",
        "reconciliation.worklog_vs_timecard",
        "timesheet.future_work_date",
    ):
        assert expected in checks
    json.dumps(report.summary())  # the summary is what --json prints


def test_critical_failure_makes_report_untrustworthy_and_names_the_item() -> None:
    frames = _subset(spoiled("time_entries", "jira:worklog:4", hours=30.0), "tasks", "time_entries")
    report = run_quality_gates(frames, QualityContext(AS_OF), SETTINGS)
    assert not report.trustworthy
    (critical,) = report.critical_failures
    assert critical.example_keys == ("jira:worklog:4",) and critical.project_id == XYZ
    # 30 h in a day is also a long day (a warning of its own)
    assert ("timesheet.long_day", XYZ) in _failed(report)


def _subset(frames, *names):
    """Only the tables a test is about: every suite left out saves GX's fixed cost."""
    return {name: frames[name] for name in names}


def test_results_are_scoped_to_the_reviewed_project() -> None:
    frames = _subset(
        spoiled("tasks", "jira:21", percent_complete=150.0), "projects", "tasks", "time_entries"
    )
    full = run_quality_gates(frames, QualityContext(AS_OF), SETTINGS)
    assert _failed(full) == [("tasks.percent_complete.range", XYZ)]
    # XYZ's bad percent holds XYZ's review, not ABC's
    for project, trustworthy in ((XYZ, False), (ABC, True)):
        filtered = quality_results_for_project(full, project)
        assert filtered.trustworthy is trustworthy
        assert all(r.project_id in (None, project) for r in filtered.results)


def test_stale_source_holds_every_project() -> None:
    context = QualityContext(AS_OF, last_sync={"jira": AS_OF - timedelta(days=3)})
    full = run_quality_gates(_subset(clean_frames(), "projects"), context, SETTINGS)
    report = quality_results_for_project(full, ABC)
    assert _failed(report) == [("freshness.last_sync", None)]
    assert not report.trustworthy


def test_settings_drive_the_thresholds() -> None:
    # Ana's 8 h time card day is a long day when the limit is 7 h
    strict = SETTINGS.model_copy(update={"max_hours_per_day": 7.0})
    frames = _subset(clean_frames(), "tasks", "time_entries")
    report = run_quality_gates(frames, QualityContext(AS_OF), strict)
    assert ("timesheet.long_day", ABC) in _failed(report)
    assert ("timesheet.long_day", None) in _failed(report)


def test_unknown_table_is_named() -> None:
    with pytest.raises(KeyError, match="taks"):
        run_quality_gates({"taks": clean_frames()["tasks"]}, QualityContext(AS_OF), SETTINGS)


def test_naive_status_date_is_rejected() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        QualityContext(AS_OF.replace(tzinfo=None))


def test_synthetic_portfolio_clean_has_no_critical_and_planted_long_day_is_found() -> None:
    frames, manifest = synthetic_portfolio_with_manifest(
        4, 30, 3.0, seed=11, as_of=AS_OF, problems=Problems(long_day=1, cycle=1)
    )
    report = run_quality_gates(frames, QualityContext(AS_OF), SETTINGS)
    assert report.critical_failures == ()
    (planted,) = [p for p in manifest if p["id"] == "long_day"]
    found = [r for r in report.warnings if r.expectation == planted["check"]]
    assert [r.project_id for r in found] == [planted["project"]]
    assert set(planted["ids"]) <= set(found[0].example_keys)
    assert found[0].severity == Severity.WARNING


def test_importing_the_package_does_not_import_great_expectations() -> None:
    code = (
        "import sys, checks.quality, checks.quality.runner, checks.quality.gx_adapter;"
        "sys.exit('great_expectations' in sys.modules)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_suite_results_of_an_earlier_status_date_stand_in_for_gx_only_when_they_hold() -> None:
    # a bad percent (a failure to carry over) and a task touched an hour after AS_OF
    touched = (AS_OF + timedelta(hours=1)).isoformat()
    frames = _subset(
        spoiled("tasks", "jira:21", percent_complete=150.0, updated_at=touched),
        "projects", "tasks", "time_entries",
    )  # fmt: skip
    earlier = table_suite_results(frames, AS_OF + timedelta(hours=2))
    stored = [QualityResult.from_dict(json.loads(json.dumps(r.to_dict()))) for r in earlier]
    assert stored == earlier
    later = AS_OF + timedelta(hours=9)
    context = QualityContext(later, last_sync={"jira": later - timedelta(hours=1)})
    assert suites_agree(frames, AS_OF + timedelta(hours=2), later)
    reused = run_quality_gates(frames, context, SETTINGS, table_results=stored)
    assert reused == run_quality_gates(frames, context, SETTINGS)
    assert ("tasks.percent_complete.range", XYZ) in _failed(reused)
    # as of AS_OF the touched task lies in the future: that outcome is not carried over
    assert not suites_agree(frames, AS_OF, later)
    assert ("tasks.updated_at.not_future", XYZ) in _failed(
        run_quality_gates(frames, QualityContext(AS_OF), SETTINGS)
    )
