"""One resilience policy for every HTTP door (Jira, Graph, the webhook): what it retries.

A request that may have reached its target (read timeout, connection dropped after sending,
a 5xx) is retried only if repeating it is harmless; a create gets `OutcomeUnknownError` at
once, never a blind second send. Counted on the sandbox's request counters, not timed.
"""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest
import requests
from urllib3.exceptions import MaxRetryError, NewConnectionError

from connectors.graph.client import connect
from connectors.jira.errors import JiraConnectionLostError
from connectors.jira.http import HttpStats, RetryingCaller
from connectors.resilience import (
    Attempts,
    Failure,
    OutcomeUnknownError,
    RetryPolicy,
    classify_error,
    is_repeatable,
    parse_retry_after,
)
from flows.publishing import Outcome
from sandbox.faults import FaultRule
from tests.connectors.graph.conftest import graph_settings, sandbox, tenant
from tests.connectors.graph.tenant import TOKEN

__all__ = ["sandbox", "tenant"]  # the Graph connector's fixtures, reused

NOW = datetime(2026, 12, 4, 8, 0, tzinfo=UTC)


def _attempts(repeatable: bool, **policy) -> Attempts:
    return Attempts(RetryPolicy(**policy), repeatable=repeatable, rng=random.Random(1))


def test_retry_after_in_seconds_and_as_an_http_date() -> None:
    assert parse_retry_after("12", now=NOW) == 12.0
    assert (
        parse_retry_after(format_datetime(NOW + timedelta(seconds=40), usegmt=True), now=NOW)
        == 40.0
    )
    assert parse_retry_after("not a date", now=NOW) is None
    # the policy waits at least as long as an HTTP-date Retry-After asks (within its cap)
    attempts = _attempts(True, max_delay=60, max_total_wait=120)
    header = format_datetime(datetime.now(UTC) + timedelta(seconds=20), usegmt=True)
    verdict = attempts.after_status(503, header)
    assert verdict.action == "retry" and 18 <= verdict.delay <= 21


@pytest.mark.parametrize(
    ("method", "path", "repeatable"),
    [
        ("GET", "rest/api/3/issue/A-1", True),
        ("PUT", "issue/A-1/properties/p", True),
        ("POST", "search/jql", True),  # declared read-only below
        ("POST", "issue/A-1/comment", False),
        ("POST", "/webhooks/teams/pmo", False),
    ],
)
def test_repeatable_requests(method: str, path: str, repeatable: bool) -> None:
    assert is_repeatable(method, path, ("search/jql",)) is repeatable


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_a_5xx_to_a_create_is_unknown_but_a_read_is_retried(status: int) -> None:
    assert _attempts(False).after_status(status).action == "unknown"
    expected = "retry" if status != 500 else "return"  # 500 is not a transient answer
    assert _attempts(True).after_status(status).action == expected


def test_a_429_is_retried_for_every_request_it_was_not_acted_on() -> None:
    assert _attempts(False).after_status(429, "0").action == "retry"


def test_transport_errors_are_split_into_never_sent_and_maybe_sent() -> None:
    request = httpx.Request("POST", "http://127.0.0.1/x")
    refused = httpx.ConnectError("refused", request=request)
    timed_out = httpx.ReadTimeout("slow", request=request)
    assert classify_error(refused) is Failure.NOT_SENT
    assert classify_error(timed_out) is Failure.MAYBE_SENT
    new_conn = NewConnectionError(None, "refused")  # type: ignore[arg-type]
    assert (
        classify_error(requests.ConnectionError(MaxRetryError(None, "/x", new_conn)))  # type: ignore[arg-type]
        is Failure.NOT_SENT
    )
    assert classify_error(requests.ReadTimeout()) is Failure.MAYBE_SENT
    assert _attempts(False).after_error(refused).action == "retry"  # it never left
    assert _attempts(False).after_error(timed_out).action == "unknown"
    assert _attempts(True).after_error(timed_out).action == "retry"
    assert classify_error(ValueError("bug")) is None


