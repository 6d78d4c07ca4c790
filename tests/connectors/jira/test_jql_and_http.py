"""Pure pieces of the Jira connector: JQL builders, Retry-After parsing, the retry policy."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest
import requests

from connectors.jira.errors import JiraAuthError, JiraNotFoundError, JiraRetryExhaustedError
from connectors.jira.http import (
    HttpStats,
    RetryingCaller,
    RetryPolicy,
    parse_retry_after,
    raise_for_status,
)
from connectors.jira.jql import census_jql, issues_jql, quote


@pytest.mark.parametrize(
    ("project", "since_ms", "lookback", "expected"),
    [
        # full sync: no cursor, whole project, oldest change first, id breaks ties
        ("ABC", None, 5, 'project = "ABC" ORDER BY updated ASC, id ASC'),
        # incremental: epoch-ms cursor moved back by the lookback (5 min = 300000 ms)
        (
            "ABC",
            1_700_000_300_000,
            5,
            'project = "ABC" AND updated >= 1700000000000 ORDER BY updated ASC, id ASC',
        ),
        # a lookback reaching before the epoch is clamped to 0
        ("X", 1000, 1, 'project = "X" AND updated >= 0 ORDER BY updated ASC, id ASC'),
    ],
)
def test_issues_jql_is_exact(
    project: str, since_ms: int | None, lookback: int, expected: str
) -> None:
    assert issues_jql(project, since_ms, lookback) == expected


def test_census_and_quoting() -> None:
    # the census asks for ids only; quotes and backslashes in keys are escaped
    assert census_jql("ABC") == 'project = "ABC" ORDER BY id ASC'
    assert quote('a"b\\c') == '"a\\"b\\\\c"'


NOW = datetime(2026, 11, 27, 8, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("7", 7.0),  # integer seconds
        ("Fri, 27 Nov 2026 08:00:30 GMT", 30.0),  # HTTP-date 30 s ahead
        ("Fri, 27 Nov 2026 07:59:00 GMT", 0.0),  # HTTP-date in the past: go now
        ("soon", None),  # garbage: fall back to backoff
        (None, None),  # absent
    ],
)
def test_parse_retry_after(header: str | None, expected: float | None) -> None:
    assert parse_retry_after(header, now=NOW) == expected


def _response(
    status: int, headers: dict[str, str] | None = None, body: bytes = b"{}"
) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response.headers.update(headers or {})
    response._content = body
    return response


def test_retries_until_success_and_counts_every_attempt() -> None:
    answers = [_response(429, {"Retry-After": "1"}), _response(503), _response(200)]
    slept: list[float] = []
    stats = HttpStats()
    caller = RetryingCaller(RetryPolicy(max_retries=5), stats, seed=1, sleep=slept.append)
    assert caller.call(lambda: answers.pop(0), "GET x").status_code == 200
    assert stats.requests == 3 and stats.retries == 2
    assert slept[0] >= 1.0  # Retry-After honoured


def test_connection_errors_are_retried_then_give_up() -> None:
    def fail() -> requests.Response:
        raise requests.ConnectionError("dropped")

    stats = HttpStats()
    caller = RetryingCaller(RetryPolicy(max_retries=2), stats, seed=1, sleep=lambda _s: None)
    with pytest.raises(JiraRetryExhaustedError, match="connection error"):
        caller.call(fail, "GET x")
    assert stats.requests == 3


def test_total_wait_is_bounded() -> None:
    # the server asks for 100 s but the budget is 10 s: give up instead of waiting
    stats = HttpStats()
    caller = RetryingCaller(
        RetryPolicy(max_retries=5, max_total_wait=10), stats, sleep=lambda _s: None
    )
    with pytest.raises(JiraRetryExhaustedError, match="HTTP 429"):
        caller.call(lambda: _response(429, {"Retry-After": "100"}), "GET x")
    assert stats.requests == 1


def test_backoff_delay_grows_and_is_jittered() -> None:
    policy = RetryPolicy(base_delay=1, max_delay=8)
    rng = random.Random(3)
    delays = [policy.delay(n, None, rng) for n in (1, 2, 3, 4, 5)]
    assert 0.5 <= delays[0] <= 1 and 4 <= delays[4] <= 8


@pytest.mark.parametrize(
    ("status", "error", "words"),
    [
        (401, JiraAuthError, "API token"),  # bad credentials named as such
        (403, JiraAuthError, "permission"),  # missing permission named
        (404, JiraNotFoundError, "project ABC"),  # the configured project is named
    ],
)
def test_errors_name_what_failed(status: int, error: type[Exception], words: str) -> None:
    body = b'{"errorMessages":["No project could be found with key \'ABC\'."],"errors":{}}'
    with pytest.raises(error, match=words) as info:
        raise_for_status(_response(status, body=body), "GET /rest/api/3/project/ABC", "project ABC")
    assert "No project could be found" in str(info.value)
