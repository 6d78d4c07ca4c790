"""Run the per-table suites through GX and turn the outcomes into `QualityResult`s."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime

import pandas as pd

from checks.model import QualityResult, Severity
from checks.quality.evidence import failure_results, passed, row_projects
from checks.quality.gx_adapter import SpecOutcome, validate_frame
from checks.quality.specs import failing_mask
from checks.quality.suites import SUITE_BUILDERS, suite_for
from checks.schema import table as table_schema


def live_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows the source still holds: tombstones are history, not evidence."""
    if "is_deleted" not in frame.columns:
        return frame
    deleted = frame["is_deleted"].fillna(False).astype(bool)
    return frame[~deleted] if deleted.any() else frame


def run_table_suites(
    frames: Mapping[str, pd.DataFrame],
    as_of: datetime,
    by_task: pd.Series,
) -> list[QualityResult]:
    """Every canonical table present in `frames`, validated against its suite."""
    results: list[QualityResult] = []
    for name in SUITE_BUILDERS:
        if name not in frames:
            continue
        frame = live_rows(frames[name])
        outcomes = validate_frame(name, suite_for(name, as_of), frame)
        results.extend(outcomes_to_results(name, frame, outcomes, by_task))
    return results


def suites_agree(frames: Mapping[str, pd.DataFrame], then: datetime, now: datetime) -> bool:
    """Would the suites say of `frames` at status date `now` what they said at `then`?

    A suite depends on the status date only through bounds that are the status date itself
    (`<column>.not_future`): such a check can change its outcome only for a value between
    the two dates. So they agree when every other part of every suite is the same and no
    live value of a column bounded by the date lies in [earlier, later].
    """
    low, high = sorted((pd.Timestamp(then).tz_convert("UTC"), pd.Timestamp(now).tz_convert("UTC")))
    for name in SUITE_BUILDERS:
        if name not in frames:
            continue
        frame = live_rows(frames[name])
        for before, after in zip(suite_for(name, then), suite_for(name, now), strict=True):
            if before == after:
                continue
            if replace(before, min_value=None, max_value=None) != replace(
                after, min_value=None, max_value=None
            ):
                return False
            for column in before.columns:
                if column not in frame:
                    continue
                values = pd.to_datetime(frame[column], utc=True, errors="coerce")
                if ((values >= low) & (values <= high)).any():
                    return False
    return True


def outcomes_to_results(
    name: str, frame: pd.DataFrame, outcomes: list[SpecOutcome], by_task: pd.Series
) -> list[QualityResult]:
    """GX outcomes on live rows of table `name` as results: failures located and split."""
    results: list[QualityResult] = []
    projects: pd.Series | None = None
    keys = frame[table_schema(name).primary_key[0]]
    for outcome in outcomes:
        spec = outcome.spec
        if outcome.error is not None:
            results.append(_unevaluated(name, outcome, len(frame)))
        elif outcome.success:
            results.append(passed(name, spec.name, spec.severity, len(frame), spec.description))
        else:
            if projects is None:  # only computed when something failed: clean runs stay fast
                projects = row_projects(name, frame, by_task)
            results.extend(_failed(name, frame, outcome, keys, projects))
    return results


def _failed(
    name: str,
    frame: pd.DataFrame,
    outcome: SpecOutcome,
    keys: pd.Series,
    projects: pd.Series | None,
) -> list[QualityResult]:
    spec = outcome.spec
    try:
        mask = failing_mask(spec, frame)
    except (TypeError, ValueError) as exc:  # values pandas can't compare: GX's count stands
        return [_unlocated(name, outcome, len(frame), f"{type(exc).__name__}: {exc}")]
    found = failure_results(
        table=name,
        expectation=spec.name,
        severity=spec.severity,
        detail=f"expected: {spec.description}",
        keys=keys,
        failing=mask,
        projects=projects,
        weights=frame["hours"] if name == "time_entries" else None,
    )
    if found:
        return found
    # GX failed it but the pandas reading finds no row: report GX's count rather than pass.
    return [_unlocated(name, outcome, len(frame), "no row matched the pandas reading")]


def _unlocated(name: str, outcome: SpecOutcome, checked: int, why: str) -> QualityResult:
    spec = outcome.spec
    return QualityResult(
        name,
        spec.name,
        spec.severity,
        False,
        outcome.unexpected_count,
        checked,
        (),
        f"expected: {spec.description} (failing rows could not be located: {why})",
    )


def _unevaluated(name: str, outcome: SpecOutcome, checked: int) -> QualityResult:
    """An expectation that raised counts as a critical failure: unknown is not fine."""
    return QualityResult(
        name,
        outcome.spec.name,
        Severity.CRITICAL,
        False,
        0,
        checked,
        (),
        f"could not evaluate '{outcome.spec.description}': {outcome.error}",
    )
