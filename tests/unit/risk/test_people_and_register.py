"""Resources, timesheets, planning/scope, QA/UAT/readiness and the risk register."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from checks.closeout.lessons import over_allocation
from checks.model import Severity
from checks.risk.planning import check_planning
from checks.risk.qa import check_qa
from checks.risk.register import check_register
from checks.risk.resources import check_resources
from checks.risk.timesheet import check_timesheet
from config.settings import ChecksSettings
from tests.unit.risk.builders import entry, frames_of, task

AS_OF = datetime(2026, 1, 21, tzinfo=UTC)  # a Wednesday
PEOPLE = [
    {"person_id": "a@x.com", "weekly_capacity_hours": 40},
    {"person_id": "b@x.com", "weekly_capacity_hours": 20},
]
OTHER = {"project_id": "jira:2", "key": "OTH"}


def _week(person, monday_day, hours_per_day, project="jira:1", kind="worklog", prefix="e"):
    return [
        entry(
            f"{prefix}{person[0]}{project[-1]}{monday_day + d}",
            hours_per_day,
            f"2026-01-{monday_day + d:02d}",
            person_id=person,
            project_id=project,
            kind=kind,
        )
        for d in range(5)
    ]


def test_over_allocation_counts_hours_on_every_project():
    # a: week of Jan 5 = 6 h/day here + 4 h/day elsewhere = 50 h > 44 (40 + 10 %);
    # week of Jan 12 = 6 h/day here only = 30 h. b: 5 h/day = 25 h > 22 (20 + 10 %).
    entries = (
        _week("a@x.com", 5, 6)
        + _week("a@x.com", 5, 4, project="jira:2")
        + _week("a@x.com", 12, 6)
        + _week("b@x.com", 12, 5)
    )
    out = check_resources(
        frames_of(AS_OF, entries=entries, people=PEOPLE, extra_projects=[OTHER]), ChecksSettings()
    )
    assert out.metrics["resources.over_allocated_person_weeks"] == 2
    # The people, then this project's entries of the over-allocated weeks.
    evidence = out.evidence["resources.over_allocated_person_weeks"]
    assert evidence[:2] == ("a@x.com", "b@x.com")
    assert evidence[2:] == tuple(
        sorted([f"ea1{d}" for d in range(5, 10)] + [f"eb1{d}" for d in range(12, 17)])
    )
    assert out.details["over_allocation"] == [
        {"person": "a@x.com", "week": "2026-W02", "hours": 50.0, "capacity": 40.0},
        {"person": "b@x.com", "week": "2026-W03", "hours": 25.0, "capacity": 20.0},
    ]
    (finding,) = [f for f in out.findings if f.check == "resources.over_allocation"]
    assert finding.severity == Severity.WARNING
    # Bus factor over this project's hours: a 60 h of 85 h.
    assert out.metrics["resources.bus_factor_share"] == pytest.approx(60 / 85)
    assert out.evidence["resources.bus_factor_share"] == ("a@x.com",)


def test_time_cards_and_worklogs_of_the_same_week_do_not_add_up():
    # 30 h of worklogs and 36 h of attendance the same week: load is 36 h, not 66 h.
    entries = _week("a@x.com", 5, 6) + _week("a@x.com", 5, 7.2, kind="timecard", prefix="t")
    out = check_resources(frames_of(AS_OF, entries=entries, people=PEOPLE), ChecksSettings())
    assert out.metrics["resources.over_allocated_person_weeks"] == 0
    assert out.metrics["resources.peak_load_pct"] == pytest.approx(90.0)


def test_timesheet_compliance_and_long_days():
    # Window: the 10 working days Jan 7 .. Jan 20. a logs all of them; b logs 2 -> 50 %.
    days = [7, 8, 9, 12, 13, 14, 15, 16, 19, 20]
    entries = [entry(f"a{d}", 1, f"2026-01-{d:02d}") for d in days]
    entries += [entry(f"b{d}", 1, f"2026-01-{d:02d}", person_id="b@x.com") for d in (7, 8)]
    entries += [entry("long1", 7, "2026-01-16"), entry("long2", 5.5, "2026-01-16")]  # 13.5 h
    tasks = [
        task("T1", assignee_id="a@x.com"),
        task("T2", assignee_id="b@x.com"),
        task("T3", assignee_id="c@x.com", status_category="done"),
    ]  # done: not expected
    out = check_timesheet(frames_of(AS_OF, tasks=tasks, entries=entries), ChecksSettings())
    assert out.metrics["timesheet.compliance_pct"] == pytest.approx(50.0)
    assert out.evidence["timesheet.compliance_pct"] == ("b@x.com",)
    assert out.metrics["timesheet.long_days"] == 1
    assert out.evidence["timesheet.long_days"] == ("a16", "a@x.com", "long1", "long2")
    assert [f.check for f in out.findings] == ["timesheet.compliance_pct", "timesheet.long_day"]


def test_planning_completeness_and_scope_change():
    tasks = [
        task("A", estimate_hours=4, due_date="2026-02-01", created_at="2026-01-01T00:00:00+00:00"),
        task("B", story_points=3, due_date="2026-02-01", created_at="2026-01-02T00:00:00+00:00"),
        task("C", due_date="2026-02-01", assignee_id=None, created_at="2026-01-03T00:00:00+00:00"),
        task("D", estimate_hours=2, created_at="2026-01-15T00:00:00+00:00"),  # after baseline
        task("E", task_type="epic", created_at="2026-01-20T00:00:00+00:00"),  # not a work item
    ]
    frames = frames_of(AS_OF, tasks=tasks, project={"baseline_date": "2026-01-10T00:00:00+00:00"})
    out = check_planning(frames, ChecksSettings())
    assert out.metrics["planning.missing_estimates_pct"] == pytest.approx(25.0)
    assert out.evidence["planning.missing_estimates_pct"] == ("C",)
    assert out.metrics["planning.missing_due_dates_pct"] == pytest.approx(25.0)
    assert out.metrics["planning.unowned_tasks_pct"] == pytest.approx(25.0)
    assert out.metrics["scope.change_pct"] == pytest.approx(100 / 3)  # 1 added vs 3 at baseline
    assert out.evidence["scope.change_pct"] == ("D",)
    findings = {f.check: f for f in out.findings}
    assert findings["planning.missing_estimates"].item_ids == ("C",)
    assert findings["scope.change_pct"].severity == Severity.WARNING  # > 20 %, not > 50 %


def test_scope_is_missing_without_a_baseline():
    out = check_planning(frames_of(AS_OF, tasks=[task("A")]), ChecksSettings())
    assert out.metrics["scope.change_pct"] is None


def test_defects_uat_sign_off_and_readiness():
    tasks = [
        task("D1", task_type="defect", severity="critical", created_at="2026-01-01T00:00:00+00:00"),
        task("D2", task_type="defect", priority="Highest", created_at="2026-01-18T00:00:00+00:00"),
        task("D3", task_type="defect", severity="major", created_at="2026-01-10T00:00:00+00:00"),
        task(
            "D4",
            task_type="defect",
            severity="critical",
            status_category="done",
            created_at="2026-01-05T00:00:00+00:00",
            resolved_at="2026-01-12T00:00:00+00:00",
        ),
        task("U1", task_type="uat", status_category="done"),
        task("U2", task_type="uat", due_date="2026-01-15"),
        task("T1", task_type="training", status_category="done"),
        task("T2", task_type="training", status_category="done"),
        task("T3", task_type="training"),
    ]
    out = check_qa(frames_of(AS_OF, tasks=tasks, project={"phase": "qa_uat"}), ChecksSettings())
    assert out.metrics["qa.open_defects"] == 3
    assert out.metrics["qa.open_critical_defects"] == 2  # D1 by severity, D2 by priority
    assert out.evidence["qa.open_critical_defects"] == ("D1", "D2")
    assert out.metrics["qa.open_defect_age_max_days"] == pytest.approx(20)
    # Last 28 days: 4 raised, 1 closed.
    assert out.metrics["qa.defect_closure_ratio"] == pytest.approx(0.25)
    assert out.metrics["qa.uat_signed_off"] == 0.0
    assert out.metrics["training.readiness_pct"] == pytest.approx(200 / 3)
    assert out.metrics["documentation.readiness_pct"] is None  # no documentation tasks
    checks = {f.check: f for f in out.findings}
    assert checks["qa.open_critical_defects"].severity == Severity.CRITICAL
    assert checks["qa.uat_signoff_missing"].item_ids == ("U2",)


def test_uat_sign_off_given_when_every_uat_task_is_done():
    tasks = [task("U1", task_type="uat", status_category="done")]
    out = check_qa(frames_of(AS_OF, tasks=tasks, project={"phase": "closeout"}), ChecksSettings())
    assert out.metrics["qa.uat_signed_off"] == 1.0
    assert not [f for f in out.findings if f.check == "qa.uat_signoff_missing"]


REGISTER = [
    # open, 4 x 4 = 16, no owner: unowned and high exposure
    {
        "risk_id": "R1",
        "probability": 4,
        "impact": 4,
        "roam_status": "open",
        "mitigation": "x",
        "mitigation_due": "2026-03-01",
    },
    # owned, mitigation due before the status date: overdue
    {
        "risk_id": "R2",
        "probability": 2,
        "impact": 2,
        "roam_status": "owned",
        "owner_id": "a@x.com",
        "mitigation": "x",
        "mitigation_due": "2026-01-10",
    },
    # mitigated: closed, its old due date is not overdue
    {
        "risk_id": "R3",
        "probability": 5,
        "impact": 5,
        "roam_status": "mitigated",
        "owner_id": "a@x.com",
        "mitigation_due": "2026-01-01",
    },
    # accepted without a mitigation plan
    {
        "risk_id": "R4",
        "probability": 1,
        "impact": 3,
        "roam_status": "accepted",
        "owner_id": "a@x.com",
    },
]


def test_risk_register_roam_exposure_and_hygiene():
    out = check_register(frames_of(AS_OF, risks=REGISTER), ChecksSettings())
    assert out.metrics["risk.open"] == 3
    assert out.metrics["risk.unowned"] == 1 and out.evidence["risk.unowned"] == ("R1",)
    assert out.metrics["risk.overdue_mitigations"] == 1
    assert out.evidence["risk.overdue_mitigations"] == ("R2",)
    assert out.metrics["risk.without_mitigation"] == 1
    assert out.evidence["risk.without_mitigation"] == ("R4",)
    assert out.metrics["risk.high_exposure_open"] == 1
    assert out.metrics["risk.max_exposure"] == 16
    found = {f.check: f.item_ids for f in out.findings}
    assert found["risk.unowned"] == ("R1",)
    assert found["risk.overdue_mitigation"] == ("R2",)


def test_planner_tasks_cannot_miss_an_estimate():
    # Planner has no estimate field: its tasks are left out of the share (None when alone).
    planner_only = [task("planner:1", source="planner"), task("planner:2", source="planner")]
    out = check_planning(frames_of(AS_OF, tasks=planner_only), ChecksSettings())
    assert out.metrics["planning.missing_estimates_pct"] is None
    mixed = [*planner_only, task("jira:9"), task("jira:8", estimate_hours=3)]
    out = check_planning(frames_of(AS_OF, tasks=mixed), ChecksSettings())
    assert out.metrics["planning.missing_estimates_pct"] == pytest.approx(50.0)
    assert out.evidence["planning.missing_estimates_pct"] == ("jira:9",)


@pytest.mark.parametrize(
    ("entries", "thresholds", "over_people"),
    [
        # worklogs 30 h + attendance 36 h the same week: 36 h, under 44 h (40 + 10 %)
        (
            _week("a@x.com", 5, 6) + _week("a@x.com", 5, 7.2, kind="timecard", prefix="t"),
            {},
            [],
        ),
        # 50 h on two projects against 40 h
        (_week("a@x.com", 5, 6) + _week("a@x.com", 5, 4, project="jira:2"), {}, ["a@x.com"]),
        # c@x.com has no capacity recorded: 50 h against the default 40 h ...
        (_week("c@x.com", 5, 10), {}, ["c@x.com"]),
        # ... or against a configured default of 60 h
        (_week("c@x.com", 5, 10), {"resources.default_weekly_capacity_hours": 60}, []),
        # hours only on another project are not this project's concern
        (_week("b@x.com", 5, 8, project="jira:2") + _week("a@x.com", 12, 1), {}, []),
    ],
)
def test_the_over_allocation_lesson_and_risk_check_agree(entries, thresholds, over_people):
    settings = ChecksSettings(thresholds=thresholds)
    pf = frames_of(AS_OF, entries=entries, people=PEOPLE, extra_projects=[OTHER])
    out = check_resources(pf, settings)
    lessons = over_allocation(pf, settings)
    flagged = sorted({e["person"] for e in out.details["over_allocation"]})
    assert flagged == over_people
    assert [list(lesson.evidence) for lesson in lessons] == ([over_people] if over_people else [])
