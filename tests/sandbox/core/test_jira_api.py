"""Jira Cloud behaviours clients depend on, checked over HTTP (counts, not timings)."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from sandbox.generator import generate_tenant
from sandbox.server import SandboxServer, start_sandbox
from sandbox.tenant import save_tenant
from sandbox.timefmt import to_ms
from tests.sandbox.core.conftest import jira_session
from tests.sandbox.core.tenant_facts import (
    all_projects_jql,
    issues_in,
    issues_with_history,
    smallest_project,
)


def test_search_pages_with_tokens_and_no_total(sandbox_server: SandboxServer) -> None:
    session, base = jira_session(sandbox_server)
    project = smallest_project(sandbox_server.state.doc, at_least=21)  # three pages or more
    keys, token, pages = [], None, 0
    while True:
        params = {"jql": f"project = {project} ORDER BY key", "maxResults": 10, "fields": "summary"}
        body = session.get(
            f"{base}/search/jql", params=params | ({"nextPageToken": token} if token else {})
        ).json()
        pages += 1
        assert "total" not in body and "startAt" not in body
        keys += [i["key"] for i in body["issues"]]
        token = body.get("nextPageToken")
        if token is None:
            assert body["isLast"] is True
            break
    assert len(keys) == len(set(keys)) == len(issues_in(sandbox_server.state.doc, project))
    assert pages == -(-len(keys) // 10)


@pytest.mark.parametrize(
    ("fields", "asked", "served"),
    [
        (None, 5000, 5000),  # ids only: up to 5000 per page (the demo has fewer issues)
        ("summary", 5000, 100),  # with fields: at most 100 per page
        ("*all", 30, 30),  # a smaller page is honoured
    ],
)
def test_page_size_depends_on_the_fields_asked(
    sandbox_server: SandboxServer, fields: str | None, asked: int, served: int
) -> None:
    session, base = jira_session(sandbox_server)
    params = {"jql": all_projects_jql(sandbox_server.state.doc), "maxResults": asked}
    body = session.get(
        f"{base}/search/jql", params=params | ({"fields": fields} if fields else {})
    ).json()
    assert len(body["issues"]) == min(served, len(sandbox_server.state.doc["jira"]["issues"]))
    if fields is None:
        assert set(body["issues"][0]) == {"id"}  # ids only by default


def test_post_search_accepts_nulls_and_refuses_unknown_keys(sandbox_server: SandboxServer) -> None:
    session, base = jira_session(sandbox_server)
    project = smallest_project(sandbox_server.state.doc, at_least=1)
    ok = session.post(
        f"{base}/search/jql",
        json={
            "jql": f"project = {project}",
            "fields": ["*all"],
            "expand": None,
            "properties": None,
            "reconcileIssues": [],
            "maxResults": 50,
        },
    )
    assert ok.status_code == 200 and ok.json()["issues"][0]["fields"]["project"]["key"] == project
    bad = session.post(f"{base}/search/jql", json={"jql": f"project = {project}", "startAt": 0})
    assert bad.status_code == 400 and bad.json()["errorMessages"]


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "message"),
    [
        # unbounded JQL is refused in Jira's error shape
        ("GET", "search/jql?jql=ORDER%20BY%20key", None, 400, "Unbounded JQL"),
        # JQL outside the subset: an error, never a silently wrong result
        ("GET", "search/jql?jql=summary%20~%20x", None, 400, "Field 'summary' does not exist"),
        # a forged page token
        ("GET", "search/jql?jql=project%3DCRM&nextPageToken=abc", None, 400, "next page token"),
        # the removed search endpoint
        ("GET", "search?jql=project%3DCRM", None, 410, "has been removed"),
        ("POST", "search", {"jql": "project = CRM"}, 410, "has been removed"),
        # worklog/list takes 1..1000 ids
        ("POST", "worklog/list", {"ids": []}, 400, "between 1 and 1000"),
        ("POST", "worklog/list", {"ids": list(range(1001))}, 400, "between 1 and 1000"),
        # changelog bulkfetch takes 1..1000 issues
        ("POST", "changelog/bulkfetch", {"issueIdsOrKeys": []}, 400, "between 1 and 1000"),
        (
            "POST",
            "changelog/bulkfetch",
            {"issueIdsOrKeys": ["CRM-1"], "fieldIds": [f"f{n}" for n in range(11)]},
            400,
            "at most 10 fields",
        ),
        # an unknown issue
        ("GET", "issue/NOPE-1", None, 404, "Issue does not exist"),
    ],
)
def test_errors_come_in_jiras_shape(
    sandbox_server: SandboxServer, method: str, path: str, body: object, status: int, message: str
) -> None:
    session, base = jira_session(sandbox_server)
    response = session.request(method, f"{base}/{path}", json=body)
    assert response.status_code == status
    assert message in response.json()["errorMessages"][0]
    assert response.json()["errors"] == {}


def test_auth_missing_or_wrong_is_401_and_pat_is_accepted(sandbox_server: SandboxServer) -> None:
    url = f"{sandbox_server.info.jira_url}/rest/api/3/myself"
    assert requests.get(url).status_code == 401
    wrong = requests.get(url, auth=(sandbox_server.info.jira_email, "nope"))
    assert wrong.status_code == 401 and wrong.json()["errorMessages"]
    pat = requests.get(url, headers={"Authorization": f"Bearer {sandbox_server.info.jira_pat}"})
    assert pat.status_code == 200


def test_attachment_needs_the_xsrf_header_and_the_file_part(sandbox_server: SandboxServer) -> None:
    session, base = jira_session(sandbox_server)
    url = f"{base}/issue/CRM-1/attachments"
    assert session.post(url, files={"file": ("a.txt", b"x")}).status_code == 403
    wrong_part = session.post(
        url, files={"upload": ("a.txt", b"x")}, headers={"X-Atlassian-Token": "no-check"}
    )
    assert wrong_part.status_code == 400
    assert sandbox_server.state.outbox_entries("attachment") == []


def test_property_put_answers_201_then_200(sandbox_server: SandboxServer) -> None:
    session, base = jira_session(sandbox_server)
    url = f"{base}/issue/CRM-1/properties/pmo-gate"
    assert [session.put(url, json={"n": n}).status_code for n in (1, 2)] == [201, 200]
    assert session.get(url).json() == {"key": "pmo-gate", "value": {"n": 2}}


def test_changelog_pages_and_bulkfetch_tokens(sandbox_server: SandboxServer) -> None:
    session, base = jira_session(sandbox_server)
    first = session.get(f"{base}/issue/CRM-2/changelog", params={"maxResults": 1}).json()
    assert first["total"] >= 2 and first["isLast"] is False and "startAt=1" in first["nextPage"]
    keys = issues_with_history(sandbox_server.state.doc, 3)
    body = {"issueIdsOrKeys": keys, "maxResults": 2}
    histories, pages = 0, 0
    while True:
        page = session.post(f"{base}/changelog/bulkfetch", json=body).json()
        pages += 1
        histories += sum(len(i["changeHistories"]) for i in page["issueChangeLogs"])
        if not page.get("nextPageToken"):
            break
        body["nextPageToken"] = page["nextPageToken"]
    records = [
        sandbox_server.state.issues.record(sandbox_server.state.issues.find(k)) for k in keys
    ]
    assert histories == sum(len(r["changelog"]) for r in records)
    assert pages == -(-histories // 2)


def test_worklog_updated_pages_by_1000_and_hides_the_last_minute(tmp_path: Path) -> None:
    save_tenant(generate_tenant(3, 300, worklogs=2500)[0], tmp_path / "t.json")
    with start_sandbox(tmp_path / "t.json") as server:
        session, base = jira_session(server)
        new = session.post(
            f"{base}/issue/S000-1/worklog",
            json={"started": "2026-11-26T09:00:00.000+0000", "timeSpentSeconds": 600},
        )
        assert new.status_code == 201
        seen, url, pages = [], f"{base}/worklog/updated?since=0", 0
        while url:
            page = session.get(url).json()
            pages += 1
            assert len(page["values"]) <= 1000
            seen += [v["worklogId"] for v in page["values"]]
            url = None if page["lastPage"] else page["nextPage"]
        assert len(seen) == len(set(seen)) == 2500  # the new one is younger than a minute: excluded
        assert int(new.json()["id"]) not in seen and pages == 3
        listed = session.post(f"{base}/worklog/list", json={"ids": seen[:1000]}).json()
        assert [int(w["id"]) for w in listed] == seen[:1000]


def test_deleted_worklogs_are_listed_since_a_time(sandbox_server: SandboxServer) -> None:
    session, base = jira_session(sandbox_server)
    deleted = sandbox_server.state.doc["jira"]["deleted_worklogs"]
    since = min(d["updatedTime"] for d in deleted)
    page = session.get(f"{base}/worklog/deleted", params={"since": since}).json()
    assert [v["worklogId"] for v in page["values"]] == [d["worklogId"] for d in deleted]
    later = session.get(f"{base}/worklog/deleted", params={"since": since + 1}).json()
    assert later["values"] == [] and later["lastPage"] is True
    assert to_ms(sandbox_server.state.now()) > since
