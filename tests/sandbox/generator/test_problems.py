"""Every planted problem is really in the data, and the clean variant has none of them.

Each case reads the tenant JSON independently (tests/sandbox/generator/analysis.py), the
way a connector and the checks would, and compares with the manifest's ids.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.sandbox.generator import analysis as a

Pair = tuple[dict[str, Any], dict[str, Any]]
VOCABULARY = {
    "evm.spi",
    "resources.over_allocation",
    "dependencies.cycle",
    "dependencies.blocked_critical_path",
    "timesheet.long_day",
    "timesheet.clock_out_before_in",
    "planning.missing_estimates",
    "flow.stale_in_progress",
    "risk.unowned",
    "risk.overdue_mitigation",
    "timesheet.work_date_timezone",
    "jira.deleted_worklog",
    "qa.open_critical_defects",
    "qa.uat_signoff_missing",
}


def _problems(manifest: dict[str, Any], check: str) -> list[dict[str, Any]]:
    found = [p for p in manifest["problems"] if p["check"] == check]
    assert found, f"no planted problem for {check}"
    return found


def test_manifest_covers_the_whole_vocabulary(demo: Pair) -> None:
    checks = {p["check"] for p in demo[1]["problems"]}
    assert checks == VOCABULARY
    ids = [p["id"] for p in demo[1]["problems"]]
    assert len(ids) == len(set(ids)), "problem ids are unique"
    for p in demo[1]["problems"]:
        assert p["ids"] and p["detail"] and p["project"]


def test_every_jira_id_in_the_manifest_exists(demo: Pair) -> None:
    tenant, manifest = demo
    issues = {f"jira:{i['id']}" for i in tenant["jira"]["issues"]}
    worklogs = {f"jira:worklog:{w['id']}" for w in tenant["jira"]["worklogs"]}
    deleted = {f"jira:worklog:{d['worklogId']}" for d in tenant["jira"]["deleted_worklogs"]}
    people = {p["email"] for p in tenant["people"]}
    cards = {f"shifts:{c['id']}" for c in a.all_time_cards(tenant)}
    rows = {
        f"sharepoint:{lst['id']}:{item['id']}"
        for s in tenant["graph"]["sites"]
        for lst in s["lists"]
        for item in lst["items"]
    }
    known = issues | worklogs | deleted | people | cards | rows
    for p in manifest["problems"]:
        assert set(p["ids"]) <= known, (p["id"], set(p["ids"]) - known)


def test_late_project_has_spi_below_0_8(demo: Pair) -> None:
    # the planted late project, and only it, is far behind plan
    tenant, manifest = demo
    (late,) = _problems(manifest, "evm.spi")
    value = a.spi(tenant, late["project"])
    assert value is not None and value < 0.8
    assert value == pytest.approx(late["expected"]["spi"], abs=0.01)
    today = a.now_of(tenant).date().isoformat()
    for issue in a.issues_of(tenant, late["project"]):
        if f"jira:{issue['id']}" in late["ids"]:
            assert not a.is_done(issue) and issue["fields"]["duedate"] < today


def test_over_allocated_person_is_over_capacity_for_weeks(demo: Pair) -> None:
    tenant, manifest = demo
    (over,) = _problems(manifest, "resources.over_allocation")
    person = over["expected"]["person"]
    limit = a.capacity(tenant)[person] * 1.1
    weeks = [
        h for (who, _), h in a.hours_by_person_week(tenant).items() if who == person and h > limit
    ]
    assert len(weeks) >= 4, weeks


def test_cycle_is_a_cycle(demo: Pair) -> None:
    tenant, manifest = demo
    (cycle,) = _problems(manifest, "dependencies.cycle")
    assert set(cycle["ids"]) in a.cycles(tenant)


def test_blocked_item_sits_on_the_critical_path(demo: Pair) -> None:
    # the heaviest open chain runs through the blocked item, whose blocker is overdue
    tenant, manifest = demo
    (planted,) = _problems(manifest, "dependencies.blocked_critical_path")
    blocked, blocker = planted["ids"]
    path = a.critical_path(tenant, planted["project"])
    assert path == planted["expected"]["chain"]
    assert a.blocked_on_critical_path(tenant, planted["project"]) == {blocked}
    assert blocker in a.blocks_graph(tenant).predecessors(blocked)
    issues = {a.qid(i): i for i in tenant["jira"]["issues"]}
    today = a.now_of(tenant).date().isoformat()
    assert issues[blocked]["fields"]["status"]["name"] == "Blocked"
    assert not a.is_done(issues[blocker]) and issues[blocker]["fields"]["duedate"] < today


def test_long_days_exceed_twelve_hours(demo: Pair) -> None:
    tenant, manifest = demo
    days = a.hours_by_person_day(tenant)
    long = {(who, d.isoformat()) for (who, d), h in days.items() if h > 12}
    planted = {
        (p["expected"]["person"], p["expected"]["work_date"])
        for p in _problems(manifest, "timesheet.long_day")
    }
    assert len(planted) == 2
    assert long == planted


def test_time_card_clocks_out_before_it_clocks_in(demo: Pair) -> None:
    tenant, manifest = demo
    (card,) = _problems(manifest, "timesheet.clock_out_before_in")
    assert a.negative_cards(tenant) == {i for i in card["ids"] if i.startswith("shifts:")}


def test_missing_estimates(demo: Pair) -> None:
    tenant, manifest = demo
    (planted,) = _problems(manifest, "planning.missing_estimates")
    assert a.missing_estimates(tenant) == set(planted["ids"])


def test_stale_in_progress(demo: Pair) -> None:
    tenant, manifest = demo
    (planted,) = _problems(manifest, "flow.stale_in_progress")
    assert a.stale_in_progress(tenant) == set(planted["ids"])


def test_unowned_risk_and_overdue_mitigation(demo: Pair) -> None:
    tenant, manifest = demo
    assert a.unowned_risks(tenant) == set(_problems(manifest, "risk.unowned")[0]["ids"])
    overdue = _problems(manifest, "risk.overdue_mitigation")[0]
    assert a.overdue_mitigations(tenant) == set(overdue["ids"])


def test_worklogs_on_the_wrong_utc_day(demo: Pair) -> None:
    # started late evening in UTC-5 (next day in UTC) and early morning in UTC+5:30
    tenant, manifest = demo
    (planted,) = _problems(manifest, "timesheet.work_date_timezone")
    crossing = a.cross_day_worklogs(tenant)
    assert set(crossing) == set(planted["ids"])
    for wid, (local, utc) in crossing.items():
        assert planted["expected"]["work_dates"][wid] == local != utc


def test_deleted_worklog_is_only_in_the_deleted_list(demo: Pair) -> None:
    tenant, manifest = demo
    (planted,) = _problems(manifest, "jira.deleted_worklog")
    wid = int(planted["ids"][0].rsplit(":", 1)[1])
    assert wid in {d["worklogId"] for d in tenant["jira"]["deleted_worklogs"]}
    assert str(wid) not in {w["id"] for w in tenant["jira"]["worklogs"]}


def test_open_critical_defects_and_missing_signoff(demo: Pair) -> None:
    tenant, manifest = demo
    defects = _problems(manifest, "qa.open_critical_defects")[0]
    assert a.open_critical_defects(tenant) == set(defects["ids"])
    signoff = _problems(manifest, "qa.uat_signoff_missing")[0]
    assert a.open_signoffs(tenant) == {signoff["ids"][0]}


def test_clean_variant_has_none_of_the_problems(clean_demo: Pair) -> None:
    tenant, manifest = clean_demo
    assert manifest["problems"] == []
    for p in tenant["jira"]["projects"]:
        phase = (p["properties"].get("pmo-charter") or {}).get("phase")
        if phase in ("execution", "qa_uat", "training_documentation", "closeout"):
            assert a.spi(tenant, p["key"]) >= 0.9, p["key"]
    limits = a.capacity(tenant)
    weeks = a.hours_by_person_week(tenant)
    assert all(h <= limits[who] * 1.1 for (who, _), h in weeks.items())
    assert max(a.hours_by_person_day(tenant).values()) <= 12
    assert a.cycles(tenant) == []
    for project in tenant["jira"]["projects"]:
        assert a.blocked_on_critical_path(tenant, project["key"]) == set(), project["key"]
    assert a.negative_cards(tenant) == set()
    assert a.missing_estimates(tenant) == set()
    assert a.stale_in_progress(tenant) == set()
    assert a.unowned_risks(tenant) == set() and a.overdue_mitigations(tenant) == set()
    assert a.cross_day_worklogs(tenant) == {}
    assert tenant["jira"]["deleted_worklogs"] == []
    assert a.open_critical_defects(tenant) == set() and a.open_signoffs(tenant) == set()


def test_demo_has_the_healthy_parts_too(demo: Pair) -> None:
    # beyond the planted problems, the demo carries what checks need on good days
    tenant, manifest = demo
    names = {i["fields"]["issuetype"]["name"] for i in tenant["jira"]["issues"]}
    assert names >= {
        "Epic",
        "Story",
        "Task",
        "Sub-task",
        "Bug",
        "Risk",
        "UAT",
        "Training",
        "Documentation",
        "Gate Review",
        "Lesson",
    }
    reopened = [
        i
        for i in tenant["jira"]["issues"]
        if any(c["items"][0].get("toString") == "Reopened" for c in i["changelog"])
    ]
    assert reopened, "some items were reopened"
    handed_over = [
        i
        for i in tenant["jira"]["issues"]
        if any(c["items"][0]["field"] == "assignee" for c in i["changelog"])
    ]
    assert handed_over, "some items changed assignee"
    (request,) = manifest["gate_requests"]
    issue = next(i for i in tenant["jira"]["issues"] if a.qid(i) == request["issue"])
    assert issue["fields"]["status"]["name"] == "Requested"
    assert issue["fields"]["summary"] == "Gate review: NET planning"
    assert "gate-review" in issue["fields"]["labels"]
