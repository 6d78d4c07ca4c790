"""The status date ("as of") of an evaluation, and the default rule for finished projects.

Every evaluation is computed *as of* one instant: ages, compliance windows, planned value,
lessons' time in status. Whoever starts the evaluation may pin it (`pmo gate KEY --as-of
2015-06-30`, the flows' `as_of` parameter); otherwise it defaults per project:

- a project whose work is all done, or that is in closeout, is judged as of its **finish**:
  the latest of its work items' resolutions (else their last move into done) and of the
  hours logged on it -- never later than the run's clock. A project finished years ago is
  not "10 years late" nor has "items 5,999 days old";
- any other project is judged as of the run's clock (now).

Pure: the clock is an argument.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import numpy as np
import pandas as pd

from checks.forecast.throughput import done_timestamps
from checks.model import ProjectFrames
from checks.risk.common import WORK_TYPES, days, strings, work_items

NS_PER_DAY = 86_400e9


def parse_as_of(text: str | datetime | date | None) -> datetime | None:
    """`2015-06-30` (the end of that day, UTC), an ISO timestamp (naive = UTC), or None."""
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    if isinstance(text, datetime):
        moment = text
    elif isinstance(text, date):
        moment = datetime.combine(text, time(23, 59, 59))
    else:
        raw = text.strip()
        try:
            if len(raw) == 10:
                moment = datetime.combine(date.fromisoformat(raw), time(23, 59, 59))
            else:
                moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(
                f"as-of {text!r} is not a date (YYYY-MM-DD) or an ISO timestamp"
            ) from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def work_finished(pf: ProjectFrames) -> datetime | None:
    """When the project's work finished: the last resolution (or move into done) of its work
    items and the last hours logged on it; None when it has no such evidence."""
    stamps: list[float] = []
    done = done_timestamps(pf.tasks, pf.status_changes, WORK_TYPES)
    if len(done):
        stamps += [float(v) for v in days(done) if not np.isnan(v)]
    entries = pf.time_entries
    if len(entries):
        task_hours = strings(entries, "kind") != "timecard"
        started = days(entries["started_at"])[task_hours]
        worked = days(entries["work_date"])[task_hours]
        stamps += [float(v) for v in np.fmax(started, worked) if not np.isnan(v)]
    if not stamps:
        return None
    # datetime holds microseconds: drop the float's nanosecond noise explicitly (the same value
    # to_pydatetime() keeps, without the warning it prints on every run)
    finish = pd.Timestamp(max(stamps) * NS_PER_DAY, unit="ns", tz="UTC")
    return finish.floor("us").to_pydatetime()


def all_work_done(pf: ProjectFrames) -> bool:
    work = work_items(pf.tasks)
    return len(work) > 0 and bool((strings(work, "status_category") == "done").all())


def project_as_of(pf: ProjectFrames, now: datetime, phase: str | None) -> datetime:
    """The default status date of one project (module docstring): its finish when its work
    is all done or it is in closeout, else `now`; never after `now`."""
    if not (all_work_done(pf) or phase == "closeout"):
        return now
    finish = work_finished(pf)
    return now if finish is None or finish >= now else finish
