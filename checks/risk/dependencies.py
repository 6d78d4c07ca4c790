"""The dependency graph: cycles, the critical path, and open blockers of critical-path items.

Only blocking links (`is_blocking`, finish-to-start) make edges, oriented blocker -> blocked.
- Cycles are the graph's strongly connected components with more than one task (or a self link);
  each is reported with one concrete cycle through it (the task ids in order).
- The critical path is the longest chain of *open* tasks weighted by `estimate_hours` (a task
  without estimate weighs nothing; ties go to the chain with more items, then to the smaller
  ids). Cycles are collapsed first, so the path is defined even when the plan has one.
- A critical-path item is blocked when one of its blockers is still open (a blocker in another
  project, whose status this project can't see, counts as open) and the item is due to be
  worked on: its planned start is not in the future.
- DCMA 12 (critical path test): the path must end at the open item due last, or at an item of
  the final milestone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from checks.model import CheckOutput, ProjectFrames
from checks.risk.common import OutputBuilder, as_of_days, days, is_done, strings
from config.settings import ChecksSettings

if TYPE_CHECKING:
    import networkx as nx


def blocking_graph(frames: ProjectFrames) -> nx.DiGraph[str]:
    import networkx as nx  # loaded when a graph is built: a sync that judges nothing never does

    deps = frames.dependencies
    blocking = deps["is_blocking"].to_numpy(dtype=bool, na_value=False)
    graph: nx.DiGraph[str] = nx.DiGraph()
    graph.add_nodes_from(sorted(strings(frames.tasks, "task_id")))  # sorted: stable tie-breaks
    edges = zip(
        strings(deps, "from_task_id")[blocking], strings(deps, "to_task_id")[blocking], strict=True
    )
    graph.add_edges_from(sorted(edges))
    return graph


def find_cycles(graph: nx.DiGraph[str]) -> list[list[str]]:
    """One concrete cycle per strongly connected component that has one, sorted."""
    import networkx as nx

    cycles = []
    for component in sorted(nx.strongly_connected_components(graph), key=min):
        first = min(component)
        if len(component) == 1 and not graph.has_edge(first, first):
            continue
        cycle = nx.find_cycle(_induced(graph, set(component)), source=first)
        cycles.append([edge[0] for edge in cycle])
    return sorted(cycles)


def critical_path(graph: nx.DiGraph[str], weight: dict[str, float]) -> list[str]:
    """The heaviest chain (by node weight) of the graph, with cycles collapsed."""
    import networkx as nx

    if graph.number_of_nodes() == 0:
        return []
    dag, members = _acyclic(graph)
    best: dict[object, tuple[float, int, tuple[str, ...]]] = {}
    # Heavier chains win, then longer ones, then the one with the smaller ids (compared as a
    # tuple): a total order on chains, so the result never depends on the order networkx
    # walks the graph in (set order, hence PYTHONHASHSEED, for subgraph views).
    winner: tuple[float, int, tuple[str, ...]] = (0.0, 0, ())
    for node in nx.topological_sort(dag):
        heaviest: tuple[float, int, tuple[str, ...]] = (0.0, 0, ())
        for pred in dag.predecessors(node):
            if _beats(best[pred], heaviest):
                heaviest = best[pred]
        own = members[node]
        chain = (
            heaviest[0] + sum(weight.get(m, 0.0) for m in own),
            heaviest[1] + len(own),
            heaviest[2] + tuple(own),
        )
        best[node] = chain
        if _beats(chain, winner):
            winner = chain
    return list(winner[2])


def _beats(
    chain: tuple[float, int, tuple[str, ...]], other: tuple[float, int, tuple[str, ...]]
) -> bool:
    """Heavier, then longer, then smaller ids: a total order, whatever the walk order."""
    key, against = (round(chain[0], 9), chain[1]), (round(other[0], 9), other[1])
    return key > against or (key == against and chain[2] < other[2])


def check_dependencies(frames: ProjectFrames, settings: ChecksSettings) -> CheckOutput:
    out = OutputBuilder(frames, settings)
    tasks = frames.tasks
    graph = blocking_graph(frames)
    cycles = find_cycles(graph)
    out.metric("dependencies.cycles", float(len(cycles)), sorted({t for c in cycles for t in c}))
    open_ids = set(strings(tasks, "task_id")[~is_done(tasks)])
    known = set(strings(tasks, "task_id"))
    open_graph = _induced(graph, open_ids)
    estimate = tasks["estimate_hours"].astype("Float64").fillna(0).to_numpy(dtype=float)
    weight = dict(zip(strings(tasks, "task_id"), estimate, strict=True))
    path = critical_path(open_graph, weight)
    out.metric("dependencies.critical_path_hours", sum(weight.get(t, 0.0) for t in path), path)
    out.metric("dependencies.critical_path_items", float(len(path)), path)
    blockers = _open_blockers(graph, open_ids, known)
    blocked = _blocked_critical(frames, path, blockers)
    blocked_evidence = sorted(set(blocked) | {b for item in blocked for b in blockers[item]})
    out.metric("dependencies.blocked_critical_items", float(len(blocked)), blocked_evidence)
    all_blockers = sorted({b for bs in blockers.values() for b in bs})
    out.metric("dependencies.open_blockers", float(len(all_blockers)), all_blockers)
    _critical_path_test(out, frames, path, open_ids)
    out.out.details["dependencies"] = {
        "cycles": cycles,
        "critical_path": path,
        "blocked_critical_items": {item: blockers[item] for item in blocked},
    }
    return out.out


def _acyclic(graph: nx.DiGraph[str]) -> tuple[nx.DiGraph[Any], dict[Any, list[str]]]:
    """The graph with each cycle collapsed into one node, and the tasks of every node."""
    import networkx as nx

    if nx.is_directed_acyclic_graph(graph):
        return graph, {n: [n] for n in graph.nodes}
    dag = nx.condensation(graph)
    return dag, {n: sorted(dag.nodes[n]["members"]) for n in dag.nodes}


def _induced(graph: nx.DiGraph[str], keep: set[str]) -> nx.DiGraph[str]:
    """The subgraph on `keep`, built in sorted order (a `subgraph` view iterates a set)."""
    import networkx as nx

    nodes = sorted(keep & set(graph.nodes))
    sub: nx.DiGraph[str] = nx.DiGraph()
    sub.add_nodes_from(nodes)
    sub.add_edges_from((u, v) for u in nodes for v in sorted(graph.successors(u)) if v in keep)
    return sub


def _open_blockers(
    graph: nx.DiGraph[str], open_ids: set[str], known: set[str]
) -> dict[str, list[str]]:
    """Open blockers of every open task (unknown tasks, from other projects, count as open)."""
    result: dict[str, list[str]] = {}
    for task in sorted(open_ids):
        found = [
            b for b in graph.predecessors(task) if b != task and (b in open_ids or b not in known)
        ]
        if found:
            result[task] = sorted(found)
    return result


def _blocked_critical(
    frames: ProjectFrames, path: list[str], blockers: dict[str, list[str]]
) -> list[str]:
    tasks = frames.tasks
    start = dict(zip(strings(tasks, "task_id"), days(tasks["start_date"]), strict=True))
    now = as_of_days(frames)
    due_to_start = [t for t in path if not start.get(t, np.nan) > now]
    return [t for t in due_to_start if t in blockers]


def _critical_path_test(
    out: OutputBuilder, frames: ProjectFrames, path: list[str], open_ids: set[str]
) -> None:
    tasks = frames.tasks
    task_ids = strings(tasks, "task_id")
    is_open = np.array([t in open_ids for t in task_ids], dtype=bool)
    due = days(tasks["due_date"])[is_open]
    if not path or np.isnan(due).all():
        out.metric("schedule.critical_path_test", None)
        return
    last = path[-1]
    latest = task_ids[is_open][due >= np.nanmax(due)]
    passed = last in set(latest) or _in_final_milestone(frames, last)
    out.metric("schedule.critical_path_test", 1.0 if passed else 0.0, [last, *sorted(latest)])


def _in_final_milestone(frames: ProjectFrames, task_id: str) -> bool:
    milestones = frames.milestones
    if milestones.empty:
        return False
    due = days(milestones["due_date"])
    if np.isnan(due).all():
        return False
    final = str(milestones["milestone_id"].iloc[int(np.nanargmax(due))])
    tasks = frames.tasks
    return bool(
        ((strings(tasks, "task_id") == task_id) & (strings(tasks, "milestone_id") == final)).any()
    )
