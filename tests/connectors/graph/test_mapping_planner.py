"""Planner JSON (shapes per the v1.0 CSDL) to records to canonical rows, case by case."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from connectors.graph.mapping import (
    Quarantine,
    bucket_phase,
    map_buckets,
    map_plan,
    map_task,
    map_tasks,
    priority_name,
    slug,
)
from connectors.graph.people import PersonDirectory
from connectors.graph.records import (
    bucket_from_json,
    list_item_from_json,
    plan_from_json,
    task_details_from_json,
    task_from_json,
    time_card_from_json,
    user_from_json,
)

BERLIN = ZoneInfo("Europe/Berlin")
PEOPLE = PersonDirectory.build(
    [
        user_from_json({"id": "u1", "mail": "Ana@Example.com"}),
        user_from_json({"id": "u2", "mail": "ben@example.com"}),
    ]
)


def task_json(**over):
    base = {
        "@odata.etag": 'W/"JzEtVGFzayAgQEBAQEBAQEBAQEBAQEBAWCc="',
        "id": "T1",
        "planId": "P1",
        "bucketId": "B1",
        "title": "Migrate mailboxes",
        "orderHint": "8585",
        "assigneePriority": "",
        "percentComplete": 50,
        "priority": 3,
        "startDateTime": "2026-11-02T08:00:00Z",
        "dueDateTime": "2026-11-30T23:00:00Z",
        "completedDateTime": None,
        "completedBy": None,
        "createdDateTime": "2026-10-01T09:00:00.1234567Z",
        "createdBy": {"user": {"id": "u2"}},
        "hasDescription": False,
        "previewType": "automatic",
        "referenceCount": 0,
        "checklistItemCount": 0,
        "activeChecklistItemCount": 0,
        "conversationThreadId": None,
        "appliedCategories": {"category3": True, "category1": True},
        "assignments": {
            "u2": {
                "@odata.type": "#microsoft.graph.plannerAssignment",
                "assignedBy": {"user": {"id": "u2"}},
                "assignedDateTime": "2026-10-02T09:00:00Z",
                "orderHint": "8",
            },
            "u1": {
                "@odata.type": "#microsoft.graph.plannerAssignment",
                "assignedBy": {"user": {"id": "u2"}},
                "assignedDateTime": "2026-10-01T09:00:00Z",
                "orderHint": "9",
            },
        },
    }
    return {**base, **over}


def test_task_json_to_row():
    row = map_task(
        task_from_json(task_json()),
        PEOPLE,
        BERLIN,
        categories={"category1": "Defect"},
        type_map={"Defect": "defect"},
    )
    assert row["task_id"] == "planner:T1" and row["project_id"] == "planner:P1"
    assert row["milestone_id"] == "planner:bucket:B1" and row["key"] == "migrate-mailboxes"
    assert (row["status"], row["status_category"], row["percent_complete"]) == (
        "In progress",
        "in_progress",
        50.0,
    )
    assert row["priority"] == "Important" and row["task_type"] == "defect"
    assert row["labels"] == ["Defect", "category3"]  # named where the plan names the category
    assert row["assignee_id"] == "ana@example.com"  # the earliest assignment wins
    assert row["due_date"] == date(2026, 12, 1)  # 23:00 UTC is the next day in Berlin
    assert row["created_at"] == datetime(2026, 10, 1, 9, 0, 0, 123456, tzinfo=UTC)  # 7 digits read


TASK_CASES = [
    # not started
    (task_json(percentComplete=0), "Not started", "todo", None),
    # done: resolved at its completion time
    (
        task_json(percentComplete=100, completedDateTime="2026-11-20T10:00:00Z"),
        "Completed",
        "done",
        datetime(2026, 11, 20, 10, tzinfo=UTC),
    ),
    # a completion time on an unfinished task is not a resolution
    (
        task_json(percentComplete=50, completedDateTime="2026-11-20T10:00:00Z"),
        "In progress",
        "in_progress",
        None,
    ),
]


@pytest.mark.parametrize(("raw", "status", "category", "resolved"), TASK_CASES)
def test_task_status(raw, status, category, resolved):
    row = map_task(task_from_json(raw), PEOPLE, BERLIN)
    assert (row["status"], row["status_category"], row["resolved_at"]) == (
        status,
        category,
        resolved,
    )


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (task_json(planId=None), "planner task T1 has no planId"),  # no owning plan
        (task_json(percentComplete=150), "percentComplete 150 outside 0-100"),  # impossible percent
    ],
)
def test_unmappable_tasks_are_quarantined_with_reason(raw, reason):
    out = map_task(task_from_json(raw), PEOPLE, BERLIN)
    assert isinstance(out, Quarantine) and reason in out.reason and out.raw["id"] == "T1"


def test_task_without_due_date_is_kept_and_flagged():
    mapped = map_tasks([task_from_json(task_json(dueDateTime=None))], PEOPLE, BERLIN)
    assert mapped.rows[0]["due_date"] is None and mapped.flagged == {"planner:T1": ["no_due_date"]}


def test_unassigned_task_and_unknown_assignee():
    # nobody assigned, and an assignee the directory can't resolve: both leave the assignee empty
    for assignments in ({}, {"u-ghost": {"assignedDateTime": "2026-10-01T00:00:00Z"}}):
        row = map_task(task_from_json(task_json(assignments=assignments)), PEOPLE, BERLIN)
        assert row["assignee_id"] is None


def test_checklist_refines_an_in_progress_percent():
    details = task_details_from_json(
        "T1",
        {
            "checklist": {
                "a": {"isChecked": True, "title": "x"},
                "b": {"isChecked": True, "title": "y"},
                "c": {"isChecked": False, "title": "z"},
                "d": {"isChecked": False, "title": "w"},
            }
        },
    )
    row = map_task(task_from_json(task_json()), PEOPLE, BERLIN, details=details)
    assert row["percent_complete"] == 50.0 and details.checklist_total == 4
    details3 = task_details_from_json(
        "T1",
        {
            "checklist": {
                "a": {"isChecked": True},
                "b": {"isChecked": False},
                "c": {"isChecked": False},
            }
        },
    )
    assert (
        map_task(task_from_json(task_json()), PEOPLE, BERLIN, details=details3)["percent_complete"]
        == 33.0
    )


@pytest.mark.parametrize(
    ("value", "name"),
    [(0, "Urgent"), (1, "Urgent"), (3, "Important"), (5, "Medium"), (9, "Low"), (None, None)],
)
def test_priority_names(value, name):
    # Planner's 0-10 scale as the UI's four names
    assert priority_name(value) == name


def test_buckets_become_milestones_with_phase_and_latest_due():
    tasks = [
        task_from_json(task_json(id="A", percentComplete=100)),
        task_from_json(task_json(id="B", percentComplete=100, dueDateTime="2026-12-10T12:00:00Z")),
    ]
    buckets = [
        bucket_from_json({"id": "B1", "planId": "P1", "name": "UAT ", "orderHint": "1"}),
        bucket_from_json({"id": "B2", "planId": "P1", "name": "Other", "orderHint": "2"}),
    ]
    rows = map_buckets(buckets, tasks, {"uat": "qa_uat"}, BERLIN)
    assert rows[0] == {
        "milestone_id": "planner:bucket:B1",
        "project_id": "planner:P1",
        "name": "UAT ",
        "due_date": date(2026, 12, 10),
        "released": True,
        "phase": "qa_uat",
        "source": "planner",
    }
    assert rows[1]["released"] is False and rows[1]["due_date"] is None and rows[1]["phase"] is None


def test_plan_json_to_project_row_with_overrides():
    plan = plan_from_json(
        {
            "id": "P1",
            "title": "Intranet Relaunch!",
            "owner": "g1",
            "createdBy": {"user": {"id": "u2"}},
            "createdDateTime": "2026-09-01T00:00:00Z",
            "container": {"containerId": "g1", "type": "group", "url": "x"},
        },
        {"categoryDescriptions": {"category1": "Defect", "category2": None}},
    )
    row = map_plan(plan, PEOPLE, {"phase": "execution", "target_date": "2027-01-31"})
    assert (row["project_id"], row["key"], row["lead_id"], row["phase"]) == (
        "planner:P1",
        "intranet-relaunch",
        "ben@example.com",
        "execution",
    )
    assert dict(plan.categories) == {"category1": "Defect"}


def test_time_card_and_list_item_json():
    card = time_card_from_json(
        "team",
        {
            "id": "TCK_1",
            "userId": "u1",
            "state": "clockedOut",
            "confirmedBy": "user",
            "clockInEvent": {
                "dateTime": "2026-11-20T08:00:00Z",
                "isAtApprovedLocation": True,
                "notes": None,
            },
            "clockOutEvent": {
                "dateTime": "2026-11-20T16:00:00Z",
                "isAtApprovedLocation": True,
                "notes": None,
            },
            "breaks": [
                {
                    "breakId": "BRK_1",
                    "start": {"dateTime": "2026-11-20T12:00:00Z"},
                    "end": {"dateTime": "2026-11-20T12:30:00Z"},
                    "notes": None,
                }
            ],
            "lastModifiedDateTime": "2026-11-20T16:00:01Z",
        },
    )
    assert card.clock_in.hour == 8 and len(card.breaks) == 1 and card.confirmed_by == "user"
    removed = list_item_from_json("L", {"id": "5", "@removed": {"reason": "deleted"}})
    item = list_item_from_json("L", {"id": "6", "fields": {"@odata.etag": "x", "Hours": 2}})
    assert removed.deleted and not item.deleted and dict(item.fields) == {"Hours": 2}


def test_slug_and_bucket_phase():
    assert slug("  Go-live: checklist!! ") == "go-live-checklist" and slug("") is None
    assert bucket_phase("Planning", {"Planning": "planning"}) == "planning"
    assert bucket_phase(" PLANNING", {"planning ": "planning"}) == "planning"
    assert bucket_phase("Misc", {"Planning": "planning"}) is None
