"""Planted problems in hours: worklogs, timesheet rows and time cards."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sandbox.gen.graph_gen import GraphWorld
from sandbox.gen.jira_gen import JiraWorld
from sandbox.gen.ledger import HoursLedger, working_days
from sandbox.gen.model import Item, Project, Worklog
from sandbox.gen.people import Person
from sandbox.gen.plant_jira import Problem, problem
from sandbox.gen.shifts import time_card
from sandbox.timefmt import to_ms


def _items_of(person: Person, project: Project, day: date | None = None) -> list[Item]:
    """Estimated items of the person (else of the project), open on `day` when given, so
    hours are never logged on an item before it started or after it closed."""
    pool = [i for i in project.items if i.estimate_h and i.type not in ("Epic", "Risk")]
    if day is not None:
        pool = [i for i in pool if _open_on(i, day)] or pool
    mine = [i for i in pool if i.assignee is person]
    return mine or pool


def _open_on(item: Item, day: date) -> bool:
    began, resolved = item.first_in_progress(), item.resolved
    return began is not None and began.date() < day and (resolved is None or resolved.date() > day)


def _add_log(
    world: JiraWorld,
    worklogs: list[Worklog],
    item: Item,
    person: Person,
    started: datetime,
    hours: float,
    comment: str,
) -> Worklog:
    logged = min(
        (started + timedelta(hours=hours, minutes=5)).astimezone(UTC),
        world.now - timedelta(minutes=5),
    )
    log = Worklog(
        world.counters.next("worklog"), item, person, started, int(hours * 3600), logged, comment
    )
    worklogs.append(log)
    item.touched = max(item.touched or logged, logged)
    return log


def _top_up(
    world: JiraWorld,
    ledger: HoursLedger,
    worklogs: list[Worklog],
    person: Person,
    item: Item,
    day: date,
    total: float,
    comment: str,
) -> list[Worklog]:
    """Add worklogs so the person's day reaches `total` hours."""
    extra = total - ledger.booked[(person.index, day)]
    started = ledger.book(person, day, extra)
    return [_add_log(world, worklogs, item, person, started, extra, comment)]


def plant_over_allocation(
    world: JiraWorld,
    ledger: HoursLedger,
    worklogs: list[Worklog],
    person: Person,
    project: Project,
    weeks: int = 5,
) -> Problem:
    """Eleven-hour days for five full weeks: 55 h against 40 h capacity (not a long day)."""
    today = world.now.date()
    monday = today - timedelta(days=today.weekday() + 7 * weeks)
    logs: list[Worklog] = []
    for n, day in enumerate(working_days(monday, monday + timedelta(days=7 * weeks - 3))):
        items = _items_of(person, project, day)
        logs += _top_up(
            world,
            ledger,
            worklogs,
            person,
            items[n % len(items)],
            day,
            11.0,
            "Evening shift to catch up",
        )
    weekly = {
        d.isoformat(): round(h, 2)
        for d, h in sorted(ledger.weekly_hours(person).items())
        if d >= monday
    }
    return problem(
        "over_allocation",
        "resources.over_allocation",
        project.key,
        [person.email, *(log.qualified_id for log in logs)],
        f"{person.display_name} logs 11 h a day for {weeks} weeks "
        f"(capacity {person.weekly_capacity_hours:g} h/week)",
        person=person.email,
        weekly_hours=weekly,
    )


def plant_long_day_worklog(
    world: JiraWorld, ledger: HoursLedger, worklogs: list[Worklog], person: Person, project: Project
) -> Problem:
    day = _weekday_before(world.now.date(), 10)
    item = _items_of(person, project, day)[0]
    logs = _top_up(world, ledger, worklogs, person, item, day, 14.0, "Cutover night")
    return problem(
        "long_day_worklog",
        "timesheet.long_day",
        project.key,
        [person.email, *(log.qualified_id for log in logs)],
        f"{person.display_name} logged 14 h on {day.isoformat()}",
        person=person.email,
        work_date=day.isoformat(),
        hours=14.0,
    )


