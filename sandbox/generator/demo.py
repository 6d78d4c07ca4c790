"""The demo portfolio: one project in each lifecycle phase, a finished project ready for
closeout, and planted problems listed in a manifest so tests can check each is detected.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from sandbox.generator import catalog
from sandbox.generator.graph_build import GraphBuilder
from sandbox.generator.jira_build import JiraBuilder
from sandbox.generator.people import make_people
from sandbox.generator.planted import plant_problems
from sandbox.tenant import FORMAT_NAME, FORMAT_VERSION
from sandbox.timefmt import agile_ts

DEFAULT_NOW = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)
# key, name, phase, started (days ago), target (days ahead), items, healthy share done by now
PROJECTS = [
    ("INIT", "Digital Workplace Initiative", "initiation", 10, 300, 4, 1.0),
    ("PLAN", "ERP Upgrade", "planning", 40, 260, 16, 1.0),
    ("CRM", "CRM Rollout", "execution", 150, 90, 30, 1.0),
    ("LATE", "Data Platform Migration", "execution", 160, 40, 30, 0.5),
    ("QA", "Service Desk Replacement", "qa_uat", 200, 30, 24, 1.0),
    ("TRN", "Intranet Relaunch", "training_documentation", 220, 15, 20, 1.0),
    ("DONE", "Laptop Refresh 2026", "closeout", 240, -10, 20, 1.0),
]
WORK_TYPES = {
    "initiation": ["Task"],
    "planning": ["Story", "Task"],
    "execution": ["Story", "Task"],
    "qa_uat": ["UAT", "Bug", "Story"],
    "training_documentation": ["Training", "Documentation"],
    "closeout": ["Task", "Story"],
}


def generate_demo(
    seed: int = 7, now: datetime = DEFAULT_NOW
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A demo tenant document and its manifest of planted problems."""
    rng = random.Random(seed)
    people = make_people(rng, 14)
    jira = JiraBuilder(rng, now)
    graph = GraphBuilder(rng, now)
    projects, versions, boards, sprints = [], [], [], []
    for index, spec in enumerate(PROJECTS):
        team = people[(index * 2) % len(people) :][:4] or people[:4]
        project = _project(index, spec, team[0], now)
        projects.append(project)
        versions += _versions(project, now, spec)
        boards.append(
            {
                "id": index + 1,
                "name": f"{project['key']} board",
                "type": "scrum",
                "location": {
                    "projectId": int(project["id"]),
                    "projectKey": project["key"],
                    "projectName": project["name"],
                },
            }
        )
        sprints += _sprints(index + 1, project["key"], now)
        _work_items(jira, project, spec, team, now)
    _planner(graph, jira, projects, people, now)
    _shifts_and_timesheets(graph, people, now)
    teams = [
        {
            "id": "3f1c9a2e-5b7d-4e8f-9a0b-1c2d3e4f5a6b",
            "displayName": "PMO",
            "channels": [{"id": "19:pmo-general@thread.tacv2", "displayName": "PMO"}],
        }
    ]
    manifest = {
        "seed": seed,
        "problems": plant_problems(rng, jira, graph, projects, people, teams[0]["id"], now),
    }
    doc = {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "generator": {"seed": seed, "scale": "demo"},
        "now": now.isoformat(),
        "time_zone": "Europe/Berlin",
        "credentials": _credentials(rng),
        "people": people,
        "jira": {
            "fields": catalog.fields(),
            "issue_types": catalog.issue_types(),
            "statuses": catalog.statuses(),
            "issue_link_types": [dict(t) for t in catalog.LINK_TYPES],
            "projects": projects,
            "issues": jira.issues,
            "worklogs": jira.worklogs,
            "deleted_worklogs": jira.deleted_worklogs,
            "versions": versions,
            "boards": boards,
            "sprints": sprints,
        },
        "graph": graph.document(people, teams),
    }
    return doc, manifest


