"""Pure mapping of Shifts time cards and SharePoint timesheet rows to `time_entries`.

Time cards: worked hours = clock-out - clock-in - breaks (breaks clipped to the shift);
`work_date` is the clock-in day in the person's own time zone, so a night shift that spans
midnight counts for the day it started.

Decisions a reader of the warehouse should know:
- still clocked in (no clock-out yet): kept with 0 hours, `flags=["clocked_in"]`,
  `is_confirmed=False`. Hours "so far" would change on every run, and a sync must be
  repeatable; the next run after the clock-out fills in the real hours.
- clock-out before clock-in: quarantined with the reason (the hours are unknowable) AND kept
  as a 0-hour row flagged `clock_out_before_in`, so the quality gate
  `timesheet.clock_out_before_in` sees the anomaly in the canonical frame and can name it.
- unconfirmed (`confirmedBy: none`): kept, `is_confirmed=False`, flagged `unconfirmed`.
- an edited card counts with its final entry (`clockInEvent`/`clockOutEvent`/`breaks`), not
  `originalEntry`.

Timesheet rows (one list item, one person, one day):
- the person comes from `<column>LookupId` through the site's user information list (what
  Graph returns with `expand=fields`), an e-mail, a lookup object or a display name; a row
  whose person can't be resolved is quarantined with a reason naming the column and the
  site user, since hours of nobody can't be reconciled;
- negative hours, or more than `graph.max_row_hours` (24: a row is one day), are quarantined;
- folder items are skipped.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from connectors.graph.mapping import Mapped, Quarantine, local_date, record_json
from connectors.graph.people import PersonDirectory
from connectors.graph.records import BreakRecord, ListItemRecord, SiteUser, TimeCardRecord

SHIFTS = "shifts"
SHAREPOINT = "sharepoint"
MAX_ROW_HOURS = 24.0  # one timesheet row is one day: more hours than that is no work time


# --- time cards ------------------------------------------------------------------------------


def break_time(breaks: Iterable[BreakRecord], start: datetime, end: datetime) -> timedelta:
    """Closed breaks clipped to the shift; open or reversed breaks count for nothing."""
    total = timedelta()
    for brk in breaks:
        if brk.start is None or brk.end is None:
            continue
        clipped = min(brk.end, end) - max(brk.start, start)
        total += max(clipped, timedelta())
    return total


def _card_flags(card: TimeCardRecord, person: str | None) -> list[str]:
    flags = []
    if person is None:
        flags.append("unknown_person")
    if card.confirmed_by in (None, "none"):
        flags.append("unconfirmed")
    if any(b.start is not None and b.end is None for b in card.breaks) and card.clock_out:
        flags.append("open_break")
    return flags


def _card_row(card: TimeCardRecord, person: str | None, people: PersonDirectory) -> dict[str, Any]:
    assert card.clock_in is not None
    return {
        "entry_id": f"{SHIFTS}:{card.id}",
        "kind": "timecard",
        "person_id": person,
        "project_id": None,  # time cards record attendance, not what it was spent on
        "task_id": None,
        "started_at": card.clock_in,
        "work_date": local_date(card.clock_in, people.zone_for(person)),
        "updated_at": card.updated_at,
        "source": SHIFTS,
    }


def map_time_card(
    card: TimeCardRecord, people: PersonDirectory
) -> tuple[dict[str, Any] | None, Quarantine | None]:
    """(row, quarantine): either may be None; both are set for clock-out before clock-in."""
    if card.clock_in is None:
        reason = f"time card {card.id} has no clockInEvent.dateTime"
        return None, Quarantine("time_cards", card.id, reason, record_json(card))
    person = people.person_for_user(card.user_id)
    row = _card_row(card, person, people)
    flags = _card_flags(card, person)
    if card.clock_out is None:
        return {**row, "hours": 0.0, "is_confirmed": False, "flags": ["clocked_in", *flags]}, None
    if card.clock_out < card.clock_in:
        reason = (
            f"time card {card.id} clocks out at {card.clock_out.isoformat()} before it "
            f"clocks in at {card.clock_in.isoformat()}"
        )
        anomaly = {
            **row,
            "hours": 0.0,
            "is_confirmed": False,
            "flags": ["clock_out_before_in", *flags],
        }
        return anomaly, Quarantine("time_cards", card.id, reason, record_json(card))
    shift = card.clock_out - card.clock_in
    worked = shift - break_time(card.breaks, card.clock_in, card.clock_out)
    hours = round(worked.total_seconds() / 3600, 6)
    confirmed = "unconfirmed" not in flags
    return {**row, "hours": hours, "is_confirmed": confirmed, "flags": flags}, None


def map_time_cards(cards: Iterable[TimeCardRecord], people: PersonDirectory) -> Mapped:
    out = Mapped()
    for card in cards:
        row, problem = map_time_card(card, people)
        if problem:
            out.quarantined.append(problem)
        if row is not None:
            out.rows.append(row)
            for flag in row["flags"]:
                out.flag(row["entry_id"], flag)
    return out


# --- SharePoint timesheets -------------------------------------------------------------------


@dataclass(frozen=True)
class TimesheetColumns:
    """Which list column holds what (internal column names, as Graph returns `fields`)."""

    person: str = "Person"
    date: str = "WorkDate"
    hours: str = "Hours"
    project: str = "Project"
    task: str = "Task"

    @classmethod
    def from_config(cls, columns: Mapping[str, str] | None, where: str) -> TimesheetColumns:
        known = {"person", "date", "hours", "project", "task"}
        unknown = set(columns or {}) - known
        if unknown:
            raise ValueError(
                f"{where}.columns: unknown key(s) {sorted(unknown)}; known: {sorted(known)}"
            )
        return cls(**dict(columns or {}))


@dataclass(frozen=True)
class WorkIndex:
    """Project and task keys the warehouse knows, so `ABC` / `ABC-12` resolve to ids."""

    projects: Mapping[str, str]  # lower-case key or id -> project_id
    tasks: Mapping[str, tuple[str, str]]  # lower-case key or id -> (task_id, project_id)


SiteUsers = Mapping[str, SiteUser]  # lookup id -> entry of the site's user information list


def _first(value: Any) -> Any:
    """A multi-person column is a list: the first person is the one who logged the row."""
    if isinstance(value, list):
        return value[0] if value else None
    return value


def _site_user_address(
    lookup_id: Any, column: str, site_users: SiteUsers
) -> tuple[str | None, str]:
    """(address, problem) for a `<Name>LookupId` value."""
    key = str(lookup_id).strip()
    user = site_users.get(key)
    if user is None:
        return (
            None,
            f"person column {column!r} refers to site user {key}, who is not in the site's user information list",
        )
    address = user.address()
    if address is None:
        return None, (
            f"person column {column!r} is site user {key} ({user.title or 'no name'}), "
            "who has no e-mail address in the site's user information list"
        )
    return address, ""


def _name_address(
    name: str, column: str, people: PersonDirectory, site_users: SiteUsers
) -> tuple[str | None, str]:
    """(address, problem) for a display name (what Graph sends when the column is selected)."""
    folded = name.strip().casefold()
    found = {
        u.address() for u in site_users.values() if (u.title or "").strip().casefold() == folded
    }
    found |= {
        u.addresses()[0]
        for u in people.users.values()
        if u.addresses() and (u.display_name or "").strip().casefold() == folded
    }
    found.discard(None)
    if len(found) == 1:
        return found.pop(), ""
    why = "matches no person with an e-mail address" if not found else "matches several people"
    return None, f"person column {column!r} is the name {name!r}, which {why}"


def resolve_person(
    fields: Mapping[str, Any], column: str, people: PersonDirectory, site_users: SiteUsers
) -> tuple[str | None, str]:
    """(person id, problem): the row's person from an e-mail, a `<column>LookupId` (the
    default with `expand=fields`), a lookup object, or a display name (a selected column)."""
    lookup = _first(fields.get(f"{column}LookupId"))
    value = _first(fields.get(column))
    if isinstance(value, Mapping):
        lookup = lookup if lookup not in (None, "") else value.get("LookupId")
        value = value.get("Email") or value.get("email") or value.get("LookupValue")
    address, problem = None, ""
    if isinstance(value, str) and "@" in value:
        address = value
    elif lookup not in (None, ""):
        address, problem = _site_user_address(lookup, column, site_users)
    elif isinstance(value, str) and value.strip():
        address, problem = _name_address(value, column, people, site_users)
    else:
        problem = f"person column {column!r} is empty"
    person = people.canonical(address)
    if person is None and not problem:
        problem = f"person column {column!r} is {address!r}, not an e-mail address"
    return person, problem


def parse_hours(value: Any) -> float | None:
    """A non-negative finite number of hours from a number or numeric text; else None."""
    hours = _number(value)
    return hours if hours is not None and hours >= 0 else None


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        number = (
            float(str(value).strip().replace(",", ".")) if isinstance(value, str) else float(value)
        )
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def hours_problem(value: Any, column: str, max_hours: float) -> str | None:
    """Why a row's hours can't be stored: no number, negative, or beyond what one day holds."""
    number = _number(value)
    if number is None:
        return f"column {column!r} is {value!r}, not a number of hours"
    if number < 0:
        return f"column {column!r} is {number:g} h: negative hours are no work time"
    if number > max_hours:
        return (
            f"column {column!r} is {number:g} h, more than the {max_hours:g} h one day can "
            "hold (graph.max_row_hours)"
        )
    return None


def parse_work_date(value: Any, zone: Any) -> date | None:
    """A date column: plain dates as given; date-times as the day in the site's zone.

    SharePoint stores a date-only column as midnight in the site's regional time zone and
    Graph returns it in UTC (`2026-11-19T23:00:00Z` is 20 November on a Berlin site).
    """
    if isinstance(value, str):
        text = value.strip()
        try:
            value = date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)
        except ValueError:
            return None
    if isinstance(value, datetime):
        return value.astimezone(zone).date() if value.tzinfo else value.date()
    return value if isinstance(value, date) else None


def _work_refs(
    fields: Mapping[str, Any], columns: TimesheetColumns, index: WorkIndex, flags: list[str]
) -> tuple[str | None, str | None]:
    project_key = str(fields.get(columns.project) or "").strip().lower()
    task_key = str(fields.get(columns.task) or "").strip().lower()
    project = index.projects.get(project_key) if project_key else None
    task = index.tasks.get(task_key) if task_key else None
    if project_key and project is None:
        flags.append("unknown_project")
    if task_key and task is None:
        flags.append("unknown_task")
    if task is not None:
        return project or task[1], task[0]
    return project, None


def map_timesheet_item(
    item: ListItemRecord,
    columns: TimesheetColumns,
    people: PersonDirectory,
    index: WorkIndex,
    site_zone: ZoneInfo | None = None,
    site_users: SiteUsers | None = None,
    max_hours: float = MAX_ROW_HOURS,
) -> dict[str, Any] | Quarantine:
    """One list item as a `time_entries` row, or the reason it can't be one. A row whose
    person can't be resolved is quarantined: hours of nobody can't be reconciled."""
    fields = item.fields
    person, person_problem = resolve_person(fields, columns.person, people, site_users or {})
    zone = site_zone or ZoneInfo(people.default_zone)
    work_date = parse_work_date(fields.get(columns.date), zone)
    problem = hours_problem(fields.get(columns.hours), columns.hours, max_hours)
    if problem is None and work_date is None:
        problem = f"column {columns.date!r} is {fields.get(columns.date)!r}, not a date"
    problem = problem or person_problem or None
    if problem:
        reason = f"timesheet list {item.list_id} item {item.id}: {problem}"
        return Quarantine("timesheets", f"{item.list_id}:{item.id}", reason, record_json(item))
    hours = parse_hours(fields.get(columns.hours))
    flags: list[str] = []
    project, task = _work_refs(fields, columns, index, flags)
    return {
        "entry_id": f"{SHAREPOINT}:{item.list_id}:{item.id}",
        "kind": "timesheet",
        "person_id": person,
        "project_id": project,
        "task_id": task,
        "work_date": work_date,
        "hours": hours,
        "flags": flags,
        "updated_at": item.updated_at,
        "source": SHAREPOINT,
    }


def map_timesheet_items(
    items: Iterable[ListItemRecord],
    columns: TimesheetColumns,
    people: PersonDirectory,
    index: WorkIndex,
    site_zone: ZoneInfo | None = None,
    site_users: SiteUsers | None = None,
    max_hours: float = MAX_ROW_HOURS,
) -> Mapped:
    """Live items only (the reader turns deleted ones into tombstones); folders are skipped."""
    out = Mapped()
    for item in items:
        if item.folder:
            continue
        mapped = map_timesheet_item(item, columns, people, index, site_zone, site_users, max_hours)
        if isinstance(mapped, Quarantine):
            out.quarantined.append(mapped)
            continue
        out.rows.append(mapped)
        for flag in mapped["flags"]:
            out.flag(mapped["entry_id"], flag)
    return out
