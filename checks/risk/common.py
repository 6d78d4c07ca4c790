"""Small helpers every risk check shares: time as float days, task filters, findings."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

import numpy as np
import pandas as pd

from checks.model import CheckOutput, Finding, ProjectFrames, Severity
from checks.risk.catalog import METRICS, critical_threshold, threshold
from config.settings import ChecksSettings

NS_PER_DAY = 86_400e9
# Task types that are planned work (containers, risks, lessons and requests are not).
WORK_TYPES = ("story", "task", "subtask", "defect", "uat", "training", "documentation")


def days(values: pd.Series | Sequence[object]) -> np.ndarray:
    """Timestamps or dates as float days since the epoch (UTC); NaT becomes NaN."""
    series = pd.Series(values)
    if len(series) == 0:
        return np.array([], dtype=float)
    if not pd.api.types.is_datetime64_any_dtype(series):
        series = pd.to_datetime(series, utc=True)
    if getattr(series.dt, "tz", None) is not None:
        series = series.dt.tz_convert("UTC").dt.tz_localize(None)
    raw = series.to_numpy(dtype="datetime64[ns]")
    out = raw.astype(np.int64) / NS_PER_DAY
    out[np.isnat(raw)] = np.nan
    return out


def day_of(value: object) -> float | None:
    """One timestamp or date as float days since the epoch, or None."""
    if value is None or (not isinstance(value, list | dict) and pd.isna(value)):
        return None
    return float(days([value])[0])


def as_of_days(frames: ProjectFrames) -> float:
    return float(days([frames.as_of])[0])


def as_of_date(frames: ProjectFrames) -> datetime:
    stamp = pd.Timestamp(frames.as_of)
    stamp = stamp.tz_convert("UTC") if stamp.tzinfo else stamp
    return stamp.tz_localize(None).normalize().to_pydatetime()


def work_items(tasks: pd.DataFrame) -> pd.DataFrame:
    return tasks[tasks["task_type"].isin(WORK_TYPES).to_numpy()]


def is_done(tasks: pd.DataFrame) -> np.ndarray:
    return (tasks["status_category"] == "done").fillna(False).to_numpy(dtype=bool)


def ids(
    frame: pd.DataFrame, mask: np.ndarray | None = None, column: str = "task_id"
) -> tuple[str, ...]:
    values = frame[column] if mask is None else frame[column][mask]
    return tuple(sorted(str(v) for v in values.dropna().unique()))


def pct(part: float, whole: float) -> float | None:
    return None if whole == 0 else 100.0 * part / whole


def ratio(part: float, whole: float) -> float | None:
    return None if whole == 0 else part / whole


def breach(name: str, value: float | None, settings: ChecksSettings) -> Severity | None:
    """Severity of a metric's value against its thresholds (None: fine or informational)."""
    info = METRICS[name]
    if value is None or info.better == "neutral" or not np.isfinite(value):
        return None
    worse = (lambda v, t: v < t) if info.better == "higher" else (lambda v, t: v > t)
    crit = critical_threshold(name, settings.thresholds)
    if crit is not None and worse(value, crit):
        return Severity.CRITICAL
    warn = threshold(name, settings.thresholds)
    if warn is not None and worse(value, warn):
        return Severity.WARNING
    return None


class OutputBuilder:
    """Collects one check's metrics, evidence and threshold findings for one project."""

    def __init__(self, frames: ProjectFrames, settings: ChecksSettings):
        self.project_id = str(frames.project.get("project_id"))
        self.settings = settings
        self.out = CheckOutput()

    def metric(
        self, name: str, value: float | None, items: Iterable[str] = (), message: str | None = None
    ) -> None:
        """Record a metric and its evidence; raise its finding when a threshold is breached."""
        if name not in METRICS:
            raise KeyError(f"metric {name!r} is not in checks/risk/catalog.py")
        value = None if value is None or not np.isfinite(value) else float(value)
        evidence = tuple(items)
        self.out.metrics[name] = value
        self.out.evidence[name] = evidence
        severity = breach(name, value, self.settings)
        if severity is None:
            return
        info = METRICS[name]
        limit = critical_threshold(name, self.settings.thresholds)
        if severity == Severity.WARNING or limit is None:
            limit = threshold(name, self.settings.thresholds)
        text = message or f"{info.description}: {value:.4g} (threshold {limit:.4g})"
        self.finding(info.finding_check(name), severity, text, evidence, value, limit, info.phase)

    def finding(
        self,
        check: str,
        severity: Severity,
        message: str,
        items: Iterable[str] = (),
        value: float | None = None,
        limit: float | None = None,
        phase: str | None = None,
    ) -> None:
        self.out.findings.append(
            Finding(check, severity, message, self.project_id, tuple(items), value, limit, phase)
        )
