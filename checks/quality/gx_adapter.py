"""The only module that touches Great Expectations (1.x API).

GX is imported lazily, on the first validation: the import alone costs seconds and most
processes that import `checks` never validate. One ephemeral context with one pandas data
source lives for the whole process (creating contexts is slow); each run adds a suite and a
validation definition, validates the whole frame in one call, and removes them again.

What leaves this module is the project's own `SpecOutcome`, never a GX object.
"""

from __future__ import annotations

import itertools
import os
import threading
from dataclasses import dataclass
from typing import Any

import pandas as pd

from checks.quality.specs import ExpectationSpec, derived_column


@dataclass(frozen=True)
class SpecOutcome:
    """What GX said about one expectation on one frame."""

    spec: ExpectationSpec
    success: bool
    unexpected_count: int
    element_count: int
    error: str | None = None  # the expectation could not be evaluated (e.g. wrong dtype)


def validate_frame(
    table: str, specs: list[ExpectationSpec], frame: pd.DataFrame
) -> list[SpecOutcome]:
    """Validate `frame` (one canonical table) against `specs` in a single GX run."""
    if not specs:
        return []
    if frame.empty:  # skip GX's fixed cost (ms per expectation)
        _gx_view(frame, specs)  # still insist on the columns
        return [SpecOutcome(spec, True, 0, 0) for spec in specs]
    runtime = _runtime()
    view = _gx_view(frame, specs)
    with runtime.lock:
        return runtime.validate(table, specs, view)


def _gx_view(frame: pd.DataFrame, specs: list[ExpectationSpec]) -> pd.DataFrame:
    """Only the columns the suite reads, with numpy dtypes where GX has fast paths.

    GX compares nullable extension floats (Float64, Int64) element by element in Python;
    as numpy float64 (null -> NaN, which GX counts as missing) the same check is vectorised.
    """
    wanted = list(dict.fromkeys(c for spec in specs for c in spec.columns))
    missing = [c for c in wanted if c not in frame.columns]
    if missing:
        raise KeyError(f"table {specs[0].name.split('.')[0]!r} frame lacks column(s) {missing}")
    view = {}
    for name in wanted:
        column = frame[name]
        if isinstance(column.dtype, pd.Float64Dtype | pd.Int64Dtype):
            column = column.astype("float64")
        elif isinstance(column.dtype, pd.BooleanDtype):
            column = column.astype("object")
        view[name] = column
    filters: dict[str, pd.Series] = {}
    for spec in specs:
        if spec.only_where is not None:
            if spec.only_where not in filters:
                filters[spec.only_where] = derived_column(spec.only_where, frame)
            view[_gx_column(spec)] = view[spec.column].where(filters[spec.only_where])
    return pd.DataFrame(view, index=frame.index).reset_index(drop=True)


def _gx_column(spec: ExpectationSpec) -> str:
    """The view column GX reads for `spec`.

    A spec limited to some rows (`only_where`) reads a copy of its column that is null
    elsewhere: GX skips nulls in range and set checks, so this is GX's own row filter
    (`row_condition`) without the DataFrame.query copy of a million rows it costs.
    """
    if spec.only_where is None:
        return spec.column
    if spec.kind not in ("between", "in_set"):
        raise ValueError(f"expectation {spec.name!r}: a row filter needs a range or set check")
    return f"{spec.column}__where__{spec.only_where}"


_RUNTIME: _GxRuntime | None = None
_RUNTIME_LOCK = threading.Lock()


def _runtime() -> _GxRuntime:
    global _RUNTIME  # one context per process is the point
    with _RUNTIME_LOCK:
        if _RUNTIME is None:
            _RUNTIME = _GxRuntime()
        return _RUNTIME


