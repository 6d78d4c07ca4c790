"""Microsoft's own documented Graph examples through the connector's mapping (issue 13).

The bodies are in `documented/` exactly as published (see `documented/SOURCES.md`); three
of them are not valid JSON (trailing commas) and are fixed here, only there. Each test
asserts the canonical rows (or quarantine entries) the connector makes of one example.
"""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from connectors.graph.mapping import map_tasks
from connectors.graph.mapping_time import (
    TimesheetColumns,
    WorkIndex,
    map_time_cards,
    map_timesheet_items,
    resolve_person,
)
from connectors.graph.people import PersonDirectory
from connectors.graph.publish_ops import next_range_start
from connectors.graph.readers import last_occurrences, rebase_link
from connectors.graph.records import (
    GraphUser,
    PlanRecord,
    SiteUser,
    list_item_from_json,
    plan_categories,
    task_details_from_json,
    task_from_json,
    time_card_from_json,
    user_from_json,
)

DOCUMENTED = Path(__file__).parent / "documented"
INVALID_AS_PUBLISHED = {"fieldvalueset", "timecard-get", "schedule-list-timecards"}
NO_INDEX = WorkIndex({}, {})
ALICE = "d56f3e8a-2b0f-42b1-88b9-e2dbd12a34d2"  # the time cards' user (no user page of hers)
SANDBOX = "http://127.0.0.1:8081/v1.0"
UTC_ZONE = "UTC"


def documented(name: str) -> Any:
    """An example's body; trailing commas removed only where the published text has them."""
    text = (DOCUMENTED / f"{name}.json").read_text(encoding="utf-8")
    if name in INVALID_AS_PUBLISHED:
        text = re.sub(r",(\s*[}\]])", r"\1", text)
    return json.loads(text)


def people(*users: GraphUser) -> PersonDirectory:
    return PersonDirectory.build(users, default_zone=UTC_ZONE)


def test_only_the_noted_examples_needed_fixing():
    names = sorted(p.stem for p in DOCUMENTED.glob("*.json"))
    assert len(names) == 17
    for name in names:
        text = (DOCUMENTED / f"{name}.json").read_text(encoding="utf-8")
        if name in INVALID_AS_PUBLISHED:
            with pytest.raises(json.JSONDecodeError):
                json.loads(text)
        else:
            json.loads(text)
        assert documented(name) is not None


# --- SharePoint list items ------------------------------------------------------------------


def test_listitem_list_items_without_timesheet_columns_are_quarantined_with_the_column():
    items = [list_item_from_json("L", raw) for raw in documented("listitem-list")["value"]]
    mapped = map_timesheet_items(items, TimesheetColumns(), people(), NO_INDEX)
    assert mapped.rows == []
    assert [(q.record_id, q.reason) for q in mapped.quarantined] == [
        (f"L:{n}", f"timesheet list L item {n}: column 'Hours' is None, not a number of hours")
        for n in ("2", "4", "7")
    ]
    # read as hours, the quantities are more than a day holds: quarantined, not stored
    as_hours = TimesheetColumns(hours="Quantity", date="Color")
    mapped = map_timesheet_items(items, as_hours, people(), NO_INDEX)
    assert [q.reason.split(": ", 1)[1] for q in mapped.quarantined] == [
        f"column 'Quantity' is {n} h, more than the 24 h one day can hold (graph.max_row_hours)"
        for n in (503, 2357, 92)
    ]


def test_listitem_get_is_one_item_with_its_fields():
    item = list_item_from_json("L", documented("listitem-get"))
    assert (item.id, dict(item.fields), item.folder, item.deleted) == (
        "5",
        {"Name": "Widget", "Color": "Blue", "Quantity": 2357},
        False,
        False,
    )
    (problem,) = map_timesheet_items([item], TimesheetColumns(), people(), NO_INDEX).quarantined
    assert problem.record_id == "L:5"


