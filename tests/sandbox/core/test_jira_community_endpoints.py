"""What widely used Jira extractors call, served as Jira Cloud serves it (issue 15, point 6).

Users (`users/search`, `user/search`), paged project versions (`project/{id}/version`),
group members (`group/member`), transitions (`expand=transitions` and `issue/{key}/transitions`),
and `updated` moving on every REST write, for hand-written and generated issues alike. The
`jira` client drives what it has a method for; plain HTTP the rest.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

import pytest
import requests

from sandbox.credentials import jira_client
from sandbox.gen.api import generate_tenant
from sandbox.server import SandboxServer, start_sandbox
from tests.sandbox.core.conftest import jira_session
from tests.sandbox.core.tenant_facts import version_names


def _follow(session: requests.Session, url: str, **params: Any) -> tuple[list[Any], int]:
    """Every value of a `PageBean`, following `nextPage`; and the number of pages read."""
    values: list[Any] = []
    pages = 0
    next_url: str | None = url
    while next_url:
        page = session.get(next_url, params=params if pages == 0 else None)
        page.raise_for_status()
        body = page.json()
        values += body["values"]
        pages += 1
        assert body["isLast"] == ("nextPage" not in body)
        next_url = body.get("nextPage")
    return values, pages


def test_users_search_pages_through_every_account(sandbox_server: SandboxServer) -> None:
    session, base = jira_session(sandbox_server)
    people = {p["account_id"] for p in sandbox_server.state.doc["people"]}
    seen: list[dict[str, Any]] = []
    while True:  # a plain list: the caller pages until a short page, as extractors do
        page = session.get(f"{base}/users/search", params={"startAt": len(seen), "maxResults": 7})
        seen += page.json()
        if len(page.json()) < 7:
            break
    ids = [u["accountId"] for u in seen]
    assert len(ids) == len(set(ids)) and set(ids) == people | {"sandbox-bot"}
    assert all(u["accountType"] == "atlassian" and u["displayName"] for u in seen)


def test_search_users_through_the_jira_client(sandbox_server: SandboxServer) -> None:
    person = sandbox_server.state.doc["people"][0]
    jira = jira_client(sandbox_server.info)
    first_name = person["display_name"].split()[0]
    found = jira.search_users(query=first_name.lower())
    assert person["account_id"] in [u.accountId for u in found]
    assert all(first_name.lower() in u.displayName.lower() for u in found)


def test_project_versions_paged_match_the_plain_list(sandbox_server: SandboxServer) -> None:
    session, base = jira_session(sandbox_server)
    doc = sandbox_server.state.doc
    names = version_names(doc, "CRM")
    assert len(names) >= 2
    paged, pages = _follow(session, f"{base}/project/CRM/version", maxResults=1)
    assert (
        [v["name"] for v in paged]
        == names
        == [v.name for v in jira_client(sandbox_server.info).project_versions("CRM")]
    )
    assert pages == len(names)  # one version per page, and the last page says so
    project_id = next(p["id"] for p in doc["jira"]["projects"] if p["key"] == "CRM")
    by_id = session.get(f"{base}/project/{project_id}/version", params={"orderBy": "-name"})
    assert [v["name"] for v in by_id.json()["values"]] == sorted(names, reverse=True)
    released = session.get(f"{base}/project/CRM/version", params={"status": "released"})
    assert all(v["released"] for v in released.json()["values"])
    assert session.get(f"{base}/project/CRM/version", params={"status": "x"}).status_code == 400


def test_group_members_are_paged_by_name_and_by_id(sandbox_server: SandboxServer) -> None:
    session, base = jira_session(sandbox_server)
    people = {p["account_id"] for p in sandbox_server.state.doc["people"]}
    members, pages = _follow(
        session, f"{base}/group/member", groupname="jira-software-users", maxResults=5
    )
    assert {m["accountId"] for m in members} == people | {"sandbox-bot"}
    assert pages == -(-len(members) // 5)
    admins = session.get(f"{base}/group/member", params={"groupname": "jira-administrators"})
    group_id = "5b0e8a7e-5d3c-4b8f-9a51-6f2e3c1d0a02"
    by_id = session.get(f"{base}/group/member", params={"groupId": group_id})
    assert [m["accountId"] for m in admins.json()["values"]] == ["sandbox-bot"]
    assert by_id.json()["values"] == admins.json()["values"]
    missing = session.get(f"{base}/group/member", params={"groupname": "no-such-group"})
    assert missing.status_code == 404
    assert session.get(f"{base}/group/member").status_code == 400


@pytest.mark.parametrize("version", ["2", "3"])
def test_transitions_expanded_and_listed(sandbox_server: SandboxServer, version: str) -> None:
    jira = jira_client(sandbox_server.info, version=version)
    issue = jira.issue("CRM-1", expand="transitions")
    current = issue.fields.status.name
    statuses = [s["name"] for s in sandbox_server.state.doc["jira"]["statuses"]]
    embedded = [t["name"] for t in issue.raw["transitions"]]
    assert embedded == [s for s in statuses if s != current] and embedded
    listed = jira.transitions("CRM-1")
    assert [t["name"] for t in listed] == embedded
    assert all(t["to"]["name"] == t["name"] for t in listed)
    target = embedded[0]
    assert str(jira.find_transitionid_by_name("CRM-1", target)) == listed[0]["id"]
    plain = jira.issue("CRM-1")  # without the expand: no transitions
    assert "transitions" not in plain.raw


def _updated(jira: Any, key: str) -> datetime:
    return datetime.strptime(
        jira.issue(key, fields="updated").fields.updated, "%Y-%m-%dT%H:%M:%S.%f%z"
    )


def _write_moves_updated(server: SandboxServer, key: str) -> None:
    """A worklog and a comment added through REST each move the issue's `updated`, and an
    incremental JQL (`updated >= ...`) finds the issue afterwards."""
    jira = jira_client(server.info, version="2")  # v2: a plain-text comment body
    before = _updated(jira, key)
    time.sleep(0.01)  # the tenant clock runs with the wall clock: a later millisecond
    jira.add_worklog(key, timeSpentSeconds=1800, started=before)
    after_worklog = _updated(jira, key)
    assert after_worklog > before
    time.sleep(0.01)
    jira.add_comment(key, "noted")
    assert _updated(jira, key) > after_worklog
    since = after_worklog.strftime("%Y/%m/%d %H:%M")
    found = jira.search_issues(f'key = {key} AND updated >= "{since}"', fields="updated")
    assert [i.key for i in found] == [key]


def test_rest_writes_move_updated_on_a_hand_written_issue(sandbox_server: SandboxServer) -> None:
    _write_moves_updated(sandbox_server, "CRM-1")


def test_rest_writes_move_updated_on_a_generated_issue() -> None:
    doc, _ = generate_tenant(7, 300, worklogs=600)
    with start_sandbox(doc) as server:
        key = server.state.issues.record(len(server.state.issues) - 1)["key"]
        assert len(server.state.issues.records) < len(server.state.issues)  # a bulk issue
        _write_moves_updated(server, key)
