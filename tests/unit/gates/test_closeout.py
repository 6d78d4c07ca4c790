"""Closeout: KPI attainment (direction-aware), final variances and lessons learned."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from checks.closeout.lessons import derive_lessons, explicit_lessons
from checks.closeout.report import final_variances, kpi_attainment
from checks.model import ProjectFrames
from checks.schema import empty_frame, to_frame
from config.settings import ChecksSettings

AS_OF = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)

KPI_CASES = [
    # name, spec, actuals, measured -> (met, attainment %, source, note fragment)
    # higher is better, above target: met, 125 %
    (
        "adoption",
        {"target": 0.8, "direction": "higher"},
        {"adoption": 1.0},
        {},
        (True, 125.0, "kpi_actuals", ""),
    ),
    # higher is better, below target: not met, 75 %
    (
        "adoption",
        {"target": 0.8, "direction": "higher"},
        {"adoption": 0.6},
        {},
        (False, 75.0, "kpi_actuals", ""),
    ),
    # lower is better, under target: met, target / actual = 200 %
    (
        "tickets",
        {"target": 50, "direction": "lower"},
        {"tickets": 25},
        {},
        (True, 200.0, "kpi_actuals", ""),
    ),
    # lower is better, over target: not met, 50 %
    (
        "tickets",
        {"target": 50, "direction": "lower"},
        {"tickets": 100},
        {},
        (False, 50.0, "kpi_actuals", ""),
    ),
    # lower is better and the actual is zero: met, capped at 100 %
    (
        "outages",
        {"target": 2, "direction": "lower"},
        {"outages": 0},
        {},
        (True, 100.0, "kpi_actuals", ""),
    ),
    # equal within tolerance: met
    (
        "uptime",
        {"target": 99.9, "direction": "equal", "tolerance": 0.05},
        {"uptime": 99.88},
        {},
        (True, 100.0, "kpi_actuals", ""),
    ),
    # equal outside tolerance: not met, min/max = 98 %
    (
        "users",
        {"target": 100, "direction": "equal"},
        {"users": 98},
        {},
        (False, 98.0, "kpi_actuals", ""),
    ),
    # direction aliases ("at_most") and a bare number as target, direction default higher
    (
        "cost",
        {"target": 10, "direction": "at_most"},
        {"cost": 8},
        {},
        (True, 125.0, "kpi_actuals", ""),
    ),
    ("score", 4, {"score": 5}, {}, (True, 125.0, "kpi_actuals", "")),
    # no recorded actual: the checks' metric of the same name is used
    (
        "evm.cpi",
        {"target": 0.9, "direction": "higher"},
        {},
        {"evm.cpi": 0.99},
        (True, 110.0, "metric", ""),
    ),
    # neither: not measured
    ("nps", {"target": 30}, {}, {}, (None, None, None, "no measured value")),
    # target not a number / unknown direction: reported, not raised
    ("nps", {"target": "high"}, {"nps": 40}, {}, (None, None, "kpi_actuals", "not a number")),
    (
        "nps",
        {"target": 30, "direction": "sideways"},
        {"nps": 40},
        {},
        (None, None, "kpi_actuals", "unknown direction"),
    ),
]


@pytest.mark.parametrize(("name", "spec", "actuals", "measured", "expected"), KPI_CASES)
def test_kpi_attainment(name, spec, actuals, measured, expected):
    (kpi,) = kpi_attainment({name: spec}, actuals, measured)
    met, pct, source, note = expected
    assert kpi.met is met
    assert kpi.attainment_pct == (pytest.approx(pct) if pct is not None else None)
    assert kpi.source == source
    assert note in kpi.note


def test_kpis_in_name_order_and_no_targets():
    kpis = kpi_attainment({"b": 1, "a": 1}, {"a": 1, "b": 1}, {})
    assert [k.name for k in kpis] == ["a", "b"]
    assert kpi_attainment(None, None, {}) == ()


def _row(table: str, **values):
    base = {"source": "jira", "is_deleted": False, "synced_at": "2026-11-27T00:00:00+00:00"}
    return {**base, **values}


def _task(tid, ttype="story", cat="done", due=None, resolved=None, est=None, labels=None, **kw):
    return _row("tasks", task_id=tid, project_id="p", key=tid.upper(), title=kw.get("title", tid),
                task_type=ttype, status_category=cat, due_date=due, resolved_at=resolved,
                estimate_hours=est, labels=labels or [], assignee_id=kw.get("assignee"),
                created_at=kw.get("created", "2026-01-05T00:00:00+00:00"))  # fmt: skip


def _change(cid, tid, at, frm, to, frm_cat, to_cat):
    return _row("status_changes", change_id=cid, task_id=tid, changed_at=at, from_status=frm,
                to_status=to, from_category=frm_cat, to_category=to_cat)  # fmt: skip


def _entry(eid, tid, person, day, hours, kind="worklog"):
    return _row("time_entries", entry_id=eid, kind=kind, person_id=person, project_id="p",
                task_id=tid, work_date=day, hours=hours)  # fmt: skip


def frames() -> ProjectFrames:
    tasks = to_frame("tasks", [
        # finished 10 days late; 16 h logged on an 8 h estimate
        _task("t1", due="2026-03-01", resolved="2026-03-11T12:00:00+00:00", est=8,
              assignee="ana@example.com"),
        # on time; 8 h logged on 8 h
        _task("t2", due="2026-03-01", resolved="2026-02-27T12:00:00+00:00", est=8),
        # a defect estimated 2 h, took 2 h
        _task("t3", ttype="defect", resolved="2026-02-10T00:00:00+00:00", est=2),
        # explicit lessons: by type, and by label
        _task("l1", ttype="lesson", title="Book the test lab early", assignee="bo@example.com"),
        _task("r1", ttype="task", labels=["Retrospective"], title="Sprint 3 retro",
              resolved="2026-03-01T00:00:00+00:00", created="2026-07-01T00:00:00+00:00"),
    ])  # fmt: skip
    changes = to_frame("status_changes", [
        _change("c1", "t1", "2026-02-01T00:00:00+00:00", "To Do", "In Progress", "todo", "in_progress"),
        _change("c2", "t1", "2026-02-05T00:00:00+00:00", "In Progress", "Review", "in_progress", "in_progress"),
        _change("c3", "t1", "2026-03-01T00:00:00+00:00", "Review", "Done", "in_progress", "done"),
        _change("c4", "t1", "2026-03-02T00:00:00+00:00", "Done", "Review", "done", "in_progress"),
        _change("c5", "t1", "2026-03-11T12:00:00+00:00", "Review", "Done", "in_progress", "done"),
        _change("c6", "t2", "2026-02-20T00:00:00+00:00", "To Do", "In Progress", "todo", "in_progress"),
        _change("c7", "t2", "2026-02-27T12:00:00+00:00", "In Progress", "Done", "in_progress", "done"),
    ])  # fmt: skip
    entries = to_frame("time_entries", [
        _entry("e1", "t1", "ana@example.com", "2026-02-02", 10),
        _entry("e2", "t1", "ana@example.com", "2026-02-03", 6),
        _entry("e3", "t2", "bo@example.com", "2026-02-21", 8),
        _entry("e4", "t3", "bo@example.com", "2026-02-09", 2),
        _entry("e5", None, "bo@example.com", "2026-02-09", 9, kind="timecard"),  # attendance
        # a 50-hour week for ana (capacity 40, tolerance 10 %): over-allocated
        *[_entry(f"x{i}", None, "ana@example.com", f"2026-04-{i:02d}", 10, "timesheet")
          for i in range(6, 11)],
    ])  # fmt: skip
    people = to_frame("people", [
        _row("people", person_id="ana@example.com", weekly_capacity_hours=40),
        _row("people", person_id="bo@example.com", weekly_capacity_hours=40),
    ])  # fmt: skip
    risks = to_frame("risks", [
        _row("risks", risk_id="k1", project_id="p", materialised=True, owner_id=None,
             mitigation=None),
        _row("risks", risk_id="k2", project_id="p", materialised=False, owner_id="ana@example.com",
             mitigation="plan"),
    ])  # fmt: skip
    project = {"project_id": "p", "key": "P", "lead_id": "lead@example.com",
               "target_date": date(2026, 3, 1), "budget_hours": 80.0, "budget_cost": 5000.0,
               "baseline_date": "2026-02-01T00:00:00+00:00"}  # fmt: skip
    return ProjectFrames(
        project=project, tasks=tasks, dependencies=empty_frame("dependencies"),
        status_changes=changes, time_entries=entries, milestones=empty_frame("milestones"),
        sprints=empty_frame("sprints"), risks=risks, people=people,
        portfolio_time_entries=entries, as_of=AS_OF,
    )  # fmt: skip


def test_final_variances():
    pf = frames()
    v = final_variances(pf, {}, None, {"*": 100.0})
    # l1 (a lesson) is not a work item; every work item is done
    assert v["open_work_items"] == 0
    # finished with t1 on 2026-03-11: 10 days after the target
    assert v["schedule"] == {"target_date": date(2026, 3, 1), "finish_date": date(2026, 3, 11),
                             "basis": "actual", "variance_days": 10.0}  # fmt: skip
    # 16 + 8 + 2 worklog hours + 50 timesheet hours = 76 vs 80 (time cards excluded)
    assert v["effort"]["actual"] == 76.0 and v["effort"]["variance_pct"] == -5.0
    # 76 h x 100 = 7600 vs 5000: +52 %
    assert v["cost"]["variance_pct"] == 52.0
    # r1 created after the 2026-02-01 baseline; 4 before: 25 %
    assert v["scope"]["added_items"] == 1 and v["scope"]["change_pct"] == 25.0
    # a rate missing for someone: no cost rather than a partial one
    assert final_variances(pf, {}, None, {"ana@example.com": 1.0})["cost"]["actual"] is None


def test_derived_lessons_cover_each_category():
    lessons = {x.category: x for x in derive_lessons(frames(), ChecksSettings())}
    assert set(lessons) == {"slip", "estimation", "rework", "bottleneck", "risk",
                            "over_allocation"}  # fmt: skip
    slip = lessons["slip"]
    assert slip.title == "T1 slipped 10 days past its due date"
    assert "reopened 1 times" in slip.detail and "'Review'" in slip.detail
    assert slip.owner == "ana@example.com" and slip.evidence == ("t1",)
    # story: 24 h logged on 16 h estimated = 1.5 (defects at 1.0 raise no lesson)
    assert lessons["estimation"].title.startswith("story items were underestimated: 1.50")
    assert lessons["estimation"].evidence[0] == "t1"  # the worst first
    assert lessons["rework"].evidence == ("t1",)
    assert "'Review'" in lessons["bottleneck"].title
    assert (
        lessons["risk"].evidence == ("k1",) and "1 of them had no owner" in lessons["risk"].detail
    )
    assert lessons["over_allocation"].evidence == ("ana@example.com",)
    assert all(x.action and x.kind == "derived" for x in lessons.values())


def test_explicit_lessons_by_type_or_label():
    lessons = explicit_lessons(frames())
    assert [(x.evidence, x.title, x.owner) for x in lessons] == [
        (("l1",), "Book the test lab early", "bo@example.com"),
        (("r1",), "Sprint 3 retro", "lead@example.com"),  # unassigned: the lead
    ]
