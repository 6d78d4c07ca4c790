"""In-process runs (`flows.orchestration`): a task is a plain call with Prefect's retry
semantics inside `direct()`, and nothing of Prefect is built for it."""

from __future__ import annotations

import logging

import pytest

from flows.orchestration import DirectRunner, direct, run_flow, run_logger, task


class Flaky:
    def __init__(self, failures: int, error: type[Exception] = ConnectionError) -> None:
        self.failures, self.error, self.calls = failures, error, 0

    def __call__(self, x: int) -> int:
        self.calls += 1
        if self.calls <= self.failures:
            raise self.error("dropped")
        return x + 1


def _transient(_task: object, _run: object, state: object) -> bool:
    try:
        state.result()  # type: ignore[attr-defined]
    except ConnectionError:
        return True
    return False


def test_a_task_retries_in_process_as_often_as_prefect_would() -> None:
    flaky = Flaky(failures=2)
    step = task(retries=2, retry_condition_fn=_transient)(flaky)
    with direct():
        assert step(1) == 2
    assert flaky.calls == 3
    assert "prefect" not in vars(step), "no Prefect task was built for an in-process call"


def test_a_failure_the_condition_rejects_is_not_retried() -> None:
    flaky = Flaky(failures=1, error=PermissionError)
    step = task(retries=2, retry_condition_fn=_transient)(flaky)
    with direct(), pytest.raises(PermissionError):
        step(1)
    assert flaky.calls == 1


def test_retries_run_out() -> None:
    flaky = Flaky(failures=5)
    step = task(retries=1)(flaky)
    with direct(), pytest.raises(ConnectionError):
        step(1)
    assert flaky.calls == 2


def test_the_direct_runner_passes_one_tasks_result_to_the_next() -> None:
    double = task(lambda x: 2 * x)
    add = task(lambda a, b: a + b)
    with direct(), DirectRunner(max_workers=2) as runner:
        first = runner.submit(double, {"x": 3})
        second = runner.submit(add, {"a": first, "b": 1})
        second.wait()
        assert second.state.is_completed() and second.result() == 7


def test_a_nested_flow_is_a_plain_call_in_process() -> None:
    class FakeFlow:  # the part of a Prefect flow run_flow uses
        def __init__(self) -> None:
            self.calls: list[str] = []

        def fn(self, **kw: object) -> str:
            self.calls.append("fn")
            return "done"

        def __call__(self, **kw: object) -> str:
            self.calls.append("prefect")
            return "done"

    flow = FakeFlow()
    with direct():
        run_flow(flow, project="ERP")
    run_flow(flow, project="ERP")
    assert flow.calls == ["fn", "prefect"]


def test_verbose_shows_the_in_process_runs_info_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PMO_VERBOSE", "1")
    with direct():
        assert run_logger().isEnabledFor(logging.INFO)
    monkeypatch.setenv("PMO_VERBOSE", "0")
    with direct():
        assert run_logger().getEffectiveLevel() == logging.getLogger().getEffectiveLevel()


def test_an_in_process_publication_still_warns_about_unknown_outcomes(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """In an in-process CLI run there is no Prefect run logger: the publishing summary and
    its `unknown` warnings go to `pmo.flows` instead of being dropped."""
    from flows.orchestration import direct
    from flows.publishing import Outcome, _log

    outcome = Outcome(unknown={"teams_card": "read timeout after the card was sent"})
    with direct(), caplog.at_level(logging.INFO, logger="pmo.flows"):
        _log(outcome)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == [
        "teams_card: outcome unknown, not sent again: read timeout after the card was sent"
    ]
