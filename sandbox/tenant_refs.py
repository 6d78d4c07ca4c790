"""Referential integrity of a tenant document: every id a record points at must exist.

Messages name the record (by key or id) and the key that dangles, so a broken generated or
hand-written tenant says exactly what to fix.
"""

from __future__ import annotations

from collections import Counter
from typing import Any


def _dupes(values: list[Any], what: str) -> list[str]:
    return [f"{what} {v!r} appears {n} times" for v, n in Counter(values).items() if n > 1]


def validate_jira(doc: dict[str, Any]) -> list[str]:
    jira = doc["jira"]
    people = {p["account_id"] for p in doc["people"]}
    projects = {p["id"]: p["key"] for p in jira.get("projects", [])}
    issues = {i["id"]: i for i in jira.get("issues", [])}
    problems = _dupes([p["key"] for p in jira.get("projects", [])], "project key")
    problems += _dupes([i["id"] for i in jira.get("issues", [])], "issue id")
    problems += _dupes([i["key"] for i in jira.get("issues", [])], "issue key")
    problems += _dupes([w["id"] for w in jira.get("worklogs", [])], "worklog id")
    for project in jira.get("projects", []):
        if project.get("lead", {}).get("accountId") not in people:
            problems.append(f"project {project['key']}: lead is not a known person")
    known = _known_refs(jira)
    for issue in jira.get("issues", []):
        problems += _issue_refs(issue, projects, issues, people, known)
    worklog_ids = set()
    for log in jira.get("worklogs", []):
        worklog_ids.add(str(log["id"]))
        if str(log.get("issueId")) not in issues:
            problems.append(f"worklog {log['id']}: issueId {log.get('issueId')} is no issue")
        if log.get("author", {}).get("accountId") not in people:
            problems.append(f"worklog {log['id']}: author is not a known person")
    for entry in jira.get("deleted_worklogs", []):
        if str(entry["worklogId"]) in worklog_ids:
            problems.append(f"deleted_worklogs: worklog {entry['worklogId']} still exists")
    problems += _agile_refs(jira, projects)
    return problems


def _known_refs(jira: dict[str, Any]) -> dict[str, set[str]]:
    return {
        "types": {t["id"] for t in jira.get("issue_types", [])},
        "statuses": {s["id"] for s in jira.get("statuses", [])},
        "versions": {str(v["id"]) for v in jira.get("versions", [])},
        "sprints": {str(s["id"]) for s in jira.get("sprints", [])},
        "link_types": {t["id"] for t in jira.get("issue_link_types", [])},
    }


def _issue_refs(
    issue: dict[str, Any],
    projects: dict[str, str],
    issues: dict[str, Any],
    people: set[str],
    known: dict[str, set[str]],
) -> list[str]:
    f, key, out = issue["fields"], issue["key"], []
    project = f.get("project", {})
    if projects.get(project.get("id")) != project.get("key"):
        out.append(f"issue {key}: fields.project {project.get('id')} is no project")
    elif not key.startswith(f"{project['key']}-"):
        out.append(f"issue {key}: key does not start with its project key {project['key']}")
    if f.get("issuetype", {}).get("id") not in known["types"]:
        out.append(f"issue {key}: fields.issuetype is unknown")
    if f.get("status", {}).get("id") not in known["statuses"]:
        out.append(f"issue {key}: fields.status is unknown")
    for role in ("assignee", "reporter"):
        if f.get(role) and f[role].get("accountId") not in people:
            out.append(f"issue {key}: fields.{role} is not a known person")
    if f.get("parent") and f["parent"].get("id") not in issues:
        out.append(f"issue {key}: fields.parent {f['parent'].get('id')} is no issue")
    for version in f.get("fixVersions") or []:
        if str(version.get("id")) not in known["versions"]:
            out.append(f"issue {key}: fixVersion {version.get('id')} is no version")
    for sprint in f.get("customfield_10020") or []:
        if str(sprint.get("id")) not in known["sprints"]:
            out.append(f"issue {key}: sprint {sprint.get('id')} is no sprint")
    for link in f.get("issuelinks") or []:
        out += _link_refs(issue, link, issues, known)
    for history in issue.get("changelog") or []:
        if history.get("author", {}).get("accountId") not in people:
            out.append(f"issue {key}: changelog {history.get('id')} author is not a known person")
    return out


