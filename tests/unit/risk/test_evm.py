"""Earned value and earned schedule against hand-computed values."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from checks.model import Severity
from checks.risk.evm import check_evm, evm_values, plan_curve
from config.settings import ChecksSettings
from tests.unit.risk.builders import entry, frames_of, task

START = {"start_date": "2026-01-01"}


def _at(day: int, hour: int = 0) -> datetime:
    return datetime(2026, 1, day, hour, tzinfo=UTC)


CASES = [
    # One 100 h task over Jan 1-10 (10 h/day), 40 % done on Jan 6 00:00 with 50 h logged:
    # PV = 50, EV = 40, AC = 50; ES = 4 days (PV hit 40 on Jan 5 00:00), AT = 5 days.
    pytest.param(
        [
            task(
                "jira:1",
                estimate_hours=100,
                start_date="2026-01-01",
                due_date="2026-01-10",
                status_category="in_progress",
                percent_complete=40,
            )
        ],
        [
            entry("e1", 30, "2026-01-02", task_id="jira:1"),
            entry("e2", 20, "2026-01-03", task_id="jira:1"),
        ],
        {},
        _at(6),
        {
            "evm.pv_hours": 50,
            "evm.ev_hours": 40,
            "evm.ac_hours": 50,
            "evm.sv_hours": -10,
            "evm.cv_hours": -10,
            "evm.spi": 0.8,
            "evm.cpi": 0.8,
            "evm.eac_hours": 125,
            "evm.etc_hours": 75,
            "evm.vac_hours": -25,
            "evm.tcpi": 1.2,
            "evm.es_days": 4,
            "evm.at_days": 5,
            "evm.spi_t": 0.8,
            "evm.bac_hours": 100,
            "evm.percent_complete": 40,
        },
        id="single-task-behind",
    ),
    # Two chained tasks (40 h Jan 1-4, 60 h Jan 5-10), the first done, the second started
    # without a percent: 0/100 rule credits nothing -> EV 40; PV on Jan 8 = 40 + 3 x 10 = 70;
    # ES = 4 days (PV = 40 at the end of Jan 4), AT = 7 -> SPI(t) = 4/7.
    pytest.param(
        [
            task(
                "jira:1",
                estimate_hours=40,
                start_date="2026-01-01",
                due_date="2026-01-04",
                status_category="done",
                resolved_at="2026-01-04T12:00:00+00:00",
            ),
            task(
                "jira:2",
                estimate_hours=60,
                start_date="2026-01-05",
                due_date="2026-01-10",
                status_category="in_progress",
            ),
        ],
        [],
        {},
        _at(8),
        {
            "evm.pv_hours": 70,
            "evm.ev_hours": 40,
            "evm.spi": 40 / 70,
            "evm.es_days": 4,
            "evm.at_days": 7,
            "evm.spi_t": 4 / 7,
            "evm.cpi": None,
            "evm.eac_hours": None,
        },
        id="chained-0-100-rule",
    ),
    # Same plan with the 50/50 rule: the started task earns 30 h -> EV 70 = PV, on schedule.
    pytest.param(
        [
            task(
                "jira:1",
                estimate_hours=40,
                start_date="2026-01-01",
                due_date="2026-01-04",
                status_category="done",
            ),
            task(
                "jira:2",
                estimate_hours=60,
                start_date="2026-01-05",
                due_date="2026-01-10",
                status_category="in_progress",
            ),
        ],
        [],
        {"evm.in_progress_credit_pct": 50},
        _at(8),
        {"evm.ev_hours": 70, "evm.spi": 1.0, "evm.es_days": 7, "evm.spi_t": 1.0},
        id="chained-50-50-rule",
    ),
    # Done early: the whole 100 h earned on Jan 3 (PV 20): SPI = 5; ES = the plan's end, 10 days;
    # AT = 2 -> SPI(t) = 5. 80 h logged: CPI = 1.25, EAC = 80, VAC = 20.
    pytest.param(
        [
            task(
                "jira:1",
                estimate_hours=100,
                start_date="2026-01-01",
                due_date="2026-01-10",
                status_category="done",
            )
        ],
        [entry("e1", 80, "2026-01-02", task_id="jira:1")],
        {},
        _at(3),
        {
            "evm.pv_hours": 20,
            "evm.spi": 5.0,
            "evm.es_days": 10,
            "evm.spi_t": 5.0,
            "evm.cpi": 1.25,
            "evm.eac_hours": 80,
            "evm.vac_hours": 20,
        },
        id="ahead-of-plan",
    ),
    # No start or due on the task: start = project start (Jan 1), due = target (Jan 4) -> 4 days;
    # at noon on Jan 2, PV = 100 x 1.5 / 4 = 37.5. Time cards don't count as actual cost.
    pytest.param(
        [task("jira:1", estimate_hours=100, status_category="todo")],
        [entry("t1", 8, "2026-01-01", kind="timecard")],
        {},
        _at(2, 12),
        {"evm.pv_hours": 37.5, "evm.ev_hours": 0, "evm.ac_hours": 0, "evm.spi": 0.0},
        id="dates-from-project",
    ),
]


@pytest.mark.parametrize(("tasks", "entries", "knobs", "as_of", "expected"), CASES)
def test_evm_reproduces_hand_computed_values(tasks, entries, knobs, as_of, expected):
    frames = frames_of(
        as_of,
        tasks=tasks,
        entries=entries,
        project={**START, "target_date": "2026-01-04"},
    )
    out = check_evm(frames, ChecksSettings(thresholds=knobs))
    for name, value in expected.items():
        if value is None:
            assert out.metrics[name] is None, name
        else:
            assert out.metrics[name] == pytest.approx(value, abs=1e-9), name


def test_evm_formulas_from_base_values():
    # BAC 200, PV 100, EV 80, AC 100: CPI 0.8, EAC 250, ETC 150, VAC -50, TCPI 120/100.
    values = evm_values(200, 100, 80, 100)
    assert values == pytest.approx(
        {
            "sv": -20,
            "cv": -20,
            "spi": 0.8,
            "cpi": 0.8,
            "eac": 250,
            "etc": 150,
            "vac": -50,
            "tcpi": 1.2,
        }
    )


def test_plan_curve_is_piecewise_linear_and_interpolates_earned_schedule():
    # 10 h over [0, 2) and 20 h over [1, 3): PV(1) = 5, PV(2) = 20, PV(3) = 30.
    curve = plan_curve(np.array([0.0, 1.0]), np.array([2.0, 3.0]), np.array([10.0, 20.0]))
    assert curve.at(np.array([1.0, 2.0, 3.0, 9.0])) == pytest.approx([5, 20, 30, 30])
    assert curve.first_time_reaching(12.5) == pytest.approx(1.5)  # midway between 5 and 20
    assert curve.first_time_reaching(0) == 0.0


def test_cost_based_evm_uses_assignee_and_person_rates():
    # Rates: a = 100, everyone else 50. BAC = 10 x 100 + 10 x 50 = 1500; all done -> EV = 1500;
    # AC = 5 h of a (500) + 10 h of b (500) = 1000 -> CPI 1.5.
    frames = frames_of(
        _at(20),
        tasks=[
            task(
                "jira:1",
                estimate_hours=10,
                status_category="done",
                assignee_id="a@x.com",
                start_date="2026-01-01",
                due_date="2026-01-02",
            ),
            task(
                "jira:2",
                estimate_hours=10,
                status_category="done",
                assignee_id="b@x.com",
                start_date="2026-01-01",
                due_date="2026-01-02",
            ),
        ],
        entries=[
            entry("e1", 5, "2026-01-02", task_id="jira:1"),
            entry("e2", 10, "2026-01-02", task_id="jira:2", person_id="b@x.com"),
        ],
        project=START,
    )
    out = check_evm(frames, ChecksSettings(hourly_rates={"a@x.com": 100, "*": 50}))
    assert out.metrics["evm.bac_cost"] == 1500
    assert out.metrics["evm.ev_cost"] == 1500
    assert out.metrics["evm.ac_cost"] == 1000
    assert out.metrics["evm.cpi_cost"] == pytest.approx(1.5)


def test_late_project_finding_names_the_lagging_items():
    frames = frames_of(
        _at(6),
        tasks=[
            task(
                "jira:1",
                estimate_hours=100,
                start_date="2026-01-01",
                due_date="2026-01-10",
                status_category="in_progress",
                percent_complete=10,
            ),
            task(
                "jira:2",
                estimate_hours=10,
                start_date="2026-01-01",
                due_date="2026-01-02",
                status_category="done",
            ),
        ],
        project=START,
    )
    out = check_evm(frames, ChecksSettings())
    spi = [f for f in out.findings if f.check == "evm.spi"]
    assert len(spi) == 1 and spi[0].severity == Severity.CRITICAL  # SPI = 20/60 < 0.8
    assert spi[0].item_ids == ("jira:1",)
    assert spi[0].threshold == 0.8


def test_s_curve_series_is_weekly_and_ends_at_status_date():
    frames = frames_of(
        datetime(2026, 1, 20, tzinfo=UTC),
        tasks=[
            task(
                "jira:1",
                estimate_hours=70,
                start_date="2026-01-01",
                due_date="2026-01-14",
                status_category="done",
                resolved_at="2026-01-10T00:00:00+00:00",
            )
        ],
        entries=[entry("e1", 7, "2026-01-03", task_id="jira:1")],
        project=START,
    )
    series = check_evm(frames, ChecksSettings()).details["evm"]["series"]
    # Jan 8 (week 1), Jan 15 (week 2), then the status date Jan 20.
    assert [p["date"] for p in series] == ["2026-01-08", "2026-01-15", "2026-01-20"]
    assert [p["pv"] for p in series] == [35.0, 70.0, 70.0]
    assert [p["ev"] for p in series] == [0.0, 70.0, 70.0]
    assert [p["ac"] for p in series] == [7.0, 7.0, 7.0]


def test_spi_evidence_adds_open_items_past_due_that_the_hour_plan_cannot_see():
    frames = frames_of(
        _at(6),
        tasks=[
            task(
                "jira:1",
                estimate_hours=100,
                start_date="2026-01-01",
                due_date="2026-01-10",
                status_category="in_progress",
                percent_complete=10,
            ),
            task("jira:2", story_points=5, start_date="2026-01-01", due_date="2026-01-03"),
        ],
        project=START,
    )
    out = check_evm(frames, ChecksSettings())
    assert out.evidence["evm.spi"] == ("jira:1", "jira:2")  # lagging first, then points-only


# --- Effort EVM without a time-phased plan (issue 11, point 1) -------------------------------


def _undated(status: str = "done", **fields: object) -> list[dict[str, object]]:
    """Three estimated tasks with no start, due or target date (CESAW-like)."""
    return [
        task(f"jira:{i}", estimate_hours=est, status_category=status, **fields)
        for i, est in ((1, 10.0), (2, 20.0), (3, 12.0))
    ]


UNDATED_CASES = [
    # All done, 40 h logged against 42 h estimated: CPI = 42 / 40 = 1.05 (the old code had
    # EV = 0 for undated work, so CPI = 0: a critical must-meet failure).
    pytest.param(
        _undated(resolved_at="2026-01-03T00:00:00+00:00"),
        [entry("e1", 25, "2026-01-02", task_id="jira:1"), entry("e2", 15, "2026-01-03")],
        {
            "evm.bac_hours": 42,
            "evm.ev_hours": 42,
            "evm.ac_hours": 40,
            "evm.cpi": 1.05,
            "evm.cv_hours": 2,
            "evm.percent_complete": 100,
            "evm.eac_hours": 40,
            "evm.vac_hours": 2,
            "evm.etc_hours": 0,
        },
        {
            "evm.pv_hours": "no time-phased plan",
            "evm.spi": "no time-phased plan",
            "evm.sv_hours": "no time-phased plan",
            "evm.spi_t": "no time-phased plan",
            "evm.es_days": "no time-phased plan",
            "evm.sv_t_days": "no time-phased plan",
            "evm.tcpi": "nothing is left to complete",
        },
        id="undated-finished",
    ),
    # Half the work done, nothing logged: CPI undefined (AC = 0), never 0 or infinite.
    pytest.param(
        [*_undated("todo")[:2], task("jira:3", estimate_hours=30, status_category="done")],
        [],
        {"evm.bac_hours": 60, "evm.ev_hours": 30, "evm.ac_hours": 0, "evm.tcpi": 0.5},
        {
            "evm.cpi": "no hours logged",
            "evm.eac_hours": "no hours logged",
            "evm.spi": "no time-phased plan",
        },
        id="undated-no-hours",
    ),
    # No estimates at all, hours logged: no budget, so no EV, CPI, CV (the old CPI was 0).
    pytest.param(
        [task("jira:1", status_category="done"), task("jira:2")],
        [entry("e1", 8, "2026-01-02", task_id="jira:1")],
        {"evm.ac_hours": 8},
        {
            "evm.bac_hours": "no work item has an estimate",
            "evm.cpi": "no work item has an",
            "evm.cv_hours": "no work item has an",
            "evm.ev_hours": "no work item has an",
            "evm.spi": "no work item has an",
            "evm.tcpi": "no work item has an",
            "evm.percent_complete": "no work item has an",
        },
        id="no-estimates",
    ),
    # Spent past the budget with work left: TCPI would be negative; it is undefined instead.
    pytest.param(
        _undated("todo"),
        [entry("e1", 50, "2026-01-02", task_id="jira:1")],
        {"evm.bac_hours": 42, "evm.ev_hours": 0, "evm.cpi": 0.0},
        {"evm.tcpi": "reached BAC", "evm.eac_hours": "nothing earned yet"},
        id="overspent-nothing-earned",
    ),
]


@pytest.mark.parametrize(("tasks", "entries", "values", "reasons"), UNDATED_CASES)
def test_effort_evm_without_dates_is_computed_or_null_with_a_reason(
    tasks, entries, values, reasons
):
    frames = frames_of(_at(6), tasks=tasks, entries=entries)  # no start/target date
    out = check_evm(frames, ChecksSettings())
    for name, value in values.items():
        assert out.metrics[name] == pytest.approx(value, abs=1e-9), name
    for name, fragment in reasons.items():
        assert out.metrics[name] is None, name
        assert fragment in out.reasons[name], (name, out.reasons[name])
    # every null metric says why; no zero carries a sign
    assert {k for k, v in out.metrics.items() if v is None} == set(out.reasons)
    zeros = [k for k, v in out.metrics.items() if v == 0]
    assert all(np.copysign(1.0, out.metrics[k]) > 0 for k in zeros), zeros
    assert not [f for f in out.findings if f.check in ("evm.spi", "evm.spi_t")]


def test_partly_dated_plan_schedules_only_the_dated_items():
    # 40 h dated over Jan 1-4 and done; 60 h undated, open: BAC/EV cover both (100 / 40),
    # PV and SPI only the dated part (PV = 40 on Jan 6, EV of dated = 40 -> SPI 1).
    frames = frames_of(
        _at(6),
        tasks=[
            task(
                "jira:1",
                estimate_hours=40,
                start_date="2026-01-01",
                due_date="2026-01-04",
                status_category="done",
                resolved_at="2026-01-04T00:00:00+00:00",
            ),
            task("jira:2", estimate_hours=60),
        ],
        entries=[entry("e1", 50, "2026-01-03", task_id="jira:1")],
    )
    out = check_evm(frames, ChecksSettings())
    assert out.metrics["evm.bac_hours"] == 100
    assert out.metrics["evm.ev_hours"] == 40
    assert out.metrics["evm.cpi"] == pytest.approx(0.8)
    assert out.metrics["evm.pv_hours"] == pytest.approx(40)
    assert out.metrics["evm.spi"] == pytest.approx(1.0)
    assert out.details["evm"]["unplanned_items"] == ["jira:2"]
    assert out.details["evm"]["planned_share_of_bac"] == pytest.approx(0.4)


def test_earned_schedule_stops_when_the_work_is_done():
    # 100 h planned Jan 1-10, done on Jan 15 (5 days late). Judged on Feb 28, SPI(t) is
    # 10 / 14 (planned duration / actual duration), not 10 / 58 ("years late").
    frames = frames_of(
        datetime(2026, 2, 28, tzinfo=UTC),
        tasks=[
            task(
                "jira:1",
                estimate_hours=100,
                start_date="2026-01-01",
                due_date="2026-01-10",
                status_category="done",
                resolved_at="2026-01-15T00:00:00+00:00",
            ),
        ],
        project=START,
    )
    out = check_evm(frames, ChecksSettings())
    assert out.metrics["evm.at_days"] == pytest.approx(14)
    assert out.metrics["evm.es_days"] == pytest.approx(10)
    assert out.metrics["evm.spi_t"] == pytest.approx(10 / 14)
