"""Evaluate a portfolio's projects as Prefect tasks, one task per shard of projects.

The task runner comes from settings (`evaluation.task_runner`): threads in the flow's process,
a process pool on one machine (`ForkProcessPoolTaskRunner`: Prefect's `ProcessPoolTaskRunner`
with forked workers, where the platform forks), or a `DaskTaskRunner` (prefect-dask) on a
cluster. A shard is a run of `evaluation.shard_size` projects in id order: one task per shard,
not per project (a task costs ~20 ms of orchestration, a project ~80 ms of work).

A shard whose task starts after the quality gates have finished is one `evaluate-shard` task.
Before that, it is two: `assess-shard` (risk checks, forecasts, charts: everything that does
not read the quality report) and `conclude-shard` (scope the quality report, decide) once the
report is there. The quality gates run in this process meanwhile, so the workers assess while
GX runs. What the tasks get of the portfolio depends on the runner: threads share the grouped
frames; forked workers inherit them (the job is built before the pool forks, and a task's
input is a reference to it); Dask workers and spawned processes get a `PortfolioJob.shard`,
only the rows its projects read, and at most `2 × workers` shards are in flight, so neither
the workers nor a Dask scheduler hold the whole portfolio. Prefect sends the calling flow
run's context with every task (its flow and parameters): call this from flows with small
parameters, as the product's are (a config path, project keys), never from a flow that takes
the frames. The evaluations are the same list, in the same order, as
`checks.evaluation.evaluate.evaluate_portfolio` in one process
(tests/flows/test_evaluation_runners.py).
"""

from __future__ import annotations

import contextvars
import gc
import itertools
import multiprocessing
import os
import pickle
import queue
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime
from typing import Any, Generic, Self, TypeVar

import cloudpickle
import pandas as pd
from prefect.futures import PrefectFuture
from prefect.task_runners import (
    ProcessPoolTaskRunner,
    TaskRunner,
    ThreadPoolTaskRunner,
    _initialize_process_pool_worker,
)

from checks.evaluation.evaluate import Assessment, PortfolioJob, Shard
from checks.gates import LifecycleRules
from checks.model import Evaluation, QualityReport
from config.settings import EvaluationSettings, Settings
from flows.orchestration import DirectRunner, is_direct, task

QualitySource = QualityReport | Callable[[], QualityReport]
T = TypeVar("T")


class Sealed(Generic[T]):
    """A value Prefect passes between tasks without walking it, pickled once.

    Prefect walks lists, dicts and dataclasses in task inputs looking for futures, twice
    per task (resolving inputs, recording them): ~45 ms per project of assessments. A
    plain object is left alone. Pickled, it carries its value as bytes made once and read
    back once, on first `.value`: a process pool's future unpickles a task's result each time
    it is read (two or three times), and an input sent to several tasks is pickled for each.
    """

    __slots__ = ("_packed", "_value")

    def __init__(self, value: T) -> None:
        self._value: T | _Unset = value
        self._packed: bytes | None = None

    @property
    def value(self) -> T:
        if isinstance(self._value, _Unset):
            assert self._packed is not None
            value: T = cloudpickle.loads(self._packed)
            self._value = value
            return value
        return self._value

    def __reduce__(self) -> tuple[Callable[[bytes], Sealed[T]], tuple[bytes]]:
        if self._packed is None:
            self._packed = cloudpickle.dumps(self._value, protocol=pickle.HIGHEST_PROTOCOL)
        return (_unpack, (self._packed,))


class _Unset:
    pass


def _unpack(packed: bytes) -> Sealed[Any]:
    sealed: Sealed[Any] = Sealed(_Unset())
    sealed._packed = packed
    return sealed


# Jobs a forked worker inherits (`Inherited`): registered before the workers are forked.
_INHERITED: dict[int, PortfolioJob] = {}
_KEYS = itertools.count()


class Inherited:
    """A job the worker process already holds: pickles as a number, not as the portfolio.

    Only meaningful in this process and in workers forked after `_inherit` registered the
    job (`ForkProcessPoolTaskRunner`): they read the grouped frames copy-on-write."""

    __slots__ = ("key",)

    def __init__(self, key: int) -> None:
        self.key = key

    def release(self) -> None:
        """Forget the job in this process (forked workers keep their copy)."""
        _INHERITED.pop(self.key, None)

    @property
    def value(self) -> PortfolioJob:
        try:
            return _INHERITED[self.key]
        except KeyError:
            raise RuntimeError(
                "evaluation job not inherited: this worker was not forked after the job was built"
            ) from None


