"""Every Jira operation the sandbox serves answers in the shape of the official spec.

The specs live outside the project (``../shared/specs``); where they are absent (a user's
fresh clone) these tests skip, saying so. In CI they are present and must run.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import requests

from sandbox.server import SandboxServer, start_sandbox
from tests.sandbox.core import openapi
from tests.sandbox.core.conftest import jira_session
from tests.sandbox.core.tenant_facts import issues_with_history

pytestmark = pytest.mark.skipif(
    not openapi.specs_present(),
    reason=f"official specs not found at {openapi.SPECS} (they are in CI)",
)

ADF = {
    "type": "doc",
    "version": 1,
    "content": [{"type": "paragraph", "content": [{"type": "text", "text": "x"}]}],
}


@dataclass(frozen=True)
class Case:
    route: str  # the sandbox route name, as `/_sandbox/stats` counts it
    spec_path: str  # the spec's path (platform spec unless it starts with /rest/agile)
    status: int
    call: Callable[[requests.Session, str], requests.Response]


def _get(path: str, **params: Any) -> Callable[[requests.Session, str], requests.Response]:
    return lambda s, base: s.get(f"{base}/{path}", params=params)


def _post(path: str, body: Any) -> Callable[[requests.Session, str], requests.Response]:
    return lambda s, base: s.post(f"{base}/{path}", json=body)


def _attach(s: requests.Session, base: str) -> requests.Response:
    return s.post(
        f"{base}/issue/CRM-1/attachments",
        files={"file": ("a.csv", b"a,b\n")},
        headers={"X-Atlassian-Token": "no-check", "Content-Type": None},
    )


def _put_property(s: requests.Session, base: str) -> requests.Response:
    return s.put(f"{base}/issue/CRM-1/properties/pmo", json={"gate": "Go"})


API = "GET rest/api/{ver}"


def _on_new_comment(
    method: str, path: str, body: Any = None, **params: Any
) -> Callable[[requests.Session, str], requests.Response]:
    """A call about a comment created (with a property) just before it: `{id}` in `path`."""

    def call(s: requests.Session, base: str) -> requests.Response:
        text: Any = "x" if base.endswith("/2") else ADF
        made = s.post(
            f"{base}/issue/CRM-1/comment",
            json={"body": text, "properties": [{"key": "pmo", "value": {"k": 1}}]},
        )
        comment_id = made.json()["id"]
        url = f"{base}/{path.format(id=comment_id)}"
        if body is not None:
            body_now = {"ids": [int(comment_id)]} if body == "ids" else body
            return s.request(method, url, json=body_now, params=params)
        return s.request(method, url, params=params)

    return call


def other_issue(doc: dict[str, Any]) -> str:
    """An issue with history outside CRM (the project most cases use)."""
    return next(k for k in issues_with_history(doc, 2) if not k.startswith("CRM-"))


def cases(version: str, doc: dict[str, Any]) -> list[Case]:
    """The cases for one API version: v3 sends ADF where v2 sends plain text."""
    text: Any = ADF if version == "3" else "x"
    other = other_issue(doc)
    other_project = other.split("-")[0]
    return [
        Case(f"{API}/serverInfo", "/rest/api/3/serverInfo", 200, _get("serverInfo")),
        Case(f"{API}/myself", "/rest/api/3/myself", 200, _get("myself")),
        Case(f"{API}/field", "/rest/api/3/field", 200, _get("field")),
        Case(f"{API}/project", "/rest/api/3/project", 200, _get("project")),
        Case(
            f"{API}/project/search",
            "/rest/api/3/project/search",
            200,
            _get("project/search", maxResults=3),
        ),
        Case(
            f"{API}/project/{{key}}",
            "/rest/api/3/project/{projectIdOrKey}",
            200,
            _get("project/CRM"),
        ),
        Case(
            f"{API}/project/{{key}}/versions",
            "/rest/api/3/project/{projectIdOrKey}/versions",
            200,
            _get("project/CRM/versions"),
        ),
        Case(
            f"{API}/project/{{key}}/properties/{{prop}}",
            "/rest/api/3/project/{projectIdOrKey}/properties/{propertyKey}",
            200,
            _get("project/CRM/properties/pmo-charter"),
        ),
        Case(
            f"{API}/project/{{key}}/version",
            "/rest/api/3/project/{projectIdOrKey}/version",
            200,
            _get("project/CRM/version", maxResults=1, orderBy="-name"),
        ),
        Case(f"{API}/users/search", "/rest/api/3/users/search", 200, _get("users/search")),
        Case(f"{API}/user/search", "/rest/api/3/user/search", 200, _get("user/search", query="a")),
        Case(
            f"{API}/group/member",
            "/rest/api/3/group/member",
            200,
            _get("group/member", groupname="jira-software-users", maxResults=5),
        ),
        Case(
            f"{API}/issue/{{key}}/transitions",
            "/rest/api/3/issue/{issueIdOrKey}/transitions",
            200,
            _get("issue/CRM-1/transitions"),
        ),
        Case(f"{API}/issuetype", "/rest/api/3/issuetype", 200, _get("issuetype")),
        Case(f"{API}/issueLinkType", "/rest/api/3/issueLinkType", 200, _get("issueLinkType")),
        Case(f"{API}/status", "/rest/api/3/status", 200, _get("status")),
        Case(
            f"{API}/search/jql",
            "/rest/api/3/search/jql",
            200,
            _get(
                "search/jql",
                jql=f"project = {other_project}",
                fields="*all",
                expand="changelog,names",
                maxResults=20,
            ),
        ),
        Case(
            "POST rest/api/{ver}/search/jql",
            "/rest/api/3/search/jql",
            200,
            _post(
                "search/jql",
                {
                    "jql": f"project = {other_project}",
                    "fields": ["*all"],
                    "expand": None,
                    "properties": None,
                    "reconcileIssues": [],
                    "maxResults": 50,
                },
            ),
        ),
        Case(
            "POST rest/api/{ver}/search/approximate-count",
            "/rest/api/3/search/approximate-count",
            200,
            _post("search/approximate-count", {"jql": "project = CRM"}),
        ),
        Case(f"{API}/search", "/rest/api/3/search", 410, _get("search", jql="project = CRM")),
        Case(
            "POST rest/api/{ver}/search",
            "/rest/api/3/search",
            410,
            _post("search", {"jql": "project = CRM"}),
        ),
        Case(
            f"{API}/issue/{{key}}",
            "/rest/api/3/issue/{issueIdOrKey}",
            200,
            _get(f"issue/{other}", expand="changelog,transitions"),
        ),
        Case(
            f"{API}/issue/{{key}}/changelog",
            "/rest/api/3/issue/{issueIdOrKey}/changelog",
            200,
            _get(f"issue/{other}/changelog", maxResults=1),
        ),
        Case(
            "POST rest/api/{ver}/changelog/bulkfetch",
            "/rest/api/3/changelog/bulkfetch",
            200,
            _post("changelog/bulkfetch", {"issueIdsOrKeys": [other, "CRM-2"], "maxResults": 2}),
        ),
        Case(
            f"{API}/issue/{{key}}/worklog",
            "/rest/api/3/issue/{issueIdOrKey}/worklog",
            200,
            _get("issue/CRM-2/worklog"),
        ),
        Case(
            f"{API}/worklog/updated",
            "/rest/api/3/worklog/updated",
            200,
            _get("worklog/updated", since=0),
        ),
        Case(
            f"{API}/worklog/deleted",
            "/rest/api/3/worklog/deleted",
            200,
            _get("worklog/deleted", since=0),
        ),
        Case(
            "POST rest/api/{ver}/worklog/list",
            "/rest/api/3/worklog/list",
            200,
            _post("worklog/list", {"ids": [100001, 100002, 100003]}),
        ),
        Case(
            "POST rest/api/{ver}/issue/{key}/comment",
            "/rest/api/3/issue/{issueIdOrKey}/comment",
            201,
            _post("issue/CRM-1/comment", {"body": text}),
        ),
        Case(
            f"{API}/issue/{{key}}/comment",
            "/rest/api/3/issue/{issueIdOrKey}/comment",
            200,
            _get("issue/CRM-1/comment", maxResults=2),
        ),
        Case(
            "POST rest/api/{ver}/comment/list",
            "/rest/api/3/comment/list",
            200,
            _on_new_comment("POST", "comment/list", "ids", expand="properties"),
        ),
        Case(
            f"{API}/comment/{{id}}/properties",
            "/rest/api/3/comment/{commentId}/properties",
            200,
            _on_new_comment("GET", "comment/{id}/properties"),
        ),
        Case(
            f"{API}/comment/{{id}}/properties/{{prop}}",
            "/rest/api/3/comment/{commentId}/properties/{propertyKey}",
            200,
            _on_new_comment("GET", "comment/{id}/properties/pmo"),
        ),
        Case(
            "PUT rest/api/{ver}/comment/{id}/properties/{prop}",
            "/rest/api/3/comment/{commentId}/properties/{propertyKey}",
            201,
            _on_new_comment("PUT", "comment/{id}/properties/other", {"x": 1}),
        ),
        Case(
            "DELETE rest/api/{ver}/comment/{id}/properties/{prop}",
            "/rest/api/3/comment/{commentId}/properties/{propertyKey}",
            204,
            _on_new_comment("DELETE", "comment/{id}/properties/pmo"),
        ),
        Case(
            "POST rest/api/{ver}/issue/{key}/attachments",
            "/rest/api/3/issue/{issueIdOrKey}/attachments",
            200,
            _attach,
        ),
        Case(
            "PUT rest/api/{ver}/issue/{key}/properties/{prop}",
            "/rest/api/3/issue/{issueIdOrKey}/properties/{propertyKey}",
            201,
            _put_property,
        ),
        Case(
            f"{API}/issue/{{key}}/properties/{{prop}}",
            "/rest/api/3/issue/{issueIdOrKey}/properties/{propertyKey}",
            200,
            _get(f"issue/{other}/properties/pmo"),
        ),
        Case(
            f"{API}/issue/{{key}}/properties",
            "/rest/api/3/issue/{issueIdOrKey}/properties",
            200,
            _get("issue/CRM-1/properties"),
        ),
        Case(
            "POST rest/api/{ver}/issue",
            "/rest/api/3/issue",
            201,
            _post(
                "issue",
                {
                    "fields": {
                        "project": {"key": "CRM"},
                        "summary": "s",
                        "issuetype": {"name": "Task"},
                        "description": text,
                    },
                    "update": {},
                },
            ),
        ),
        Case(
            "POST rest/api/{ver}/issueLink",
            "/rest/api/3/issueLink",
            201,
            _post(
                "issueLink",
                {
                    "type": {"name": "Blocks"},
                    "inwardIssue": {"key": "CRM-1"},
                    "outwardIssue": {"key": "CRM-2"},
                },
            ),
        ),
        Case(
            "POST rest/api/{ver}/issue/{key}/worklog",
            "/rest/api/3/issue/{issueIdOrKey}/worklog",
            201,
            _post(
                "issue/CRM-1/worklog",
                {
                    "started": "2026-11-20T10:00:00.000+0100",
                    "timeSpentSeconds": "3600",
                    "comment": text,
                },
            ),
        ),
        Case(
            "GET rest/agile/1.0/board",
            "/rest/agile/1.0/board",
            200,
            lambda s, b: s.get(f"{b}/../../agile/1.0/board"),
        ),
        Case(
            "GET rest/agile/1.0/board/{board}/sprint",
            "/rest/agile/1.0/board/{boardId}/sprint",
            200,
            lambda s, b: s.get(f"{b}/../../agile/1.0/board/1/sprint", params={"maxResults": 2}),
        ),
    ]


NOT_IN_SPEC = {
    # jira's `validate=True` reads the session of the legacy auth API, which the v3 spec doesn't cover
    "GET rest/auth/1/session",
    # binary content, not JSON
    "GET rest/api/{ver}/attachment/content/{id}",
}


def _schema(case: Case) -> dict[str, Any] | None:
    if case.spec_path.startswith("/rest/agile"):
        spec = openapi.load(openapi.SOFTWARE)
        if case.spec_path.endswith(
            "/sprint"
        ):  # the spec gives only an example; pages hold SprintBeans
            item = {"$ref": "#/components/schemas/SprintBean"}
            return {
                "type": "object",
                "required": ["values", "startAt", "maxResults", "isLast"],
                "properties": {
                    "values": {"type": "array", "items": item},
                    "startAt": {"type": "integer"},
                    "maxResults": {"type": "integer"},
                    "total": {"type": "integer"},
                    "isLast": {"type": "boolean"},
                },
            }
        return openapi.response_schema(spec, case.spec_path, "get", case.status)
    method = case.route.split()[0]
    if case.status == 410:
        return {"$ref": "#/components/schemas/ErrorCollection"}
    return openapi.response_schema(
        openapi.load(openapi.PLATFORM), case.spec_path, method, case.status
    )


def test_every_jira_route_has_a_conformance_case(sandbox_server: SandboxServer) -> None:
    served = {
        r.name for r in sandbox_server.app.router.routes if r.name.split()[1].startswith("rest/")
    }
    assert served - NOT_IN_SPEC == {c.route for c in cases("3", sandbox_server.state.doc)}


@pytest.mark.parametrize("version", ["2", "3"])
def test_responses_validate_against_the_official_schemas(
    sandbox_server: SandboxServer, version: str
) -> None:
    session, base = jira_session(sandbox_server, version)
    doc = sandbox_server.state.doc
    session.put(f"{base}/issue/{other_issue(doc)}/properties/pmo", json={"x": 1})  # read back
    for case in cases(version, doc):
        response = case.call(session, base)
        assert response.status_code == case.status, (case.route, response.text[:300])
        schema = _schema(case)
        if schema:
            spec = openapi.load(
                openapi.SOFTWARE if case.spec_path.startswith("/rest/agile") else openapi.PLATFORM
            )
            openapi.validate(spec, schema, response.json())
        else:
            assert response.content == b"", case.route


def test_a_data_center_tenant_serves_offset_search_in_the_spec_shape(
    demo_tenant: dict[str, Any],
) -> None:
    """Data Center has only the offset-paged `search` and the unpaged project list; Cloud's
    endpoints answer 404 there."""
    doc = copy.deepcopy(demo_tenant)
    doc["jira"]["deployment"] = "datacenter"
    spec = openapi.load(openapi.PLATFORM)
    schema = openapi.response_schema(spec, "/rest/api/3/search", "get", 200)
    project = doc["jira"]["projects"][0]["key"]
    with start_sandbox(doc) as server:
        session, base = jira_session(server, "2")
        assert session.get(f"{base}/serverInfo").json()["deploymentType"] == "Server"
        pages = [
            session.get(
                f"{base}/search",
                params={
                    "jql": f"project = {project} ORDER BY id",
                    "maxResults": 2,
                    "expand": "changelog",
                },
            ),
            session.post(
                f"{base}/search",
                json={
                    "jql": f"project = {project} ORDER BY id",
                    "startAt": 2,
                    "maxResults": 2,
                    "fields": ["summary", "updated"],
                    "expand": ["changelog"],
                    "validateQuery": "strict",
                },
            ),
        ]
        for response in pages:
            assert response.status_code == 200, response.text[:300]
            openapi.validate(spec, schema, response.json())
        first, second = (r.json() for r in pages)
        assert (
            first["total"]
            == second["total"]
            == sum(1 for i in doc["jira"]["issues"] if i["key"].startswith(f"{project}-"))
        )
        assert (first["startAt"], second["startAt"]) == (0, 2)
        assert not {i["id"] for i in first["issues"]} & {i["id"] for i in second["issues"]}
        listed = session.get(f"{base}/project", params={"expand": "lead,description"})
        openapi.validate(
            spec, openapi.response_schema(spec, "/rest/api/3/project", "get", 200), listed.json()
        )
        assert all(p["lead"]["accountId"] for p in listed.json())
        assert session.get(f"{base}/project/search").status_code == 404
        for path, body in (
            ("search/jql", {"jql": f"project = {project}"}),
            ("search/approximate-count", {"jql": f"project = {project}"}),
            ("changelog/bulkfetch", {"issueIdsOrKeys": ["1"]}),
        ):
            assert session.post(f"{base}/{path}", json=body).status_code == 404, path
