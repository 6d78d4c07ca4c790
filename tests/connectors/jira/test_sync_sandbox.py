"""The Jira sync against the sandbox, with the real `jira` client: completeness, minimal
requests on a quiet second run, and incremental == fresh full after changes."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import requests

from sandbox.fixtures import demo
from sandbox.server import SandboxServer, start_sandbox
from tests.connectors.jira import mutate
from tests.connectors.jira.conftest import diff, new_warehouse, snapshot, sync


def _stats(server: SandboxServer) -> dict[str, Any]:
    return requests.get(f"{server.info.jira_url}/_sandbox/stats", timeout=10).json()


def _reset(server: SandboxServer) -> None:
    requests.delete(f"{server.info.jira_url}/_sandbox/stats", timeout=10)


def _route_counts(server: SandboxServer) -> dict[str, int]:
    return {route: sum(by_status.values()) for route, by_status in _stats(server)["routes"].items()}


def _tenant_counts(doc: dict[str, Any]) -> dict[str, int]:
    jira = doc["jira"]
    links = {
        link["id"] for issue in jira["issues"] for link in issue["fields"].get("issuelinks") or []
    }
    status_items = sum(
        1
        for issue in jira["issues"]
        for h in issue.get("changelog") or []
        for item in h["items"]
        if item.get("fieldId", item.get("field")) == "status"
    )
    risks = sum(1 for issue in jira["issues"] if issue["fields"]["issuetype"]["name"] == "Risk")
    return {
        "projects": len(jira["projects"]),
        "tasks": len(jira["issues"]),
        "time_entries": len(jira["worklogs"]),
        "milestones": len(jira["versions"]),
        "sprints": len(jira["sprints"]),
        "dependencies": len(links),
        "status_changes": status_items,
        "risks": risks,
    }


def test_full_sync_of_the_demo_tenant_loads_exactly_the_tenant(tmp_path: Path) -> None:
    doc, _manifest = demo()
    with start_sandbox(doc) as server:
        warehouse = new_warehouse(tmp_path)
        summaries, _api = sync(server, warehouse)
    assert all(s.ok for s in summaries)
    for table, expected in _tenant_counts(doc).items():
        assert warehouse.count(table) == expected, table
    people = {p["account_id"]: p for p in doc["people"]}
    tasks = warehouse.read("tasks").set_index("task_id")
    for issue in doc["jira"]["issues"][::17]:  # a sample of values, checked against the document
        row = tasks.loc[f"jira:{issue['id']}"]
        fields = issue["fields"]
        assert row["key"] == issue["key"] and row["title"] == fields["summary"]
        assert row["status"] == fields["status"]["name"]
        assignee = (fields.get("assignee") or {}).get("accountId")
        expected = people[assignee]["email"].lower() if assignee in people else None
        assert (row["assignee_id"] if isinstance(row["assignee_id"], str) else None) == expected
    entries = warehouse.read("time_entries").set_index("entry_id")
    for worklog in doc["jira"]["worklogs"][::23]:
        row = entries.loc[f"jira:worklog:{worklog['id']}"]
        assert math.isclose(row["hours"], worklog["timeSpentSeconds"] / 3600)
        assert (
            str(row["work_date"].date()) == worklog["started"][:10]
        )  # stored in the author's zone
    projects = warehouse.read("projects").set_index("key")
    for project in doc["jira"]["projects"]:
        charter = (project.get("properties") or {}).get("pmo-charter") or {}
        phase = projects.loc[project["key"], "phase"]  # missing (NA) where there is no charter
        assert (phase if isinstance(phase, str) else None) == charter.get("phase")
        # the project listing leaves the lead out unless expanded: the sync asks for it
        lead = people[project["lead"]["accountId"]]["email"].lower()
        assert projects.loc[project["key"], "lead_id"] == lead


def test_second_run_asks_only_what_it_takes_to_learn_nothing_changed(
    server: SandboxServer, warehouse: Any, tenant: dict[str, Any]
) -> None:
    sync(server, warehouse)
    before = snapshot(warehouse)
    _reset(server)
    summaries, _api = sync(server, warehouse)
    routes = _route_counts(server)
    projects, boards = len(tenant["jira"]["projects"]), len(tenant["jira"]["boards"])
    # metadata without a change cursor (serverInfo, fields, projects, boards, charters,
    # versions) was read by the first run and is not due again for jira.metadata_refresh_hours
    assert routes == {
        "GET rest/agile/1.0/board/{board}/sprint": boards,  # sprint states change daily
        "POST rest/api/{ver}/search/jql": projects,  # the changed-since page
        "POST rest/api/{ver}/search/approximate-count": 1,  # all projects: agrees, no census
        "GET rest/api/{ver}/worklog/updated": 1,
        "GET rest/api/{ver}/worklog/deleted": 1,
    }
    assert snapshot(warehouse) == before
    assert sum(s.stream("tasks").inserted + s.stream("tasks").updated for s in summaries) == 0


def test_a_total_that_disagrees_falls_back_to_per_project_counts_and_one_census(
    server: SandboxServer, warehouse: Any, tenant: dict[str, Any]
) -> None:
    sync(server, warehouse)
    gone = mutate.delete_issue(server.state, tenant["jira"]["issues"][0]["key"])
    _reset(server)
    sync(server, warehouse)
    routes = _route_counts(server)
    projects = len(tenant["jira"]["projects"])
    # the total for all projects, then each project's; only the short one is censused
    assert routes["POST rest/api/{ver}/search/approximate-count"] == 1 + projects
    assert routes["POST rest/api/{ver}/search/jql"] == projects + 1
    assert f"jira:{gone}" not in warehouse.live_ids("tasks")


def test_full_sync_requests_stay_within_1_2_times_the_lower_bound(tmp_path: Path) -> None:
    from tests.connectors.jira.tenant_factory import build_tenant

    doc = build_tenant(issues_per_project=250, worklogs_per_issue=5, long_changelog_every=10)
    with start_sandbox(doc) as server:
        _summaries, api = sync(server, new_warehouse(tmp_path))
        total = _stats(server)["total"]
    issues, worklogs = len(doc["jira"]["issues"]), len(doc["jira"]["worklogs"])
    projects = len(doc["jira"]["projects"])
    search_pages = sum(math.ceil(250 / 100) for _ in range(projects))
    changelog_pages = search_pages  # at most one bulk fetch per page holding a long changelog
    # serverInfo, field, projects, boards; per project: charter property, versions; sprints per board
    metadata = 4 + projects * 2 + len(doc["jira"]["boards"])
    lower = search_pages + changelog_pages + math.ceil(worklogs / 1000) * 2 + metadata
    assert api.stats.requests == total  # our count and the server's agree
    assert total <= 1.2 * lower, (total, lower, issues)


def test_incremental_after_changes_equals_a_fresh_full_sync(
    server: SandboxServer, tmp_path: Path, tenant: dict[str, Any]
) -> None:
    incremental = new_warehouse(tmp_path, "incremental")
    sync(server, incremental)
    state = server.state
    worklogs = tenant["jira"]["worklogs"]
    mutate.edit_issue(state, "ABC-3", summary="Renamed", status=tenant["jira"]["statuses"][2])
    mutate.edit_worklog(state, worklogs[0]["id"], 5400)
    mutate.delete_worklog(state, worklogs[1]["id"])
    gone = mutate.delete_issue(state, "DEF-1002")
    session = requests.Session()
    session.auth = (server.info.jira_email, server.info.jira_api_token)
    base = f"{server.info.jira_url}/rest/api/2"
    added = session.post(
        f"{base}/issue/ABC-5/worklog",
        json={"started": "2026-11-20T09:00:00.000+0100", "timeSpentSeconds": 1800},
        timeout=10,
    )
    linked = session.post(
        f"{base}/issueLink",
        json={
            "type": {"name": "Blocks"},
            "inwardIssue": {"key": "ABC-7"},
            "outwardIssue": {"key": "DEF-1004"},
        },
        timeout=10,
    )
    assert (added.status_code, linked.status_code) == (201, 201)
    mutate.advance_clock(state, 2)  # past worklog/updated's one-minute blind spot
    summaries, _api = sync(server, incremental)
    fresh = new_warehouse(tmp_path, "fresh")
    sync(server, fresh, full=True)
    assert diff(snapshot(incremental), snapshot(fresh)) == {}
    assert f"jira:{gone}" not in incremental.live_ids("tasks")
    assert incremental.count("dependencies") == 1
    deleted = sum(s.stream("time_entries").deleted for s in summaries)
    assert deleted == 1 + 2  # the deleted worklog and the deleted issue's two
    assert sum(s.stream("tasks").deleted for s in summaries) == 1
