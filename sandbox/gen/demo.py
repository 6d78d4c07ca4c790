"""The demo portfolio: build healthy data, plant the problems (unless clean), render."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from sandbox.gen import plant_deps as pd
from sandbox.gen import plant_jira as pj
from sandbox.gen import plant_time as pt
from sandbox.gen.consultants import add_packages, fill_timesheet, is_package
from sandbox.gen.graph_gen import (
    GraphWorld,
    add_groups_and_plans,
    add_teams,
    add_timesheet_site,
    edit_time_cards,
)
from sandbox.gen.jira_gen import JiraWorld, set_history
from sandbox.gen.ledger import HoursLedger
from sandbox.gen.links import add_dependencies
from sandbox.gen.milestones import (
    add_board_and_sprints,
    add_versions,
    charter,
    lesson_items,
    settle_versions,
)
from sandbox.gen.model import Project, Worklog
from sandbox.gen.people import Person, by_role, make_people
from sandbox.gen.portfolio import build_project, new_project
from sandbox.gen.progress import keep_on_plan, settle_epics
from sandbox.gen.shifts import add_time_cards, clock_in_now
from sandbox.gen.templates import PMO_KEY, PORTFOLIO, ProjectSpec
from sandbox.gen.tenant_doc import assemble
from sandbox.gen.worklogs import log_work

Problem = dict[str, Any]
# external consultants book their hours in the SharePoint timesheet, per project
_CONSULTANTS = {"M365": ["Xavier Dubois", "Yara Haddad"], "CRM": ["Zoe Walsh"]}


def build_demo(seed: int, now: datetime, clean: bool) -> tuple[dict[str, Any], dict[str, Any]]:
    """The demo tenant and manifest.

    Order matters: statuses are final (plants included) before any hour is booked, so
    worklogs follow the work; hour problems are planted on top of the healthy ledger; the
    charters are computed last, from the final estimates.
    """
    rng = random.Random(seed)
    people = make_people(rng)
    world = JiraWorld(rng, now, people)
    specs = {spec.key: spec for spec in PORTFOLIO}
    projects = _build_projects(world, specs)
    gate_requests = _pmo_project(world, projects)
    problems: list[Problem] = [] if clean else _plant_jira(world, projects)
    _settle(world, projects, problems)
    ledger = HoursLedger()
    worklogs: list[Worklog] = []
    deleted: list[dict[str, Any]] = []
    log_work(world, ledger, worklogs)
    if not clean:
        problems += _plant_hours(world, ledger, worklogs, deleted, projects)
    graph = GraphWorld(rng, now, people)
    problems += _build_graph(graph, ledger, projects, clean)
    for key, project in projects.items():
        project.charter = charter(project, specs[key], finished=project.phase == "closeout")
    tenant = assemble(seed, now, people, world, worklogs, deleted, graph.data)
    manifest = _manifest(seed, clean, now, people, projects, problems, gate_requests)
    return tenant, manifest


def _settle(world: JiraWorld, projects: dict[str, Project], problems: list[Problem]) -> None:
    """Healthy projects back on plan (planted items untouched), then epics, versions, sprints."""
    planted = {i for p in problems for i in [*p["ids"], *p.get("expected", {}).get("chain", [])]}
    late = {p["project"] for p in problems if p["check"] == "evm.spi"}
    for project in projects.values():
        if project.key not in late:
            keep_on_plan(world, project, exclude=planted)
        settle_epics(world, project)
        settle_versions(world, project)
    for project in world.projects:
        add_board_and_sprints(world, project, scrum=project.key != PMO_KEY)


def _build_projects(world: JiraWorld, specs: dict[str, ProjectSpec]) -> dict[str, Project]:
    pool = by_role(world.people, "jira")
    projects = {}
    for n, spec in enumerate(specs.values()):
        # overlapping teams: everyone works on two or three projects
        team = [pool[(n * 3 + k) % len(pool)] for k in range(spec.team_size)]
        project = build_project(world, spec, team)
        project.charter = {}  # placeholder: the real charter is computed last
        add_dependencies(world, project)
        add_versions(world, project)
        if spec.phase == "closeout":
            lesson_items(world, project)
        if key_consultants := _CONSULTANTS.get(spec.key):
            add_packages(world, project, [_person(world.people, n) for n in key_consultants])
        projects[spec.key] = project
    return projects


def _pmo_project(world: JiraWorld, projects: dict[str, Project]) -> list[dict[str, Any]]:
    """The PMO's own project: gate review requests (one open, two decided)."""
    lead = world.people[16]
    spec = ProjectSpec(
        PMO_KEY,
        "PMO governance",
        "",
        300,
        600,
        0,
        1,
        "Gate reviews and portfolio governance.",
        {},
        [],
        {},
    )
    pmo = new_project(world, spec, [lead])
    pmo.phase = None
    requests = []
    for key, phase, days_ago, decided in (
        ("CRM", "execution", 60, True),
        ("M365", "qa_uat", 30, True),
        ("NET", "planning", 1, False),
    ):
        created = world.now - timedelta(days=days_ago, hours=3)
        item = world.new_item(
            pmo,
            "Gate Review",
            f"Gate review: {key} {phase}",
            created,
            projects[key].lead,
            assignee=lead,
            initial_status="Requested",
            labels=["gate-review"],
            priority="High",
            description=f"Project: {key}\nPhase: {phase}\nPlease review the {phase} gate.",
            properties={"pmo-gate-request": {"project": key, "phase": phase}},
        )
        if decided:
            set_history(world, item, created + timedelta(days=2), created + timedelta(days=3))
            item.transitions = [t for t in item.transitions if t.to_status != "In Review"]
            item.transitions[-1].to_status = "Decided"
            item.transitions = item.transitions[-1:]
        else:
            requests.append(
                {"issue": item.qualified_id, "key": item.key, "project": key, "phase": phase}
            )
    return requests


