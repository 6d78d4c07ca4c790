"""Fault injection and request counters.

Tests and benchmarks count requests rather than time them: every request is counted by
route and status in `Stats`, and every injected fault by kind, so a test can prove that the
faults it asked for really happened and that the client retried through them.
"""

from __future__ import annotations

import fnmatch
import random
import threading
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

FAULT_KINDS = ("latency", "slow_reply", "429", "503", "500", "drop", "drop_mid")


class FaultConfigError(ValueError):
    """A fault rule that can't be applied, naming the rule and key."""


@dataclass
class FaultRule:
    """One rule: requests whose path matches ``route`` (a glob) get ``kind``.

    ``drop`` closes the connection before any byte of the response (clients see a
    connection error); ``drop_mid`` sends the headers and half the body, then closes.
    A rule fires with ``probability`` or, when ``every_nth`` is set, deterministically on
    every Nth matching request. ``latency`` adds ``latency_ms`` plus up to ``jitter_ms``
    before the request is handled; ``slow_reply`` handles the request (a post is made) and
    then holds the reply back as long, like a slow service whose client times out after its
    request took effect.
    """

    route: str = "*"
    kind: str = "503"
    method: str = "*"
    probability: float = 1.0
    every_nth: int = 0
    latency_ms: float = 0.0
    jitter_ms: float = 0.0
    retry_after: int = 1
    reason: str = "jira-burst-based"
    limit: int = 0  # stop after this many firings; 0 = no limit
    fired: int = 0
    seen: int = 0

    def public(self) -> dict[str, Any]:
        return asdict(self)


def rule_from_dict(raw: Any, where: str) -> FaultRule:
    if not isinstance(raw, dict):
        raise FaultConfigError(f"{where}: a fault rule must be a JSON object")
    known = set(FaultRule.__dataclass_fields__) - {"fired", "seen"}
    unknown = set(raw) - known
    if unknown:
        raise FaultConfigError(f"{where}: unknown keys {sorted(unknown)}; known: {sorted(known)}")
    rule = FaultRule(**raw)
    rule.kind = str(rule.kind)
    if rule.kind not in FAULT_KINDS:
        raise FaultConfigError(f"{where}.kind: {rule.kind!r} is not one of {FAULT_KINDS}")
    if not 0.0 <= float(rule.probability) <= 1.0:
        raise FaultConfigError(f"{where}.probability: must be between 0 and 1")
    if int(rule.every_nth) < 0 or int(rule.retry_after) < 0:
        raise FaultConfigError(f"{where}: every_nth and retry_after must not be negative")
    return rule


@dataclass
class Decision:
    error: FaultRule | None = None
    delay_s: float = 0.0
    reply_delay_s: float = 0.0
    kinds: list[str] = field(default_factory=list)


class FaultInjector:
    def __init__(self, rules: list[FaultRule] | None = None, seed: int = 0) -> None:
        self._lock = threading.Lock()
        self._rules = list(rules or [])
        self._random = random.Random(seed)

    def set_rules(self, rules: list[FaultRule], seed: int | None = None) -> None:
        with self._lock:
            self._rules = list(rules)
            if seed is not None:
                self._random = random.Random(seed)

    def rules(self) -> list[dict[str, Any]]:
        with self._lock:
            return [r.public() for r in self._rules]

    def decide(self, method: str, path: str) -> Decision:
        """Which faults this request gets: all matching latencies, and the first error."""
        decision = Decision()
        with self._lock:
            for rule in self._rules:
                if not self._matches(rule, method, path) or not self._fires(rule):
                    continue
                decision.kinds.append(rule.kind)
                if rule.kind in ("latency", "slow_reply"):
                    delay = (rule.latency_ms + self._random.random() * rule.jitter_ms) / 1000
                    if rule.kind == "latency":
                        decision.delay_s += delay
                    else:
                        decision.reply_delay_s += delay
                elif decision.error is None:
                    decision.error = rule
        return decision

    @staticmethod
    def _matches(rule: FaultRule, method: str, path: str) -> bool:
        return (rule.method in ("*", method)) and fnmatch.fnmatchcase(path, rule.route)

    def _fires(self, rule: FaultRule) -> bool:
        if rule.limit and rule.fired >= rule.limit:
            return False
        rule.seen += 1
        if rule.every_nth:
            hit = rule.seen % rule.every_nth == 0
        else:
            hit = self._random.random() < rule.probability
        rule.fired += hit
        return hit


class Stats:
    """Requests by route and status, and faults by kind."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.by_route: dict[str, Counter[str]] = {}
        self.faults: Counter[str] = Counter()

    def count(self, route: str, status: int | str) -> None:
        with self._lock:
            self.by_route.setdefault(route, Counter())[str(status)] += 1

    def count_fault(self, kind: str) -> None:
        with self._lock:
            self.faults[kind] += 1

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            routes = {r: dict(c) for r, c in sorted(self.by_route.items())}
            by_status: Counter[str] = Counter()
            for counter in self.by_route.values():
                by_status.update(counter)
            return {
                "total": sum(by_status.values()),
                "by_status": dict(by_status),
                "routes": routes,
                "faults": dict(self.faults),
            }

    def reset(self) -> None:
        with self._lock:
            self.by_route.clear()
            self.faults.clear()
