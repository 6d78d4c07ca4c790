"""External consultants: two-week work packages in Jira, their hours in the SharePoint list.

Consultants don't log Jira worklogs; they fill the PMO's timesheet list against the Jira
keys of their packages. The packages carry estimates, so their hours are planned and
earned like everyone else's (CPI stays honest), and rows stop before a package is closed.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sandbox.gen.graph_gen import GraphWorld, add_timesheet_row
from sandbox.gen.jira_gen import JiraWorld, at_local, set_history
from sandbox.gen.ledger import HoursLedger, working_days
from sandbox.gen.model import Item, Project
from sandbox.gen.people import Person

PACKAGE_HOURS = 65.0
PACKAGES = 3  # the current one started this week, two before it are done
LABEL = "consultant"


def add_packages(world: JiraWorld, project: Project, consultants: list[Person]) -> list[Item]:
    today = world.now.date()
    monday = today - timedelta(days=today.weekday())
    epic = next(i for i in project.items if i.type == "Epic")
    made = []
    for person in consultants:
        for k in range(PACKAGES):
            start = monday - timedelta(days=14 * (PACKAGES - 1 - k))
            due = start + timedelta(days=11)
            # call-offs of a framework contract agreed when the project was planned
            created = at_local(project.start + timedelta(days=3), 10, project.lead)
            item = world.new_item(
                project,
                "Task",
                f"Consultant work package {k + 1}: {person.display_name}",
                created,
                project.lead,
                assignee=person,
                start=start,
                due=due,
                parent=epic,
                estimate_h=PACKAGE_HOURS,
                labels=[LABEL],
                description=f"Time and material package of {person.display_name}.",
            )
            set_history(world, item, at_local(start, 9, person), at_local(due, 16, person))
            made.append(item)
    return made


def is_package(item: Item) -> bool:
    return LABEL in item.labels


def fill_timesheet(
    graph: GraphWorld, ledger: HoursLedger, timesheet: dict[str, Any], packages: list[Item]
) -> None:
    """A row per working day of each started package, up to the day before it closed."""
    rng, now = graph.rng, graph.now
    for item in sorted(packages, key=lambda i: (i.start, i.id)):
        person, began = item.assignee, item.first_in_progress()
        if person is None or began is None:
            continue
        resolved = item.resolved
        last = (
            resolved.astimezone(person.zone).date() - timedelta(days=1)
            if resolved
            else now.astimezone(person.zone).date() - timedelta(days=1)
        )
        budget = (item.estimate_h or 0) * 0.95
        for day in working_days(began.astimezone(person.zone).date(), last):
            hours = min(ledger.free(person, day), rng.choice((6.0, 6.5, 7.0)), budget)
            if hours < 1:
                continue
            ledger.book(person, day, hours)
            budget -= hours
            add_timesheet_row(graph, timesheet, person, day, hours, item.project.key, item.key)