def test_retries_stop_at_the_count_and_at_the_wait_budget() -> None:
    by_count = _attempts(True, max_retries=2, base_delay=0.01)
    assert [by_count.after_status(503).action for _ in range(3)] == ["retry", "retry", "give_up"]
    by_budget = _attempts(True, max_retries=10, max_total_wait=5, max_delay=60)
    assert by_budget.after_status(429, "4").action == "retry"
    assert by_budget.after_status(429, "4").action == "give_up"  # 4 + 4 s > 5 s
    assert by_budget.waited <= 5


def _response(status: int) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = b"{}"
    return response


def test_the_jira_door_never_repeats_a_create_that_got_a_5xx() -> None:
    sent: list[int] = []

    def send() -> requests.Response:
        sent.append(1)
        return _response(504)

    caller = RetryingCaller(RetryPolicy(max_retries=5), HttpStats(), seed=1, sleep=lambda _s: None)
    with pytest.raises(JiraConnectionLostError) as info:
        caller.call(send, "POST /rest/api/3/issue/A-1/comment", idempotent=False)
    assert len(sent) == 1 and isinstance(info.value, OutcomeUnknownError)
    assert caller.call(lambda: _response(200), "GET x").status_code == 200


def test_jira_is_asked_for_english_error_texts(sandbox) -> None:
    from config.settings import Settings
    from connectors.jira.client import build_jira

    settings = Settings.model_validate({"jira": {"url": "sandbox", "projects": ["ABC"]}})
    api = build_jira(settings, sandbox.info)
    assert api.session.headers["Accept-Language"] == "en"
    assert api.session.headers["X-Force-Accept-Language"] == "true"


def _graph_post_and_get(sandbox, kind: str) -> tuple[dict, dict]:
    """One Planner task create and one read through the Graph door, both faulted once."""
    settings = graph_settings(max_retries=3).graph

    async def run() -> tuple[Exception | None, int]:
        conn = connect(
            settings, base_url=sandbox.info.graph_base_url, token=TOKEN, retry_delay=0.01
        )
        from msgraph.generated.models.planner_task import PlannerTask

        failure: Exception | None = None
        try:
            await conn.client.planner.tasks.post(PlannerTask(plan_id="plan-small", title="t"))
        except Exception as exc:
            failure = exc
        tasks = await conn.client.planner.plans.by_planner_plan_id("plan-small").tasks.get()
        await conn.aclose()
        return failure, len(tasks.value or [])

    sandbox.app.faults.set_rules(
        [
            FaultRule(
                route="/v1.0/planner/tasks", method="POST", kind=kind, limit=1, retry_after=0
            ),
            FaultRule(
                route="/v1.0/planner/plans/*", method="GET", kind=kind, limit=1, retry_after=0
            ),
        ]
    )
    failure, _ = asyncio.run(run())
    return {"failure": failure}, sandbox.app.stats.snapshot()["routes"]


@pytest.mark.parametrize("kind", ["503", "drop"])
def test_the_graph_door_retries_reads_but_not_creates(sandbox, kind: str) -> None:
    result, routes = _graph_post_and_get(sandbox, kind)
    assert isinstance(result["failure"], OutcomeUnknownError)
    post = routes["POST /v1.0/planner/tasks"]
    get = next(v for k, v in routes.items() if k.startswith("GET /v1.0/planner/plans/"))
    faulted = "dropped" if kind == "drop" else kind
    assert post == {faulted: 1}  # one attempt: the create is never repeated blindly
    assert get == {faulted: 1, "200": 1}  # the read was retried through the fault


def test_a_publication_with_an_unknown_outcome_is_a_warning_not_a_failure() -> None:
    outcome = Outcome()

    def unclear() -> str:
        raise OutcomeUnknownError("no answer after sending")

    outcome.attempt("teams_card", unclear)
    outcome.raise_if_failed()  # does not raise: nothing failed for sure
    assert outcome.as_dict()["unknown"] == {"teams_card": "no answer after sending"}
