"""Expectations as plain data, and the pandas condition that locates their failing rows.

A spec is what the project means by an expectation; `gx_adapter` turns it into a Great
Expectations expectation that decides pass/fail and counts. When one fails, the same spec's
`failing_mask` finds the failing rows so the result can name entity ids (not row numbers)
and be split per project. A unit test runs both on planted rows and requires equal counts,
so the two readings of a spec cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from checks.model import Severity

SpecKind = Literal["unique", "not_null", "between", "in_set", "pair_ge"]


@dataclass(frozen=True)
class ExpectationSpec:
    """One expectation on one column of a canonical table."""

    name: str  # stable id, e.g. "time_entries.hours.range"; also the QualityResult.expectation
    kind: SpecKind
    column: str
    severity: Severity
    description: str
    column_b: str | None = None  # pair_ge: `column` >= `column_b`
    min_value: Any = None
    max_value: Any = None
    strict_min: bool = False
    strict_max: bool = False
    value_set: tuple[str, ...] = ()
    only_where: str | None = None  # a DERIVED row filter: the spec applies where it is true

    @property
    def columns(self) -> tuple[str, ...]:
        return (self.column, self.column_b) if self.column_b else (self.column,)


# Time cards whose hours the Graph mapper could not know: still clocked in (0 h until the
# clock-out arrives) or clocked out before clocking in (0 h, quarantined). Their 0 h is a
# placeholder, not a measurement; `timesheet.clock_out_before_in` reports the latter.
UNMEASURED_FLAGS = frozenset({"clocked_in", "clock_out_before_in"})


def flagged(frame: pd.DataFrame, wanted: frozenset[str]) -> pd.Series:
    """True for rows whose `flags` list holds any of `wanted`."""
    flags = frame["flags"]
    hit = np.zeros(len(flags), dtype=bool)
    try:  # C-speed truth test: almost every row has no flags at all
        candidates = np.flatnonzero(flags.to_numpy(dtype=object).astype(bool))
    except ValueError:  # array-valued flags have no single truth value: look at each
        candidates = np.arange(len(flags))
    for position in candidates:
        value = flags.iat[int(position)]
        hit[position] = isinstance(value, list | tuple) and not wanted.isdisjoint(value)
    return pd.Series(hit, index=frame.index, dtype=bool)


def hours_measured(frame: pd.DataFrame) -> pd.Series:
    """False for entries whose hours are a placeholder (see UNMEASURED_FLAGS)."""
    return ~flagged(frame, UNMEASURED_FLAGS)


DERIVED = {"hours_measured": (hours_measured, ("flags",))}  # name -> (function, input columns)


def derived_column(name: str, frame: pd.DataFrame) -> pd.Series:
    function, inputs = DERIVED[name]
    missing = [c for c in inputs if c not in frame.columns]
    if missing:
        raise KeyError(f"row filter {name!r} needs column(s) {missing}")
    return function(frame)


def failing_mask(spec: ExpectationSpec, frame: pd.DataFrame) -> pd.Series:
    """Rows of `frame` that fail `spec`, with GX's semantics (nulls are not range failures)."""
    failing = _failing_everywhere(spec, frame)
    if spec.only_where is None:
        return failing
    return failing & derived_column(spec.only_where, frame)


def _failing_everywhere(spec: ExpectationSpec, frame: pd.DataFrame) -> pd.Series:
    values = frame[spec.column]
    if spec.kind == "unique":
        return values.duplicated(keep=False) & values.notna()
    if spec.kind == "not_null":
        return values.isna()
    if spec.kind == "in_set":
        return values.notna() & ~values.isin(spec.value_set)
    if spec.kind == "between":
        return values.notna() & ~_within_bounds(spec, values)
    if spec.kind == "pair_ge":
        other = frame[spec.column_b]
        both = values.notna() & other.notna()
        return (both & ~(values >= other).fillna(True)).astype(bool)
    raise ValueError(f"expectation {spec.name!r} has unknown kind {spec.kind!r}")


def _within_bounds(spec: ExpectationSpec, values: pd.Series) -> pd.Series:
    inside = pd.Series(True, index=values.index)
    if spec.min_value is not None:
        inside &= values > spec.min_value if spec.strict_min else values >= spec.min_value
    if spec.max_value is not None:
        inside &= values < spec.max_value if spec.strict_max else values <= spec.max_value
    return inside.fillna(True).astype(bool)
