"""Planted problems in Jira items. Each planter changes the data and returns its manifest entry.

A manifest entry: {"id", "check", "project", "ids": [source-qualified ids], "detail",
"expected"?}. The check names are the vocabulary of `docs/tenant-format.md`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sandbox.gen.catalog import MITIGATION_DUE, SEVERITY, severity_ref
from sandbox.gen.evm import spi
from sandbox.gen.jira_gen import JiraWorld, schedule
from sandbox.gen.model import Item, Project, Transition

Problem = dict[str, Any]
WORK_TYPES = ("Story", "Task", "Sub-task", "Bug", "UAT", "Training", "Documentation")


def problem(
    pid: str, check: str, project: str, ids: list[str], detail: str, **expected: Any
) -> Problem:
    entry: Problem = {"id": pid, "check": check, "project": project, "ids": ids, "detail": detail}
    if expected:
        entry["expected"] = expected
    return entry


def open_items(items: list[Item]) -> list[Item]:
    return [i for i in items if not i.is_done]


def plant_late_project(world: JiraWorld, project: Project, stretch: float = 1.6) -> Problem:
    """Work runs at 1/stretch of the planned pace: SPI well under 0.8."""
    for item in project.items:
        if item.type in WORK_TYPES and item.start and item.due:
            schedule(world, item, stretch)
            if not item.is_done and item.extra_fields.get(SEVERITY, {}).get("value") == "Critical":
                item.extra_fields[SEVERITY] = severity_ref("Major")  # one problem at a time
    value = spi(project.items, world.now)
    late = [
        i
        for i in project.items
        if i.type in WORK_TYPES and not i.is_done and i.due and i.due < world.now.date()
    ]
    return problem(
        "late_project",
        "evm.spi",
        project.key,
        [i.qualified_id for i in late],
        f"{project.key} delivers at {1 / stretch:.0%} of the planned pace; "
        f"SPI = {value:.2f} with {len(late)} open items past due",
        spi=round(value or 0.0, 3),
        spi_below=0.8,
    )


def plant_missing_estimates(world: JiraWorld, project: Project, count: int = 6) -> Problem:
    candidates = [
        i
        for i in open_items(project.items)
        if i.type in ("Story", "Task")
        and i.estimate_h
        and not any(c.parent is i for c in project.items)
    ]
    chosen = candidates[:count]
    for item in chosen:
        item.estimate_h = None
        item.points = None
    return problem(
        "missing_estimates",
        "planning.missing_estimates",
        project.key,
        [i.qualified_id for i in chosen],
        f"{len(chosen)} open work items in {project.key} have neither an original "
        "estimate nor story points",
    )


def plant_stale(world: JiraWorld, project: Project, exclude: set[str], count: int = 3) -> Problem:
    """In progress for 45+ days with nothing logged or changed for 40."""
    now = world.now
    pool = [
        i
        for i in project.items
        if i.type in ("Story", "Task")
        and i.estimate_h
        and i.start
        and (now.date() - i.start).days > 45
        and i.qualified_id not in exclude
    ]
    chosen = pool[-count:]
    for item in chosen:
        actor = item.assignee or item.reporter
        item.transitions = [Transition(now - timedelta(days=46), "In Progress", actor)]
        item.quiet_since = now - timedelta(days=40)
        item.touched = item.quiet_since
    return problem(
        "stale_in_progress",
        "flow.stale_in_progress",
        project.key,
        [i.qualified_id for i in chosen],
        f"{len(chosen)} items in progress since 46 days, last touched 40 days ago",
        min_days_without_change=40,
    )


def plant_unowned_risk(world: JiraWorld, project: Project) -> Problem:
    risk = next(i for i in project.items if i.type == "Risk")
    risk.assignee = None
    risk.transitions = []
    # its mitigation is not due yet: the only finding is the missing owner
    due = max(risk.created.date(), world.now.date()) + timedelta(days=21)
    risk.extra_fields[MITIGATION_DUE] = due.isoformat()
    return problem(
        "unowned_risk",
        "risk.unowned",
        project.key,
        [risk.qualified_id],
        f"Risk {risk.key} '{risk.summary}' is open and has no owner",
    )


def plant_overdue_mitigation(world: JiraWorld, project: Project) -> Problem:
    risk = [i for i in project.items if i.type == "Risk"][-1]
    due = (world.now - timedelta(days=10)).date()
    risk.extra_fields[MITIGATION_DUE] = due.isoformat()
    owner = risk.assignee or risk.reporter
    risk.transitions = [Transition(risk.created + timedelta(days=2), "Owned", owner)]
    return problem(
        "overdue_mitigation",
        "risk.overdue_mitigation",
        project.key,
        [risk.qualified_id],
        f"Risk {risk.key} is Owned and its mitigation was due {due.isoformat()}",
        mitigation_due=due.isoformat(),
    )


def plant_critical_defects(world: JiraWorld, project: Project, epic: Item) -> Problem:
    now = world.now
    made = []
    for n, text in enumerate(("Orders lost when sync retries", "Data loss on account merge")):
        created = now - timedelta(days=6 - 2 * n)
        item = world.new_item(
            project,
            "Bug",
            text,
            created,
            epic.reporter,
            assignee=project.team[n + 1],
            start=created.date(),
            due=(now + timedelta(days=3)).date(),
            parent=epic,
            estimate_h=8.0,
            priority="Highest",
            labels=["defect"],
            extra_fields={SEVERITY: severity_ref("Critical")},
        )
        if n == 0:
            item.transitions = [
                Transition(created + timedelta(hours=3), "In Progress", project.team[n + 1])
            ]
        made.append(item)
    return problem(
        "open_critical_defects",
        "qa.open_critical_defects",
        project.key,
        [i.qualified_id for i in made],
        f"{len(made)} defects of severity Critical are open in {project.key}",
        count=len(made),
    )


def plant_missing_signoff(world: JiraWorld, project: Project) -> Problem:
    signoff = next(i for i in project.items if "uat-signoff" in i.labels)
    signoff.transitions = []
    scripts = [i for i in project.items if i.type == "UAT" and i is not signoff][-2:]
    for n, script in enumerate(scripts):
        # retested after the last defect fixes: back in progress this week
        began = world.now - timedelta(days=4 + n, hours=3)
        script.transitions = [Transition(began, "In Progress", script.assignee or script.reporter)]
    return problem(
        "uat_signoff_missing",
        "qa.uat_signoff_missing",
        project.key,
        [signoff.qualified_id, *(s.qualified_id for s in scripts)],
        f"{signoff.key} (UAT sign-off) is not done and {len(scripts)} UAT scripts are still open",
    )
