"""The one Jira step sequence (`run_steps`), which `nightly_sync` runs with Prefect tasks
and `run_jira_sync` with plain calls: its order, recorded through the `Steps` seam."""

from __future__ import annotations

from typing import Any

from connectors.jira.sync import Steps, run_steps
from flows.nightly_sync import TASK_STEPS
from flows.orchestration import Task


class _Run:
    """Just the cursors and the progress hook `run_steps` reads from the sync."""

    def __init__(self) -> None:
        self.events: list[tuple[str, dict[str, Any]]] = []

    def issue_cursor(self, key: str) -> int | None:
        return 7 if key == "ABC" else None

    def worklog_cursor(self, stream: str) -> int:
        return 100

    def progress(self, event: str, data: dict[str, Any]) -> None:
        self.events.append((event, data))


class _Progress:
    total = 1
    done = 0

    def step(self) -> None:
        self.done += 1


def test_run_steps_order() -> None:
    calls: list[tuple[Any, ...]] = []
    pages = {None: "T2", "T2": None}
    worklogs = {100: 200, 200: None}
    steps = Steps(
        prepare=lambda s: calls.append(("prepare",)) or ["ABC", "XYZ"],
        project_meta=lambda s, k: calls.append(("meta", k)),
        issue_page=lambda s, k, since, t: calls.append(("page", k, since, t)) or pages[t],
        finish_project=lambda s, k: calls.append(("finish", k)),
        retry_worklogs=lambda s: calls.append(("retry",)),
        worklog_page=lambda s, stream, c: calls.append(("worklogs", stream, c)) or worklogs[c],
    )
    run, progress = _Run(), _Progress()
    run_steps(run, steps, progress)  # type: ignore[arg-type]
    assert calls == [
        ("prepare",),
        ("meta", "ABC"),
        ("page", "ABC", 7, None),
        ("page", "ABC", 7, "T2"),
        ("finish", "ABC"),
        ("meta", "XYZ"),
        ("page", "XYZ", None, None),
        ("page", "XYZ", None, "T2"),
        ("finish", "XYZ"),
        ("retry",),
        ("worklogs", "updated", 100),
        ("worklogs", "updated", 200),
        ("worklogs", "deleted", 100),
        ("worklogs", "deleted", 200),
    ]
    assert run.events == [
        ("project_done", {"project": "ABC"}),
        ("project_done", {"project": "XYZ"}),
    ]
    assert (progress.total, progress.done) == (3, 3)


def test_the_nightly_flow_runs_the_same_sequence_with_every_step_a_task() -> None:
    for name in Steps.__dataclass_fields__:
        step = getattr(TASK_STEPS, name)
        # a pipeline task: a Prefect task under a flow run, a plain call in-process
        assert isinstance(step, Task) and step is not getattr(Steps(), name), name
        assert hasattr(step.prefect, "submit"), name
