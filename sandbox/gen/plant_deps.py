"""Planted dependency problems: a cycle, and a blocked item on the critical path."""

from __future__ import annotations

from datetime import timedelta

import networkx as nx

from sandbox.gen.jira_gen import JiraWorld
from sandbox.gen.model import Item, Project, Transition
from sandbox.gen.plant_jira import Problem, open_items, problem


def plant_cycle(world: JiraWorld, project: Project, exclude: set[str]) -> Problem:
    """Three open items of one workstream that block each other in a ring."""
    pool = [
        i
        for i in open_items(project.items)
        if i.type in ("Story", "Task") and i.parent and i.qualified_id not in exclude
    ]
    epic = pool[0].parent
    ring = [i for i in pool if i.parent is epic][:3]
    for a, b in zip(ring, ring[1:] + ring[:1], strict=True):
        world.link(a, b)
    keys = " -> ".join(i.key for i in [*ring, ring[0]])
    return problem(
        "dependency_cycle",
        "dependencies.cycle",
        project.key,
        [i.qualified_id for i in ring],
        f"Blocks links form a cycle: {keys}",
    )


def open_graph(world: JiraWorld, project: Project) -> nx.DiGraph:
    """Blocks links between the project's open items (ids as nodes, estimate as weight)."""
    graph = nx.DiGraph()
    for item in project.items:
        if not item.is_done and item.type != "Risk":
            graph.add_node(item.id, weight=item.estimate_h or 0.0)
    graph.add_edges_from(
        (link.blocker.id, link.blocked.id)
        for link in world.links
        if link.blocker.id in graph and link.blocked.id in graph
    )
    return graph


def longest_chain(graph: nx.DiGraph) -> tuple[float, list[int]]:
    """The heaviest chain by the sum of its items' estimates (ties: more items)."""
    best: dict[int, tuple[float, int, list[int]]] = {}
    for node in nx.topological_sort(graph):
        weight = graph.nodes[node]["weight"]
        before = max(
            (best[p] for p in graph.predecessors(node)),
            key=lambda b: (b[0], b[1]),
            default=(0.0, 0, []),
        )
        best[node] = (before[0] + weight, before[1] + 1, [*before[2], node])
    top = max(best.values(), key=lambda b: (b[0], b[1]), default=(0.0, 0, []))
    return top[0], top[2]


def _blockable_pair(
    world: JiraWorld, project: Project, graph: nx.DiGraph, exclude: set[str]
) -> tuple[Item, Item]:
    """A Blocks link x -> y of open work items where x is y's only open blocker and x itself
    waits for nothing (so only y is blocked)."""
    by_id = {i.id: i for i in project.items}
    work = ("Story", "Task", "Bug", "UAT", "Training", "Documentation")
    pairs = [
        (by_id[x], by_id[y])
        for x, y in graph.edges
        if not {by_id[x].qualified_id, by_id[y].qualified_id} & exclude
        and by_id[x].type in work
        and by_id[y].type in work
        and "uat-signoff" not in by_id[y].labels
        and graph.in_degree(y) == 1
        and graph.in_degree(x) == 0
    ]
    old = [(x, y) for x, y in pairs if x.created < world.now - timedelta(days=20)]
    if old or pairs:
        return (old or pairs)[0]
    # no such link yet: the dependency is discovered now, between the next two open items
    free = sorted(
        (
            by_id[n]
            for n in graph.nodes
            if by_id[n].type in ("Story", "Task")
            and graph.in_degree(n) == 0
            and by_id[n].qualified_id not in exclude
        ),
        key=lambda i: (i.start or i.due, i.id),
    )
    x, y = free[0], free[1]
    world.link(x, y)
    return x, y


def plant_blocked_critical_path(world: JiraWorld, project: Project, exclude: set[str]) -> Problem:
    """An item is blocked by an overdue open item and is the heart of the critical path.

    The blocked item's planned start has come (it is due to be worked on) and its estimate
    outweighs every other open chain, so the longest chain of open work runs through it.
    """
    now = world.now
    blocker, blocked = _blockable_pair(world, project, open_graph(world, project), exclude)
    blocker.created = min(blocker.created, now - timedelta(days=20))
    blocker.due = (now - timedelta(days=4)).date()
    blocker.start = min(blocker.start or blocker.due, blocker.due - timedelta(days=8))
    began = max(blocker.created + timedelta(hours=2), now - timedelta(days=12))
    blocker.transitions = [Transition(began, "In Progress", blocker.assignee or blocker.reporter)]
    blocked.start = min(blocked.start or now.date(), (now - timedelta(days=2)).date())
    blocked.due = max(blocked.due or now.date(), (now + timedelta(days=7)).date())
    blocked.created = min(blocked.created, now - timedelta(days=20))
    blocked.transitions = [
        Transition(now - timedelta(days=1), "Blocked", blocked.assignee or blocked.reporter)
    ]
    heaviest, _ = longest_chain(open_graph(world, project))
    blocked.estimate_h = float(8 * (int(heaviest) // 8 + 2))  # outweighs any other chain
    _, chain_ids = longest_chain(open_graph(world, project))
    by_id = {i.id: i for i in project.items}
    chain = [by_id[n] for n in chain_ids]
    return problem(
        "blocked_critical_path",
        "dependencies.blocked_critical_path",
        project.key,
        [blocked.qualified_id, blocker.qualified_id],
        f"{blocked.key} is on the critical path ({' -> '.join(i.key for i in chain)}), due to "
        f"be worked on, and blocked by {blocker.key}, open and past its due date",
        chain=[i.qualified_id for i in chain],
    )
