"""Planted problems of the demo tenant, each recorded with the ids a check should report.

Ids are qualified as in the warehouse (``jira:10001``, ``shifts:TCK_…``, people by e-mail),
so a test can compare a check's finding with the manifest entry directly.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from sandbox.generator.graph_build import GraphBuilder
from sandbox.generator.jira_build import JiraBuilder
from sandbox.timefmt import parse_iso


def _problem(
    pid: str, check: str, project: str | None, ids: list[str], detail: str
) -> dict[str, Any]:
    return {"id": pid, "check": check, "project": project, "ids": ids, "detail": detail}


def _jid(record: dict[str, Any]) -> str:
    return f"jira:{record['id']}"


def _of(jira: JiraBuilder, key: str) -> list[dict[str, Any]]:
    return [i for i in jira.issues if i["fields"]["project"]["key"] == key]


def _weekday_before(now: datetime, days: int) -> datetime:
    day = (now - timedelta(days=days)).replace(
        tzinfo=None, hour=0, minute=0, second=0, microsecond=0
    )
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def plant_problems(
    rng: random.Random,
    jira: JiraBuilder,
    graph: GraphBuilder,
    projects: list[dict[str, Any]],
    people: list[dict[str, Any]],
    team_id: str,
    now: datetime,
) -> list[dict[str, Any]]:
    by_key = {p["key"]: p for p in projects}
    return [
        _late_project(jira, now),
        *_dependencies(jira, by_key["LATE"], people, now),
        _over_allocated(jira, people[1], now),
        *_long_day(jira, graph, people[2], team_id, now),
        _negative_time_card(graph, people[3], team_id, now),
        _missing_estimates(jira),
        _stale_in_progress(jira, now),
        _unowned_risk(jira),
        _wrong_day_worklog(jira, people, now),
        _deleted_worklog(jira, people[0], now),
    ]


def _late_project(jira: JiraBuilder, now: datetime) -> dict[str, Any]:
    late = [
        i
        for i in _of(jira, "LATE")
        if i["fields"]["duedate"]
        and i["fields"]["status"]["name"] != "Done"
        and i["fields"]["duedate"] <= now.date().isoformat()
    ]
    return _problem(
        "late_project",
        "evm.spi",
        "LATE",
        [_jid(i) for i in late],
        "Half of the work due by now is not done: SPI well below 0.8.",
    )


def _dependencies(
    jira: JiraBuilder, project: dict[str, Any], people: list[dict[str, Any]], now: datetime
) -> list[dict[str, Any]]:
    created = now - timedelta(days=60)
    cycle = [
        jira.issue(
            project,
            "Task",
            f"Cycle task {n}",
            status="In Progress",
            assignee=people[4],
            created=created,
            timeoriginalestimate=8 * 3600,
            story_points=2,
            duedate=(now + timedelta(days=10 + i)).date().isoformat(),
        )
        for i, n in enumerate("ABC")
    ]
    for a, b in zip(cycle, cycle[1:] + cycle[:1], strict=True):
        jira.link("Blocks", a, b)
    chain = [
        jira.issue(
            project,
            "Task",
            f"Critical path step {n}",
            status="In Progress" if n == 1 else "To Do",
            assignee=people[5],
            created=created,
            timeoriginalestimate=40 * 3600,
            story_points=8,
            duedate=(now + timedelta(days=7 * n)).date().isoformat(),
        )
        for n in range(1, 5)
    ]
    milestone = jira.issue(
        project,
        "Milestone",
        "Go-live of the data platform",
        assignee=people[5],
        created=created,
        duedate=(now + timedelta(days=40)).date().isoformat(),
    )
    for a, b in zip(chain, [*chain[1:], milestone], strict=True):
        jira.link("Blocks", a, b)
    jira.move(chain[1], "Blocked", now - timedelta(days=6), people[5])
    return [
        _problem(
            "dependency_cycle",
            "dependencies.cycles",
            "LATE",
            [_jid(i) for i in cycle],
            " blocks ".join(i["key"] for i in [*cycle, cycle[0]]),
        ),
        _problem(
            "blocked_critical_path",
            "dependencies.blocked_critical_items",
            "LATE",
            [_jid(chain[1])],
            f"{chain[1]['key']} is Blocked on the longest chain to {milestone['key']}.",
        ),
    ]


def _over_allocated(jira: JiraBuilder, person: dict[str, Any], now: datetime) -> dict[str, Any]:
    items = [i for i in _of(jira, "CRM") if i["fields"]["issuetype"]["name"] in ("Story", "Task")][
        :2
    ]
    ids = [f"person:{person['email']}"]
    monday = _weekday_before(now, 7)
    monday -= timedelta(days=monday.weekday())
    for day in range(5):
        for item in items:
            log = jira.worklog(item, person, (monday + timedelta(days=day)).replace(hour=8), 5.5)
            ids.append(f"jira-worklog:{log['id']}")
    return _problem(
        "over_allocated_person",
        "resources.over_allocated_people",
        "CRM",
        ids,
        f"{person['email']} logged 55 h in the week of {monday:%Y-%m-%d} against "
        f"{person['weekly_capacity_hours']} h capacity.",
    )


def _long_day(
    jira: JiraBuilder, graph: GraphBuilder, person: dict[str, Any], team_id: str, now: datetime
) -> list[dict[str, Any]]:
    day = _weekday_before(now, 3)
    item = next(i for i in _of(jira, "QA") if i["fields"]["status"]["name"] != "To Do")
    logs = [
        jira.worklog(item, person, day.replace(hour=7), 8.0),
        jira.worklog(item, person, day.replace(hour=15), 6.0),
    ]
    card = graph.time_card(team_id, person, day.replace(hour=6), day.replace(hour=20, minute=30))
    return [
        _problem(
            "long_day_worklogs",
            "timesheet.long_days",
            "QA",
            [f"person:{person['email']}", *(f"jira-worklog:{w['id']}" for w in logs)],
            f"{person['email']} logged 14 h on {day:%Y-%m-%d}.",
        ),
        _problem(
            "long_day_time_card",
            "timesheet.long_days",
            None,
            [f"shifts:{card['id']}"],
            f"A 14 h 30 min time card for {person['email']} on {day:%Y-%m-%d}.",
        ),
    ]


def _negative_time_card(
    graph: GraphBuilder, person: dict[str, Any], team_id: str, now: datetime
) -> dict[str, Any]:
    day = _weekday_before(now, 4)
    card = graph.time_card(
        team_id, person, day.replace(hour=17), day.replace(hour=9), break_minutes=0
    )
    return _problem(
        "clock_out_before_clock_in",
        "quality.time_card_order",
        None,
        [f"shifts:{card['id']}"],
        "A time card that clocks out eight hours before it clocks in.",
    )


def _missing_estimates(jira: JiraBuilder) -> dict[str, Any]:
    stories = [i for i in _of(jira, "PLAN") if i["fields"]["issuetype"]["name"] == "Story"][:5]
    for story in stories:
        story["fields"]["timeoriginalestimate"] = None
        story["fields"].pop("customfield_10016", None)
    return _problem(
        "missing_estimates",
        "planning.missing_estimates_pct",
        "PLAN",
        [_jid(i) for i in stories],
        f"{len(stories)} planning stories have neither an estimate nor story points.",
    )


def _stale_in_progress(jira: JiraBuilder, now: datetime) -> dict[str, Any]:
    stale = [
        i
        for i in _of(jira, "CRM")
        if i["fields"]["status"]["name"] == "To Do" and i["fields"]["issuetype"]["name"] != "Risk"
    ][:2]
    for item in stale:
        item["fields"]["updated"] = item["fields"]["created"]
        jira.move(item, "In Progress", now - timedelta(days=45), None)
    return _problem(
        "stale_in_progress",
        "flow.stale_in_progress",
        "CRM",
        [_jid(i) for i in stale],
        "In progress for 45 days without any change.",
    )


def _unowned_risk(jira: JiraBuilder) -> dict[str, Any]:
    risk = next(i for i in _of(jira, "QA") if i["fields"]["issuetype"]["name"] == "Risk")
    risk["fields"]["assignee"] = None
    return _problem(
        "unowned_risk", "risk.unowned", "QA", [_jid(risk)], f"{risk['key']} has no owner."
    )


def _wrong_day_worklog(
    jira: JiraBuilder, people: list[dict[str, Any]], now: datetime
) -> dict[str, Any]:
    person = next(p for p in people if p["time_zone"] == "Pacific/Auckland")
    item = next(i for i in _of(jira, "TRN") if i["fields"]["status"]["name"] != "To Do")
    day = _weekday_before(now, 2)
    log = jira.worklog(item, person, day.replace(hour=8), 3.0)
    utc_day = parse_iso(log["started"]).astimezone(UTC).date().isoformat()
    return _problem(
        "worklog_day_across_time_zones",
        "timesheet.local_day",
        "TRN",
        [f"jira-worklog:{log['id']}"],
        f"Started {day:%Y-%m-%d} 08:00 in {person['time_zone']}, which is {utc_day} in UTC: "
        "bucket by the author's day.",
    )


def _deleted_worklog(jira: JiraBuilder, person: dict[str, Any], now: datetime) -> dict[str, Any]:
    item = next(i for i in _of(jira, "CRM") if i["fields"]["status"]["name"] == "Done")
    log = jira.worklog(item, person, _weekday_before(now, 5).replace(hour=10), 2.0)
    jira.delete_worklog(log, now - timedelta(days=2))
    return _problem(
        "deleted_worklog",
        "sync.deleted_worklogs",
        "CRM",
        [f"jira-worklog:{log['id']}"],
        "A worklog deleted two days ago: a sync must tombstone it.",
    )