def _weekday_before(today: date, days: int) -> date:
    day = today - timedelta(days=days)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def plant_timezone_worklogs(
    world: JiraWorld, worklogs: list[Worklog], late: Person, early: Person, project: Project
) -> Problem:
    """Late evening in UTC-5 is the next day in UTC; early morning in UTC+5:30 the day before."""
    day = _weekday_before(world.now.date(), 8)
    evening = datetime.combine(day, time(21, 30), tzinfo=late.zone)
    morning = datetime.combine(day, time(4, 0), tzinfo=early.zone)
    logs = [
        _add_log(
            world,
            worklogs,
            _items_of(late, project, day)[0],
            late,
            evening,
            1.5,
            "Late call with the offshore team",
        ),
        _add_log(
            world,
            worklogs,
            _items_of(early, project, day)[0],
            early,
            morning,
            1.5,
            "Early call with the Americas team",
        ),
    ]
    dates = {log.qualified_id: log.started.date().isoformat() for log in logs}
    utc_dates = {log.qualified_id: log.started.astimezone(UTC).date().isoformat() for log in logs}
    return problem(
        "worklog_timezone",
        "timesheet.work_date_timezone",
        project.key,
        [log.qualified_id for log in logs],
        "Worklogs whose UTC day differs from the author's local day; the work date "
        "is the local day",
        work_dates=dates,
        utc_dates=utc_dates,
    )


def plant_deleted_worklog(
    world: JiraWorld, worklogs: list[Worklog], deleted: list[dict[str, Any]], project: Project
) -> Problem:
    victim = next(w for w in worklogs if w.item.project is project and w.item.is_done)
    worklogs.remove(victim)
    when = world.now - timedelta(days=2)
    deleted.append({"worklogId": victim.id, "updatedTime": to_ms(when), "properties": []})
    return problem(
        "deleted_worklog",
        "jira.deleted_worklog",
        project.key,
        [victim.qualified_id, victim.item.qualified_id],
        f"Worklog {victim.id} on {victim.item.key} was deleted "
        f"({victim.seconds / 3600:g} h); it is listed by worklog/deleted only",
        hours=victim.seconds / 3600,
    )


def plant_long_day_timesheet(
    world: GraphWorld, timesheet: dict[str, Any], person: Person, list_id: str
) -> Problem:
    """One row of 14 h; another day of that week shortened so the week stays in capacity."""
    lookup_id = world.site_users[person.m365_mail]
    rows = [r for r in timesheet["items"] if r["fields"].get("PersonLookupId") == lookup_id]
    row, other = rows[-8], rows[-7]
    row["fields"]["Hours"] = 14.0
    other["fields"]["Hours"] = 2.0
    return problem(
        "long_day_timesheet",
        "timesheet.long_day",
        row["fields"]["Project"],
        [f"sharepoint:{list_id}:{row['id']}", person.email],
        f"{person.display_name} booked 14 h on {row['fields']['WorkDate'][:10]} in "
        "the SharePoint timesheet",
        person=person.email,
        work_date=row["fields"]["WorkDate"][:10],
        hours=14.0,
    )


def plant_clock_out_before_in(
    world: GraphWorld, team_id: str, person: Person, project: str
) -> Problem:
    day = _weekday_before(world.now.date(), 3)
    clock_in = datetime.combine(day, time(14, 0), tzinfo=person.zone).astimezone(UTC)
    card = time_card(world, person, clock_in, clock_in - timedelta(hours=6, minutes=30))
    world.data["time_cards"][team_id].append(card)
    return problem(
        "clock_out_before_in",
        "timesheet.clock_out_before_in",
        project,
        [f"shifts:{card['id']}", person.email],
        f"Time card of {person.display_name} clocks out 6.5 h before it clocks in",
    )
