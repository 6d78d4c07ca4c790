"""Mapping of Jira records (shaped per the v3 spec) to canonical rows, table-driven."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime
from typing import Any

import pytest

from connectors.jira.mapping import map_issue, map_links, map_status_changes, map_worklog, work_date
from connectors.jira.mapping_meta import map_project, map_sprint, map_version
from connectors.jira.records import FieldIds, MappingContext, MappingError, Person, resolve_fields

FIELDS = [
    {"id": "summary", "name": "Summary"},
    {"id": "customfield_10016", "name": "Story Points"},
    {"id": "customfield_10020", "name": "Sprint"},
    {"id": "customfield_10030", "name": "Risk Probability"},
    {"id": "customfield_10031", "name": "Risk Impact"},
    {"id": "customfield_10032", "name": "Mitigation"},
]
NAMES = {
    "story_points": ["Story Points"],
    "sprint": ["Sprint"],
    "risk_probability": ["Risk Probability"],
    "risk_impact": ["Risk Impact"],
    "mitigation": ["Mitigation"],
}


def ctx() -> MappingContext:
    context = MappingContext(
        resolve_fields(FIELDS, NAMES), {"Story": "story", "Risk": "risk"}, frozenset({"Risk"})
    )
    context.people["acc-1"] = Person("acc-1", "Ana.Lima@Example.com", "Ana", "America/Sao_Paulo")
    context.learn_statuses(
        [
            {"id": "1", "name": "To Do", "statusCategory": {"key": "new"}},
            {"id": "3", "name": "In Progress", "statusCategory": {"key": "indeterminate"}},
        ]
    )
    return context


ISSUE: dict[str, Any] = {
    "id": "10001",
    "key": "ABC-1",
    "fields": {
        "summary": "Migrate <b>mail</b>",
        "issuetype": {"name": "Story"},
        "project": {"id": "10000", "key": "ABC"},
        "status": {"id": "3", "name": "In Progress", "statusCategory": {"key": "indeterminate"}},
        "priority": {"name": "High"},
        "assignee": {"accountId": "acc-1"},
        "labels": ["x"],
        "created": "2026-06-02T09:00:00.000+0200",
        "updated": "2026-07-01T10:00:00.000+0000",
        "resolutiondate": None,
        "duedate": "2026-07-15",
        "parent": {"id": "10000"},
        "fixVersions": [{"id": "200"}],
        "timeoriginalestimate": 28800,
        "timeestimate": 3600,
        "customfield_10016": 5,
        "customfield_10020": [{"id": 3, "state": "closed"}, {"id": 4, "state": "active"}],
        "issuelinks": [
            {
                "id": "900",
                "type": {"name": "Blocks", "inward": "is blocked by", "outward": "blocks"},
                "outwardIssue": {"id": "10002"},
            },
            {
                "id": "901",
                "type": {"name": "Relates", "inward": "relates to", "outward": "relates to"},
                "inwardIssue": {"id": "10003"},
            },
        ],
    },
}


def test_issue_maps_every_column() -> None:
    rows = map_issue(ISSUE, ctx())
    task = rows.task
    assert task["task_id"] == "jira:10001" and task["project_id"] == "jira:10000"
    assert task["title"] == "Migrate <b>mail</b>"  # stored raw; escaping happens when rendering
    assert task["status_category"] == "in_progress" and task["task_type"] == "story"
    assert task["assignee_id"] == "ana.lima@example.com"  # people by lower-case e-mail
    assert task["parent_id"] == "jira:10000" and task["milestone_id"] == "jira:version:200"
    assert task["sprint_id"] == "jira:sprint:4"  # the active sprint wins
    assert (
        task["estimate_hours"] == 8.0
        and task["remaining_hours"] == 1.0
        and task["story_points"] == 5.0
    )
    assert task["created_at"] == datetime(2026, 6, 2, 7, 0, tzinfo=UTC)  # +0200 -> UTC
    assert task["due_date"] == date(2026, 7, 15)
    assert rows.risk is None


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("fields.project", "fields.project.id"),  # no project: can't place the task
        ("fields.issuetype", "fields.issuetype.name"),  # no type
        ("fields.updated", "fields.updated"),  # no updated: the cursor would break
        ("key", "key"),  # no key
    ],
)
def test_missing_required_field_is_a_mapping_error(path: str, reason: str) -> None:
    record = copy.deepcopy(ISSUE)
    *parents, last = path.split(".")
    node = record
    for part in parents:
        node = node[part]
    del node[last]
    with pytest.raises(MappingError, match=reason.replace(".", r"\.")):
        map_issue(record, ctx())


def test_links_are_oriented_and_identical_from_both_sides() -> None:
    rows = map_links(ISSUE)
    # outward "blocks": this issue is the predecessor
    assert rows[0] == {
        "dependency_id": "jira:link:900",
        "from_task_id": "jira:10001",
        "to_task_id": "jira:10002",
        "link_type": "Blocks",
        "is_blocking": True,
        "source": "jira",
    }
    # inward side: the other issue comes first; "relates" is not blocking
    assert rows[1]["from_task_id"] == "jira:10003" and rows[1]["is_blocking"] is False
    other_side = {
        "id": "10002",
        "fields": {
            "issuelinks": [
                {
                    "id": "900",
                    "type": {"name": "Blocks", "outward": "blocks"},
                    "inwardIssue": {"id": "10001"},
                }
            ]
        },
    }
    assert map_links(other_side)[0] == rows[0]


def test_risk_row_with_adf_mitigation_and_scales() -> None:
    record = copy.deepcopy(ISSUE)
    record["fields"] |= {
        "issuetype": {"name": "Risk"},
        "customfield_10030": {"value": "4"},
        "customfield_10031": 3,
        "customfield_10032": {
            "type": "doc",
            "version": 1,
            "content": [
                {"type": "paragraph", "content": [{"type": "text", "text": "Add a fallback"}]}
            ],
        },
    }
    risk = map_issue(record, ctx()).risk
    assert risk is not None
    assert (risk["probability"], risk["impact"], risk["mitigation"]) == (4, 3, "Add a fallback")
    assert risk["roam_status"] == "open" and risk["owner_id"] == "ana.lima@example.com"
    record["fields"]["customfield_10031"] = 9  # impact out of 1-5: quarantined, not clipped
    with pytest.raises(MappingError, match="outside 1-5"):
        map_issue(record, ctx())


def test_status_changes_keep_item_index_and_categories() -> None:
    histories = [
        {
            "id": "77",
            "created": "2026-06-03T10:00:00.000+0000",
            "author": {"accountId": "acc-1"},
            "items": [
                {"field": "assignee", "fieldId": "assignee"},
                {
                    "field": "status",
                    "fieldId": "status",
                    "from": "1",
                    "fromString": "To Do",
                    "to": "3",
                    "toString": "In Progress",
                },
            ],
        }
    ]
    (row,) = map_status_changes("10001", histories, ctx())
    assert row["change_id"] == "jira:77:1"  # index in the history's item list
    assert (row["from_category"], row["to_category"]) == ("todo", "in_progress")
    assert row["author_id"] == "ana.lima@example.com"


@pytest.mark.parametrize(
    ("started", "zone", "expected"),
    [
        # 23:30 in Sao Paulo is already the next day in UTC: the author's day counts
        ("2026-03-10T23:30:00.000-0300", "America/Sao_Paulo", date(2026, 3, 10)),
        # zone unknown: the offset in `started` is the author's own
        ("2026-03-10T23:30:00.000-0300", None, date(2026, 3, 10)),
        # Berlin DST starts 2026-03-29 02:00: 00:30 local (+0100) is 23:30 UTC the day before
        ("2026-03-29T00:30:00.000+0100", "Europe/Berlin", date(2026, 3, 29)),
        # after the DST switch the offset is +0200; 01:30 local is 23:30 UTC the day before
        ("2026-03-30T01:30:00.000+0200", "Europe/Berlin", date(2026, 3, 30)),
        # a UTC timestamp for a Berlin author late on 28 March is on 29 March locally
        ("2026-03-28T23:30:00.000+0000", "Europe/Berlin", date(2026, 3, 29)),
    ],
)
def test_work_date_is_the_authors_day(started: str, zone: str | None, expected: date) -> None:
    assert work_date(started, zone) == expected


def test_worklog_row() -> None:
    record = {
        "id": "5001",
        "issueId": "10001",
        "author": {"accountId": "acc-1"},
        "started": "2026-03-10T23:30:00.000-0300",
        "timeSpentSeconds": 5400,
        "updated": "2026-03-11T03:00:00.000+0000",
    }
    row = map_worklog(record, ctx(), "jira:10000")
    assert row["entry_id"] == "jira:worklog:5001" and row["hours"] == 1.5
    assert row["work_date"] == date(2026, 3, 10) and row["person_id"] == "ana.lima@example.com"
    del record["timeSpentSeconds"]
    with pytest.raises(MappingError, match="timeSpentSeconds"):
        map_worklog(record, ctx(), "jira:10000")


def test_custom_fields_resolve_by_name_in_configured_order() -> None:
    # a renamed field is found by its new name when config lists it; unknown roles are reported
    fields = [
        {"id": "customfield_1", "name": "Story point estimate"},
        {"id": "customfield_2", "name": "SP"},
    ]
    resolved = resolve_fields(
        fields, {"story_points": ["Story Points", "Story point estimate", "SP"]}
    )
    assert resolved.get("story_points") == "customfield_1"
    assert "sprint" in resolved.missing
    assert FieldIds().get("sprint") is None


def test_project_version_sprint() -> None:
    charter = {
        "phase": "execution",
        "start_date": "2026-06-01",
        "budget_hours": 4800,
        "objectives": ["a"],
        "kpi_targets": {"k": {"target": 1}},
    }
    project = map_project(
        {"id": "10000", "key": "ABC", "name": "Alpha", "lead": {"accountId": "acc-1"}},
        charter,
        ctx(),
    )
    assert project["phase"] == "execution" and project["budget_hours"] == 4800.0
    assert project["lead_id"] == "ana.lima@example.com" and project["start_date"] == date(
        2026, 6, 1
    )
    with pytest.raises(MappingError, match="phase"):
        map_project({"id": "1", "key": "K"}, {"phase": "dreaming"}, ctx())
    version = map_version(
        {"id": "200", "name": "R1", "releaseDate": "2026-09-01", "released": False}, "jira:10000"
    )
    assert version["milestone_id"] == "jira:version:200" and version["due_date"] == date(2026, 9, 1)
    sprint = map_sprint(
        {
            "id": 4,
            "name": "S4",
            "state": "active",
            "startDate": "2026-06-01T08:00:00.000+10:00",
            "originBoardId": 1,
        },
        "jira:10000",
    )
    assert (
        sprint["start_at"] == datetime(2026, 5, 31, 22, 0, tzinfo=UTC) and sprint["board_id"] == "1"
    )


def test_people_without_visible_email_are_kept_and_matched_by_alias() -> None:
    """Jira Cloud hides most e-mails: such a user is keyed by account id, unless config maps
    the account (or a visible alias address) to a canonical e-mail."""
    from connectors.jira.mapping_meta import map_person

    context = ctx()
    context.account_aliases = {"acc-9": "Kim@Example.com"}
    context.email_aliases = {"a.lima@corp.example": "ana.lima@example.com"}
    hidden = {"accountId": "acc-7", "displayName": "Bo Berg"}
    assert context.person_id(hidden) == "jira:user:acc-7"
    assert map_person(context.person(hidden)) == {
        "person_id": "jira:user:acc-7",
        "display_name": "Bo Berg",
        "time_zone": None,
        "weekly_capacity_hours": None,
        "source_ids": {"jira": "acc-7"},
        "source": "jira",
    }
    assert context.person_id({"accountId": "acc-9"}) == "kim@example.com"
    aliased = {"accountId": "acc-8", "emailAddress": "A.Lima@corp.example"}
    assert context.person_id(aliased) == "ana.lima@example.com"
    issue = copy.deepcopy(ISSUE)
    issue["fields"]["assignee"] = hidden
    assert map_issue(issue, context).task["assignee_id"] == "jira:user:acc-7"


def test_dependency_link_types_orient_predecessor_first_and_unknown_types_are_collected() -> None:
    """'A depends on B' makes B the predecessor; 'A blocks B' makes A the predecessor; a type
    that is neither a dependency nor ignored is collected once per link id."""

    def issue(*links: dict[str, Any]) -> dict[str, Any]:
        return {"id": "1", "fields": {"issuelinks": list(links)}}

    depends = {"name": "Depends", "inward": "is dependent of", "outward": "depends on"}
    gantt = {"name": "Gantt End to End", "outward": "has to be finished together with"}
    record = issue(
        {"id": "7", "type": depends, "outwardIssue": {"id": "2"}},  # 1 depends on 2
        {"id": "8", "type": depends, "inwardIssue": {"id": "3"}},  # 3 depends on 1
        {"id": "9", "type": gantt, "outwardIssue": {"id": "4"}},
        {"id": "10", "type": {"name": "Relates"}, "outwardIssue": {"id": "5"}},
    )
    unknown: dict[str, set[str]] = {}
    rows = map_links(record, {"depends": "inward"}, {"relates"}, unknown)
    pairs = [(r["from_task_id"], r["to_task_id"], r["is_blocking"]) for r in rows]
    assert pairs == [
        ("jira:2", "jira:1", True),
        ("jira:1", "jira:3", True),
        ("jira:1", "jira:4", False),
        ("jira:1", "jira:5", False),
    ]
    assert unknown == {"Gantt End to End": {"9"}}
    # the same link seen from the other issue maps to the same row
    other = issue({"id": "7", "type": depends, "inwardIssue": {"id": "1"}})
    other["id"] = "2"
    assert map_links(other, {"depends": "inward"})[0] == rows[0]
    # Depends is among the default dependency types
    assert map_links(record)[0]["is_blocking"] is True


def test_sub_task_types_not_in_the_type_map_are_sub_tasks() -> None:
    record = copy.deepcopy(ISSUE)
    record["fields"]["issuetype"] = {"name": "Technical task", "subtask": True}
    assert map_issue(record, ctx()).task["task_type"] == "subtask"
    record["fields"]["issuetype"] = {"name": "Improvement", "subtask": False}
    assert map_issue(record, ctx()).task["task_type"] == "task"
