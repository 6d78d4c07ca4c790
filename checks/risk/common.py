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
    series = values if isinstance(values, pd.Series) else pd.Series(list(values))
    if len(series) == 0:
        return np.array([], dtype=float)
    if not pd.api.types.is_datetime64_any_dtype(series):
        series = pd.to_datetime(series, utc=True)
    raw = series.array.asi8 if hasattr(series.array, "asi8") else series.to_numpy().view("i8")
    out = raw / NS_PER_DAY  # tz-aware values are stored as UTC nanoseconds
    out[raw == np.iinfo(np.int64).min] = np.nan  # NaT
    return out


def day_of(value: object) -> float | None:
    """One timestamp or date as float days since the epoch, or None."""
    # pandas-stubs: pd.isna takes any scalar at run time, but is typed for a few types only
    if value is None or (not isinstance(value, list | dict) and pd.isna(value)):  # type: ignore[call-overload]
        return None
    stamp = pd.Timestamp(value)  # type: ignore[arg-type]  # (as pd.isna above)
    stamp = stamp.tz_convert("UTC").tz_localize(None) if stamp.tzinfo else stamp
    return stamp.value / NS_PER_DAY


def as_of_days(frames: ProjectFrames) -> float:
    return float(day_of(frames.as_of))  # type: ignore[arg-type]


def as_of_date(frames: ProjectFrames) -> datetime:
    stamp = pd.Timestamp(frames.as_of)
    stamp = stamp.tz_convert("UTC") if stamp.tzinfo else stamp
    return stamp.tz_localize(None).normalize().to_pydatetime()


_WORK_CACHE: dict[str, tuple[pd.DataFrame, pd.DataFrame]] = {}


def work_items(tasks: pd.DataFrame) -> pd.DataFrame:
    """The planned-work rows of `tasks` (memoised for the frame last asked about: every check
    of one project asks for the same frame in turn)."""
    cached = _WORK_CACHE.get("last")
    if cached is not None and cached[0] is tasks:
        return cached[1]
    work = tasks[tasks["task_type"].isin(WORK_TYPES).to_numpy()]
    _WORK_CACHE["last"] = (tasks, work)
    return work


_STRINGS_CACHE: dict[tuple[int, str], tuple[pd.DataFrame, np.ndarray]] = {}


def strings(frame: pd.DataFrame, column: str) -> np.ndarray:
    """A string column as a numpy object array (nulls as None): numpy compares these much
    faster than pandas' string dtype does on small frames. Memoised for the frames of the
    project being checked (the cache holds the frame itself, so an id is never reused)."""
    key = (id(frame), column)
    hit = _STRINGS_CACHE.get(key)
    if hit is not None and hit[0] is frame:
        return hit[1]
    if len(_STRINGS_CACHE) > 64:  # about one project's columns: older frames may be freed
        _STRINGS_CACHE.clear()
    # pandas-stubs does not allow na_value=None (pandas does, and documents it)
    values: np.ndarray = frame[column].to_numpy(dtype=object, na_value=None)  # type: ignore[call-overload]
    values.flags.writeable = False  # shared between checks: nobody may change it
    _STRINGS_CACHE[key] = (frame, values)
    return values


def is_done(tasks: pd.DataFrame) -> np.ndarray:
    done: np.ndarray = strings(tasks, "status_category") == "done"
    return done


def person_time_keys(
    entries: pd.DataFrame, bucket_days: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per entry: person id (None when unknown), bucket start day (the Monday for 7, the day
    for 1) and whether it is time-card attendance (vs task hours)."""
    day = np.floor(days(entries["work_date"]))
    bucket = day - (day + 3) % 7 if bucket_days == 7 else day  # 1970-01-01 was a Thursday
    return strings(entries, "person_id"), bucket, strings(entries, "kind") == "timecard"


def hours_by_person_bucket(
    person: np.ndarray, bucket: np.ndarray, attendance: np.ndarray, hours: np.ndarray
) -> dict[tuple[str, float], float]:
    """Hours per (person, bucket), the larger of task hours and attendance (never their sum).

    Keys in order of first appearance. Each sum adds the rows in row order from 0.0, as a
    loop would (`np.bincount` accumulates in input order), so the floats are the same."""
    known = np.array([p is not None for p in person], dtype=bool) & ~np.isnan(bucket)
    who, when = person[known], bucket[known]
    if not len(who):
        return {}
    person_codes, people = pd.factorize(who, sort=False)
    bucket_codes, buckets = pd.factorize(when, sort=False)
    pair = person_codes.astype(np.int64) * len(buckets) + bucket_codes
    slot_codes, slots = pd.factorize(pair * 2 + attendance[known].astype(np.int64), sort=False)
    totals = np.bincount(slot_codes, weights=hours[known].astype(float), minlength=len(slots))
    pair_codes, pairs = pd.factorize(slots // 2, sort=False)
    merged = np.zeros(len(pairs))  # the larger of the two, never below 0.0 (NaN ignored)
    np.maximum.at(merged, pair_codes, np.where(totals > 0, totals, 0.0))
    return {
        (people[p // len(buckets)], buckets[p % len(buckets)]): float(value)
        for p, value in zip(pairs, merged, strict=True)
    }


def ids(
    frame: pd.DataFrame, mask: np.ndarray | None = None, column: str = "task_id"
) -> tuple[str, ...]:
    values = frame[column].to_numpy(dtype=object)
    if mask is not None:
        values = values[mask]
    return tuple(sorted({str(v) for v in values if isinstance(v, str)}))


def pct(part: float, whole: float) -> float | None:
    return None if whole == 0 else 100.0 * part / whole


def ratio(part: float, whole: float) -> float | None:
    return None if whole == 0 else part / whole


def breach(name: str, value: float | None, settings: ChecksSettings) -> Severity | None:
    """Severity of a metric's value against its thresholds (None: fine or informational)."""
    info = METRICS[name]
    if value is None or info.better == "neutral" or not np.isfinite(value):
        return None

    def worse(v: float, t: float) -> bool:
        return v < t if info.better == "higher" else v > t

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
        self,
        name: str,
        value: float | None,
        items: Iterable[str] = (),
        message: str | None = None,
        reason: str | None = None,
    ) -> None:
        """Record a metric and its evidence; raise its finding when a threshold is breached.

        `reason` says why a None value could not be computed (kept only when it is None)."""
        if name not in METRICS:
            raise KeyError(f"metric {name!r} is not in checks/risk/catalog.py")
        # 9 decimals: float noise (7e-15 for an SV of 0) is not a measurement; + 0.0 turns
        # -0.0 into 0.0: a sign on zero is noise in a report
        value = None if value is None or not np.isfinite(value) else round(float(value), 9) + 0.0
        evidence = tuple(items)
        self.out.metrics[name] = value
        self.out.evidence[name] = evidence
        if value is None:
            self.out.reasons[name] = reason or "not computable from the available data"
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
