"""Planner over HTTP: paging with absolute next links, If-Match/412/204/Prefer, POST 201."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from tests.sandbox.graph.conftest import LocalCore

BASE = "http://127.0.0.1:8081/v1.0"


def test_plan_tasks_page_with_absolute_next_links(client: TestClient) -> None:
    url, seen, pages = f"{BASE}/planner/plans/plan-1/tasks", [], 0
    while url:
        assert url.startswith("http://127.0.0.1:8081/v1.0/")  # PageIterator requires absolute
        body = client.get(url).json()
        seen += [task["id"] for task in body["value"]]
        url, pages = body.get("@odata.nextLink"), pages + 1
    assert (len(seen), len(set(seen)), pages) == (230, 230, 3)


def test_group_plans_and_buckets(client: TestClient) -> None:
    plans = client.get(f"{BASE}/groups/group-1/planner/plans").json()["value"]
    buckets = client.get(f"{BASE}/planner/plans/plan-1/buckets").json()["value"]
    assert sorted(p["id"] for p in plans) == ["plan-1", "plan-2"]
    assert sorted(b["id"] for b in buckets) == ["bucket-1", "bucket-2"]


@pytest.mark.parametrize(
    ("path", "resource"),
    [
        ("planner/tasks/nope", "plannerTask"),  # unknown task
        ("planner/plans/nope/tasks", "plannerPlan"),  # unknown plan
        ("groups/nope/planner/plans", "group"),  # unknown group
        ("teams/nope/schedule/timeCards", "team"),  # unknown team
    ],
)
def test_unknown_ids_answer_404_naming_the_resource(
    client: TestClient, path: str, resource: str
) -> None:
    response = client.get(f"{BASE}/{path}")
    assert response.status_code == 404
    error = response.json()["error"]
    assert resource in error["message"] and "nope" in error["message"]
    assert set(error["innerError"]) == {"date", "request-id", "client-request-id"}


def _task(client: TestClient, task_id: str = "task-plan-1-0001") -> dict:
    return client.get(f"{BASE}/planner/tasks/{task_id}").json()


def test_patch_needs_if_match(client: TestClient) -> None:
    response = client.patch(f"{BASE}/planner/tasks/task-plan-1-0001", json={"percentComplete": 50})
    assert response.status_code == 400
    assert "If-Match" in response.json()["error"]["message"]


def test_patch_with_current_etag_answers_204_and_changes_the_etag(client: TestClient) -> None:
    before = _task(client)
    response = client.patch(
        f"{BASE}/planner/tasks/task-plan-1-0001",
        json={"percentComplete": 100},
        headers={"If-Match": before["@odata.etag"]},
    )
    after = _task(client)
    assert (response.status_code, response.content) == (204, b"")
    assert after["percentComplete"] == 100 and after["completedDateTime"]
    assert after["@odata.etag"] != before["@odata.etag"]


def test_stale_etag_answers_412(client: TestClient, core: LocalCore) -> None:
    stale = _task(client)["@odata.etag"]
    core.graph.edit_task("task-plan-1-0001", {"title": "changed by someone else"})
    response = client.patch(
        f"{BASE}/planner/tasks/task-plan-1-0001",
        json={"title": "mine"},
        headers={"If-Match": stale},
    )
    assert response.status_code == 412
    assert response.json()["error"]["code"] == "PreconditionFailed"
    assert _task(client)["title"] == "changed by someone else"


def test_prefer_return_representation_answers_200_with_the_task(client: TestClient) -> None:
    etag = _task(client)["@odata.etag"]
    response = client.patch(
        f"{BASE}/planner/tasks/task-plan-1-0001",
        json={"title": "Renamed", "assignments": {"u-new": {"orderHint": " !"}}},
        headers={"If-Match": etag, "Prefer": "return=representation"},
    )
    body = response.json()
    assert response.status_code == 200 and body["title"] == "Renamed"
    assert body["assignments"]["u-new"]["@odata.type"] == "#microsoft.graph.plannerAssignment"
    assert body["@odata.etag"] == _task(client)["@odata.etag"] != etag


@pytest.mark.parametrize(
    "body",
    [
        {"percentComplete": 101},  # out of range
        {"id": "other"},  # read-only property
        {"bucketId": "bucket-3"},  # a bucket of another plan
        {"dueDateTime": "next week"},  # not a date
    ],
)
def test_invalid_patches_answer_400(client: TestClient, body: dict) -> None:
    etag = _task(client)["@odata.etag"]
    response = client.patch(
        f"{BASE}/planner/tasks/task-plan-1-0001", json=body, headers={"If-Match": etag}
    )
    assert response.status_code == 400


def test_created_task_is_201_with_etag_listed_and_in_the_outbox(
    client: TestClient, core: LocalCore
) -> None:
    response = client.post(
        f"{BASE}/planner/tasks",
        json={"planId": "plan-2", "bucketId": "bucket-3", "title": "Follow up <risk>"},
    )
    created = response.json()
    listed = client.get(f"{BASE}/planner/plans/plan-2/tasks").json()["value"]
    assert response.status_code == 201 and created["@odata.etag"].startswith('W/"')
    assert created["id"] in {task["id"] for task in listed}
    assert core.outbox.entries[-1]["kind"] == "planner_task"
    assert core.outbox.entries[-1]["payload"]["title"] == "Follow up <risk>"


def test_create_task_in_unknown_plan_is_404(client: TestClient) -> None:
    response = client.post(f"{BASE}/planner/tasks", json={"planId": "nope", "title": "x"})
    assert response.status_code == 404


def test_task_details_can_be_read_and_patched(client: TestClient) -> None:
    details = client.get(f"{BASE}/planner/tasks/task-plan-1-0000/details").json()
    response = client.patch(
        f"{BASE}/planner/tasks/task-plan-1-0000/details",
        json={"description": "new"},
        headers={"If-Match": details["@odata.etag"]},
    )
    again = client.get(f"{BASE}/planner/tasks/task-plan-1-0000/details").json()
    assert details["description"] == "Kick-off <b>notes</b>"
    assert response.status_code == 204 and again["description"] == "new"


def test_unknown_segment_is_400_and_wrong_method_405(client: TestClient) -> None:
    assert client.get(f"{BASE}/planner/nothing").status_code == 400
    assert client.delete(f"{BASE}/planner/tasks/task-plan-1-0001").status_code == 405


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("planner/plans/plan-1/tasks?$expand=details", 400),  # an expand not served
        ("planner/plans/plan-1/tasks?$search=risk", 400),  # no search
        ("planner/plans/plan-1/tasks?$filter=percentComplete eq 100", 400),  # no filter here
        ("planner/plans/plan-1/tasks?$orderby=title", 400),  # no ordering here
        ("teams/team-1/schedule/timeCards?$orderby=clockInEvent/dateTime desc", 400),  # not desc
        ("teams/team-1/schedule/timeCards?$orderby=clockInEvent/dateTime", 200),  # the default
        ("planner/plans/plan-1/tasks?token=x&$top=5", 200),  # a non-OData parameter is no option
    ],
)
def test_odata_options_not_served_answer_400(client: TestClient, path: str, status: int) -> None:
    response = client.get(f"{BASE}/{path}")
    assert response.status_code == status


def test_select_keeps_id_annotations_and_the_selected_properties(client: TestClient) -> None:
    page = client.get(f"{BASE}/planner/plans/plan-1/tasks?$select=title,percentComplete").json()
    task = client.get(f"{BASE}/planner/tasks/task-plan-1-0001?select=title").json()
    assert set(page["value"][0]) == {"id", "@odata.etag", "title", "percentComplete"}
    assert "$select=title,percentComplete" in page["@odata.nextLink"]  # kept while paging
    assert set(task) == {"id", "@odata.etag", "title"}