def _link_refs(
    issue: dict[str, Any], link: dict[str, Any], issues: dict[str, Any], known: dict[str, set[str]]
) -> list[str]:
    key = issue["key"]
    if link.get("type", {}).get("id") not in known["link_types"]:
        return [f"issue {key}: link {link.get('id')} has an unknown type"]
    side, mirror = (
        ("outwardIssue", "inwardIssue")
        if "outwardIssue" in link
        else ("inwardIssue", "outwardIssue")
    )
    other = issues.get(link.get(side, {}).get("id"))
    if other is None:
        return [f"issue {key}: link {link.get('id')} points at a missing issue"]
    back = [
        lk
        for lk in other["fields"].get("issuelinks") or []
        if lk.get("id") == link.get("id") and lk.get(mirror, {}).get("id") == issue["id"]
    ]
    return [] if back else [f"issue {key}: link {link.get('id')} is missing on {other['key']}"]


def _agile_refs(jira: dict[str, Any], projects: dict[str, str]) -> list[str]:
    out = []
    project_ids = {int(p) for p in projects}
    for version in jira.get("versions", []):
        if int(version.get("projectId", -1)) not in project_ids:
            out.append(f"version {version['id']}: projectId is no project")
    boards = {b["id"] for b in jira.get("boards", [])}
    for board in jira.get("boards", []):
        if int(board.get("location", {}).get("projectId", -1)) not in project_ids:
            out.append(f"board {board['id']}: location.projectId is no project")
    for sprint in jira.get("sprints", []):
        if sprint.get("originBoardId") not in boards:
            out.append(f"sprint {sprint['id']}: originBoardId is no board")
    return out


def validate_graph(doc: dict[str, Any]) -> list[str]:
    graph = doc["graph"]
    users = {u["id"] for u in graph.get("users", [])}
    groups = {g["id"] for g in graph.get("groups", [])}
    plans = {p["id"] for p in graph.get("plans", [])}
    buckets = {b["id"]: b["planId"] for b in graph.get("buckets", [])}
    out = _dupes([t["id"] for t in graph.get("tasks", [])], "planner task id")
    out += [
        f"person {p['email']}: graph_user_id is no Graph user"
        for p in doc["people"]
        if p.get("graph_user_id") not in users
    ]
    for plan in graph.get("plans", []):
        if plan.get("container", {}).get("containerId") not in groups:
            out.append(f"plan {plan['id']}: container is no group")
    for bucket in graph.get("buckets", []):
        if bucket["planId"] not in plans:
            out.append(f"bucket {bucket['id']}: planId is no plan")
    tasks = {t["id"] for t in graph.get("tasks", [])}
    for task in graph.get("tasks", []):
        if buckets.get(task.get("bucketId")) != task.get("planId"):
            out.append(
                f"planner task {task['id']}: bucketId is no bucket of plan {task.get('planId')}"
            )
        out += [
            f"planner task {task['id']}: assignment {uid} is no user"
            for uid in task.get("assignments", {})
            if uid not in users
        ]
    out += [
        f"task_details {tid}: no such planner task"
        for tid in graph.get("task_details", {})
        if tid not in tasks
    ]
    teams = {t["id"] for t in graph.get("teams", [])}
    for team_id, cards in graph.get("time_cards", {}).items():
        if team_id not in teams:
            out.append(f"time_cards: {team_id} is no team")
        out += [
            f"time card {c['id']}: userId is no user" for c in cards if c["userId"] not in users
        ]
    out += _timesheet_refs(doc)
    return out


def _timesheet_refs(doc: dict[str, Any]) -> list[str]:
    addresses = {p["email"] for p in doc["people"]}
    addresses |= {a for p in doc["people"] for a in p.get("aliases", [])}
    sites = {s["id"] for s in doc["graph"].get("sites", [])}
    out = [
        f"drive {d['id']}: site is no site"
        for d in doc["graph"].get("drives", [])
        if d.get("site") and d["site"] not in sites
    ]
    for site in doc["graph"].get("sites", []):
        site_users = {
            str(item["id"])
            for lst in site.get("lists", [])
            if lst.get("displayName") == "User Information List"
            for item in lst.get("items", [])
        }
        for lst in site.get("lists", []):
            for item in lst.get("items", []):
                fields = item.get("fields", {})
                person = fields.get("Person")
                if person is not None and person not in addresses:
                    out.append(
                        f"list {lst['displayName']} item {item['id']}: Person {person!r} "
                        "is no known address"
                    )
                lookup = fields.get("PersonLookupId")
                if lookup is not None and str(lookup) not in site_users:
                    out.append(
                        f"list {lst['displayName']} item {item['id']}: PersonLookupId "
                        f"{lookup!r} is in no user information list of the site"
                    )
    return out
