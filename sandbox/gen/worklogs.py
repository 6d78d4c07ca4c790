"""Worklogs for the work items people actually worked on, booked through the hours ledger."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sandbox.gen.jira_gen import JiraWorld
from sandbox.gen.ledger import HoursLedger, working_days
from sandbox.gen.model import Item, Worklog

COMMENTS = [
    "",
    "",
    "Configuration and notes",
    "Workshop with key users",
    "Testing",
    "Fixes after review",
    "Pairing session",
    "Follow-up on open questions",
]
QUARTER = 0.25


def local_day(moment: datetime, item: Item) -> date:
    person = item.assignee or item.reporter
    return moment.astimezone(person.zone).date()


def target_hours(world: JiraWorld, item: Item) -> float:
    assert item.estimate_h
    if item.is_done:
        return item.estimate_h * world.rng.uniform(0.85, 1.05)
    began = item.first_in_progress()
    assert began and item.due
    planned = max(
        1.0, (datetime.combine(item.due, datetime.min.time(), tzinfo=UTC) - began).total_seconds()
    )
    share = min(0.8, (world.now - began).total_seconds() / planned)
    return item.estimate_h * share * 0.4


def log_work(world: JiraWorld, ledger: HoursLedger, worklogs: list[Worklog]) -> None:
    """Book hours for every started work item, oldest first, within each person's capacity."""
    items = [
        i
        for p in world.projects
        for i in p.items
        if i.estimate_h
        and i.assignee
        and i.assignee.role != "consultant"  # they book in the SharePoint timesheet
        and i.first_in_progress()
    ]
    items.sort(key=lambda i: (i.first_in_progress(), i.id))
    for item in items:
        _log_item(world, ledger, item, worklogs)


def _log_item(world: JiraWorld, ledger: HoursLedger, item: Item, worklogs: list[Worklog]) -> None:
    rng, now = world.rng, world.now
    began = item.first_in_progress()
    assert began and item.assignee
    end = item.resolved or now
    if item.quiet_since:
        end = min(end, item.quiet_since)
    remaining = target_hours(world, item)
    for day in working_days(local_day(began, item), local_day(end, item)):
        author = item.assignee if rng.random() < 0.9 else rng.choice(item.project.team)
        chunk = min(
            remaining, round(rng.uniform(2, 6) / QUARTER) * QUARTER, ledger.free(author, day)
        )
        chunk = int(chunk / QUARTER) * QUARTER
        if chunk < QUARTER:
            continue
        started = ledger.book(author, day, 0.0)  # where the day's free time begins
        logged = (started + timedelta(hours=chunk, minutes=10)).astimezone(UTC)
        if item.resolved and logged > item.resolved:
            continue  # nobody logs on an item after it was closed
        if logged > now - timedelta(minutes=2) or started.astimezone(UTC) < began - timedelta(
            hours=12
        ):
            continue
        ledger.book(author, day, chunk)
        worklogs.append(
            Worklog(
                world.counters.next("worklog"),
                item,
                author,
                started,
                int(chunk * 3600),
                logged,
                rng.choice(COMMENTS),
            )
        )
        item.touched = max(item.touched or logged, logged)
        remaining -= chunk
        if remaining < QUARTER:
            return
