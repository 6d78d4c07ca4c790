"""One demo project from its spec: epics per workstream, work items on a schedule, QA, risks."""

from __future__ import annotations

from datetime import date, timedelta

from sandbox.gen.catalog import SEVERITY, severity_ref
from sandbox.gen.jira_gen import (
    JiraWorld,
    add_risks,
    at_local,
    schedule,
    window_day,
)
from sandbox.gen.model import Item, Project
from sandbox.gen.people import Person
from sandbox.gen.templates import ProjectSpec

# Where in the project's timeline (0 = start, 1 = target) each kind of work happens.
WORK_WINDOW = (0.04, 0.68)
UAT_WINDOW = (0.68, 0.84)
DEFECT_WINDOW = (0.45, 0.84)
READINESS_WINDOW = (0.84, 0.95)
POINTS = (1, 2, 3, 5, 8)


def new_project(world: JiraWorld, spec: ProjectSpec, team: list[Person]) -> Project:
    start = world.now.date() - timedelta(days=spec.start_offset)
    project = Project(
        id=world.counters.next("project"),
        key=spec.key,
        name=spec.name,
        phase=spec.phase,
        start=start,
        target=start + timedelta(days=spec.duration),
        lead=team[0],
        team=team,
        description=spec.description,
    )
    world.projects.append(project)
    return project


def build_project(world: JiraWorld, spec: ProjectSpec, team: list[Person]) -> Project:
    project = new_project(world, spec, team)
    epics = add_epics(world, project, spec)
    budget = spec.issues - len(epics) - 6
    add_work_items(world, project, spec, epics, max(10, int(budget * 0.72)))
    add_qa_items(world, project, epics[-1], max(4, int(budget * 0.08)))
    add_defects(world, project, epics[-1], max(3, int(budget * 0.1)))
    add_readiness_items(world, project, epics[-1], max(4, int(budget * 0.1)))
    add_risks(world, project, 6)
    return project


def add_epics(world: JiraWorld, project: Project, spec: ProjectSpec) -> list[Item]:
    created = at_local(project.start + timedelta(days=1), 10, project.lead)
    return [
        world.new_item(
            project,
            "Epic",
            name,
            created,
            project.lead,
            assignee=project.lead,
            labels=["workstream"],
            priority="High",
        )
        for name in spec.workstreams
    ]


def _dates(world: JiraWorld, project: Project, window: tuple[float, float]) -> tuple[date, date]:
    lo, hi = window
    start = window_day(project.start, project.target, lo + (hi - lo) * world.rng.random())
    while start.weekday() >= 5:
        start += timedelta(days=1)
    due = start + timedelta(days=world.rng.randint(3, 12))
    while due.weekday() >= 5:
        due += timedelta(days=1)
    return start, due


def _created(world: JiraWorld, project: Project, start: date) -> object:
    """Planned at the start; ~4 % added later (scope change after the baseline)."""
    rng = world.rng
    if rng.random() < 0.04:
        late = min(start - timedelta(days=3), world.now.date() - timedelta(days=1))
        if late > project.start + timedelta(days=20):
            return at_local(late, 11, project.lead)
    return at_local(project.start + timedelta(days=rng.randint(2, 9)), 10, project.lead)