def _credentials(rng: random.Random) -> dict[str, Any]:
    token = "".join(rng.choice("abcdefghijkmnopqrstuvwxyz23456789") for _ in range(24))
    return {
        "jira": {
            "email": "pmo-bot@example.com",
            "api_token": f"ATATT-sandbox-{token}",
            "pat": f"pat-sandbox-{token[::-1]}",
        },
        "graph": {"token": f"eyJ0eXAiOiJKV1QiLCJzYW5kYm94Ijp0cnVlfQ.{token}"},
        "webhook": {"sig": f"sig-{token[:12]}"},
    }


def _project(
    index: int, spec: tuple[Any, ...], lead: dict[str, Any], now: datetime
) -> dict[str, Any]:
    key, name, phase, started, ahead, items, _ = spec
    start, target = now - timedelta(days=started), now + timedelta(days=ahead)
    hours = items * 16
    charter = {
        "phase": phase,
        "start_date": start.date().isoformat(),
        "target_date": target.date().isoformat(),
        "baseline_date": (start + timedelta(days=14)).isoformat(),
        "budget_hours": hours,
        "budget_cost": hours * 95,
        "objectives": [f"Deliver {name} on time", "Adoption by all target users"],
        "kpi_targets": {
            "adoption": {"target": 0.8, "unit": "share", "direction": "higher"},
            "tickets_per_user": {"target": 0.5, "unit": "count", "direction": "lower"},
        },
        "kpi_actuals": {"adoption": 0.86, "tickets_per_user": 0.4} if phase == "closeout" else {},
    }
    return {
        "id": str(10000 + index),
        "key": key,
        "name": name,
        "projectTypeKey": "software",
        "description": f"{name} ({phase}).",
        "lead": {"accountId": lead["account_id"]},
        "properties": {"pmo-charter": charter},
    }


def _versions(
    project: dict[str, Any], now: datetime, spec: tuple[Any, ...]
) -> list[dict[str, Any]]:
    start, ahead = now - timedelta(days=spec[3]), now + timedelta(days=spec[4])
    out = []
    for n, share in enumerate((0.33, 0.66, 1.0), start=1):
        when = start + (ahead - start) * share
        out.append(
            {
                "id": str(int(project["id"]) * 10 + n),
                "name": f"{project['key']} M{n}",
                "description": f"Milestone {n}",
                "archived": False,
                "released": when < now,
                "releaseDate": when.date().isoformat(),
                "userReleaseDate": when.strftime("%d/%b/%y"),
                "overdue": False,
                "projectId": int(project["id"]),
            }
        )
    return out


def _sprints(board_id: int, key: str, now: datetime) -> list[dict[str, Any]]:
    out = []
    for n in range(6):
        start = now - timedelta(days=14 * (4 - n))
        state = "closed" if n < 4 else "active" if n == 4 else "future"
        sprint = {
            "id": board_id * 100 + n + 1,
            "state": state,
            "name": f"{key} Sprint {n + 1}",
            "startDate": agile_ts(start),
            "endDate": agile_ts(start + timedelta(days=14)),
            "originBoardId": board_id,
            "goal": f"Sprint goal {n + 1}",
        }
        if state == "closed":
            sprint["completeDate"] = agile_ts(start + timedelta(days=14))
        out.append(sprint)
    return out


