"""The real `jira` client (v2 and v3) drives the sandbox like Jira Cloud."""

from __future__ import annotations

import io
from typing import Any

import pytest
from jira import JIRA, JIRAError

from sandbox.credentials import jira_client
from sandbox.server import SandboxServer, start_sandbox
from tests.sandbox.core.tenant_facts import all_projects_jql, project_keys, version_names

ADF_HELLO = {
    "type": "doc",
    "version": 1,
    "content": [{"type": "paragraph", "content": [{"type": "text", "text": "Gate: <Go>"}]}],
}


def _count(server: SandboxServer, route: str, status: str = "200") -> int:
    return server.app.stats.snapshot()["routes"].get(route, {}).get(status, 0)


@pytest.mark.parametrize("version", ["2", "3"])
def test_search_pages_through_every_issue(sandbox_server: SandboxServer, version: str) -> None:
    jira = jira_client(sandbox_server.info, version=version)
    every_project = all_projects_jql(sandbox_server.state.doc)
    found = jira.search_issues(
        f"{every_project} ORDER BY key", maxResults=False, fields="summary,status"
    )
    expected = len(sandbox_server.state.doc["jira"]["issues"])
    assert len(found) == expected == jira.approximate_issue_count(every_project)
    assert len({i.key for i in found}) == expected
    assert found[0].fields.summary and found[0].fields.status.name
    # 100 per page with fields: the client needed ceil(n/100) requests and stopped on its own
    assert _count(sandbox_server, "GET rest/api/{ver}/search/jql") == -(-expected // 100)


@pytest.mark.parametrize("version", ["2", "3"])
def test_fields_versions_and_projects_read(sandbox_server: SandboxServer, version: str) -> None:
    jira = jira_client(sandbox_server.info, version=version)
    names = {f["name"] for f in jira.fields()}
    assert {"Story Points", "Sprint", "Risk Probability", "Summary"} <= names
    doc = sandbox_server.state.doc
    crm_versions = [v.name for v in jira.project_versions("CRM")]
    assert crm_versions == version_names(doc, "CRM") and len(crm_versions) >= 2
    assert [p.key for p in jira.projects()] == project_keys(doc)


def test_sprints_are_listed_across_several_pages(demo_tenant: dict[str, Any]) -> None:
    sprints = demo_tenant["jira"]["sprints"]
    sprints += [dict(sprints[0], id=9000 + n, name=f"Extra {n}") for n in range(120)]
    on_board = sum(1 for s in sprints if s["originBoardId"] == 1)
    assert on_board > 100  # more than two pages of 50
    with start_sandbox(demo_tenant) as server:
        listed = jira_client(server.info).sprints(1, maxResults=False)
        assert len(listed) == on_board
        # full pages of 50 and a short one that ends the loop: one request per page
        assert _count(server, "GET rest/agile/1.0/board/{board}/sprint") == -(-on_board // 50)


@pytest.mark.parametrize(
    ("version", "body", "text"),
    [
        ("2", "Gate: <Go>", "Gate: <Go>"),  # v2 takes plain text
        ("3", ADF_HELLO, "Gate: <Go>"),  # v3 takes ADF
    ],
)
def test_comment_is_kept_and_visible_on_the_issue(
    sandbox_server: SandboxServer, version: str, body: Any, text: str
) -> None:
    jira = jira_client(sandbox_server.info, version=version)
    jira.add_comment("CRM-3", body)
    shown = jira.issue("CRM-3", fields="comment").fields.comment.comments
    assert len(shown) == 1
    raw = jira._get_json("issue/CRM-3", params={"fields": "comment"})["fields"]["comment"][
        "comments"
    ][0]["body"]
    assert raw == body if version == "2" else raw["content"][0]["content"][0]["text"] == text
    entries = sandbox_server.state.outbox_entries("comment")
    assert [(e["target"], e["payload"]["body"]) for e in entries] == [("CRM-3", text)]


def test_v3_refuses_a_plain_text_comment(sandbox_server: SandboxServer) -> None:
    with pytest.raises(JIRAError) as caught:
        jira_client(sandbox_server.info, version="3").add_comment("CRM-3", "plain")
    assert caught.value.status_code == 400
    assert sandbox_server.state.outbox_entries("comment") == []


def test_attachment_property_and_new_issue_are_published(sandbox_server: SandboxServer) -> None:
    jira = jira_client(sandbox_server.info, version="3")
    attachment = jira.add_attachment(
        "CRM-4", io.BytesIO(b"id,hours\n1,2\n"), filename="evidence.csv"
    )
    assert (attachment.filename, attachment.size) == ("evidence.csv", 13)
    jira.add_issue_property("CRM-4", "pmo-gate", {"decision": "Go"})
    assert jira.issue_property("CRM-4", "pmo-gate").value.decision == "Go"
    created = jira.create_issue(
        project="CRM", summary="Gate review: CRM", issuetype={"name": "Gate Review"}
    )
    assert created.fields.summary == "Gate review: CRM"
    found = jira.search_issues(f"key = {created.key}", fields="summary")
    assert [i.key for i in found] == [created.key]
    kinds = [e["kind"] for e in sandbox_server.state.outbox_entries()]
    assert kinds == ["attachment", "property", "issue"]
    assert jira.issue("CRM-4", fields="attachment").fields.attachment[0].filename == "evidence.csv"


def test_issue_link_is_created_after_reading_link_types(sandbox_server: SandboxServer) -> None:
    jira = jira_client(sandbox_server.info, version="2")
    jira.create_issue_link("Blocks", "CRM-5", "CRM-6")
    links = jira.issue("CRM-6", fields="issuelinks").fields.issuelinks
    assert any(
        getattr(link, "inwardIssue", None) and link.inwardIssue.key == "CRM-5" for link in links
    )


def test_bearer_pat_works_and_wrong_credentials_get_401(sandbox_server: SandboxServer) -> None:
    info = sandbox_server.info
    assert jira_client(info, pat=True).myself()["emailAddress"] == info.jira_email
    with pytest.raises(JIRAError) as caught:
        JIRA(info.jira_url, basic_auth=(info.jira_email, "wrong-token"), max_retries=0)
    assert caught.value.status_code == 401
    assert "wrong-token" not in str(caught.value.text)
