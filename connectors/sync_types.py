"""Summary types every source's sync returns, so flows and the CLI report them one way."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class StreamCounts:
    """What one stream (issues, worklogs, time_cards, ...) did in one sync of one scope."""

    fetched: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    quarantined: int = 0
    flagged: int = 0  # kept but flagged while mapping (no due date, still clocked in, ...)

    def add(self, **counts: int) -> None:
        for name, value in counts.items():
            setattr(self, name, getattr(self, name) + value)


@dataclass
class SyncSummary:
    """One source and scope (e.g. jira / ABC): per-stream counts plus HTTP statistics."""

    source: str
    scope: str
    full: bool = False
    streams: dict[str, StreamCounts] = field(default_factory=dict)
    requests: int = 0
    retries: int = 0
    errors: list[str] = field(default_factory=list)  # readable, secret-free messages
    warnings: list[str] = field(default_factory=list)  # it worked, but someone should know

    def stream(self, name: str) -> StreamCounts:
        return self.streams.setdefault(name, StreamCounts())

    @property
    def ok(self) -> bool:
        return not self.errors

    def rows(self) -> list[dict[str, Any]]:
        """One flat row per stream, for Prefect table artifacts and the CLI table."""
        return [
            {"source": self.source, "scope": self.scope, "stream": name, **vars(counts)}
            for name, counts in sorted(self.streams.items())
        ]

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "scope": self.scope,
            "full": self.full,
            "streams": {k: vars(v) for k, v in self.streams.items()},
            "requests": self.requests,
            "retries": self.retries,
            "errors": list(self.errors),
            "warnings": list(self.warnings),
        }