def _work_items(
    jira: JiraBuilder,
    project: dict[str, Any],
    spec: tuple[Any, ...],
    team: list[dict[str, Any]],
    now: datetime,
) -> None:
    _, name, phase, started, ahead, count, done_share = spec
    start, target = now - timedelta(days=started), now + timedelta(days=ahead)
    epic = jira.issue(
        project, "Epic", f"{name}: delivery", status="In Progress", assignee=team[0], created=start
    )
    for n in range(count):
        due = start + (target - start) * ((n + 1) / count)
        type_name = WORK_TYPES[phase][n % len(WORK_TYPES[phase])]
        hours = jira.rng.choice([4, 8, 8, 16, 24])
        extra: dict[str, Any] = {
            "duedate": due.date().isoformat(),
            "parent": {"id": epic["id"], "key": epic["key"]},
            "timeoriginalestimate": hours * 3600,
            "story_points": hours // 4,
        }
        if type_name == "Bug":
            extra["severity"] = {"value": jira.rng.choice(["Critical", "Major", "Minor"])}
        who = team[n % len(team)]
        item = jira.issue(
            project,
            type_name,
            f"{type_name} {n + 1}: {name.lower()} work package",
            assignee=who,
            created=start + timedelta(days=1),
            **extra,
        )
        _progress(jira, item, who, due, now, done_share, n)
    for n in range(3):
        jira.issue(
            project,
            "Risk",
            f"Risk {n + 1} of {name}",
            assignee=team[n % len(team)],
            created=start,
            risk_probability=jira.rng.randint(1, 5),
            risk_impact=jira.rng.randint(1, 5),
            mitigation="Agreed mitigation with the sponsor",
            mitigation_due=(now + timedelta(days=20)).date().isoformat(),
        )
    if phase == "closeout":
        jira.move(epic, "Done", now - timedelta(days=12), team[0])
        jira.issue(
            project,
            "Lesson",
            "Lesson: order hardware a quarter ahead",
            assignee=team[0],
            created=now - timedelta(days=5),
        )


def _progress(
    jira: JiraBuilder,
    item: dict[str, Any],
    who: dict[str, Any],
    due: datetime,
    now: datetime,
    done_share: float,
    n: int,
) -> None:
    """Work due by now is done (a late project finishes only ``done_share`` of it); work due
    in the next two weeks is in progress; both carry worklogs."""
    late_miss = done_share < 1 and n % 2 == 1  # every other item due so far is unfinished
    if due <= now and not late_miss:
        done_at = min(due, now - timedelta(days=1))
        jira.move(item, "Done", done_at, who)
        _log_work(jira, item, who, done_at)
    elif due <= now + timedelta(days=14):
        jira.move(item, "In Progress", min(due, now) - timedelta(days=3), who)
        _log_work(jira, item, who, now - timedelta(days=2))


def _log_work(
    jira: JiraBuilder, item: dict[str, Any], who: dict[str, Any], until: datetime
) -> None:
    estimate_h = (item["fields"]["timeoriginalestimate"] or 8 * 3600) / 3600
    day = until - timedelta(days=3)
    for _ in range(3):
        while day.weekday() >= 5:
            day -= timedelta(days=1)
        local = day.replace(tzinfo=None, hour=9, minute=0, second=0, microsecond=0)
        jira.worklog(item, who, local, round(estimate_h / 3, 2))
        day += timedelta(days=1)


def _planner(
    graph: GraphBuilder,
    jira: JiraBuilder,
    projects: list[dict[str, Any]],
    people: list[dict[str, Any]],
    now: datetime,
) -> None:
    buckets = ["Planning", "Execution", "QA / UAT", "Training & documentation"]
    for project in projects:
        if project["key"] not in ("CRM", "TRN"):
            continue
        plan = graph.plan(f"{project['name']} plan", people[0], buckets)
        for n in range(12):
            percent = (100, 50, 0)[n % 3]
            graph.task(
                plan,
                buckets[n % len(buckets)],
                f"{project['key']} planner task {n + 1}",
                people[(n + 3) % len(people)],
                percent=percent,
                due=now + timedelta(days=n * 3 - 10),
                created=now - timedelta(days=60),
            )


def _shifts_and_timesheets(
    graph: GraphBuilder, people: list[dict[str, Any]], now: datetime
) -> None:
    team_id = "3f1c9a2e-5b7d-4e8f-9a0b-1c2d3e4f5a6b"
    for back in range(1, 11):
        day = (now - timedelta(days=back)).replace(
            tzinfo=None, hour=0, minute=0, second=0, microsecond=0
        )
        if day.weekday() >= 5:
            continue
        for person in people[:6]:
            graph.time_card(team_id, person, day.replace(hour=8), day.replace(hour=16, minute=30))
        for person in people[6:9]:
            graph.timesheet(person, day, 7.5, "CRM", "CRM-2")
