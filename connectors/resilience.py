"""One resilience policy for every HTTP request the product sends: Jira, Graph, the webhook.

The rules, in one place so the three doors cannot drift apart:

- A request is *repeatable* when sending it twice has the effect of sending it once
  (GET, HEAD, OPTIONS, PUT, DELETE, and POSTs that only read, which the caller declares).
  Everything else - a comment, a mail, a card, a created issue or task - is not.
- 429, 502, 503 and 504 are retried for repeatable requests, with jittered exponential
  backoff; a ``Retry-After`` (seconds or an HTTP-date) is honoured when it is longer.
  Retries are bounded by a count *and* by a total wait budget.
- A connection that could not be opened (the request never left) is retried for any request.
- A request that may have reached the target - a read timeout, a connection dropped after
  sending, a 5xx answer (a gateway gave up, or the server failed half-way) - is retried
  only if it is repeatable. Otherwise its outcome is *unknown*: `OutcomeUnknownError` is raised
  and the caller resolves it by looking at the target, or records and reports it; it is
  never sent again blindly.
- 429 alone is safe to repeat for every request: both Jira and Graph reject a throttled
  request before acting on it.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from enum import Enum

import httpx
import requests
from urllib3.exceptions import ConnectTimeoutError, MaxRetryError, NewConnectionError

RETRYABLE_STATUS = frozenset({429, 502, 503, 504})
REPEATABLE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
UNKNOWN = "unknown"  # the outcome recorded for a request that may or may not have acted


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: integer seconds or an HTTP-date."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - (now or datetime.now(UTC))).total_seconds())


def is_repeatable(method: str, path: str = "", read_only_posts: Iterable[str] = ()) -> bool:
    """Sending it twice does what sending it once does (`read_only_posts`: path suffixes of
    POSTs that only read, such as a search or a `$batch` of reads)."""
    verb = method.upper()
    if verb in REPEATABLE_METHODS:
        return True
    return verb == "POST" and any(path.rstrip("/").endswith(s) for s in read_only_posts)


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
        if retry_after is not None:
            # Never earlier than the server asked; a little jitter so workers don't stampede.
            return min(self.max_delay, retry_after) + rng.uniform(0, self.base_delay)
        return rng.uniform(backoff / 2, backoff)


class Failure(Enum):
    """How a request failed without an answer."""

    NOT_SENT = "not sent"  # the connection was never opened: nothing reached the target
    MAYBE_SENT = "maybe sent"  # the request (or part of it) left: the target may have acted


def classify_error(exc: BaseException) -> Failure | None:
    """What a transport exception of `requests` or `httpx` says; None: not a transport error
    (a bug or a bad URL), which no retry fixes."""
    if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout):
        return Failure.NOT_SENT
    if isinstance(exc, httpx.TransportError):
        if isinstance(exc, httpx.UnsupportedProtocol | httpx.LocalProtocolError):
            return None
        return Failure.MAYBE_SENT  # read/write timeouts, a connection dropped mid-exchange
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return Failure.NOT_SENT
    if isinstance(exc, requests.ConnectionError):
        reason = exc.args[0] if exc.args else None
        if isinstance(reason, MaxRetryError):
            reason = reason.reason
        if isinstance(reason, NewConnectionError | ConnectTimeoutError):
            return Failure.NOT_SENT
        return Failure.MAYBE_SENT  # "Connection aborted": dropped after the request was sent
    if isinstance(exc, requests.Timeout | requests.exceptions.ChunkedEncodingError):
        return Failure.MAYBE_SENT
    return None


class OutcomeUnknownError(Exception):
    """A request that is not safe to repeat may have reached its target without a clear answer.

    It is never re-sent automatically: the caller looks at the target where it can (a marker
    in a comment, a label on an issue, a file's size) and otherwise records the outcome as
    `UNKNOWN` and warns."""

    outcome = UNKNOWN

    def __init__(self, message: str, *, what: str = "", status: int | None = None) -> None:
        super().__init__(message)
        self.what = what
        self.status = status


@dataclass(frozen=True)
class Verdict:
    """What to do after one attempt."""

    action: str  # "return", "retry", "unknown" or "give_up"
    delay: float = 0.0
    reason: str = ""


class Attempts:
    """The policy applied to one request: counts attempts and waits, decides what comes next.

    Library-neutral: the Jira door (requests), the Graph middleware and the webhook (httpx)
    each run their own send loop and ask this object after every attempt."""

    def __init__(self, policy: RetryPolicy, *, repeatable: bool, rng: random.Random) -> None:
        self.policy = policy
        self.repeatable = repeatable
        self.rng = rng
        self.retries = 0
        self.waited = 0.0

    def after_status(self, status: int, retry_after: str | None = None) -> Verdict:
        if status < 500 and status != 429:
            return Verdict("return")
        reason = f"HTTP {status}"
        if not self.repeatable and status != 429:
            # A 5xx to a create: the target may have made it before failing (or a gateway
            # timed out while it worked). Repeating could make a second copy.
            return Verdict("unknown", reason=reason)
        if status not in RETRYABLE_STATUS:
            return Verdict("return")
        return self._next(reason, parse_retry_after(retry_after))

    def after_error(self, exc: BaseException) -> Verdict:
        failure = classify_error(exc)
        if failure is None:
            return Verdict("give_up", reason=type(exc).__name__)
        reason = f"{type(exc).__name__}, {failure.value}"
        if failure is Failure.MAYBE_SENT and not self.repeatable:
            return Verdict("unknown", reason=reason)
        return self._next(reason, None)

    def _next(self, reason: str, retry_after: float | None) -> Verdict:
        pause = self.policy.delay(self.retries + 1, retry_after, self.rng)
        over_budget = self.waited + pause > self.policy.max_total_wait
        if self.retries >= self.policy.max_retries or over_budget:
            return Verdict("give_up", reason=reason)
        self.retries += 1
        self.waited += pause
        return Verdict("retry", delay=pause, reason=reason)