@contextmanager
def _inherit(job: PortfolioJob | None) -> Iterator[Inherited | None]:
    if job is None:
        yield None
        return
    key = next(_KEYS)
    _INHERITED[key] = job
    try:
        yield Inherited(key)
    finally:
        _INHERITED.pop(key, None)


@task(name="assess-shard", persist_result=False)
def assess_shard(
    work: Sealed[PortfolioJob | Shard] | Inherited, project_ids: list[str]
) -> Sealed[list[Assessment]]:
    """A shard's assessments; a `Shard` is grouped and hashed here, in the worker."""
    return Sealed(_job(work).assess(project_ids))


@task(name="evaluate-shard", persist_result=False)
def evaluate_shard(
    work: Sealed[PortfolioJob | Shard] | Inherited,
    project_ids: list[str],
    quality: Sealed[QualityReport],
) -> Sealed[list[Evaluation]]:
    """A shard assessed and concluded in one task, once the quality report exists: its
    assessments (~180 KB a project) never leave the worker."""
    return Sealed(PortfolioJob.conclude_all(_job(work).assess(project_ids), quality.value))


def _job(work: Sealed[PortfolioJob | Shard] | Inherited) -> PortfolioJob:
    return work.value.job() if isinstance(work.value, Shard) else work.value


@task(name="conclude-shard", persist_result=False)
def conclude_shard(
    assessed: Sealed[list[Assessment]], quality: Sealed[QualityReport]
) -> Sealed[list[Evaluation]]:
    return Sealed(PortfolioJob.conclude_all(assessed.value, quality.value))


def task_runner(spec: EvaluationSettings) -> TaskRunner[Any]:
    """The task runner `evaluation.task_runner` names (not started); threads in this process
    when the pipeline runs without Prefect (`flows.orchestration.direct`)."""
    if is_direct():
        return DirectRunner(max_workers=spec.workers)  # type: ignore[return-value]
    if spec.task_runner == "process":
        if can_fork():
            return ForkProcessPoolTaskRunner(max_workers=spec.workers)
        return ProcessPoolTaskRunner(max_workers=spec.workers)
    if spec.task_runner == "dask":
        from prefect_dask.task_runners import DaskTaskRunner  # here: distributed is heavy

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
    runner = task_runner(spec)
    # threads share the grouped frames, forked processes inherit them: no shards to cut
    forked = isinstance(runner, ForkProcessPoolTaskRunner)
    local = spec.task_runner == "thread"
    named = project_ids is not None
    job = PortfolioJob.build(
        frames, settings, rules, as_of, snapshots, named,
        default_as_of=default_as_of, hash_tables=local or forked,
    )  # fmt: skip
    ids = job.project_ids(project_ids)
    shards = [ids[i : i + spec.shard_size] for i in range(0, len(ids), spec.shard_size)]
    workers = spec.workers or os.cpu_count() or 1
    # a forked worker's task carries no rows to send ahead: a shard is submitted when a worker
    # is free, so that more of them start once the report is there (one task, see above)
    window = workers if forked else 2 * workers
    # the job is registered before the runner forks its workers; the quality gates' thread
    # starts after the fork
    with (
        _inherit(job if forked else None) as inherited,
        ThreadPoolExecutor(1, thread_name_prefix="quality-gates") as side,
        runner as r,
    ):
        report = _start(side, quality)
        if inherited is not None:  # forked: the workers hold the job, this process needs ids
            inherited.release()  # what only the job references is freed here
            del job
            fan_out = _FanOut(r, None, report, window, local, inherited)
        else:
            fan_out = _FanOut(r, job, report, window, local)
        parts = fan_out.run(shards)
    return [e for part in parts for e in part]


def _start(side: ThreadPoolExecutor, quality: QualitySource) -> Future[QualityReport]:
    """The quality gates, started in `side`; the caller's Prefect context goes along: a
    quality task runs in its flow run."""
    return side.submit(contextvars.copy_context().run, _report, quality)


