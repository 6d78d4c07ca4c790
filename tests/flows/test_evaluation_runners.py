"""Projects evaluated as Prefect tasks give what one process gives, on every task runner.

`flows.evaluation.evaluate_projects` cuts the portfolio into shards, runs each shard's
assessment as a Prefect task on the runner `evaluation.task_runner` names, runs the quality
gates in the calling process meanwhile, then concludes each shard with the report. The
result must be the list `checks.evaluation.evaluate.evaluate_portfolio` returns in one process: same
projects, same order, same JSON byte for byte. Dask runs on a real local cluster of two
worker processes (`distributed.LocalCluster`), the way a cluster address is used in production.
"""

from __future__ import annotations

import functools
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import cloudpickle
import pandas as pd
import pytest
from prefect import flow

from checks.evaluation.evaluate import PortfolioJob, evaluate_portfolio
from checks.model import QualityReport
from config.lifecycle import load_rules
from config.settings import ConfigError, Settings
from flows.evaluation import (
    ForkProcessPoolTaskRunner,
    _inherit,
    assess_shard,
    evaluate_projects,
    task_runner,
)
from sandbox.synthetic_frames import Problems, synthetic_portfolio

pytestmark = pytest.mark.xdist_group("prefect")

AS_OF = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)
PROBLEMS = Problems(late=1, cycle=1, long_day=1, critical_defects=1, over_allocation=1)


@functools.cache
def _frames() -> dict[str, pd.DataFrame]:
    return synthetic_portfolio(9, 30, 3.0, 3, AS_OF, PROBLEMS)


@pytest.fixture(scope="module")
def dask_cluster() -> Iterator[Any]:
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None
    ) as cluster:
        yield cluster


def _runner(runner: str, request: pytest.FixtureRequest) -> dict[str, Any]:
    if runner != "dask":
        return {"task_runner": runner}
    cluster = request.getfixturevalue("dask_cluster")
    return {"task_runner": "dask", "dask_address": cluster.scheduler_address}


def _json(evaluations: list[Any]) -> list[str]:
    return [json.dumps(e.to_dict(), sort_keys=True, default=str) for e in evaluations]


def _settings(evaluation: dict[str, Any], projects: dict[str, Any] | None = None) -> Settings:
    return Settings(checks={"forecast_trials": 300}, evaluation=evaluation, projects=projects or {})


@flow(name="evaluate-in-tasks")
def _evaluate(
    evaluation: dict[str, Any], projects: dict[str, Any] | None = None
) -> tuple[list[str], list[str]]:
    """Like the nightly run: a flow with small parameters that reads the portfolio itself
    (Prefect sends the flow's parameters with every task). Returns the evaluations as JSON
    and the threads the quality gates ran in."""
    settings = _settings(evaluation, projects)
    calls: list[str] = []

    def gates() -> QualityReport:  # runs once, in the flow's process, beside the workers
        calls.append(threading.current_thread().name)
        return QualityReport(results=())

    got = evaluate_projects(_frames(), settings, load_rules(settings), AS_OF, gates)
    return _json(got), calls


@pytest.mark.parametrize("runner", ["thread", "process", "dask"])
def test_tasks_on_each_runner_give_the_in_process_result(
    runner: str, request: pytest.FixtureRequest
) -> None:
    evaluation = {"workers": 2, "shard_size": 2, **_runner(runner, request)}
    scheduler = request.getfixturevalue("dask_cluster").scheduler if runner == "dask" else None
    before = scheduler.transition_counter if scheduler else 0
    settings = _settings(evaluation)
    report = QualityReport(results=())
    expected = evaluate_portfolio(_frames(), settings, load_rules(settings), AS_OF, report)
    assert len(expected) > 4  # several shards of two projects each
    got, calls = _evaluate.with_options(name=f"evaluate-{runner}")(evaluation)
    assert got == _json(expected)
    assert len(calls) == 1 and calls[0].startswith("quality-gates")
    if scheduler is not None:  # the shards' tasks went through the cluster's scheduler
        shards = -(-len(_frames()["projects"]) // 2)
        assert scheduler.transition_counter - before >= 2 * 2 * shards  # 2 tasks, >= 2 steps


@pytest.mark.parametrize("runner", ["thread", "process", "dask"])
def test_a_config_error_in_a_shard_reaches_the_caller_with_the_project_named(
    runner: str, request: pytest.FixtureRequest
) -> None:
    pid = sorted(_frames()["projects"]["project_id"])[3]
    with pytest.raises(ConfigError, match="nowhere"):
        _evaluate({"shard_size": 2, **_runner(runner, request)}, {pid: {"phase": "nowhere"}})


def test_process_workers_are_forked_and_read_the_job_they_inherit() -> None:
    """On Linux the process runner forks its workers once the job is built: a task's input is
    a reference of a few bytes, not the shard's rows, and the worker reads the job it holds."""
    settings = _settings({"task_runner": "process", "workers": 2})
    runner = task_runner(settings.evaluation)
    assert isinstance(runner, ForkProcessPoolTaskRunner)
    job = PortfolioJob.build(_frames(), settings, load_rules(settings), AS_OF)
    ids = job.project_ids()[:2]
    with _inherit(job) as inherited, runner as r:
        assert inherited is not None
        assert len(cloudpickle.dumps(inherited)) < 200
        future = r.submit(assess_shard.prefect, {"work": inherited, "project_ids": ids})
        assessed = future.result().value
    assert [a.row["project_id"] for a in assessed] == ids
    assert [_json(job.conclude_all(assessed, QualityReport(results=())))] == [
        _json(job.run(ids, QualityReport(results=())))
    ]
