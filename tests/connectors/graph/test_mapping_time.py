"""Time cards and timesheet rows to `time_entries`: the rules, case by case."""

from __future__ import annotations

from datetime import UTC, date, datetime
from types import MappingProxyType

import pytest

from connectors.graph.mapping_time import (
    TimesheetColumns,
    WorkIndex,
    map_time_card,
    map_time_cards,
    map_timesheet_item,
    parse_hours,
)
from connectors.graph.people import PersonDirectory
from connectors.graph.records import BreakRecord, GraphUser, ListItemRecord, TimeCardRecord

ANA = GraphUser(
    "u-ana", mail="a.lima@example.onmicrosoft.com", other_mails=("ana.lima@example.com",)
)
BEN = GraphUser("u-ben", mail="ben@example.com")
PEOPLE = PersonDirectory.build(
    [ANA, BEN],
    aliases={"A.Lima@Example.onmicrosoft.com": "ana.lima@example.com"},
    known_zones={"ana.lima@example.com": "America/Sao_Paulo", "ben@example.com": "Asia/Tokyo"},
    default_zone="Europe/Berlin",
)


def t(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def card(**overrides) -> TimeCardRecord:
    base = {
        "id": "TCK_1",
        "team_id": "team",
        "user_id": "u-ana",
        "state": "clockedOut",
        "confirmed_by": "manager",
        "clock_in": t("2026-11-20T12:00:00+00:00"),
        "clock_out": t("2026-11-20T20:00:00+00:00"),
        "breaks": (),
        "updated_at": None,
    }
    return TimeCardRecord(**{**base, **overrides})


CARD_CASES = [
    # a plain 8-hour shift, confirmed by the manager
    (card(), 8.0, date(2026, 11, 20), True, []),
    # a 30-minute break is deducted
    (
        card(breaks=(BreakRecord(t("2026-11-20T15:00:00+00:00"), t("2026-11-20T15:30:00+00:00")),)),
        7.5,
        date(2026, 11, 20),
        True,
        [],
    ),
    # two breaks, one sticking out past the clock-out: only the part inside the shift counts
    (
        card(
            breaks=(
                BreakRecord(t("2026-11-20T13:00:00+00:00"), t("2026-11-20T13:15:00+00:00")),
                BreakRecord(t("2026-11-20T19:30:00+00:00"), t("2026-11-20T21:00:00+00:00")),
            )
        ),
        7.25,
        date(2026, 11, 20),
        True,
        [],
    ),
    # a night shift spanning midnight in Tokyo (UTC+9): 22:00-06:00 local counts for the start day
    (
        card(
            user_id="u-ben",
            clock_in=t("2026-11-20T22:00:00+09:00"),
            clock_out=t("2026-11-21T06:00:00+09:00"),
        ),
        8.0,
        date(2026, 11, 20),
        True,
        [],
    ),
    # in Sao Paulo (UTC-3) a 01:00 UTC clock-in is still the previous local day
    (
        card(clock_in=t("2026-11-21T01:00:00+00:00"), clock_out=t("2026-11-21T05:00:00+00:00")),
        4.0,
        date(2026, 11, 20),
        True,
        [],
    ),
    # unconfirmed card: kept, not confirmed, flagged
    (card(confirmed_by="none"), 8.0, date(2026, 11, 20), False, ["unconfirmed"]),
    # still clocked in: kept with 0 hours (repeatable runs), flagged
    (card(state="clockedIn", clock_out=None), 0.0, date(2026, 11, 20), False, ["clocked_in"]),
    # a user the directory doesn't know: kept, person unknown, default zone (Berlin)
    (card(user_id="u-ghost"), 8.0, date(2026, 11, 20), True, ["unknown_person"]),
    # an open break on a closed card counts for nothing but is flagged
    (
        card(breaks=(BreakRecord(t("2026-11-20T15:00:00+00:00"), None),)),
        8.0,
        date(2026, 11, 20),
        True,
        ["open_break"],
    ),
]


@pytest.mark.parametrize(("record", "hours", "work_date", "confirmed", "flags"), CARD_CASES)
def test_time_card_rules(record, hours, work_date, confirmed, flags):
    row, problem = map_time_card(record, PEOPLE)
    assert problem is None
    assert row["hours"] == pytest.approx(hours)
    assert row["work_date"] == work_date
    assert row["is_confirmed"] is confirmed
    assert row["flags"] == flags
    assert row["entry_id"] == "shifts:TCK_1" and row["kind"] == "timecard"


def test_clock_out_before_clock_in_is_quarantined_with_reason_and_kept_as_flagged_anomaly():
    row, problem = map_time_card(
        card(clock_in=t("2026-11-20T18:00:00+00:00"), clock_out=t("2026-11-20T09:00:00+00:00")),
        PEOPLE,
    )
    assert problem is not None and problem.stream == "time_cards" and problem.record_id == "TCK_1"
    assert "clocks out at 2026-11-20T09:00:00+00:00 before it clocks in" in problem.reason
    assert row["flags"] == ["clock_out_before_in"] and row["hours"] == 0.0
    assert row["is_confirmed"] is False


def test_card_without_clock_in_is_quarantined_only():
    row, problem = map_time_card(card(clock_in=None), PEOPLE)
    assert row is None and "no clockInEvent" in problem.reason


def test_person_known_under_two_addresses_maps_to_one_person():
    # Ana's Graph mail is an alias; both her cards and her timesheet rows land on one id
    mapped = map_time_cards([card(), card(id="TCK_2")], PEOPLE)
    assert {r["person_id"] for r in mapped.rows} == {"ana.lima@example.com"}
    item = ListItemRecord(
        "7",
        "L1",
        MappingProxyType(
            {"Person": "A.LIMA@example.onmicrosoft.com", "WorkDate": "2026-11-20", "Hours": 2}
        ),
    )
    row = map_timesheet_item(item, TimesheetColumns(), PEOPLE, WorkIndex({}, {}))
    assert row["person_id"] == "ana.lima@example.com"


def test_directory_prefers_an_address_the_warehouse_knows_without_configured_alias():
    people = PersonDirectory.build([ANA], known_zones={"ana.lima@example.com": "UTC"})
    assert people.person_for_user("u-ana") == "ana.lima@example.com"


INDEX = WorkIndex(
    projects={"abc": "jira:10000", "jira:10000": "jira:10000"},
    tasks={"abc-12": ("jira:10012", "jira:10000")},
)


def item(**fields) -> ListItemRecord:
    base = {
        "Person": "ben@example.com",
        "WorkDate": "2026-11-20",
        "Hours": 7.5,
        "Project": "ABC",
        "Task": "ABC-12",
    }
    return ListItemRecord(
        "3", "L1", MappingProxyType({**base, **fields}), updated_at=t("2026-11-20T18:00:00+00:00")
    )


TIMESHEET_CASES = [
    # all columns present and known
    (item(), 7.5, date(2026, 11, 20), "jira:10000", "jira:10012", []),
    # hours as text with a decimal comma
    (item(Hours="6,25"), 6.25, date(2026, 11, 20), "jira:10000", "jira:10012", []),
    # a date-time column: SharePoint sends the site's local midnight in UTC (Berlin site)
    (
        item(WorkDate=t("2026-11-19T23:00:00+00:00")),
        7.5,
        date(2026, 11, 20),
        "jira:10000",
        "jira:10012",
        [],
    ),
    # the task alone gives the project
    (item(Project=None), 7.5, date(2026, 11, 20), "jira:10000", "jira:10012", []),
    # unknown project and task keys are kept and flagged
    (
        item(Project="ZZZ", Task="ZZZ-1"),
        7.5,
        date(2026, 11, 20),
        None,
        None,
        ["unknown_project", "unknown_task"],
    ),
    # a person column as a lookup object
    (
        item(Person={"Email": "Ben@Example.com"}),
        7.5,
        date(2026, 11, 20),
        "jira:10000",
        "jira:10012",
        [],
    ),
]


@pytest.mark.parametrize(
    ("record", "hours", "work_date", "project", "task", "flags"), TIMESHEET_CASES
)
def test_timesheet_rules(record, hours, work_date, project, task, flags):
    row = map_timesheet_item(record, TimesheetColumns(), PEOPLE, INDEX)
    assert row["entry_id"] == "sharepoint:L1:3" and row["kind"] == "timesheet"
    assert row["person_id"] == "ben@example.com"
    assert (row["hours"], row["work_date"], row["project_id"], row["task_id"]) == (
        hours,
        work_date,
        project,
        task,
    )
    assert row["flags"] == flags


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"Hours": None}, "'Hours' is None, not a number of hours"),  # missing hours
        ({"Hours": -2}, "is -2 h: negative hours"),  # negative hours
        ({"Hours": "lots"}, "not a number of hours"),  # text that is no number
        ({"WorkDate": "20/11/2026"}, "'WorkDate' is '20/11/2026', not a date"),  # unparseable date
    ],
)
def test_timesheet_rows_that_cannot_be_mapped_are_quarantined_with_reason(fields, reason):
    problem = map_timesheet_item(item(**fields), TimesheetColumns(), PEOPLE, INDEX)
    assert problem.record_id == "L1:3" and reason in problem.reason


def test_column_mapping_from_config_names_unknown_keys():
    cols = TimesheetColumns.from_config({"hours": "Stunden"}, "graph.timesheet_lists[0]")
    assert cols.hours == "Stunden" and cols.person == "Person"
    with pytest.raises(ValueError, match=r"graph.timesheet_lists\[0\].columns: unknown key"):
        TimesheetColumns.from_config({"hourz": "x"}, "graph.timesheet_lists[0]")


@pytest.mark.parametrize(
    ("value", "expected"), [(3, 3.0), ("2.5", 2.5), (True, None), (float("nan"), None)]
)
def test_parse_hours(value, expected):
    # ints, numeric text; booleans and NaN are no hours
    assert parse_hours(value) == expected
