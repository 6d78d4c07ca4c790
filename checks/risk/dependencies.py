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

import networkx as nx
import numpy as np

from checks.model import CheckOutput, ProjectFrames
from checks.risk.common import OutputBuilder, as_of_days, days, is_done
from config.settings import ChecksSettings


def blocking_graph(frames: ProjectFrames) -> nx.DiGraph:
    deps = frames.dependencies
    blocking = deps[deps["is_blocking"].fillna(False).to_numpy(dtype=bool)]
    graph = nx.DiGraph()
    graph.add_nodes_from(frames.tasks["task_id"].astype(str))
    graph.add_edges_from(
        zip(blocking["from_task_id"].astype(str), blocking["to_task_id"].astype(str), strict=True)
    )
    return graph


def find_cycles(graph: nx.DiGraph) -> list[list[str]]:
    """One concrete cycle per strongly connected component that has one, sorted."""
    cycles = []
    for component in nx.strongly_connected_components(graph):
        first = min(component)
        if len(component) == 1 and not graph.has_edge(first, first):
            continue
        cycle = nx.find_cycle(graph.subgraph(component), source=first)
        cycles.append([edge[0] for edge in cycle])
    return sorted(cycles)


def critical_path(graph: nx.DiGraph, weight: dict[str, float]) -> list[str]:
    """The heaviest chain (by node weight) of the graph, with cycles collapsed."""
    if graph.number_of_nodes() == 0:
        return []
    dag = nx.condensation(graph)
    members = {n: sorted(dag.nodes[n]["members"]) for n in dag.nodes}
    best: dict[int, tuple[float, int, tuple[str, ...]]] = {}
    # A fixed (lexicographic) visiting order and strict ">" comparisons make ties deterministic:
    # heavier chains win, then longer ones, then the one met first.
    for node in nx.lexicographical_topological_sort(dag, key=lambda n: members[n][0]):
        own = sum(weight.get(m, 0.0) for m in members[node])
        heaviest: tuple[float, int, tuple[str, ...]] = (0.0, 0, ())
        for pred in sorted(dag.predecessors(node), key=lambda n: members[n][0]):
            if _chain_key(best[pred]) > _chain_key(heaviest):
                heaviest = best[pred]
        best[node] = (
            heaviest[0] + own,
            heaviest[1] + len(members[node]),
            heaviest[2] + tuple(members[node]),
        )
    winner: tuple[float, int, tuple[str, ...]] = (0.0, 0, ())
    for node in nx.lexicographical_topological_sort(dag, key=lambda n: members[n][0]):
        if _chain_key(best[node]) > _chain_key(winner):
            winner = best[node]
    return list(winner[2])


def _chain_key(chain: tuple[float, int, tuple[str, ...]]) -> tuple[float, int]:
    return (round(chain[0], 9), chain[1])


def check_dependencies(frames: ProjectFrames, settings: ChecksSettings) -> CheckOutput:
    out = OutputBuilder(frames, settings)
    tasks = frames.tasks
    graph = blocking_graph(frames)
    cycles = find_cycles(graph)
    out.metric("dependencies.cycles", float(len(cycles)), sorted({t for c in cycles for t in c}))
    open_ids = set(tasks["task_id"][~is_done(tasks)].astype(str))
    known = set(tasks["task_id"].astype(str))
    open_graph = graph.subgraph([n for n in graph.nodes if n in open_ids])
    estimate = tasks["estimate_hours"].astype("Float64").fillna(0).to_numpy(dtype=float)
    weight = dict(zip(tasks["task_id"].astype(str), estimate, strict=True))
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


def _open_blockers(graph: nx.DiGraph, open_ids: set[str], known: set[str]) -> dict[str, list[str]]:
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
    start = dict(zip(tasks["task_id"].astype(str), days(tasks["start_date"]), strict=True))
    now = as_of_days(frames)
    due_to_start = [t for t in path if not start.get(t, np.nan) > now]
    return [t for t in due_to_start if t in blockers]


def _critical_path_test(
    out: OutputBuilder, frames: ProjectFrames, path: list[str], open_ids: set[str]
) -> None:
    tasks = frames.tasks
    open_tasks = tasks[tasks["task_id"].astype(str).isin(open_ids).to_numpy()]
    due = days(open_tasks["due_date"])
    if not path or np.isnan(due).all():
        out.metric("schedule.critical_path_test", None)
        return
    last = path[-1]
    latest = open_tasks["task_id"].astype(str).to_numpy()[due >= np.nanmax(due)]
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
    row = frames.tasks[frames.tasks["task_id"].astype(str) == task_id]
    return bool((row["milestone_id"].astype(str) == final).any())
