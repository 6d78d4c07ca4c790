"""Fix versions (milestones), boards and sprints, and the charter property of a project."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

from sandbox.gen.catalog import SITE
from sandbox.gen.jira_gen import JiraWorld, set_history, window_day
from sandbox.gen.model import Item, Project
from sandbox.gen.templates import ProjectSpec
from sandbox.timefmt import agile_ts

MILESTONES = (("M1 Design signed off", 0.25), ("M2 Build complete", 0.7), ("M3 Go-live", 0.96))
SPRINT_DAYS = 14


def add_versions(world: JiraWorld, project: Project) -> None:
    """Milestones along the timeline; each item gets the first one due on or after it."""
    for name, fraction in MILESTONES:
        due = window_day(project.start, project.target, fraction)
        project.versions.append(
            {
                "self": f"{SITE}/rest/api/2/version/{world.counters.version}",
                "id": str(world.counters.next("version")),
                "name": name,
                "description": f"{name} of {project.name}",
                "archived": False,
                "released": False,
                "releaseDate": due.isoformat(),
                "overdue": False,
                "projectId": project.id,
            }
        )
    for item in project.items:
        if item.type in ("Epic", "Risk", "Sub-task") or item.due is None:
            continue
        for version in project.versions:
            if version["releaseDate"] >= item.due.isoformat():
                item.fix_version = version
                break


def settle_versions(world: JiraWorld, project: Project) -> None:
    """Released once due and all its items are done; overdue when due but not released."""
    today = world.now.date().isoformat()
    for version in project.versions:
        items = [i for i in project.items if i.fix_version is version]
        due = version["releaseDate"] < today
        released = due and all(i.is_done for i in items)
        version["released"] = released
        version["overdue"] = due and not released
        if released:
            version["userReleaseDate"] = version["releaseDate"]


def add_board_and_sprints(world: JiraWorld, project: Project, scrum: bool = True) -> None:
    board_id = world.counters.next("board")
    project.board = {
        "id": board_id,
        "self": f"{SITE}/rest/agile/1.0/board/{board_id}",
        "name": f"{project.key} board",
        "type": "scrum" if scrum else "kanban",
        "location": {
            "projectId": project.id,
            "projectKey": project.key,
            "projectName": project.name,
            "displayName": f"{project.name} ({project.key})",
            "projectTypeKey": "software",
        },
    }
    if not scrum:
        return
    start = datetime.combine(project.start, time(8), tzinfo=UTC)
    end_of_plan = datetime.combine(project.target, time(8), tzinfo=UTC)
    number = 1
    while start < end_of_plan and start < world.now + timedelta(days=3 * SPRINT_DAYS):
        project.sprints.append(_sprint(world, project, board_id, number, start))
        start += timedelta(days=SPRINT_DAYS)
        number += 1
    _assign_sprints(project)


def _sprint(
    world: JiraWorld, project: Project, board_id: int, number: int, start: datetime
) -> dict[str, Any]:
    end = start + timedelta(days=SPRINT_DAYS)
    state = "closed" if end <= world.now else "active" if start <= world.now else "future"
    sprint_id = world.counters.next("sprint")
    sprint: dict[str, Any] = {
        "id": sprint_id,
        "self": f"{SITE}/rest/agile/1.0/sprint/{sprint_id}",
        "state": state,
        "name": f"{project.key} Sprint {number}",
        "startDate": agile_ts(start),
        "endDate": agile_ts(end),
        "createdDate": agile_ts(start - timedelta(days=3)),
        "originBoardId": board_id,
        "goal": f"Sprint {number} of {project.name}",
    }
    if state == "closed":
        sprint["completeDate"] = agile_ts(end - timedelta(hours=2))
    return sprint


def _assign_sprints(project: Project) -> None:
    for item in project.items:
        if item.type not in ("Story", "Task", "Bug", "UAT", "Training", "Documentation"):
            continue
        if item.due is None:
            continue
        when = (item.resolved or datetime.combine(item.due, time(12), tzinfo=UTC)).isoformat()
        for sprint in project.sprints:
            if sprint["startDate"] <= when < sprint["endDate"] or (
                sprint["state"] == "active" and not item.is_done and when < sprint["startDate"]
            ):
                item.sprints = [sprint]
                break


def charter(project: Project, spec: ProjectSpec, finished: bool) -> dict[str, Any]:
    estimates = sum(i.estimate_h or 0 for i in project.items)
    budget_hours = round(estimates * 1.05 / 10) * 10
    actuals: dict[str, float] = {}
    if finished:  # a closed project measured its KPIs; most met, one slightly missed
        for n, (name, (target, _unit, direction)) in enumerate(spec.kpis.items()):
            miss = n == len(spec.kpis) - 1
            factor = (1.1 if direction == "lower" else 0.95) if miss else 1.0
            actuals[name] = round(target * factor, 3)
    return {
        "phase": project.phase,
        "start_date": project.start.isoformat(),
        "target_date": project.target.isoformat(),
        "baseline_date": datetime.combine(
            project.start + timedelta(days=14), time(0), tzinfo=UTC
        ).isoformat(),
        "budget_hours": budget_hours,
        "budget_cost": budget_hours * 95,
        "objectives": list(spec.objectives),
        "kpi_targets": {
            name: {"target": target, "unit": unit, "direction": direction}
            for name, (target, unit, direction) in spec.kpis.items()
        },
        "kpi_actuals": actuals,
        "sponsor": project.lead.email,
    }


def lesson_items(world: JiraWorld, project: Project) -> list[Item]:
    """Lessons learned of a finished project, recorded during its closeout."""
    texts = [
        ("Vendor lead times were twice the quote", "lessons-learned"),
        ("Restore tests found gaps early: schedule them in every wave", "lessons-learned"),
        ("Retrospective: hand-over to operations", "retrospective"),
    ]
    made = []
    for n, (text, label) in enumerate(texts):
        created = world.now - timedelta(days=18 - n)
        item = world.new_item(
            project,
            "Lesson",
            text,
            created,
            project.lead,
            assignee=project.lead,
            labels=[label],
            description=f"Lesson from {project.name}: {text}.",
        )
        set_history(world, item, created + timedelta(hours=1), created + timedelta(days=2))
        made.append(item)
    return made
