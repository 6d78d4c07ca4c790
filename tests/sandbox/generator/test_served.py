"""The generated demo tenant is served by the sandbox and read by the real clients.

The generator's output is what every connector test runs on, so here the real `jira` client
and plain Graph requests read it end to end: every issue, every changelog entry, every
worklog (including the deleted one via worklog/deleted), Planner tasks over several pages.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from sandbox.credentials import jira_client
from sandbox.gen.api import generate_tenant
from sandbox.server import SandboxServer, start_sandbox


@pytest.fixture(scope="module")
def generated() -> tuple[dict[str, Any], dict[str, Any]]:
    return generate_tenant(7)


@pytest.fixture(scope="module")
def server(generated: tuple[dict[str, Any], dict[str, Any]]) -> Iterator[SandboxServer]:
    with start_sandbox(copy.deepcopy(generated[0])) as running:
        yield running


def test_jira_client_reads_every_issue(server: SandboxServer, generated: Any) -> None:
    tenant = generated[0]
    keys = ", ".join(p["key"] for p in tenant["jira"]["projects"])
    jira = jira_client(server.info, version="2")
    found = jira.search_issues(
        f"project in ({keys}) ORDER BY key",
        maxResults=False,
        fields="summary,status,issuelinks,timeoriginalestimate",
    )
    assert len(found) == len(tenant["jira"]["issues"])
    late = next(i for i in tenant["jira"]["issues"] if i["fields"]["issuelinks"])
    issue = jira.issue(late["key"])
    assert len(issue.fields.issuelinks) == len(late["fields"]["issuelinks"])


def test_changelog_and_worklogs_come_back_whole(server: SandboxServer, generated: Any) -> None:
    tenant = generated[0]
    jira = jira_client(server.info, version="3")
    longest = max(tenant["jira"]["issues"], key=lambda i: len(i["changelog"]))
    served = jira._get_json(f"issue/{longest['key']}/changelog")
    assert [h["id"] for h in served["values"]] == [h["id"] for h in longest["changelog"]]
    logs = [w for w in tenant["jira"]["worklogs"] if w["issueId"] == longest["id"]]
    assert len(jira.worklogs(longest["key"])) == len(logs)


def test_worklog_feeds_list_every_worklog_and_the_deleted_one(
    server: SandboxServer, generated: Any
) -> None:
    tenant, manifest = generated
    jira = jira_client(server.info, version="3")
    seen: set[int] = set()
    since = 0
    while True:
        page = jira._get_json("worklog/updated", params={"since": since})
        seen |= {v["worklogId"] for v in page["values"]}
        if page["lastPage"]:
            break
        since = page["until"]
    assert seen == {int(w["id"]) for w in tenant["jira"]["worklogs"]}
    deleted = jira._get_json("worklog/deleted", params={"since": 0})
    planted = next(p for p in manifest["problems"] if p["check"] == "jira.deleted_worklog")
    assert f"jira:worklog:{deleted['values'][0]['worklogId']}" == planted["ids"][0]


def test_planner_plan_pages_and_time_cards(server: SandboxServer, generated: Any) -> None:
    tenant = generated[0]
    info = server.info
    headers = {"Authorization": f"Bearer {info.graph_token}"}
    big = max(
        tenant["graph"]["plans"],
        key=lambda p: sum(t["planId"] == p["id"] for t in tenant["graph"]["tasks"]),
    )
    url: str | None = f"{info.graph_base_url}/planner/plans/{big['id']}/tasks"
    pages, tasks = 0, 0
    while url:
        body = httpx.get(url, headers=headers, timeout=10).raise_for_status().json()
        pages, tasks = pages + 1, tasks + len(body["value"])
        url = body.get("@odata.nextLink")
    assert tasks == 150 and pages >= 2
    team = next(iter(tenant["graph"]["time_cards"]))
    cards = (
        httpx.get(
            f"{info.graph_base_url}/teams/{team}/schedule/timeCards", headers=headers, timeout=10
        )
        .raise_for_status()
        .json()
    )
    assert cards["value"] and all(c["id"].startswith("TCK_") for c in cards["value"])
