"""Every entity the Graph emulator returns uses only names and types declared in the CSDL."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from starlette.testclient import TestClient

from tests.sandbox.graph.conftest import (
    CHANNEL,
    SITE,
    USERS,
    LocalCore,
    graph_app,
)
from tests.sandbox.graph.csdl import Model

REPO = Path(__file__).resolve().parents[3]
SPECS = Path(os.environ.get("PMO_SPECS_DIR", REPO.parent / "shared" / "specs"))
SPEC = SPECS / "graph-v1.0-csdl.xml"
BASE = "http://127.0.0.1:8081/v1.0"
SITE_Q = quote(SITE, safe="")
G = "microsoft.graph."


@pytest.fixture(scope="module")
def model() -> Model:
    if not SPEC.exists():
        pytest.skip(f"the Graph CSDL is not at {SPEC} (a fresh clone without ../shared/specs)")
    return Model(SPEC)


@pytest.mark.parametrize(
    ("value", "type_name", "expected"),
    [
        # a stray property is caught
        ({"id": "t", "title": "x", "bogus": 1}, "plannerTask", ["'bogus' is not declared"]),
        # a wrong primitive type is caught
        ({"id": "t", "title": "x", "priority": "high"}, "plannerTask", ["not a valid Edm.Int32"]),
        # annotations and base-type properties (id, createdDateTime from baseItem) are fine
        ({"id": "1", "@odata.etag": "e", "createdDateTime": "2026-01-01T00:00:00Z"}, "listItem", []),
        # nested complex types are checked too
        ({"id": "c", "clockInEvent": {"dateTime": "2026-01-01T00:00:00Z", "atApprovedLocation": True}},
         "timeCard", ["'atApprovedLocation' is not declared"]),
        # an enum value outside its members is caught
        ({"id": "c", "state": "sleeping"}, "timeCard", ["not a member of microsoft.graph.timeCardState"]),
        # a derived type named by @odata.type may add its own properties
        ({"user": {"@odata.type": "#microsoft.graph.teamworkUserIdentity", "id": "u",
                   "userIdentityType": "aadUser"}}, "chatMessageFromIdentitySet", []),
        # null is refused where the CSDL says Nullable="false"
        ({"id": "t", "title": None}, "plannerTask", ["null for a non-nullable"]),
    ],
)  # fmt: skip
def test_the_checker_itself_can_fail(
    model: Model, value: dict, type_name: str, expected: list[str]
) -> None:
    errors = model.check(value, G + type_name)
    assert len(errors) == len(expected)
    assert all(want in got for want, got in zip(expected, errors, strict=True))


def _values(body: dict) -> list[dict]:
    """Entities of a collection page; the envelope may only hold `value` and annotations."""
    assert set(body) - {"value"} <= {"@odata.nextLink", "@odata.deltaLink", "@odata.context"}
    return [entity for entity in body["value"] if "@removed" not in entity]


def _samples(client: TestClient) -> Iterator[tuple[str, str, dict]]:
    """(label, CSDL type, entity) for everything the emulator serves or answers a POST with."""
    get = lambda path: client.get(f"{BASE}/{path}").json()  # noqa: E731
    for plan in [*_values(get("groups/group-1/planner/plans")), get("planner/plans/plan-1")]:
        yield "plan", "plannerPlan", plan
    for bucket in _values(get("planner/plans/plan-1/buckets")):
        yield "bucket", "plannerBucket", bucket
    for task in _values(get("planner/plans/plan-1/tasks?$top=5")):
        yield "task", "plannerTask", task
    created = client.post(f"{BASE}/planner/tasks", json={"planId": "plan-1", "title": "New"}).json()
    patched = client.patch(
        f"{BASE}/planner/tasks/{created['id']}",
        json={"percentComplete": 100, "assignments": {USERS[1]["id"]: {"orderHint": " !"}}},
        headers={"If-Match": created["@odata.etag"], "Prefer": "return=representation"},
    ).json()
    yield "created task", "plannerTask", created
    yield "patched task", "plannerTask", patched
    yield "task details", "plannerTaskDetails", get("planner/tasks/task-plan-1-0000/details")
    yield "team", "team", get("teams/team-1")
    for channel in _values(get("teams/team-1/channels")):
        yield "channel", "channel", channel
    for card in _values(get("teams/team-1/schedule/timeCards?$top=5")):
        yield "time card", "timeCard", card
    yield "site", "site", get(f"sites/{SITE_Q}")
    for sp_list in _values(get(f"sites/{SITE_Q}/lists")):
        yield "list", "list", sp_list
    for item in _values(get(f"sites/{SITE_Q}/lists/list-1/items?$top=3&$expand=fields")):
        yield "list item", "listItem", item
    for item in _values(get(f"sites/{SITE_Q}/lists/list-1/items/delta?$top=3")):
        yield "delta item", "listItem", item
    for user in _values(get("users")):
        yield "user", "user", user
    yield from _published(client)


def _published(client: TestClient) -> Iterator[tuple[str, str, dict]]:
    card = json.dumps({"type": "AdaptiveCard", "version": "1.4", "body": []})
    message = client.post(
        f"{BASE}/teams/team-1/channels/{quote(CHANNEL, safe='')}/messages",
        json={"body": {"contentType": "html", "content": "<attachment id=\"1\"></attachment>"},
              "attachments": [{"id": "1", "contentType": "application/vnd.microsoft.card.adaptive",
                               "content": card}]},
    ).json()  # fmt: skip
    yield "channel message", "chatMessage", message
    yield "drive", "drive", client.get(f"{BASE}/sites/{SITE_Q}/drive").json()
    uploaded = client.put(f"{BASE}/drives/drive-1/root:/reports/r.csv:/content", content=b"a\n")
    yield "uploaded file", "driveItem", uploaded.json()
    for child in _values(client.get(f"{BASE}/drives/drive-1/root/children").json()):
        yield "folder", "driveItem", child
    session = client.post(f"{BASE}/drives/drive-1/root:/big.bin:/createUploadSession", json={})
    yield "upload session", "uploadSession", session.json()
    client.post(
        f"{BASE}/users/{USERS[0]['id']}/sendMail",
        json={"message": {"subject": "s", "body": {"contentType": "text", "content": "b"},
                          "toRecipients": [{"emailAddress": {"address": "a@example.com"}}]}},
    )  # fmt: skip
    for mail in _values(client.get(f"{BASE}/users/{USERS[0]['id']}/messages").json()):
        yield "sent mail", "message", mail


def test_every_served_entity_conforms_to_the_csdl(model: Model, client: TestClient) -> None:
    samples = list(_samples(client))
    errors = [
        f"{label}: {e}" for label, kind, entity in samples for e in model.check(entity, G + kind)
    ]
    assert {label for label, _, _ in samples} >= {"task", "time card", "list item", "uploaded file"}
    assert errors == []


def _all(client: TestClient, url: str) -> list[dict]:
    values: list[dict] = []
    while url:
        body = client.get(url).json()
        values += _values(body)
        url = body.get("@odata.nextLink", "")
    return values


def test_the_demo_tenant_served_conforms_too(model: Model) -> None:
    """The generator's demo tenant, read back through the emulator, in full."""
    from sandbox.fixtures import demo

    core = LocalCore(demo()[0])
    graph = core.graph
    client = TestClient(graph_app(core), base_url="http://127.0.0.1:8081")
    samples: list[tuple[str, dict]] = []
    for group in graph.groups:
        for plan in _all(client, f"{BASE}/groups/{group}/planner/plans"):
            samples.append(("plannerPlan", plan))
            for task in _all(client, f"{BASE}/planner/plans/{plan['id']}/tasks"):
                details = client.get(f"{BASE}/planner/tasks/{task['id']}/details").json()
                samples += [("plannerTask", task), ("plannerTaskDetails", details)]
    for team in graph.teams:
        samples += [
            ("timeCard", c) for c in _all(client, f"{BASE}/teams/{team}/schedule/timeCards")
        ]
    for site, list_id in graph.lists:
        url = f"{BASE}/sites/{quote(site, safe='')}/lists/{list_id}/items?$expand=fields"
        samples += [("listItem", item) for item in _all(client, url)]
    errors = [e for kind, entity in samples for e in model.check(entity, G + kind)]
    assert len({kind for kind, _ in samples}) == 5
    assert errors == []
