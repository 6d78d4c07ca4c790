"""One HTTP door to Jira: timeouts, bounded retries with jitter, counting, clean errors.

Built on the `jira` client's own session (so auth and headers are the client's), with the
client's retries switched off (``max_retries=0``): its ResilientSession only retries
429/503, waits up to a minute and crashes on an HTTP-date ``Retry-After``. This policy
retries 429, 502, 503, 504 and connection errors, honours ``Retry-After`` in both forms
and never waits longer in total than configured.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import requests

from connectors.jira.errors import (
    JiraAuthError,
    JiraConnectionLostError,
    JiraError,
    JiraNotFoundError,
    JiraRetryExhaustedError,
)

RETRYABLE_STATUS = frozenset({429, 502, 503, 504})


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: integer seconds or an HTTP-date."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - (now or datetime.now(UTC))).total_seconds())


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded exponential backoff with full jitter; a server's Retry-After wins if longer."""

    max_retries: int = 5
    max_total_wait: float = 120.0
    base_delay: float = 0.2
    max_delay: float = 30.0

    def delay(self, attempt: int, retry_after: float | None, rng: random.Random) -> float:
        """Wait before retry number `attempt` (1-based)."""
        backoff = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
        jittered = rng.uniform(backoff / 2, backoff)
        if retry_after is not None:
            # Never earlier than the server asked; a little jitter so workers don't stampede.
            return min(self.max_delay, retry_after) + rng.uniform(0, self.base_delay)
        return jittered


_LABEL = threading.local()


def current_label() -> str:
    """The scope (e.g. a project key) requests on this thread are counted under."""
    return getattr(_LABEL, "value", "*")


def set_label(label: str) -> None:
    _LABEL.value = label


@dataclass
class HttpStats:
    requests: int = 0
    retries: int = 0
    by_status: dict[int, int] = field(default_factory=dict)
    by_label: dict[str, list[int]] = field(default_factory=dict)  # label -> [requests, retries]
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def count(self, status: int | None, retried: bool) -> None:
        with self._lock:
            self.requests += 1
            self.retries += int(retried)
            key = status if status is not None else 0
            self.by_status[key] = self.by_status.get(key, 0) + 1
            per_label = self.by_label.setdefault(current_label(), [0, 0])
            per_label[0] += 1
            per_label[1] += int(retried)

    def for_label(self, label: str) -> tuple[int, int]:
        with self._lock:
            requests, retries = self.by_label.get(label, (0, 0))
            return requests, retries


def jira_error_text(response: requests.Response) -> str:
    """Jira's ErrorCollection as one line (never the headers: they may echo credentials)."""
    try:
        body = response.json()
    except ValueError:
        return response.text[:200].strip()
    if not isinstance(body, dict):
        return ""
    parts = [str(m) for m in body.get("errorMessages") or []]
    parts += [f"{k}: {v}" for k, v in (body.get("errors") or {}).items()]
    for key in ("message", "errorMessage"):
        if body.get(key):
            parts.append(str(body[key]))
    return "; ".join(parts)[:500]


Sender = Callable[[], requests.Response]


class RetryingCaller:
    """Runs one request with the policy; counts every attempt in `stats`."""

    def __init__(
        self,
        policy: RetryPolicy,
        stats: HttpStats,
        *,
        seed: int | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.policy = policy
        self.stats = stats
        self._rng = random.Random(seed)
        self._sleep = sleep

    def call(self, send: Sender, what: str, *, idempotent: bool = True) -> requests.Response:
        """`idempotent=False` (a post that creates something): a dropped connection is not
        retried blindly, since the server may have acted; the caller checks first."""
        waited, attempt = 0.0, 0
        while True:
            response, failure = _attempt(send)
            status = response.status_code if response is not None else None
            self.stats.count(status, retried=attempt > 0)
            if response is not None and status not in RETRYABLE_STATUS:
                return response
            if response is None and not idempotent:
                raise JiraConnectionLostError(
                    f"{what}: connection lost ({failure}); the request may have been applied",
                    path=what,
                )
            attempt += 1
            retry_after = (
                parse_retry_after(response.headers.get("Retry-After"))
                if response is not None
                else None
            )
            pause = self.policy.delay(attempt, retry_after, self._rng)
            if attempt > self.policy.max_retries or waited + pause > self.policy.max_total_wait:
                reason = f"HTTP {status}" if status else f"connection error ({failure})"
                raise JiraRetryExhaustedError(
                    f"{what}: gave up after {attempt} attempts and {waited:.1f}s: {reason}",
                    status=status,
                    path=what,
                )
            waited += pause
            self._sleep(pause)


def _attempt(send: Sender) -> tuple[requests.Response | None, str | None]:
    try:
        return send(), None
    except (
        requests.ConnectionError,
        requests.Timeout,
        requests.exceptions.ChunkedEncodingError,
    ) as exc:
        # The exception text names host and port only; keep just its class for the message.
        return None, type(exc).__name__


def raise_for_status(response: requests.Response, what: str, context: str) -> None:
    """Turn a non-2xx answer into a connector error that says what to fix."""
    status = response.status_code
    if status < 400:
        return
    detail = jira_error_text(response)
    where = f"{what} ({context})" if context else what
    if status in (401, 403):
        hint = (
            "check the e-mail and API token / personal access token"
            if status == 401
            else "the account lacks a permission for it (Browse Projects, or the one named)"
        )
        raise JiraAuthError(f"{where}: HTTP {status} {detail} - {hint}", status=status, path=what)
    if status == 404:
        raise JiraNotFoundError(f"{where}: HTTP 404 not found {detail}", status=status, path=what)
    raise JiraError(f"{where}: HTTP {status} {detail}", status=status, path=what)


def json_body(response: requests.Response, what: str) -> Any:
    if not response.content:
        return None
    try:
        return response.json()
    except (ValueError, json.JSONDecodeError):
        raise JiraError(
            f"{what}: the response is not JSON (HTTP {response.status_code})",
            status=response.status_code,
            path=what,
        ) from None
