"""Builds the Jira side of one demo project: epics, work items, risks, schedule and history."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sandbox.gen.catalog import MITIGATION, MITIGATION_DUE, RISK_IMPACT, RISK_PROBABILITY
from sandbox.gen.model import Item, Link, Project, Transition
from sandbox.gen.people import Person


@dataclass
class Counters:
    project: int = 10000
    issue: int = 10001
    link: int = 30001
    version: int = 10100
    board: int = 1
    sprint: int = 1
    worklog: int = 100001
    history: int = 200001

    def next(self, name: str) -> int:
        value = getattr(self, name)
        setattr(self, name, value + 1)
        return value


@dataclass
class JiraWorld:
    """Everything generated on the Jira side, plus the ids handed out so far."""

    rng: random.Random
    now: datetime
    people: list[Person]
    counters: Counters = field(default_factory=Counters)
    projects: list[Project] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)

    def new_item(
        self,
        project: Project,
        type_name: str,
        summary: str,
        created: datetime,
        reporter: Person,
        **extra: object,
    ) -> Item:
        item = Item(
            id=self.counters.next("issue"),
            key=f"{project.key}-{project.next_number}",
            project=project,
            type=type_name,
            summary=summary,
            reporter=reporter,
            created=created,
            **extra,
        )  # type: ignore[arg-type]
        project.next_number += 1
        project.items.append(item)
        return item

    def link(self, blocker: Item, blocked: Item) -> Link:
        link = Link(self.counters.next("link"), blocker, blocked)
        self.links.append(link)
        return link


def at_local(day: date, hour: float, person: Person) -> datetime:
    """A local working moment as an aware UTC datetime."""
    minutes = int(hour * 60)
    local = datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=person.zone)
    return local.astimezone(UTC)


def window_day(start: date, target: date, fraction: float) -> date:
    return start + timedelta(days=round((target - start).days * fraction))


def schedule(world: JiraWorld, item: Item, stretch: float = 1.0) -> None:
    """Status history from the item's planned start/due; `stretch` > 1 makes work run late."""
    assert item.start and item.due
    person = item.assignee or item.reporter
    planned_ip = at_local(item.start, 9.5 + world.rng.random() * 2, person)
    planned_done = at_local(
        item.due - timedelta(days=world.rng.randint(0, 1)), 14 + world.rng.random() * 2, person
    )
    base = at_local(item.project.start, 9, person)
    ip_at = base + (planned_ip - base) * stretch
    done_at = max(base + (planned_done - base) * stretch, ip_at + timedelta(hours=4))
    set_history(world, item, ip_at, done_at)


def set_history(world: JiraWorld, item: Item, ip_at: datetime, done_at: datetime) -> None:
    """To Do -> In Progress [-> In Review] -> Done, cut at `now`; a few items are reopened."""
    now, rng = world.now, world.rng
    actor = item.assignee or item.reporter
    item.transitions = []
    ip_at = max(ip_at, item.created + timedelta(hours=1))  # no work before it was filed
    done_at = max(done_at, ip_at + timedelta(hours=4))
    if ip_at > now:
        return
    item.transitions.append(Transition(ip_at, "In Progress", actor))
    if done_at > now:
        review_at = done_at - timedelta(hours=20)
        if review_at > ip_at + timedelta(hours=2) and review_at <= now and rng.random() < 0.5:
            item.transitions.append(Transition(review_at, "In Review", actor))
        return
    if rng.random() < 0.04 and done_at - timedelta(days=2) > ip_at + timedelta(hours=4):
        # done too early, reopened by the reporter, finished at the planned time after all
        item.transitions.append(Transition(done_at - timedelta(days=2), "Done", actor))
        item.transitions.append(
            Transition(done_at - timedelta(hours=36), "Reopened", item.reporter)
        )
        item.transitions.append(Transition(done_at - timedelta(hours=34), "In Progress", actor))
    elif rng.random() < 0.5 and done_at - timedelta(hours=20) > ip_at + timedelta(hours=2):
        item.transitions.append(Transition(done_at - timedelta(hours=20), "In Review", actor))
    item.transitions.append(Transition(done_at, "Done", actor))


def finish_early(world: JiraWorld, item: Item) -> None:
    """Mark a not-yet-done item done before `now` (ahead of plan)."""
    now = world.now
    first = item.first_in_progress()
    if first is None or first > now - timedelta(hours=12):
        first = max(
            item.created + timedelta(hours=1), now - timedelta(days=4 + world.rng.randint(0, 3))
        )
    if first > now - timedelta(hours=10):
        return  # created too recently to have been finished already
    done_at = max(
        min(now - timedelta(hours=6), first + timedelta(days=3)), first + timedelta(hours=4)
    )
    set_history(world, item, first, done_at)


def risk_history(world: JiraWorld, item: Item, mitigation_due: date) -> None:
    """Open -> Owned, then Mitigated (or Resolved) by the time the mitigation is due."""
    rng, now = world.rng, world.now
    owner = item.assignee or item.reporter
    owned_at = item.created + timedelta(days=rng.randint(1, 5))
    item.transitions = []
    if owned_at <= now:
        item.transitions.append(Transition(owned_at, "Owned", owner))
    settled = datetime.combine(mitigation_due - timedelta(days=2), time(15), tzinfo=UTC)
    if settled <= now and item.transitions:
        final = "Resolved" if rng.random() < 0.2 else "Mitigated"
        item.transitions.append(
            Transition(max(settled, owned_at + timedelta(hours=2)), final, owner)
        )


RISK_TEXTS = [
    ("Key supplier may slip delivery", "Agree penalty clause and a second supplier"),
    ("Legacy data quality worse than assumed", "Run profiling early; budget cleansing sprints"),
    ("Subject-matter experts unavailable in holiday season", "Book backups and record sessions"),
    ("Change freeze overlaps planned cutover", "Align cutover with the change advisory board"),
    ("Licence costs exceed budget", "Negotiate volume tier before order"),
    ("Security review finds blocking issues", "Involve security architects in design reviews"),
    ("Users resist the new process", "Champions network and early demos"),
]


def add_risks(world: JiraWorld, project: Project, count: int) -> list[Item]:
    rng = world.rng
    risks = []
    for title, mitigation in rng.sample(RISK_TEXTS, count):
        created = at_local(project.start + timedelta(days=rng.randint(1, 12)), 10, project.lead)
        if created > world.now:
            created = world.now - timedelta(days=1)
        owner = rng.choice(project.team)
        due = created.date() + timedelta(days=rng.randint(20, 80))
        probability, impact = rng.randint(1, 4), rng.randint(1, 3)
        item = world.new_item(
            project,
            "Risk",
            title,
            created,
            project.lead,
            assignee=owner,
            initial_status="Open",
            priority="High" if probability * impact >= 8 else "Medium",
            labels=["risk-register"],
            extra_fields={
                RISK_PROBABILITY: probability,
                RISK_IMPACT: impact,
                MITIGATION: mitigation,
                MITIGATION_DUE: due.isoformat(),
            },
        )
        risk_history(world, item, due)
        risks.append(item)
    return risks