def test_listitem_delta_rounds_skip_the_folder_and_let_the_deletion_win():
    first = documented("listitem-delta-first")
    last = documented("listitem-delta-last")
    records = [list_item_from_json("L", raw) for raw in first["value"]]
    assert [(r.id, r.folder, r.deleted) for r in records] == [
        ("1", True, False),  # contentType Folder
        ("2", False, False),
        ("3", False, False),
    ]
    mapped = map_timesheet_items(records, TimesheetColumns(), people(), NO_INDEX)
    assert [q.record_id for q in mapped.quarantined] == ["L:2", "L:3"]  # no columns (no expand)
    # both pages as one round: item 3 is listed, then deleted (the `deleted` facet); the
    # last occurrence wins, and the folder is listed again but still skipped
    round_items = [
        list_item_from_json("L", r) for r in last_occurrences(first["value"] + last["value"])
    ]
    assert [(r.id, r.folder, r.deleted) for r in round_items] == [
        ("2", False, False),
        ("1", True, False),
        ("3", False, True),
    ]
    live = [r for r in round_items if not r.deleted]
    assert [
        q.record_id
        for q in map_timesheet_items(live, TimesheetColumns(), people(), NO_INDEX).quarantined
    ] == ["L:2"]
    # the links name graph.microsoft.com: followed on the configured base URL
    assert rebase_link(first["@odata.nextLink"], SANDBOX) == (
        f"{SANDBOX}/sites/contoso.sharepoint.com,2C712604-1370-44E7-A1F5-426573FDA80A,"
        "2D2244C3-251A-49EA-93A8-39E1C3A060FE/lists/22e03ef3-6ef4-424d-a1d3-92a337807c30"
        "/items/delta?token=1230919asd190410jlka"
    )


def test_listitem_delta_latest_is_an_empty_round_with_a_link():
    latest = documented("listitem-delta-latest")
    assert last_occurrences(latest["value"]) == []
    assert rebase_link(latest["@odata.deltaLink"], SANDBOX).startswith(f"{SANDBOX}/sites/")


def test_fieldvalueset_person_by_lookup_id_or_by_selected_name():
    fields = documented("fieldvalueset")
    brad = SiteUser(
        "13", "Brad Cleaver", "bradc@contoso.com", "i:0#.f|membership|bradc@contoso.com"
    )
    assert resolve_person(fields, "Author", people(), {"13": brad}) == ("bradc@contoso.com", "")
    person, problem = resolve_person(fields, "Author", people(), {})
    assert (
        person is None and "site user 13, who is not in the site's user information list" in problem
    )
    # selected by name, Graph sends the display name only: matched to the directory's user
    by_name = {k: v for k, v in fields.items() if k != "AuthorLookupId"}
    directory = people(GraphUser("u-brad", mail="BradC@contoso.com", display_name="Brad Cleaver"))
    assert resolve_person(by_name, "Author", directory, {}) == ("bradc@contoso.com", "")
    person, problem = resolve_person(by_name, "Author", people(), {})
    assert person is None and "the name 'Brad Cleaver', which matches no person" in problem
    # the whole item: a person, but 350 "hours" in one row
    item = list_item_from_json("L", {"id": "9", "fields": {**fields, "Day": "2026-11-20"}})
    columns = TimesheetColumns(person="Author", hours="Quantity", date="Day")
    (problem_row,) = map_timesheet_items(
        [item], columns, people(), NO_INDEX, site_users={"13": brad}
    ).quarantined
    assert "'Quantity' is 350 h, more than the 24 h" in problem_row.reason


# --- Planner --------------------------------------------------------------------------------


