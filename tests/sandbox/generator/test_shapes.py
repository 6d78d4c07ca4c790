"""Generated records have the vendors' shapes: Jira objects validate against the OpenAPI
schemas, Graph entities use only property names and types declared in the v1.0 CSDL.

Tenant-only storage keys (an issue's `changelog` list and `properties`, a project's
`properties`, `channels`/`lists`/`items` nested for storage, a drive's `site`) are taken off
before the check, as the sandbox serves them through their own endpoints.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest

from tests.sandbox.core import openapi
from tests.sandbox.graph.csdl import Model

G = "microsoft.graph."
CSDL = openapi.SPECS / "graph-v1.0-csdl.xml"
Pair = tuple[dict[str, Any], dict[str, Any]]


@pytest.fixture(scope="module")
def jira_spec() -> dict[str, Any]:
    if not openapi.specs_present():
        pytest.skip(f"the Jira OpenAPI specs are not in {openapi.SPECS} (no ../shared/specs)")
    return openapi.load(openapi.PLATFORM)


@pytest.fixture(scope="module")
def software_spec(jira_spec: dict[str, Any]) -> dict[str, Any]:
    return openapi.load(openapi.SOFTWARE)


@pytest.fixture(scope="module")
def csdl() -> Model:
    if not CSDL.exists():
        pytest.skip(f"the Graph CSDL is not at {CSDL} (no ../shared/specs)")
    return Model(CSDL)


def _without(record: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k not in keys}


def _jira_samples(tenant: dict[str, Any]) -> Iterator[tuple[str, str, Any]]:
    """(where, schema name, value) for every kind of Jira object in the tenant."""
    jira = tenant["jira"]
    for n, issue in enumerate(jira["issues"]):
        f = issue["fields"]
        yield f"issue {issue['key']}", "IssueBean", _without(issue, "changelog")
        yield f"{issue['key']}.status", "StatusDetails", f["status"]
        yield f"{issue['key']}.issuetype", "IssueTypeDetails", f["issuetype"]
        yield f"{issue['key']}.priority", "Priority", f["priority"]
        for role in ("assignee", "reporter"):
            if f[role]:
                yield f"{issue['key']}.{role}", "UserDetails", f[role]
        for link in f["issuelinks"]:
            # embedded links carry one side only (the spec's IssueLink wants both)
            side = "outwardIssue" if "outwardIssue" in link else "inwardIssue"
            yield f"{issue['key']}.issuelinks.type", "IssueLinkType", link["type"]
            yield f"{issue['key']}.issuelinks.{side}", "LinkedIssue", link[side]
        if f["resolution"]:
            yield f"{issue['key']}.resolution", "Resolution", f["resolution"]
        if n % 7 == 0:  # changelogs are many: a seventh of the issues covers every kind
            for history in issue["changelog"]:
                yield f"{issue['key']} changelog {history['id']}", "Changelog", history
    for log in jira["worklogs"][::5]:
        yield f"worklog {log['id']}", "Worklog", log
    for version in jira["versions"]:
        yield f"version {version['id']}", "Version", version
    for field in jira["fields"]:
        yield f"field {field['id']}", "FieldDetails", field
    for kind in jira["issue_link_types"]:
        yield f"link type {kind['id']}", "IssueLinkType", kind
    for project in jira["projects"]:
        yield f"project {project['key']}", "Project", _without(project, "properties")


def test_jira_objects_validate_against_the_platform_spec(
    demo: Pair, jira_spec: dict[str, Any]
) -> None:
    errors = []
    for where, name, value in _jira_samples(demo[0]):
        schema = {"$ref": f"#/components/schemas/{name}"}
        try:
            openapi.validate(jira_spec, schema, value)
        except jsonschema.ValidationError as exc:
            errors.append(f"{where} ({name}): {exc.message} at {list(exc.absolute_path)}")
    assert errors == []


def test_boards_and_sprints_validate_against_the_software_spec(
    demo: Pair, software_spec: dict[str, Any]
) -> None:
    for board in demo[0]["jira"]["boards"]:
        openapi.validate(software_spec, {"$ref": "#/components/schemas/Board"}, board)
    for sprint in demo[0]["jira"]["sprints"]:
        openapi.validate(software_spec, {"$ref": "#/components/schemas/SprintBean"}, sprint)


def test_the_jira_check_can_fail(jira_spec: dict[str, Any]) -> None:
    # a worklog with a string where the spec wants an integer is refused
    with pytest.raises(jsonschema.ValidationError):
        openapi.validate(
            jira_spec,
            {"$ref": "#/components/schemas/Worklog"},
            {"id": "1", "timeSpentSeconds": "3600"},
        )


def _graph_samples(tenant: dict[str, Any]) -> Iterator[tuple[str, str, Any]]:
    graph = tenant["graph"]
    kinds = [
        ("users", "user"),
        ("groups", "group"),
        ("plans", "plannerPlan"),
        ("buckets", "plannerBucket"),
        ("tasks", "plannerTask"),
    ]
    for key, type_name in kinds:
        for record in graph[key]:
            yield f"{key} {record['id']}", type_name, record
    for task_id, details in graph["task_details"].items():
        yield f"task_details {task_id}", "plannerTaskDetails", details
    for team in graph["teams"]:
        yield f"team {team['id']}", "team", _without(team, "channels")
        for channel in team["channels"]:
            yield f"channel {channel['id']}", "channel", channel
    for cards in graph["time_cards"].values():
        for card in cards:
            yield f"time card {card['id']}", "timeCard", card
    for site in graph["sites"]:
        yield f"site {site['id']}", "site", _without(site, "lists")
        for lst in site["lists"]:
            yield f"list {lst['id']}", "list", _without(lst, "items")
            for item in lst["items"]:
                yield f"list item {item['id']}", "listItem", item
    for drive in graph["drives"]:
        yield f"drive {drive['id']}", "drive", _without(drive, "site")


def test_graph_entities_use_only_csdl_names_and_types(demo: Pair, csdl: Model) -> None:
    errors = []
    for where, type_name, record in _graph_samples(demo[0]):
        errors += [f"{where}: {e}" for e in csdl.check(record, G + type_name)]
    assert errors == []
