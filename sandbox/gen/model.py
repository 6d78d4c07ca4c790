"""In-memory records of a tenant being generated, before they are rendered as API shapes.

Generation works on these (plain dataclasses, real datetimes), planted problems mutate them,
and `render` turns them into Jira/Graph JSON at the very end, so links, parents and
changelogs always agree with the final state.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sandbox.gen.catalog import DONE_STATUSES
from sandbox.gen.people import Person


@dataclass
class Transition:
    at: datetime
    to_status: str
    author: Person


@dataclass
class Item:
    id: int
    key: str
    project: Project
    type: str
    summary: str
    reporter: Person
    created: datetime
    assignee: Person | None = None
    description: str = ""
    start: date | None = None
    due: date | None = None
    estimate_h: float | None = None
    points: float | None = None
    parent: Item | None = None
    labels: list[str] = field(default_factory=list)
    priority: str = "Medium"
    initial_status: str = "To Do"
    transitions: list[Transition] = field(default_factory=list)
    extra_fields: dict[str, Any] = field(default_factory=dict)
    fix_version: dict[str, Any] | None = None
    sprints: list[dict[str, Any]] = field(default_factory=list)
    properties: dict[str, Any] = field(default_factory=dict)
    touched: datetime | None = None  # last non-status change (worklog, edit)
    quiet_since: datetime | None = None  # no worklogs or edits after this (stale items)
    assignee_changes: list[tuple[datetime, Person | None, Person | None, Person]] = field(
        default_factory=list
    )

    @property
    def status(self) -> str:
        return self.transitions[-1].to_status if self.transitions else self.initial_status

    @property
    def is_done(self) -> bool:
        return self.status in DONE_STATUSES

    @property
    def resolved(self) -> datetime | None:
        return self.transitions[-1].at if self.is_done else None

    @property
    def qualified_id(self) -> str:
        return f"jira:{self.id}"

    def first_in_progress(self) -> datetime | None:
        for step in self.transitions:
            if step.to_status in ("In Progress", "Owned"):
                return step.at
        return None

    def last_change(self) -> datetime:
        moments = [self.created, *(t.at for t in self.transitions)]
        moments += [c[0] for c in self.assignee_changes]
        if self.touched:
            moments.append(self.touched)
        return max(moments)


@dataclass
class Project:
    id: int
    key: str
    name: str
    phase: str | None
    start: date
    target: date
    lead: Person
    team: list[Person]
    description: str = ""
    charter: dict[str, Any] | None = None
    items: list[Item] = field(default_factory=list)
    versions: list[dict[str, Any]] = field(default_factory=list)
    board: dict[str, Any] | None = None
    sprints: list[dict[str, Any]] = field(default_factory=list)
    next_number: int = 1


@dataclass
class Link:
    id: int
    blocker: Item  # outward side: "blocks"
    blocked: Item  # inward side: "is blocked by"
    type_name: str = "Blocks"


@dataclass
class Worklog:
    id: int
    item: Item
    author: Person
    started: datetime  # aware, in the author's zone
    seconds: int
    logged: datetime  # created/updated (UTC)
    comment: str = ""

    @property
    def qualified_id(self) -> str:
        return f"jira:worklog:{self.id}"
