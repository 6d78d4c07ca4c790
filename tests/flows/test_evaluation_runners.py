"""Projects evaluated as Prefect tasks give what one process gives, on every task runner.

`flows.evaluation.evaluate_projects` cuts the portfolio into shards, runs each shard's
assessment as a Prefect task on the runner `evaluation.task_runner` names, runs the quality
gates in the calling process meanwhile, then concludes each shard with the report. The
result must be the list `checks.evaluate.evaluate_portfolio` returns in one process: same
projects, same order, same JSON byte for byte. Dask runs on a real local cluster of two
worker processes (`distributed.LocalCluster`), the way a cluster address is used in production.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pandas as pd
import pytest
from prefect import flow

from checks.evaluate import evaluate_portfolio
from checks.model import QualityReport
from checks.synthetic import Problems, synthetic_portfolio
from config.lifecycle import load_rules
from config.settings import ConfigError, Settings
from flows.evaluation import evaluate_projects

pytestmark = pytest.mark.xdist_group("prefect")

AS_OF = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)
PROBLEMS = Problems(late=1, cycle=1, long_day=1, critical_defects=1, over_allocation=1)


@pytest.fixture(scope="module")
def frames() -> dict[str, pd.DataFrame]:
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


@flow(name="evaluate-in-tasks", validate_parameters=False)
def _evaluate(frames: Any, settings: Any, quality: Any) -> list[Any]:
    """The nightly run's call, in a flow run of its own (frames are not flow parameters in
    production either: the flow reads them from the warehouse)."""
    return evaluate_projects(frames, settings, load_rules(settings), AS_OF, quality)


def _settings(**evaluation: Any) -> Settings:
    return Settings(checks={"forecast_trials": 300}, evaluation=evaluation)


@pytest.mark.parametrize("runner", ["thread", "process", "dask"])
def test_tasks_on_each_runner_give_the_in_process_result(
    runner: str, frames: dict[str, pd.DataFrame], request: pytest.FixtureRequest
) -> None:
    settings = _settings(workers=2, shard_size=2, **_runner(runner, request))
    scheduler = request.getfixturevalue("dask_cluster").scheduler if runner == "dask" else None
    before = scheduler.transition_counter if scheduler else 0
    report = QualityReport(results=())
    calls: list[str] = []

    def gates() -> QualityReport:  # runs once, in this process, beside the workers
        calls.append(threading.current_thread().name)
        return report

    expected = evaluate_portfolio(frames, settings, load_rules(settings), AS_OF, report)
    assert len(expected) > 4  # several shards of two projects each
    got = _evaluate.with_options(name=f"evaluate-{runner}")(frames, settings, gates)
    assert _json(got) == _json(expected)
    assert len(calls) == 1 and calls[0].startswith("quality-gates")
    if scheduler is not None:  # the shards' tasks went through the cluster's scheduler
        shards = -(-len(frames["projects"]) // 2)
        assert scheduler.transition_counter - before >= 2 * 2 * shards  # 2 tasks, >= 2 steps


@pytest.mark.parametrize("runner", ["thread", "dask"])
def test_a_config_error_in_a_shard_reaches_the_caller_with_the_project_named(
    runner: str, frames: dict[str, pd.DataFrame], request: pytest.FixtureRequest
) -> None:
    pid = sorted(frames["projects"]["project_id"])[3]
    settings = Settings(
        checks={"forecast_trials": 300},
        projects={pid: {"phase": "nowhere"}},
        evaluation={"shard_size": 2, **_runner(runner, request)},
    )
    with pytest.raises(ConfigError, match="nowhere"):
        _evaluate(frames, settings, QualityReport(results=()))
