"""A small, exact tenant document (docs/tenant-format.md) for connector tests.

Independent of the generator so each edge case is planted on purpose: time zones and a
DST change, equal `updated` stamps across a page boundary, long changelogs, risks.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from typing import Any

NOW = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)
SECRET_TOKEN = "tok-S3cr3t-jira-4b1d"
SECRET_PAT = "pat-S3cr3t-dc-9f2e"
PEOPLE = [
    ("acc-ana", "Ana.Lima@example.com", "Ana Lima", "America/Sao_Paulo"),
    ("acc-bo", "bo@example.com", "Bo Berg", "Europe/Berlin"),
    ("acc-kim", "kim@example.com", "Kim Ito", "Asia/Tokyo"),
]
STATUSES = [
    {"id": "1", "name": "To Do", "statusCategory": {"key": "new", "name": "To Do"}},
    {
        "id": "3",
        "name": "In Progress",
        "statusCategory": {"key": "indeterminate", "name": "In Progress"},
    },
    {"id": "5", "name": "Done", "statusCategory": {"key": "done", "name": "Done"}},
]
TYPES = [
    {"id": "10001", "name": "Story"},
    {"id": "10002", "name": "Risk"},
    {"id": "10003", "name": "Bug"},
]
FIELDS = [
    {
        "id": "customfield_10016",
        "key": "customfield_10016",
        "name": "Story Points",
        "custom": True,
        "navigable": True,
        "schema": {"type": "number", "custom": "float", "customId": 10016},
    },
    {
        "id": "customfield_10020",
        "key": "customfield_10020",
        "name": "Sprint",
        "custom": True,
        "navigable": True,
        "schema": {"type": "array", "items": "json", "customId": 10020},
    },
    {
        "id": "customfield_10030",
        "key": "customfield_10030",
        "name": "Risk Probability",
        "custom": True,
        "navigable": True,
        "schema": {"type": "number", "customId": 10030},
    },
    {
        "id": "customfield_10031",
        "key": "customfield_10031",
        "name": "Risk Impact",
        "custom": True,
        "navigable": True,
        "schema": {"type": "number", "customId": 10031},
    },
]


def jira_ts(moment: datetime) -> str:
    return (
        moment.strftime("%Y-%m-%dT%H:%M:%S.")
        + f"{moment.microsecond // 1000:03d}"
        + moment.strftime("%z")
    )


def _history(hid: int, at: datetime, frm: dict[str, Any], to: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": str(hid),
        "author": {"accountId": "acc-bo"},
        "created": jira_ts(at),
        "items": [
            {"field": "assignee", "fieldtype": "jira", "fieldId": "assignee"},
            {
                "field": "status",
                "fieldtype": "jira",
                "fieldId": "status",
                "from": frm["id"],
                "fromString": frm["name"],
                "to": to["id"],
                "toString": to["name"],
            },
        ],
    }


def _issue(
    n: int, project: dict[str, Any], updated: datetime, changelog_len: int
) -> dict[str, Any]:
    issue_id = 20000 + n
    created = updated - timedelta(days=30)
    histories = [
        _history(
            issue_id * 100 + h, created + timedelta(hours=h), STATUSES[h % 2], STATUSES[(h + 1) % 2]
        )
        for h in range(changelog_len)
    ]
    kind = TYPES[1] if n % 7 == 0 else TYPES[0]
    fields = {
        "summary": f"Item {n} <script>alert(1)</script>",
        "description": "d",
        "issuetype": kind,
        "project": {"id": project["id"], "key": project["key"], "name": project["name"]},
        "status": STATUSES[n % 3],
        "priority": {"name": "High"},
        "assignee": {"accountId": PEOPLE[n % 3][0]},
        "reporter": {"accountId": "acc-bo"},
        "labels": ["pmo"],
        "created": jira_ts(created),
        "updated": jira_ts(updated),
        "resolutiondate": None,
        "duedate": "2026-12-15",
        "parent": None,
        "fixVersions": [{"id": "300", "name": "R1"}],
        "timeoriginalestimate": 7200,
        "timeestimate": 3600,
        "issuelinks": [],
        "customfield_10016": n % 8,
        "customfield_10020": [{"id": 1, "name": "S1", "state": "active"}],
        "customfield_10030": 3 if kind["name"] == "Risk" else None,
        "customfield_10031": 4 if kind["name"] == "Risk" else None,
    }
    return {
        "id": str(issue_id),
        "key": f"{project['key']}-{n}",
        "fields": fields,
        "changelog": histories,
        "properties": {},
    }


def _worklog(
    wid: int, issue: dict[str, Any], person: tuple[str, ...], started: datetime, updated: datetime
) -> dict[str, Any]:
    from zoneinfo import ZoneInfo

    local = started.astimezone(ZoneInfo(person[3]))
    return {
        "id": str(wid),
        "issueId": issue["id"],
        "author": {"accountId": person[0]},
        "updateAuthor": {"accountId": person[0]},
        "comment": "work",
        "created": jira_ts(updated),
        "updated": jira_ts(updated),
        "started": jira_ts(local),
        "timeSpent": "1h",
        "timeSpentSeconds": 3600,
    }


def build_tenant(
    issues_per_project: int = 30,
    worklogs_per_issue: int = 2,
    same_minute: int = 0,
    long_changelog_every: int = 10,
) -> dict[str, Any]:
    """Two projects. `same_minute` issues share one updated minute (ms apart) at the end."""
    projects = [
        {
            "id": "10000",
            "key": "ABC",
            "name": "Alpha",
            "projectTypeKey": "software",
            "lead": {"accountId": "acc-ana"},
            "properties": {
                "pmo-charter": {
                    "phase": "execution",
                    "start_date": "2026-06-01",
                    "target_date": "2027-01-15",
                    "budget_hours": 4800,
                    "objectives": ["Ship"],
                    "kpi_targets": {"adoption": {"target": 0.8}},
                }
            },
        },
        {
            "id": "10001",
            "key": "DEF",
            "name": "Delta",
            "projectTypeKey": "software",
            "lead": {"accountId": "acc-bo"},
            "properties": {},
        },
    ]
    issues, worklogs = [], []
    base = NOW - timedelta(days=20)
    for p_index, project in enumerate(projects):
        for i in range(issues_per_project):
            n = p_index * 1000 + i + 1
            updated = base + timedelta(minutes=7 * n)
            if i >= issues_per_project - same_minute:
                updated = NOW - timedelta(hours=3) + timedelta(milliseconds=i)
            length = 25 if long_changelog_every and i % long_changelog_every == 0 else 3
            issues.append(_issue(n, project, updated, length))
    for index, issue in enumerate(issues):
        for w in range(worklogs_per_issue):
            person = PEOPLE[(index + w) % 3]
            started = base + timedelta(days=w, hours=index % 24)
            worklogs.append(
                _worklog(
                    900000 + index * 10 + w,
                    issue,
                    person,
                    started,
                    base + timedelta(minutes=index * 3 + w),
                )
            )
    # Copies: a test that renames a field in its sandbox must not rename it for later tests.
    jira = {
        "fields": copy.deepcopy(FIELDS),
        "issue_types": copy.deepcopy(TYPES),
        "statuses": copy.deepcopy(STATUSES),
        "issue_link_types": [
            {"id": "10000", "name": "Blocks", "inward": "is blocked by", "outward": "blocks"}
        ],
        "projects": projects,
        "issues": issues,
        "worklogs": worklogs,
        "deleted_worklogs": [],
        "versions": [
            {
                "id": "300",
                "name": "R1",
                "projectId": "10000",
                "released": False,
                "releaseDate": "2026-12-20",
                "archived": False,
            }
        ],
        "boards": [
            {
                "id": 1,
                "name": "ABC board",
                "type": "scrum",
                "location": {"projectId": 10000, "projectKey": "ABC"},
            }
        ],
        "sprints": [
            {
                "id": 1,
                "name": "S1",
                "state": "active",
                "originBoardId": 1,
                "startDate": "2026-11-16T08:00:00.000Z",
                "endDate": "2026-11-30T08:00:00.000Z",
            }
        ],
    }
    return {
        "format": "pmo-sandbox-tenant",
        "version": 1,
        "now": NOW.isoformat(),
        "time_zone": "Europe/Berlin",
        "credentials": {
            "jira": {"email": "pmo-bot@example.com", "api_token": SECRET_TOKEN, "pat": SECRET_PAT},
            "graph": {"token": "graph-S3cr3t"},
        },
        "people": [
            {
                "account_id": a,
                "graph_user_id": a,
                "email": e,
                "aliases": [],
                "display_name": d,
                "time_zone": z,
                "weekly_capacity_hours": 40,
            }
            for a, e, d, z in PEOPLE
        ],
        "jira": jira,
        "graph": {},
    }
