"""Progress after generation: epics follow their children, healthy projects stay on plan."""

from __future__ import annotations

from datetime import date

from sandbox.gen.evm import spi
from sandbox.gen.jira_gen import JiraWorld, finish_early, set_history
from sandbox.gen.model import Project


def settle_epics(world: JiraWorld, project: Project) -> None:
    """Epics span their children and are done when all children are."""
    for epic in (i for i in project.items if i.type == "Epic"):
        children = [i for i in project.items if i.parent is epic]
        starts = [c.start for c in children if c.start]
        dues = [c.due for c in children if c.due]
        epic.start = min(starts) if starts else None
        epic.due = max(dues) if dues else None
        began = [c.first_in_progress() for c in children if c.first_in_progress()]
        if not began:
            epic.transitions = []
            continue
        first = min(b for b in began if b)
        resolved = [c.resolved for c in children]
        done_at = max(r for r in resolved if r) if all(resolved) else world.now.replace(year=9999)
        set_history(world, epic, first, done_at)


def keep_on_plan(
    world: JiraWorld, project: Project, exclude: set[str] | None = None, floor: float = 1.02
) -> None:
    """Healthy projects stay at SPI >= floor by finishing upcoming work early."""
    skip = exclude or set()
    pending = sorted(
        (
            i
            for i in project.items
            if i.estimate_h
            and not i.is_done
            and i.start
            and i.qualified_id not in skip
            and i.type != "Risk"
            and "consultant" not in i.labels  # packages run on their own calendar
        ),
        key=lambda i: i.start or date.max,
    )
    for item in pending:
        value = spi(project.items, world.now)
        if value is None or value >= floor:
            return
        finish_early(world, item)
    for item in project.items:  # story points-only parents follow their sub-tasks
        if item.estimate_h is None and item.type == "Story" and item.qualified_id not in skip:
            subs = [i for i in project.items if i.parent is item]
            if subs and all(s.is_done for s in subs) and not item.is_done:
                finish_early(world, item)
