"""Dependency graph: cycles with their ids, the critical path, blocked critical items."""

from __future__ import annotations

import pytest

from checks.model import Severity
from checks.risk.dependencies import check_dependencies
from config.settings import ChecksSettings
from tests.unit.risk.builders import frames_of, task


def link(n: int, src: str, dst: str, **fields):
    return {"dependency_id": f"jira:link:{n}", "from_task_id": src, "to_task_id": dst, **fields}


def run(tasks, links, **kwargs):
    return check_dependencies(
        frames_of(tasks=tasks, dependencies=links, **kwargs), ChecksSettings()
    )


CRITICAL_PATH_CASES = [
    # A(5) -> B(3) -> D(4) and A -> C(10) -> D; E(1) alone: the heavy branch A, C, D = 19 h.
    pytest.param(
        {"A": 5, "B": 3, "C": 10, "D": 4, "E": 1},
        set(),
        [("A", "B"), ("B", "D"), ("A", "C"), ("C", "D")],
        ["A", "C", "D"],
        19,
        id="heaviest-branch",
    ),
    # Same graph with C done: only open tasks count -> A, B, D = 12 h.
    pytest.param(
        {"A": 5, "B": 3, "C": 10, "D": 4, "E": 1},
        {"C"},
        [("A", "B"), ("B", "D"), ("A", "C"), ("C", "D")],
        ["A", "B", "D"],
        12,
        id="done-tasks-leave-the-path",
    ),
    # No links: the critical path is the single heaviest open task.
    pytest.param({"A": 2, "B": 7}, set(), [], ["B"], 7, id="no-links"),
    # Non-blocking links ("relates") are not dependencies.
    pytest.param({"A": 2, "B": 7}, set(), [("A", "B", False)], ["B"], 7, id="relates-ignored"),
    # Equal weight: the chain with more items wins (a zero-estimate task still sits on it).
    pytest.param(
        {"A": 5, "B": 0, "C": 5}, set(), [("A", "B")], ["A", "B"], 5, id="tie-longer-chain"
    ),
]


@pytest.mark.parametrize(("weights", "done", "edges", "path", "hours"), CRITICAL_PATH_CASES)
def test_critical_path_by_estimate_over_blocking_links(weights, done, edges, path, hours):
    tasks = [
        task(k, estimate_hours=w, status_category="done" if k in done else "todo")
        for k, w in weights.items()
    ]
    links = [
        link(n, e[0], e[1], is_blocking=e[2] if len(e) > 2 else True) for n, e in enumerate(edges)
    ]
    out = run(tasks, links)
    assert out.details["dependencies"]["critical_path"] == path
    assert out.metrics["dependencies.critical_path_hours"] == hours
    assert out.evidence["dependencies.critical_path_items"] == tuple(path)


def test_cycle_is_reported_with_its_task_ids_as_a_critical_finding():
    tasks = [task(k, estimate_hours=1) for k in ("X", "Y", "Z", "W")]
    links = [link(1, "X", "Y"), link(2, "Y", "Z"), link(3, "Z", "X"), link(4, "Z", "W")]
    out = run(tasks, links)
    assert out.metrics["dependencies.cycles"] == 1
    assert out.details["dependencies"]["cycles"] == [["X", "Y", "Z"]]
    (finding,) = [f for f in out.findings if f.check == "dependencies.cycle"]
    assert finding.severity == Severity.CRITICAL
    assert finding.item_ids == ("X", "Y", "Z")
    assert finding.project_id == "jira:1"


def test_blocked_critical_items_are_those_due_to_start_with_an_open_blocker():
    # A (open) blocks B (should have started) and C (starts in the future); B blocks D.
    tasks = [
        task("A", estimate_hours=8, status_category="in_progress"),
        task("B", estimate_hours=8, start_date="2026-01-02"),
        task("C", estimate_hours=1, start_date="2026-03-01"),
        task("D", estimate_hours=8, start_date="2026-04-01"),
    ]
    out = run(tasks, [link(1, "A", "B"), link(2, "A", "C"), link(3, "B", "D")])
    assert out.details["dependencies"]["critical_path"] == ["A", "B", "D"]
    assert out.metrics["dependencies.blocked_critical_items"] == 1  # B; D is not due to start
    assert out.evidence["dependencies.blocked_critical_items"] == ("A", "B")
    (finding,) = [f for f in out.findings if f.check == "dependencies.blocked_critical_path"]
    assert finding.item_ids == ("A", "B")
    assert out.metrics["dependencies.open_blockers"] == 2  # A and B block open tasks


def test_critical_path_test_passes_when_the_path_ends_at_the_last_due_item():
    tasks = [
        task("A", estimate_hours=8, due_date="2026-02-01"),
        task("B", estimate_hours=8, due_date="2026-03-01"),
        task("C", estimate_hours=1, due_date="2026-04-01"),
    ]
    passing = run(tasks, [link(1, "A", "B"), link(2, "B", "C")])
    assert passing.metrics["schedule.critical_path_test"] == 1.0
    failing = run(tasks, [link(1, "A", "B")])  # the chain A-B ends before C, due last
    assert failing.metrics["schedule.critical_path_test"] == 0.0