def _report(quality: QualitySource) -> QualityReport:
    return quality if isinstance(quality, QualityReport) else quality()


class _FanOut:
    """Submits shards with at most `window` tasks in flight; concludes each once it can."""

    def __init__(
        self,
        runner: TaskRunner[Any],
        job: PortfolioJob | None,  # None: the workers inherited it
        report: Future[QualityReport],
        window: int,
        local: bool,
        inherited: Inherited | None = None,
    ):
        self.runner, self.job, self.report, self.window, self.local = (
            runner, job, report, window, local
        )  # fmt: skip
        self.inherited = inherited
        self.sealed_report: Sealed[QualityReport] | None = None
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
        work: Sealed[Any] | Inherited
        if self.inherited is not None:
            work = self.inherited
        else:
            assert self.job is not None
            work = Sealed(self.job if self.local else self.job.shard(ids))
        parameters: dict[str, Any] = {"work": work, "project_ids": ids}
        if self.report.done() and self.report.exception() is None:
            parameters["quality"] = self._quality()
            self._submit(evaluate_shard, parameters, index, "evaluate")
        else:
            self._submit(assess_shard, parameters, index, "assess")

    def _conclude(self, index: int, assessed: PrefectFuture[Any]) -> None:
        self.assessed[index] = assessed
        # the assessment future itself: on Dask the assessments stay on the cluster
        parameters = {"assessed": assessed, "quality": self._quality()}
        self._submit(conclude_shard, parameters, index, "conclude")

    def _quality(self) -> Sealed[QualityReport]:
        """The report, sealed once: pickled once for all the tasks it goes to."""
        if self.sealed_report is None:
            self.sealed_report = Sealed(self.report.result())
        return self.sealed_report

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
        if stage == "conclude" and not future.state.is_completed():
            self.assessed[index].result()  # the assessment's error (a ConfigError naming…)
        self.results[index] = future.result().value  # raises an evaluate task's error
        # unreferenced: a Dask worker can drop the assessments
        self.assessed.pop(index, None)


def can_fork() -> bool:
    """Can this platform fork workers (Linux: yes; macOS and Windows: spawn only)?"""
    return "fork" in multiprocessing.get_all_start_methods() and os.name == "posix"


class ForkProcessPoolTaskRunner(ProcessPoolTaskRunner):
    """Prefect's `ProcessPoolTaskRunner`, its workers forked when the runner starts.

    Prefect spawns its pool's workers: each imports Prefect, pandas and the checks again
    (~5 s of CPU), and every task's inputs are pickled to it. Forked workers start with this
    process's imports and memory, read copy-on-write, so a job registered before the runner
    starts (`Inherited`) reaches the tasks as a number. Everything else is Prefect's: tasks run
    in Prefect's task engine, report to the same API, forward their events and logs.

    The workers are forked all at once in `__enter__`, from a new thread: it carries no
    Prefect context, so no worker holds this process's API client (Prefect resets its own
    threads and services after a fork). Start it before other threads of yours run (an import
    under way in another thread at the fork can leave a worker stuck on its lock). `gc.freeze`
    around the fork keeps the workers' garbage collector off the inherited objects, so their
    pages stay shared.
    """

    def __enter__(self) -> Self:
        super().__enter__()  # the message forwarding; its spawn pool has no process yet
        spawned = self._executor
        self._executor = ProcessPoolExecutor(
            max_workers=self._max_workers,
            mp_context=multiprocessing.get_context("fork"),
            initializer=_initialize_process_pool_worker,
            initargs=(self._subprocess_message_queue, self._initializer, self._initargs),
        )
        if spawned is not None:
            spawned.shutdown(wait=False)
        self._fork_workers()
        return self

    def _fork_workers(self) -> None:
        executor = self._executor
        assert executor is not None
        failed: list[BaseException] = []

        def start() -> None:  # a fork context executor forks every worker on first submit
            try:
                executor.submit(os.getpid).result()
            except BaseException as exc:  # raised in the caller's thread below
                failed.append(exc)

        gc.collect()
        gc.freeze()
        try:
            starter = threading.Thread(target=start, name="fork-workers")
            starter.start()
            starter.join()
        finally:
            gc.unfreeze()
        if failed:
            raise failed[0]
