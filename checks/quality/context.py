"""What a quality-gate run needs besides the frames: the status date and the sync history."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class QualityContext:
    """Inputs gathered by the flow; checks never read the clock or the store themselves.

    - `as_of`: the status date (timezone-aware, UTC); "future" and "stale" are relative to it.
    - `last_sync`: last successful sync per source (jira, planner, shifts, sharepoint);
      None = never synced. Only the sources named here are checked for freshness.
    - `previous_counts`: live tasks per project at the previous run (see `census_counts`).
    """

    as_of: datetime
    last_sync: dict[str, datetime | None] = field(default_factory=dict)
    previous_counts: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.as_of.tzinfo is None:
            raise ValueError(
                f"QualityContext.as_of must be timezone-aware (UTC), got {self.as_of!r}"
            )
