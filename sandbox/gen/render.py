"""Jira REST v2 shapes of the generated records (issues, changelogs, links, worklogs)."""

from __future__ import annotations

from typing import Any

from sandbox.gen.catalog import (
    BLOCKS,
    RESOLUTION_DONE,
    SITE,
    SPRINT,
    START_DATE,
    STATUSES,
    STORY_POINTS,
    issue_type_ref,
    priority_ref,
    status_ref,
)
from sandbox.gen.model import Item, Link, Project, Worklog
from sandbox.gen.people import Person
from sandbox.timefmt import duration_text, jira_ts


def render_project(project: Project) -> dict[str, Any]:
    out: dict[str, Any] = {
        "self": f"{SITE}/rest/api/2/project/{project.id}",
        "id": str(project.id),
        "key": project.key,
        "name": project.name,
        "description": project.description,
        "projectTypeKey": "software",
        "simplified": False,
        "style": "classic",
        "isPrivate": False,
        "lead": project.lead.jira_user(),
        "properties": {},
    }
    if project.charter is not None:
        out["properties"]["pmo-charter"] = project.charter
    return out


def _ref(item: Item) -> dict[str, Any]:
    return {"id": str(item.id), "key": item.key, "self": f"{SITE}/rest/api/2/issue/{item.id}"}


def _linked(item: Item) -> dict[str, Any]:
    return {
        **_ref(item),
        "fields": {
            "summary": item.summary,
            "status": status_ref(item.status),
            "priority": priority_ref(item.priority),
            "issuetype": issue_type_ref(item.type),
        },
    }


def render_links(links: list[Link]) -> dict[int, list[dict[str, Any]]]:
    """IssueLink entries per issue id, in both directions."""
    per_issue: dict[int, list[dict[str, Any]]] = {}
    for link in links:
        kind = {k: BLOCKS[k] for k in ("id", "name", "inward", "outward", "self")}
        base = {"id": str(link.id), "self": f"{SITE}/rest/api/2/issueLink/{link.id}", "type": kind}
        per_issue.setdefault(link.blocker.id, []).append(
            {**base, "outwardIssue": _linked(link.blocked)}
        )
        per_issue.setdefault(link.blocked.id, []).append(
            {**base, "inwardIssue": _linked(link.blocker)}
        )
    return per_issue


def _user(person: Person | None) -> dict[str, Any] | None:
    return person.jira_user() if person else None


def render_issue(item: Item, links: list[dict[str, Any]], history_ids: Any) -> dict[str, Any]:
    resolved = item.resolved
    fields: dict[str, Any] = {
        "summary": item.summary,
        "description": item.description or None,
        "issuetype": issue_type_ref(item.type),
        "project": {
            "self": f"{SITE}/rest/api/2/project/{item.project.id}",
            "id": str(item.project.id),
            "key": item.project.key,
            "name": item.project.name,
            "projectTypeKey": "software",
        },
        "status": status_ref(item.status),
        "priority": priority_ref(item.priority),
        "resolution": RESOLUTION_DONE if resolved else None,
        "assignee": _user(item.assignee),
        "reporter": item.reporter.jira_user(),
        "labels": list(item.labels),
        "created": jira_ts(item.created),
        "updated": jira_ts(item.last_change()),
        "resolutiondate": jira_ts(resolved) if resolved else None,
        "duedate": item.due.isoformat() if item.due else None,
        "fixVersions": [_version_ref(item.fix_version)] if item.fix_version else [],
        "timeoriginalestimate": int(item.estimate_h * 3600) if item.estimate_h else None,
        "timeestimate": _remaining(item),
        "issuelinks": links,
        STORY_POINTS: item.points,
        START_DATE: item.start.isoformat() if item.start else None,
        SPRINT: [_sprint_ref(s) for s in item.sprints] or None,
    }
    if item.parent is not None:
        fields["parent"] = {
            **_ref(item.parent),
            "fields": {
                "summary": item.parent.summary,
                "status": status_ref(item.parent.status),
                "issuetype": issue_type_ref(item.parent.type),
            },
        }
    fields.update(item.extra_fields)
    return {
        "id": str(item.id),
        "key": item.key,
        "self": f"{SITE}/rest/api/2/issue/{item.id}",
        "fields": fields,
        "changelog": render_changelog(item, history_ids),
        "properties": dict(item.properties),
    }


def _remaining(item: Item) -> int | None:
    if not item.estimate_h:
        return None
    return 0 if item.is_done else int(item.estimate_h * 3600 * (0.5 if item.transitions else 1))


def _version_ref(version: dict[str, Any]) -> dict[str, Any]:
    keys = ("self", "id", "name", "description", "archived", "released", "releaseDate")
    return {k: version[k] for k in keys if k in version}


def _sprint_ref(sprint: dict[str, Any]) -> dict[str, Any]:
    keys = ("id", "name", "state", "startDate", "endDate", "completeDate", "goal")
    return {"boardId": sprint["originBoardId"], **{k: sprint[k] for k in keys if k in sprint}}


def render_changelog(item: Item, history_ids: Any) -> list[dict[str, Any]]:
    """Full history, oldest first: status transitions and assignee changes."""
    events: list[tuple[Any, Person, dict[str, Any]]] = []
    previous = item.initial_status
    for step in item.transitions:
        events.append(
            (
                step.at,
                step.author,
                {
                    "field": "status",
                    "fieldtype": "jira",
                    "fieldId": "status",
                    "from": STATUSES[previous][0],
                    "fromString": previous,
                    "to": STATUSES[step.to_status][0],
                    "toString": step.to_status,
                },
            )
        )
        previous = step.to_status
    for at, old, new, author in item.assignee_changes:
        events.append(
            (
                at,
                author,
                {
                    "field": "assignee",
                    "fieldtype": "jira",
                    "fieldId": "assignee",
                    "from": old.account_id if old else None,
                    "fromString": old.display_name if old else None,
                    "to": new.account_id if new else None,
                    "toString": new.display_name if new else None,
                },
            )
        )
    events.sort(key=lambda e: e[0])
    return [
        {
            "id": str(next(history_ids)),
            "author": author.jira_user(),
            "created": jira_ts(at),
            "items": [change],
        }
        for at, author, change in events
    ]


def render_worklog(log: Worklog) -> dict[str, Any]:
    author = log.author.jira_user()
    return {
        "self": f"{SITE}/rest/api/2/issue/{log.item.id}/worklog/{log.id}",
        "id": str(log.id),
        "issueId": str(log.item.id),
        "author": author,
        "updateAuthor": author,
        "comment": log.comment,
        "created": jira_ts(log.logged),
        "updated": jira_ts(log.logged),
        "started": jira_ts(log.started, log.author.zone),
        "timeSpent": duration_text(log.seconds),
        "timeSpentSeconds": log.seconds,
    }
