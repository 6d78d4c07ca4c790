"""Which lifecycle phase a project is in, and how we know.

In order: the phase asked for (`pmo gate KEY --phase`), the config (`projects.<KEY>.phase`),
the charter (the `phase` the source recorded, e.g. a Jira project property), else a phase
**inferred** from the project's own evidence by one documented rule (docs/evaluation.md,
"Phase"):

1. no work item at all -> `initiation` (nothing is planned yet);
2. every work item done -> `closeout` (the work is finished; what is left is the closeout);
3. no work item started (none in progress or done, no status change into progress or done,
   no hours logged) -> `planning`;
4. dormant: no activity (status change, resolution, new item, hours logged) for more than
   `phase.dormant_days` (180) before the status date -> `closeout`: the work stopped years
   ago with a few items left open (their closeout says so), it is not "in execution" now;
5. otherwise -> `execution`.

Work items are the planned-work types (`checks.risk.common.WORK_TYPES`): containers (epics),
risks, lessons and gate requests do not count. The choice says where it came from, so a
report can say "phase inferred: all 212 work items are done".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from checks.model import ProjectFrames
from checks.risk.catalog import knob
from checks.risk.common import NS_PER_DAY, as_of_days, days, strings, work_items


@dataclass(frozen=True)
class PhaseChoice:
    phase: str
    source: str  # "requested", "config", "charter" or "inferred"
    rule: str | None = None  # inferred: the rule that applied, in words
    evidence: dict[str, int] = field(default_factory=dict)  # inferred: the counts behind it

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"source": self.source}
        if self.source == "inferred":
            out["rule"] = self.rule
            out["evidence"] = dict(self.evidence)
        return out


def _given(value: Any) -> bool:
    if value is None or isinstance(value, list | dict):
        return False
    try:
        return not bool(pd.isna(value)) and str(value).strip() != ""
    except (TypeError, ValueError):
        return True


def choose_phase(
    pf: ProjectFrames,
    overrides: Mapping[str, Any],
    requested: str | None = None,
    thresholds: Mapping[str, float] | None = None,
) -> PhaseChoice:
    """The phase to judge `pf` at: requested, else config, else charter, else inferred.
    `pf.project` is the project row as the source gave it (before config overrides)."""
    if _given(requested):
        return PhaseChoice(str(requested), "requested")
    if _given(overrides.get("phase")):
        return PhaseChoice(str(overrides["phase"]), "config")
    if _given(pf.project.get("phase")):
        return PhaseChoice(str(pf.project["phase"]), "charter")
    return infer_phase(pf, knob("phase.dormant_days", thresholds))


def infer_phase(pf: ProjectFrames, dormant_days: float = 180.0) -> PhaseChoice:
    """The phase the evidence points to (module docstring, rules 1-4)."""
    work = work_items(pf.tasks)
    category = strings(work, "status_category")
    total = len(work)
    done = int((category == "done").sum())
    in_progress = int((category == "in_progress").sum())
    counts = {"work_items": total, "done": done, "in_progress": in_progress}
    if total == 0:
        return PhaseChoice("initiation", "inferred", "no work items yet", counts)
    if done == total:
        return PhaseChoice("closeout", "inferred", f"all {total} work items are done", counts)
    hours = _hours_logged(pf)
    moved = _moved_to_work(pf, set(strings(work, "task_id")))
    counts = {**counts, "hours_logged_entries": hours, "status_changes_into_work": moved}
    if done == 0 and in_progress == 0 and hours == 0 and moved == 0:
        rule = f"{total} work items, none started (none in progress or done, no hours logged)"
        return PhaseChoice("planning", "inferred", rule, counts)
    last = _last_activity(pf)
    idle = None if last is None else as_of_days(pf) - last
    if last is not None and idle is not None and idle > dormant_days:
        since = pd.Timestamp(last * NS_PER_DAY, unit="ns").date().isoformat()
        rule = (
            f"dormant: no activity since {since} ({idle:.0f} days; more than {dormant_days:g}), "
            f"{done} of {total} work items done"
        )
        return PhaseChoice("closeout", "inferred", rule, {**counts, "idle_days": int(idle)})
    rule = f"work has started: {in_progress} in progress and {done} done of {total} work items"
    return PhaseChoice("execution", "inferred", rule, counts)


def _last_activity(pf: ProjectFrames) -> float | None:
    """The last sign of work (days since epoch): a status change, a resolution, an item
    created, hours logged; None when there is none."""
    stamps = [
        days(pf.status_changes["changed_at"]),
        days(pf.tasks["resolved_at"]),
        days(pf.tasks["created_at"]),
        days(pf.time_entries["work_date"]),
    ]
    known = [float(np.nanmax(s)) for s in stamps if len(s) and not np.isnan(s).all()]
    return max(known) if known else None


def _hours_logged(pf: ProjectFrames) -> int:
    entries = pf.time_entries
    if len(entries) == 0:
        return 0
    task_hours = strings(entries, "kind") != "timecard"  # attendance is not work on the project
    hours = entries["hours"].to_numpy(dtype=float, na_value=0.0)
    return int((task_hours & (hours > 0)).sum())


def _moved_to_work(pf: ProjectFrames, work_ids: set[str]) -> int:
    changes = pf.status_changes
    if len(changes) == 0:
        return 0
    into = np.isin(strings(changes, "to_category"), ["in_progress", "done"])
    mine = np.array([t in work_ids for t in strings(changes, "task_id")], dtype=bool)
    return int((into & mine).sum())
