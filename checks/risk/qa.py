"""QA / UAT (defects by severity and age, arrival vs closure, UAT sign-off) and readiness.

- A defect is critical when its severity is "critical", or, where no severity is recorded, its
  priority is Blocker / Highest / Critical.
- Closure ratio: defects resolved / defects raised over the last `qa.window_days` days (1.0 when
  none were raised; missing when the project has no defects at all).
- UAT sign-off: every `uat` task is done (1) or not (0); missing without UAT tasks. A
  `qa.uat_signoff_missing` finding is raised once the project is in QA/UAT or later without the
  sign-off, or when an open UAT task is past its due date.
- Training / documentation readiness: share of `training` / `documentation` tasks done.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from checks.model import CheckOutput, ProjectFrames, Severity
from checks.risk.catalog import knob
from checks.risk.common import OutputBuilder, as_of_days, days, ids, is_done, pct, strings
from config.settings import ChecksSettings

CRITICAL_PRIORITIES = frozenset({"blocker", "highest", "critical"})
_UAT_OR_LATER = frozenset({"qa_uat", "training_documentation", "closeout", "closed"})


def defect_severity(defects: pd.DataFrame) -> np.ndarray:
    """Canonical severity per defect: the recorded one, else 'critical' for top priorities."""
    severity = strings(defects, "severity")
    priority = strings(defects, "priority")
    return np.array(
        [
            s.lower()
            if s is not None
            else "critical"
            if (p or "").lower() in CRITICAL_PRIORITIES
            else "unknown"
            for s, p in zip(severity, priority, strict=True)
        ],
        dtype=object,
    )


def check_qa(frames: ProjectFrames, settings: ChecksSettings) -> CheckOutput:
    out = OutputBuilder(frames, settings)
    tasks = frames.tasks
    now = as_of_days(frames)
    kind = strings(tasks, "task_type")
    defects = tasks[kind == "defect"]
    open_mask = ~is_done(defects)
    severity = defect_severity(defects)
    out.metric("qa.open_defects", float(open_mask.sum()), ids(defects, open_mask))
    for level in ("critical", "major"):
        mask = open_mask & (severity == level)
        out.metric(f"qa.open_{level}_defects", float(mask.sum()), ids(defects, mask))
    age = now - days(defects["created_at"])
    oldest = age[open_mask].max() if open_mask.any() else None
    out.metric(
        "qa.open_defect_age_max_days", oldest, ids(defects, open_mask & (age >= (oldest or 0)))
    )
    _closure(out, defects, now, knob("qa.window_days", settings.thresholds))
    out.out.details["qa"] = _defect_details(defects, open_mask, severity, age, now)
    _uat(out, frames, now)
    done = is_done(tasks)
    for readiness in ("training", "documentation"):
        mask = kind == readiness
        out.metric(
            f"{readiness}.readiness_pct",
            pct((done & mask).sum(), mask.sum()),
            ids(tasks, mask & ~done),
        )
    return out.out


def _closure(out: OutputBuilder, defects: pd.DataFrame, now: float, window: float) -> None:
    if defects.empty:
        out.metric("qa.defect_closure_ratio", None)
        return
    raised = days(defects["created_at"]) > now - window
    closed = (days(defects["resolved_at"]) > now - window) & is_done(defects)
    value = 1.0 if raised.sum() == 0 else closed.sum() / raised.sum()
    out.metric("qa.defect_closure_ratio", value, ids(defects, raised & ~closed))


def _defect_details(
    defects: pd.DataFrame, open_mask: np.ndarray, severity: np.ndarray, age: np.ndarray, now: float
) -> dict[str, object]:
    by_severity = {
        str(level): {
            "open": int((open_mask & (severity == level)).sum()),
            "max_age_days": float(age[open_mask & (severity == level)].max()),
        }
        for level in sorted(set(severity[open_mask]))
    }
    weeks = 8
    arrived = np.floor((now - days(defects["created_at"])) / 7)
    closed = np.floor((now - days(defects["resolved_at"])) / 7)
    trend = [
        {"weeks_ago": w, "arrived": int((arrived == w).sum()), "closed": int((closed == w).sum())}
        for w in range(weeks - 1, -1, -1)
    ]
    return {"open_by_severity": by_severity, "weekly_arrival_closure": trend}


def _uat(out: OutputBuilder, frames: ProjectFrames, now: float) -> None:
    tasks = frames.tasks
    uat = tasks[strings(tasks, "task_type") == "uat"]
    done = is_done(uat)
    signed = None if uat.empty else float(done.all())
    open_ids = ids(uat, ~done)
    out.metric("qa.uat_signed_off", signed, open_ids)
    out.metric("qa.uat_done_pct", pct(done.sum(), len(uat)), open_ids)
    overdue = ~done & (days(uat["due_date"]) + 1 <= now)
    phase = str(frames.project.get("phase") or "")
    if signed == 1.0 or not (phase in _UAT_OR_LATER or overdue.any()):
        return
    reason = "no UAT tasks exist" if uat.empty else f"{len(open_ids)} UAT task(s) still open"
    out.finding(
        "qa.uat_signoff_missing",
        Severity.WARNING,
        f"UAT not signed off in phase {phase or 'unknown'}: {reason}",
        open_ids,
        signed,
        1.0,
        "qa_uat",
    )
