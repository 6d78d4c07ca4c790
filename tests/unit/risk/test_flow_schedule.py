"""Flow metrics from the changelog and DCMA-style schedule health, against hand counts."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from checks.risk.flow import check_flow
from checks.risk.schedule import check_schedule
from config.settings import ChecksSettings
from tests.unit.risk.builders import change, frames_of, task

AS_OF = datetime(2026, 3, 1, tzinfo=UTC)


def _cycle_tasks(cycle_days):
    """Done tasks that went to in progress on Jan 1 and to done `d` days later."""
    tasks, changes = [], []
    for n, d in enumerate(cycle_days):
        tasks.append(task(f"T{n}", status_category="done"))
        changes.append(
            change(f"c{n}a", f"T{n}", "2026-01-01T00:00:00+00:00", "in_progress", "todo")
        )
        done_at = datetime(2026, 1, 1, tzinfo=UTC).timestamp() + d * 86400
        changes.append(
            change(
                f"c{n}b",
                f"T{n}",
                datetime.fromtimestamp(done_at, UTC).isoformat(),
                "done",
                "in_progress",
            )
        )
    return tasks, changes


CYCLE_CASES = [
    # 1, 2, 3, 4, 10 days: median 3; P85 at rank 0.85 x 4 = 3.4 -> 4 + 0.4 x 6 = 6.4.
    pytest.param([1, 2, 3, 4, 10], 3.0, 6.4, id="five-items"),
    # A single item: every percentile is that item.
    pytest.param([5], 5.0, 5.0, id="one-item"),
    # 2 and 4 days: median 3, P85 = 2 + 0.85 x 2 = 3.7.
    pytest.param([2, 4], 3.0, 3.7, id="two-items"),
]


@pytest.mark.parametrize(("cycle_days", "p50", "p85"), CYCLE_CASES)
def test_cycle_time_percentiles(cycle_days, p50, p85):
    tasks, changes = _cycle_tasks(cycle_days)
    out = check_flow(frames_of(AS_OF, tasks=tasks, changes=changes), ChecksSettings())
    assert out.metrics["flow.cycle_time_p50_days"] == pytest.approx(p50)
    assert out.metrics["flow.cycle_time_p85_days"] == pytest.approx(p85)


def test_throughput_wip_reopen_stale_and_blocked_time():
    tasks = [
        task("D1", status_category="done"),
        task("D2", status_category="done"),
        task("R", status_category="in_progress", status="In Progress"),
        task("S", status_category="in_progress", status="In Progress"),
        task("B", status_category="in_progress", status="Blocked"),
    ]
    changes = [
        change("1", "D1", "2026-01-01T00:00:00+00:00", "in_progress", "todo"),
        change("2", "D1", "2026-02-20T00:00:00+00:00", "done", "in_progress"),
        change("3", "D2", "2026-02-21T00:00:00+00:00", "done", "in_progress"),
        change("4", "R", "2026-02-10T00:00:00+00:00", "done", "in_progress"),
        change("5", "R", "2026-02-25T00:00:00+00:00", "in_progress", "done"),  # reopened
        change("6", "S", "2026-01-15T00:00:00+00:00", "in_progress", "todo"),  # 45 days: stale
        change("7", "B", "2026-02-20T00:00:00+00:00", "in_progress", "todo", to_status="Blocked"),
    ]
    out = check_flow(frames_of(AS_OF, tasks=tasks, changes=changes), ChecksSettings())
    # History spans Jan 1 .. Mar 1 (> 8 weeks): 3 moves into done in 8 weeks -> 3/8 per week.
    assert out.metrics["flow.throughput_per_week"] == pytest.approx(3 / 8)
    assert out.metrics["flow.wip"] == 3
    assert out.metrics["flow.reopen_rate"] == pytest.approx(1 / 3)  # R of D1, D2, R
    assert out.evidence["flow.reopen_rate"] == ("R",)
    assert out.metrics["flow.stale_in_progress"] == 1
    assert out.evidence["flow.stale_in_progress"] == ("S",)
    assert out.metrics["flow.blocked_days"] == pytest.approx(9)  # Feb 20 -> Mar 1
    assert out.metrics["flow.blocked_now"] == 1
    assert out.metrics["flow.max_age_days"] == pytest.approx(45)  # S, since Jan 15
    assert sorted(f.check for f in out.findings) == ["flow.reopen_rate", "flow.stale_in_progress"]


def test_missed_tasks_bei_unassigned_and_missing_logic():
    tasks = [
        # due before Mar 1: on time, late, on time, still open -> 2 missed of 4
        task(
            "A",
            due_date="2026-02-01",
            status_category="done",
            resolved_at="2026-01-30T10:00:00+00:00",
        ),
        task(
            "B",
            due_date="2026-02-01",
            status_category="done",
            resolved_at="2026-02-03T10:00:00+00:00",
        ),
        task(
            "C",
            due_date="2026-02-10",
            status_category="done",
            resolved_at="2026-02-10T23:00:00+00:00",
        ),
        task("D", due_date="2026-02-15", status_category="todo", parent_id="EPIC"),
        # due later, finished early (counts as completed for BEI)
        task(
            "E",
            due_date="2026-04-01",
            status_category="done",
            resolved_at="2026-02-01T00:00:00+00:00",
        ),
        task("F", due_date="2026-04-01", status_category="todo", assignee_id=None),
        task("EPIC", task_type="epic"),
    ]
    out = check_schedule(frames_of(AS_OF, tasks=tasks), ChecksSettings())
    assert out.metrics["schedule.missed_tasks_pct"] == pytest.approx(50.0)
    assert out.evidence["schedule.missed_tasks_pct"] == ("B", "D")
    assert out.metrics["schedule.bei"] == pytest.approx(4 / 4)
    assert out.metrics["schedule.unassigned_open_pct"] == pytest.approx(50.0)  # F of D, F
    assert out.evidence["schedule.unassigned_open_pct"] == ("F",)
    assert out.metrics["schedule.missing_logic_pct"] == pytest.approx(50.0)  # F: no link, no parent
    assert out.metrics["schedule.invalid_dates"] == 1  # D open past its due date


def test_high_duration_counts_working_days_in_progress():
    tasks = [task("L", status_category="in_progress"), task("S", status_category="in_progress")]
    changes = [
        change("1", "L", "2025-12-01T09:00:00+00:00", "in_progress", "todo"),  # 65 working days
        change("2", "S", "2026-02-02T09:00:00+00:00", "in_progress", "todo"),  # 20 working days
    ]
    out = check_schedule(frames_of(AS_OF, tasks=tasks, changes=changes), ChecksSettings())
    assert out.metrics["schedule.high_duration_pct"] == pytest.approx(50.0)
    assert out.evidence["schedule.high_duration_pct"] == ("L",)