def add_work_items(
    world: JiraWorld, project: Project, spec: ProjectSpec, epics: list[Item], count: int
) -> None:
    rng = world.rng
    titles = list(spec.workstreams.values())
    made = 0
    while made < count:
        ws = made % len(epics)
        span = (WORK_WINDOW[1] - WORK_WINDOW[0]) / len(epics)
        window = (WORK_WINDOW[0] + span * ws, WORK_WINDOW[0] + span * (ws + 1.6))
        if ws == 0:  # the first workstream (charter, design, inventory) starts right away
            window = (0.0, WORK_WINDOW[0] + span * 0.6)
        base = titles[ws][(made // len(epics)) % len(titles[ws])]
        round_no = made // (len(epics) * len(titles[ws]))
        summary = base if round_no == 0 else f"{base} – {spec.sites[round_no % len(spec.sites)]}"
        made += 1 + _add_work_item(
            world, project, epics[ws], summary, window, "Story" if rng.random() < 0.55 else "Task"
        )


def _add_work_item(
    world: JiraWorld,
    project: Project,
    epic: Item,
    summary: str,
    window: tuple[float, float],
    type_name: str,
) -> int:
    """One story/task, sometimes with sub-tasks that carry the hours; returns sub-tasks made."""
    rng = world.rng
    start, due = _dates(world, project, window)
    item = world.new_item(
        project,
        type_name,
        summary,
        _created(world, project, start),
        project.lead,
        assignee=rng.choice(project.team),
        start=start,
        due=due,
        parent=epic,
        priority=rng.choice(["High", "Medium", "Medium", "Low"]),
        description=f"{summary} for {project.name}.",
    )
    item.points = float(rng.choice(POINTS))
    _maybe_reassigned(world, project, item)
    if type_name == "Story" and rng.random() < 0.25:
        subs = _add_subtasks(world, project, item)
        schedule(world, item)
        return subs
    item.estimate_h = float(rng.choice((4, 6, 8, 12, 16, 24)))
    schedule(world, item)
    return 0


def _maybe_reassigned(world: JiraWorld, project: Project, item: Item) -> None:
    """Some items were planned for someone else and handed over before work started."""
    rng = world.rng
    others = [p for p in project.team if p is not item.assignee]
    if not others or item.start is None or rng.random() > 0.1:
        return
    handover = at_local(item.start - timedelta(days=2), 10, project.lead)
    if handover <= item.created or handover >= world.now:
        return
    item.assignee_changes.append((handover, rng.choice(others), item.assignee, project.lead))


def _add_subtasks(world: JiraWorld, project: Project, story: Item) -> int:
    rng = world.rng
    assert story.start and story.due
    count = rng.randint(2, 3)
    for n, verb in enumerate(("Build", "Test", "Document")[:count]):
        sub = world.new_item(
            project,
            "Sub-task",
            f"{verb}: {story.summary}",
            story.created,
            story.reporter,
            assignee=story.assignee if n == 0 else rng.choice(project.team),
            start=story.start,
            due=story.due,
            parent=story,
            estimate_h=float(rng.choice((2, 4, 6, 8))),
        )
        schedule(world, sub)
    return count


def add_qa_items(world: JiraWorld, project: Project, epic: Item, count: int) -> None:
    rng = world.rng
    for n in range(count):
        start, due = _dates(world, project, UAT_WINDOW)
        item = world.new_item(
            project,
            "UAT",
            f"UAT script {n + 1}: {project.name}",
            _created(world, project, start),
            project.lead,
            assignee=rng.choice(project.team),
            start=start,
            due=due,
            parent=epic,
            estimate_h=float(rng.choice((4, 6, 8))),
            labels=["uat"],
        )
        schedule(world, item)
    start = window_day(project.start, project.target, UAT_WINDOW[1] - 0.01)
    signoff = world.new_item(
        project,
        "UAT",
        f"UAT sign-off: {project.name}",
        _created(world, project, start),
        project.lead,
        assignee=project.lead,
        start=start,
        due=start + timedelta(days=2),
        parent=epic,
        estimate_h=2.0,
        labels=["uat", "uat-signoff"],
        priority="High",
    )
    schedule(world, signoff)


def add_defects(world: JiraWorld, project: Project, epic: Item, count: int) -> None:
    """Defects exist only once raised, so none is dated after now."""
    rng = world.rng
    for n in range(count):
        start, due = _dates(world, project, DEFECT_WINDOW)
        raised = at_local(start - timedelta(days=1), 13, project.lead)
        if raised >= world.now:
            continue
        severity = rng.choice(["Critical", "Major", "Major", "Minor", "Minor", "Trivial"])
        item = world.new_item(
            project,
            "Bug",
            f"Defect {n + 1}: {rng.choice(DEFECT_TEXTS)}",
            raised,
            rng.choice(project.team),
            assignee=rng.choice(project.team),
            start=start,
            due=due,
            parent=epic,
            estimate_h=float(rng.choice((2, 4, 8))),
            priority="Highest" if severity == "Critical" else "Medium",
            extra_fields={SEVERITY: severity_ref(severity)},
            labels=["defect"],
        )
        schedule(world, item)
        if severity == "Critical" and not item.is_done:
            # healthy teams fix criticals first: an open critical is a planted problem only
            item.extra_fields[SEVERITY] = severity_ref("Major")
            item.priority = "High"


DEFECT_TEXTS = [
    "Totals differ after import",
    "Report times out for large tenants",
    "Wrong currency on invoice copy",
    "Login loops on mobile",
    "Sync drops attachments",
    "Field validation accepts empty value",
    "Export ignores date filter",
]


def add_readiness_items(world: JiraWorld, project: Project, epic: Item, count: int) -> None:
    rng = world.rng
    for n in range(count):
        kind = "Training" if n % 2 == 0 else "Documentation"
        start, due = _dates(world, project, READINESS_WINDOW)
        title = (
            f"Training session {n // 2 + 1}: {project.name}"
            if kind == "Training"
            else f"User guide chapter {n // 2 + 1}: {project.name}"
        )
        item = world.new_item(
            project,
            kind,
            title,
            _created(world, project, start),
            project.lead,
            assignee=rng.choice(project.team),
            start=start,
            due=due,
            parent=epic,
            estimate_h=float(rng.choice((4, 8, 12))),
            labels=[kind.lower()],
        )
        schedule(world, item)