def test_planner_plan_details_name_the_labels_of_the_documented_task():
    details = documented("plannerplandetails-get")
    categories = plan_categories(details)
    assert dict(categories) == {
        "category1": "Indoors",
        "category2": "Outdoors",
        "category5": "Needs materials",
        "category6": "Needs equipment",
    }
    (raw,) = documented("plannerplan-list-tasks")["value"]
    task = task_from_json(raw)
    plan = PlanRecord(details["id"], "Plan", categories=categories)
    labelled = dataclasses.replace(task, id="labelled", categories=("category3", "category5"))
    mapped = map_tasks([task, labelled], people(), UTC, categories=plan.categories)
    row, with_labels = mapped.rows
    assert {k: row[k] for k in ("task_id", "project_id", "title", "status", "milestone_id")} == {
        "task_id": "planner:01gzSlKkIUSUl6DF_EilrmQAKDhh",
        "project_id": "planner:xqQg5FS2LkCp935s-FIFm2QAFkHM",
        "title": "title-value",
        "status": "Not started",
        "milestone_id": "planner:bucket:gcrYAaAkgU2EQUvpkNNXLGQAGTtu",
    }
    # 7 fractional digits, read to the microsecond
    assert row["created_at"] == datetime(2015, 3, 25, 18, 36, 49, 240798, tzinfo=UTC)
    assert row["assignee_id"] is None and row["labels"] == []  # an unknown user; no labels
    assert with_labels["labels"] == ["category3", "Needs materials"]  # an unnamed slot stays
    assert mapped.flagged == {  # no dueDateTime in the example: kept and flagged
        row["task_id"]: ["no_due_date"],
        "planner:labelled": ["no_due_date"],
    }


def test_planner_task_details_count_the_checklist():
    details = task_details_from_json(
        "gcrYAaAkgU2EQUvpkNNXLGQAGTtu", documented("plannertaskdetails-get")
    )
    assert (details.checklist_total, details.checklist_checked) == (1, 0)
    assert details.description.startswith("Task details properties:")


# --- Shifts and the directory ---------------------------------------------------------------


def test_user_get_is_a_person_by_mail():
    user = user_from_json(documented("user-get"))
    assert people(user).person_for_user(user.id) == "adelev@contoso.com"


def test_timecard_get_clocks_out_before_it_clocks_in_and_is_quarantined_and_kept_at_zero():
    card = time_card_from_json("team", documented("timecard-get"))
    alice = GraphUser(ALICE, mail="alice@contoso.com", display_name="Alice Bradford")
    mapped = map_time_cards([card], people(alice))
    (problem,) = mapped.quarantined
    assert problem.reason == (
        "time card TCK_3e74d9a1-f45f-4da3-95df-be72a8af448d clocks out at "
        "2025-01-07T19:45:25.048000+00:00 before it clocks in at 2025-01-08T15:44:09.545000+00:00"
    )
    (row,) = mapped.rows  # edited card: the final entry counts, not `originalEntry`
    assert (row["hours"], row["person_id"], row["is_confirmed"]) == (
        0.0,
        "alice@contoso.com",
        False,
    )
    assert row["flags"] == ["clock_out_before_in", "unconfirmed"]


def test_schedule_list_timecards_give_hours_after_breaks():
    raw = documented("schedule-list-timecards")["value"]
    cards = [time_card_from_json("team", c) for c in raw]
    alice = GraphUser(ALICE, mail="alice@contoso.com")
    mapped = map_time_cards(cards, people(alice))
    first = mapped.rows[0]
    # 14:40:01.601 to 19:43:54.555 less the break 16:42:35.406 to 16:53:40.671
    assert first["hours"] == pytest.approx(4.879914, abs=1e-6)
    assert (first["entry_id"], first["work_date"], first["is_confirmed"]) == (
        "shifts:TCK_ed816e2c-7c7a-44ff-9761-dc3df92a17ef",
        date(2025, 1, 7),
        False,
    )
    assert [q.record_id for q in mapped.quarantined] == ["TCK_3e74d9a1-f45f-4da3-95df-be72a8af448d"]


# --- uploads (the replies the publisher reads) ----------------------------------------------


def test_upload_replies_name_the_next_range_and_carry_no_web_url():
    assert next_range_start(documented("driveitem-createuploadsession-202"), 0) == 26
    assert next_range_start(documented("driveitem-createuploadsession-202-ranges"), 0) == 12345
    session = documented("driveitem-createuploadsession")  # no nextExpectedRanges at all
    assert next_range_start(session, 0) == 0 and session["uploadUrl"].startswith("https://")
    for name in ("driveitem-put-content", "driveitem-createuploadsession-201"):
        item = documented(name)  # a created file, as documented: no webUrl to link to
        assert item["id"] and "webUrl" not in item
