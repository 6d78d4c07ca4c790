"""Blocks links: finish-to-start dependencies that respect the plan (no negative float)."""

from __future__ import annotations

from itertools import pairwise

from sandbox.gen.jira_gen import JiraWorld
from sandbox.gen.model import Item, Project

CHAINED_TYPES = ("Story", "Task", "UAT", "Training", "Documentation")


def add_dependencies(world: JiraWorld, project: Project) -> None:
    rng = world.rng
    epics = [i for i in project.items if i.type == "Epic"]
    tails: list[Item] = []
    for epic in epics:
        children = sorted(
            (
                i
                for i in project.items
                if i.parent is epic and i.type in CHAINED_TYPES and i.start and i.due
            ),
            key=lambda i: (i.start, i.id),
        )
        for a, b in pairwise(children):
            if a.due and b.start and a.due < b.start and rng.random() < 0.8:
                world.link(a, b)
        if children:
            tails.append(children[-1])
    for a, b in pairwise(epics):
        if a.due and b.start and a.due < b.start:
            world.link(a, b)
    _signoff_after_uat(world, project)


def _signoff_after_uat(world: JiraWorld, project: Project) -> None:
    signoff = next((i for i in project.items if "uat-signoff" in i.labels), None)
    if signoff is None or signoff.start is None:
        return
    for script in (i for i in project.items if i.type == "UAT" and i is not signoff):
        if script.due and script.due < signoff.start:
            world.link(script, signoff)
