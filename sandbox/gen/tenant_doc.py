"""Assembles the tenant document (docs/tenant-format.md) from the generated records."""

from __future__ import annotations

import itertools
from datetime import datetime
from typing import Any

from sandbox.gen import catalog
from sandbox.gen.jira_gen import JiraWorld
from sandbox.gen.model import Worklog
from sandbox.gen.people import Person
from sandbox.gen.render import render_issue, render_links, render_project, render_worklog
from sandbox.tenant import FORMAT_NAME, FORMAT_VERSION

# Sandbox credentials: not secrets (the sandbox is local), but kept out of logs all the same.
CREDENTIALS = {
    "jira": {
        "email": "pmo-bot@example.com",
        "api_token": "sandbox-jira-token",
        "pat": "sandbox-jira-pat",
    },
    "graph": {"token": "sandbox-graph-token"},
}
ACCOUNT_ZONE = "Europe/Berlin"


def jira_metadata() -> dict[str, Any]:
    return {
        "fields": catalog.fields(),
        "issue_types": catalog.issue_types(),
        "statuses": catalog.statuses(),
        "issue_link_types": catalog.link_types(),
    }


def skeleton(seed: int, scale: str | int, now: datetime, people: list[Person]) -> dict[str, Any]:
    return {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "generator": {"seed": seed, "scale": scale},
        "now": now.isoformat(),
        "time_zone": ACCOUNT_ZONE,
        "credentials": {k: dict(v) for k, v in CREDENTIALS.items()},
        "people": [p.as_tenant() for p in people],
        "jira": {
            **jira_metadata(),
            "projects": [],
            "issues": [],
            "worklogs": [],
            "deleted_worklogs": [],
            "versions": [],
            "boards": [],
            "sprints": [],
        },
        "graph": {
            "users": [p.graph_user() for p in people],
            "groups": [],
            "plans": [],
            "buckets": [],
            "tasks": [],
            "task_details": {},
            "teams": [],
            "time_cards": {},
            "sites": [],
            "drives": [],
        },
    }


def assemble(
    seed: int,
    now: datetime,
    people: list[Person],
    world: JiraWorld,
    worklogs: list[Worklog],
    deleted: list[dict[str, Any]],
    graph: dict[str, Any],
) -> dict[str, Any]:
    doc = skeleton(seed, "demo", now, people)
    jira = doc["jira"]
    links = render_links(world.links)
    history_ids = itertools.count(world.counters.history)
    for project in world.projects:
        jira["projects"].append(render_project(project))
        jira["issues"] += [render_issue(i, links.get(i.id, []), history_ids) for i in project.items]
        jira["versions"] += project.versions
        if project.board:
            jira["boards"].append(project.board)
        jira["sprints"] += project.sprints
    jira["worklogs"] = [render_worklog(w) for w in sorted(worklogs, key=lambda w: w.id)]
    jira["deleted_worklogs"] = sorted(deleted, key=lambda d: d["updatedTime"])
    doc["graph"] = graph
    return doc
