"""Evaluate a portfolio's projects as Prefect tasks, one task per shard of projects.

The task runner comes from settings (`evaluation.task_runner`): threads in the flow's process,
a `ProcessPoolTaskRunner` on one machine, or a `DaskTaskRunner` (prefect-dask) on a cluster.
A shard is a run of `evaluation.shard_size` projects in id order: one task per shard, not
per project (a task costs ~20 ms of orchestration, a project ~80 ms of work).

Each shard is two tasks: `assess-shard` (risk checks, forecasts, charts: everything that does
not read the quality report) and `conclude-shard` (scope the quality report, decide). The
quality gates run in this process meanwhile, so the workers assess while GX runs; a shard
concludes as soon as both its assessment and the report are there. Out of the thread runner,
a shard carries only the rows its projects read (`PortfolioJob.shard`), and at most
`2 × workers` shards are in flight, so neither the workers nor a Dask scheduler hold the
whole portfolio. Prefect sends the calling flow run's context with every task (its flow
and parameters): call this from flows with small parameters, as the product's are (a config
path, project keys), never from a flow that takes the frames. The evaluations are the same
list, in the same order, as
`checks.evaluation.evaluate.evaluate_portfolio` in one process (tests/flows/test_evaluation_runners.py).
"""

from __future__ import annotations

import contextvars
import os
import queue
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from typing import Any, Generic, TypeVar

import pandas as pd
from prefect.futures import PrefectFuture
from prefect.task_runners import ProcessPoolTaskRunner, TaskRunner, ThreadPoolTaskRunner

from checks.evaluation.evaluate import Assessment, PortfolioJob, Shard
from checks.gates import LifecycleRules
from checks.model import Evaluation, QualityReport
from config.settings import EvaluationSettings, Settings
from flows.orchestration import DirectRunner, is_direct, task

QualitySource = QualityReport | Callable[[], QualityReport]
T = TypeVar("T")


class Sealed(Generic[T]):
    """A value Prefect passes between tasks without walking it.

    Prefect walks lists, dicts and dataclasses in task inputs looking for futures, twice
    per task (resolving inputs, recording them): ~45 ms per project of assessments. A
    plain object is left alone, and pickles like its value.
    """

    __slots__ = ("value",)

    def __init__(self, value: T) -> None:
        self.value = value


@task(name="assess-shard", persist_result=False)
def assess_shard(
    work: Sealed[PortfolioJob | Shard], project_ids: list[str]
) -> Sealed[list[Assessment]]:
    """A shard's assessments; a `Shard` is grouped and hashed here, in the worker."""
    job = work.value.job() if isinstance(work.value, Shard) else work.value
    return Sealed(job.assess(project_ids))


@task(name="conclude-shard", persist_result=False)
def conclude_shard(
    assessed: Sealed[list[Assessment]], quality: Sealed[QualityReport]
) -> list[Evaluation]:
    return PortfolioJob.conclude_all(assessed.value, quality.value)


def task_runner(spec: EvaluationSettings) -> TaskRunner[Any]:
    """The task runner `evaluation.task_runner` names (not started); threads in this process
    when the pipeline runs without Prefect (`flows.orchestration.direct`)."""
    if is_direct():
        return DirectRunner(max_workers=spec.workers)  # type: ignore[return-value]
    if spec.task_runner == "process":
        return ProcessPoolTaskRunner(max_workers=spec.workers)
    if spec.task_runner == "dask":
        from prefect_dask import DaskTaskRunner  # imported here: distributed is heavy

        if spec.dask_address:
            return DaskTaskRunner(address=spec.dask_address)
        workers = spec.workers or os.cpu_count() or 1
        return DaskTaskRunner(
            cluster_kwargs={"n_workers": workers, "threads_per_worker": 1, "processes": True}
        )
    return ThreadPoolTaskRunner(max_workers=spec.workers)