class _GxRuntime:
    """One ephemeral GX context, its pandas data source and a batch definition per table."""

    def __init__(self) -> None:
        os.environ["GX_ANALYTICS_ENABLED"] = "false"  # before the import: no phoning home
        import great_expectations as gx
        import great_expectations.expectations as gxe
        from great_expectations.data_context.types.base import ProgressBarsConfig
        from great_expectations.execution_engine import pandas_execution_engine

        # GX fingerprints every in-memory batch (pandas hash of every cell, then md5) only to
        # label it; we never read the label, and on a 1M-row frame it costs more than all the
        # expectations together. GX itself skips it above this size, so 0 means "always skip".
        pandas_execution_engine.HASH_THRESHOLD = 0
        self.gx = gx
        self.gxe = gxe
        self.lock = threading.Lock()
        self.context = gx.get_context(mode="ephemeral")
        self.context.variables.progress_bars = ProgressBarsConfig(
            globally=False, metric_calculations=False
        )
        self.source = self.context.data_sources.add_pandas("pmo_canonical")
        self._batches: dict[str, Any] = {}
        self._names = itertools.count()

    def batch_definition(self, table: str) -> Any:
        if table not in self._batches:
            asset = self.source.add_dataframe_asset(name=table)
            self._batches[table] = asset.add_batch_definition_whole_dataframe(f"{table}_all")
        return self._batches[table]

    def validate(
        self, table: str, specs: list[ExpectationSpec], view: pd.DataFrame
    ) -> list[SpecOutcome]:
        name = f"{table}_{next(self._names)}"
        suite = self.gx.ExpectationSuite(name=name)
        for spec in specs:
            suite.add_expectation(self.expectation(spec))
        suite = self.context.suites.add(suite)
        definition = self.context.validation_definitions.add(
            self.gx.ValidationDefinition(name=name, data=self.batch_definition(table), suite=suite)
        )
        try:
            result = definition.run(batch_parameters={"dataframe": view}, result_format="SUMMARY")
        finally:
            self.context.validation_definitions.delete(name)
            self.context.suites.delete(name)
            self.release_batches()
        by_name = {spec.name: spec for spec in specs}
        return [_outcome(by_name[_spec_name(r)], r) for r in result.results]

    def release_batches(self) -> None:
        """Drop the frames GX's execution engine keeps after a run. It caches every batch it
        loaded, for the life of the process: the view of each table validated (of 1M time
        entries: ~100 MiB), held while the evaluation that follows needs the memory."""
        manager = self.source.get_execution_engine().batch_manager
        manager.reset_batch_cache()
        manager.batch_data_cache.clear()

    def expectation(self, spec: ExpectationSpec) -> Any:
        meta = {"check": spec.name, "severity": spec.severity.value}
        column, gxe = _gx_column(spec), self.gxe
        if spec.kind == "unique":
            return gxe.ExpectColumnValuesToBeUnique(column=column, meta=meta)
        if spec.kind == "not_null":
            return gxe.ExpectColumnValuesToNotBeNull(column=column, meta=meta)
        if spec.kind == "in_set":
            return gxe.ExpectColumnValuesToBeInSet(
                column=column,
                meta=meta,
                value_set=list(spec.value_set),
            )
        if spec.kind == "between":
            return gxe.ExpectColumnValuesToBeBetween(
                column=column,
                min_value=spec.min_value,
                max_value=spec.max_value,
                strict_min=spec.strict_min,
                strict_max=spec.strict_max,
                meta=meta,
            )
        if spec.kind == "pair_ge":
            return gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A=spec.column,
                column_B=spec.column_b,
                or_equal=True,
                ignore_row_if="either_value_is_missing",
                meta=meta,
            )
        raise ValueError(f"expectation {spec.name!r} has unknown kind {spec.kind!r}")


def _outcome(spec: ExpectationSpec, result: Any) -> SpecOutcome:
    error = _raised(result.exception_info or {})
    if error is not None:
        return SpecOutcome(spec, False, 0, 0, error=error)
    stats = result.result or {}
    return SpecOutcome(
        spec,
        bool(result.success),
        int(stats.get("unexpected_count") or 0),
        int(stats.get("element_count") or 0),
    )


def _raised(info: dict[str, Any]) -> str | None:
    """The first error message in GX's exception info (flat, or keyed by metric id)."""
    entries = [info] if "raised_exception" in info else list(info.values())
    for entry in entries:
        if isinstance(entry, dict) and entry.get("raised_exception"):
            message = str(entry.get("exception_message") or "unknown error")
            return message.splitlines()[0][:300]
    return None


def _spec_name(result: Any) -> str:
    """The spec a GX expectation result belongs to (its `meta["check"]`)."""
    config = result.expectation_config
    if config is None:  # GX fills it for every result of a suite run
        raise RuntimeError(f"a GX result without its expectation: {result!r}")
    return str(config.meta["check"])
