"""One HTTP door to Jira: timeouts, the shared retry policy, counting, clean errors.

Built on the `jira` client's own session (so auth and headers are the client's), with the
client's retries switched off (``max_retries=0``): its ResilientSession only retries
429/503, waits up to a minute, crashes on an HTTP-date ``Retry-After`` and would repeat a
POST blindly. The rules applied instead are `connectors.resilience`'s, the same for Graph
and the Teams webhook.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests

from connectors.jira.errors import (
    JiraAuthError,
    JiraConnectionLostError,
    JiraError,
    JiraNotFoundError,
    JiraRetryExhaustedError,
)
from connectors.resilience import (
    Attempts,
    RetryPolicy,
    classify_error,
    parse_retry_after,
)

__all__ = [
    "HttpStats",
    "RetryPolicy",
    "RetryingCaller",
    "current_label",
    "json_body",
    "parse_retry_after",
    "raise_for_status",
    "set_label",
]

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
    """Runs one request under the shared policy (`connectors.resilience`); counts every
    attempt in `stats`."""

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
        """`idempotent=False` (a post that creates something): a request that may have
        reached Jira is never repeated here; `JiraConnectionLostError` (an `OutcomeUnknownError`)
        tells the caller to look at the target first."""
        attempts = Attempts(self.policy, repeatable=idempotent, rng=self._rng)
        while True:
            retried = attempts.retries > 0
            response: requests.Response | None
            try:
                response = sent = send()
            except Exception as exc:
                self.stats.count(None, retried=retried)
                verdict = attempts.after_error(exc)
                if verdict.action == "give_up" and classify_error(exc) is None:
                    raise
                response = None
            else:
                self.stats.count(sent.status_code, retried=retried)
                verdict = attempts.after_status(sent.status_code, sent.headers.get("Retry-After"))
            if verdict.action == "return" and response is not None:
                return response
            if verdict.action == "unknown":
                raise JiraConnectionLostError(
                    f"{what}: no clear answer ({verdict.reason}); the request may have been "
                    "applied, so it is not sent again without looking first",
                    status=response.status_code if response is not None else None,
                    path=what,
                )
            if verdict.action == "give_up":
                status = response.status_code if response is not None else None
                reason = f"HTTP {status}" if status else f"connection error ({verdict.reason})"
                raise JiraRetryExhaustedError(
                    f"{what}: gave up after {attempts.retries + 1} attempts and "
                    f"{attempts.waited:.1f}s: {reason}",
                    status=status,
                    path=what,
                )
            self._sleep(verdict.delay)


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