def _plant_jira(world: JiraWorld, projects: dict[str, Project]) -> list[Problem]:
    crm_epic = next(i for i in projects["CRM"].items if i.type == "Epic")
    problems = [
        pj.plant_late_project(world, projects["ERP"]),
        pj.plant_missing_estimates(world, projects["NET"]),
    ]
    problems.append(pd.plant_cycle(world, projects["NET"], set(problems[-1]["ids"])))
    problems += [
        pj.plant_unowned_risk(world, projects["CRM"]),
        pj.plant_overdue_mitigation(world, projects["DCM"]),
        pj.plant_missing_signoff(world, projects["CRM"]),
        pj.plant_critical_defects(world, projects["CRM"], crm_epic),
        pj.plant_stale(world, projects["DCM"], set()),
    ]
    # last: the longest chain is read on the otherwise final statuses
    planted = {i for p in problems for i in p["ids"]}
    problems.append(pd.plant_blocked_critical_path(world, projects["DCM"], planted))
    return problems


def _person(people: list[Person], name: str) -> Person:
    return next(p for p in people if p.display_name == name)


def _plant_hours(
    world: JiraWorld,
    ledger: HoursLedger,
    worklogs: list[Worklog],
    deleted: list[dict[str, Any]],
    projects: dict[str, Project],
) -> list[Problem]:
    people = world.people
    erp = projects["ERP"]
    over = next(p for p in erp.team if p.time_zone != "America/New_York")
    # 09:00 + 14 h stays on the same UTC day only east of the Americas
    long_day = next(
        p for p in projects["DCM"].team if not p.time_zone.startswith("America/") and p is not over
    )
    return [
        pt.plant_over_allocation(world, ledger, worklogs, over, erp),
        pt.plant_long_day_worklog(world, ledger, worklogs, long_day, projects["DCM"]),
        pt.plant_timezone_worklogs(
            world,
            worklogs,
            _person(people, "Ian Murphy"),
            _person(people, "Manoj Iyer"),
            projects["M365"],
        ),
        pt.plant_deleted_worklog(world, worklogs, deleted, projects["BKP"]),
    ]


def _build_graph(
    graph: GraphWorld, ledger: HoursLedger, projects: dict[str, Project], clean: bool
) -> list[Problem]:
    people = graph.people
    graph.data["users"] = [p.graph_user() for p in people]
    add_groups_and_plans(
        graph, [p for p in people if p in projects["M365"].team] + by_role(people, "consultant")
    )
    techs = by_role(people, "tech")
    team_ids = add_teams(graph, {"Field Services": techs[:3], "Network Operations": techs[3:]})
    night = {_person(people, "Uma Reddy").index, _person(people, "Wendy Scott").index}
    add_time_cards(graph, ledger, team_ids["Field Services"], techs[:3], night)
    add_time_cards(graph, ledger, team_ids["Network Operations"], techs[3:], night)
    clock_in_now(graph, team_ids["Network Operations"], _person(people, "Wendy Scott"))
    edit_time_cards(graph)
    _site, timesheet = add_timesheet_site(graph)
    consultants = by_role(people, "consultant")
    packages = [i for key in ("M365", "CRM") for i in projects[key].items if is_package(i)]
    fill_timesheet(graph, ledger, timesheet, packages)
    if clean:
        return []
    return [
        pt.plant_long_day_timesheet(graph, timesheet, consultants[0], timesheet["id"]),
        pt.plant_clock_out_before_in(graph, team_ids["Field Services"], techs[0], "DCM"),
    ]


def _manifest(
    seed: int,
    clean: bool,
    now: datetime,
    people: list[Person],
    projects: dict[str, Project],
    problems: list[Problem],
    gate_requests: list[dict[str, Any]],
) -> dict[str, Any]:
    return {
        "generator": {"seed": seed, "scale": "demo", "clean": clean},
        "now": now.isoformat(),
        "problems": problems,
        "projects": {key: p.phase for key, p in projects.items()},
        "gate_requests": gate_requests,
        "aliases": {alias: p.email for p in people for alias in p.aliases},
    }