def evaluate_projects(
    frames: Mapping[str, pd.DataFrame],
    settings: Settings,
    rules: LifecycleRules,
    as_of: datetime,
    quality: QualitySource,
    snapshots: pd.DataFrame | None = None,
    project_ids: Sequence[str] | None = None,
    default_as_of: bool = False,
) -> list[Evaluation]:
    """Every (or the named) project's evaluation, in project-id order, on the configured runner.
    `default_as_of`: `as_of` is the clock; finished projects are judged as of their finish.

    `quality` is the report, or a callable that makes it: it is then called in this process
    while the workers assess their shards.
    """
    spec = settings.evaluation
    local = spec.task_runner == "thread"  # threads share the grouped frames: no shards to cut
    named = project_ids is not None
    job = PortfolioJob.build(
        frames, settings, rules, as_of, snapshots, named,
        default_as_of=default_as_of, hash_tables=local,
    )  # fmt: skip
    ids = job.project_ids(project_ids)
    shards = [ids[i : i + spec.shard_size] for i in range(0, len(ids), spec.shard_size)]
    window = 2 * (spec.workers or os.cpu_count() or 1)
    with ThreadPoolExecutor(1, thread_name_prefix="quality-gates") as side, task_runner(spec) as r:
        # the caller's Prefect context goes along: a quality task runs in its flow run
        report = side.submit(contextvars.copy_context().run, _report, quality)
        fan_out = _FanOut(r, job, report, window, local)
        parts = fan_out.run(shards)
    return [e for part in parts for e in part]


def _report(quality: QualitySource) -> QualityReport:
    return quality if isinstance(quality, QualityReport) else quality()


class _FanOut:
    """Submits shards with at most `window` tasks in flight; concludes each once it can."""

    def __init__(
        self,
        runner: TaskRunner[Any],
        job: PortfolioJob,
        report: Future[QualityReport],
        window: int,
        local: bool,
    ):
        self.runner, self.job, self.report, self.window, self.local = (
            runner, job, report, window, local
        )  # fmt: skip
        self.running: dict[PrefectFuture[Any], tuple[int, str]] = {}
        self.parked: list[tuple[int, PrefectFuture[Any]]] = []  # assessed, awaiting the report
        self.results: dict[int, list[Evaluation]] = {}
        self.assessed: dict[int, PrefectFuture[Any]] = {}
        # finished task futures, and None when the report is ready: one queue wakes the loop
        self.events: queue.Queue[PrefectFuture[Any] | None] = queue.Queue()
        report.add_done_callback(lambda _: self.events.put(None))

    def run(self, shards: list[list[str]]) -> list[list[Evaluation]]:
        todo = iter(enumerate(shards))
        more = True
        while more or self.running or self.parked:
            while more and len(self.running) < self.window:
                shard = next(todo, None)
                more = shard is not None
                if shard is not None:
                    self._assess(*shard)
            if self.report.done():
                if self.report.exception() is not None:
                    self.report.result()  # the quality gates failed: raise it here
                for index, assessed in self.parked:
                    self._conclude(index, assessed)
                self.parked = []
            if not self.running and not self.parked:
                continue
            finished = self.events.get()
            if finished is not None:
                self._finished(finished)
        self.report.result()  # raises the quality gates' error, even with no project to judge
        return [self.results[i] for i in range(len(shards))]

    def _submit(self, task_: Any, parameters: dict[str, Any], index: int, stage: str) -> None:
        runs = task_ if isinstance(self.runner, DirectRunner) else task_.prefect
        future = self.runner.submit(runs, parameters)
        self.running[future] = (index, stage)
        future.add_done_callback(self.events.put)

    def _assess(self, index: int, ids: list[str]) -> None:
        work = self.job if self.local else self.job.shard(ids)
        self._submit(assess_shard, {"work": Sealed(work), "project_ids": ids}, index, "assess")

    def _conclude(self, index: int, assessed: PrefectFuture[Any]) -> None:
        self.assessed[index] = assessed
        # the assessment future itself: on Dask the assessments stay on the cluster
        parameters = {"assessed": assessed, "quality": Sealed(self.report.result())}
        self._submit(conclude_shard, parameters, index, "conclude")

    def _finished(self, future: PrefectFuture[Any]) -> None:
        index, stage = self.running.pop(future)
        if stage == "assess":
            # not checked here: on Dask that would fetch the assessments; a failed one
            # leaves its conclude task unfinished, and the error is raised below
            if self.report.done():
                self._conclude(index, future)
            else:
                self.parked.append((index, future))
            return
        future.wait()
        if not future.state.is_completed():
            self.assessed[index].result()  # the assessment's error (a ConfigError naming…)
        self.results[index] = future.result()
        del self.assessed[index]  # unreferenced: a Dask worker can drop the assessments
