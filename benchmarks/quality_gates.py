"""Quality-gate throughput: a 10-expectation GX suite on time_entries, and the full gates.

    uv run python benchmarks/quality_gates.py                       # 500 projects, 100k tasks, 1M entries
    uv run python benchmarks/quality_gates.py --baseline            # GX as it comes (before tuning)
    uv run python benchmarks/quality_gates.py --projects 50         # a quick run (10x smaller)

Prints: GX import time; rows/s of a 10-expectation suite on `time_entries` (best of
`--repeat`); the full `run_quality_gates` over the canonical set (all suites plus cross-table
checks) with its wall time and peak RSS. Data: the seeded synthetic portfolio (a clean one
plus a planted long day), so the numbers are reproducible.

`--baseline` undoes the two adapter tunings to show where they come from: GX's per-batch
fingerprint (a pandas hash of every cell, unused by us) and nullable Float64 columns, which
GX's range check compares element by element in Python.
"""

from __future__ import annotations

import argparse
import os
import resource
import time
from datetime import UTC, datetime

import pandas as pd

from checks.quality import QualityContext, gx_adapter, run_quality_gates
from checks.quality.specs import derived_column
from checks.quality.suites import suite_for
from config.settings import ChecksSettings
from sandbox.synthetic_frames import Problems, synthetic_portfolio

AS_OF = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)
TEN = (
    "time_entries.entry_id.unique",
    "time_entries.entry_id.not_null",
    "time_entries.kind.not_null",
    "time_entries.work_date.not_null",
    "time_entries.hours.not_null",
    "time_entries.source.not_null",
    "time_entries.hours.range",
    "time_entries.kind.known",
    "time_entries.started_at.not_future",
    "time_entries.updated_at.not_future",
)


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _untuned() -> None:
    """Restore GX's defaults: fingerprint every batch, keep nullable extension dtypes."""
    from great_expectations.execution_engine import pandas_execution_engine

    pandas_execution_engine.HASH_THRESHOLD = 1e9
    gx_adapter._gx_view = _plain_view


def _plain_view(frame: pd.DataFrame, specs: list, **_: object) -> pd.DataFrame:
    """The adapter's view without its dtype conversion (same columns, same row filters)."""
    view = {c: frame[c] for c in dict.fromkeys(c for s in specs for c in s.columns)}
    for spec in specs:
        if spec.only_where is not None:
            keep = derived_column(spec.only_where, frame)
            view[gx_adapter._gx_column(spec)] = frame[spec.column].where(keep)
    return pd.DataFrame(view).reset_index(drop=True)


def ten_expectation_suite(frames: dict, repeat: int) -> None:
    entries = frames["time_entries"]
    specs = [s for s in suite_for("time_entries", AS_OF) if s.name in TEN]
    assert len(specs) == 10, [s.name for s in specs]
    timings, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        outcomes = gx_adapter.validate_frame("time_entries", specs, entries)
        timings.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    best = min(timings)
    print(
        f"  CPU time per run: {', '.join(f'{t:.2f}' for t in cpu)} s "
        f"-> {len(entries) / min(cpu):,.0f} rows per CPU-second"
    )
    print(
        f"10-expectation suite on {len(entries):,} time_entries rows: "
        f"best {best:.2f} s of {', '.join(f'{t:.2f}' for t in timings)} s "
        f"-> {len(entries) / best:,.0f} rows/s "
        f"(all passed: {all(o.success for o in outcomes)})"
    )


def full_gates(frames: dict, repeat: int) -> None:
    settings = ChecksSettings()
    context = QualityContext(AS_OF, last_sync={"jira": AS_OF}, previous_counts={})
    timings, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        report = run_quality_gates(frames, context, settings)
        timings.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    print(f"  CPU time per run: {', '.join(f'{t:.2f}' for t in cpu)} s")
    rows = sum(len(f) for f in frames.values())
    summary = report.summary()
    print(
        f"full quality gates on {rows:,} rows in {len(frames)} tables: "
        f"best {min(timings):.2f} s of {', '.join(f'{t:.2f}' for t in timings)} s; "
        f"{summary['expectations']} results, {summary['critical_failures']} critical, "
        f"{summary['warnings']} warnings; peak RSS {_peak_rss_mib():,.0f} MiB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=500)
    parser.add_argument("--tasks-per-project", type=int, default=200)
    parser.add_argument("--entries-per-task", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--baseline", action="store_true", help="GX defaults (before tuning)")
    parser.add_argument("--skip-full", action="store_true", help="only the 10-expectation suite")
    args = parser.parse_args()
    load = os.getloadavg()
    print(
        f"machine: {os.cpu_count()} CPUs, load average {load[0]:.1f} / {load[1]:.1f} (1 / 5 min); "
        "on a shared machine CPU time is the steadier number"
    )

    start = time.perf_counter()
    frames = synthetic_portfolio(
        args.projects,
        args.tasks_per_project,
        args.entries_per_task,
        args.seed,
        AS_OF,
        Problems(long_day=1),
    )
    print(
        f"generated {len(frames['tasks']):,} tasks, {len(frames['time_entries']):,} entries "
        f"(peak RSS so far {_peak_rss_mib():,.0f} MiB) "
        f"in {time.perf_counter() - start:.1f} s"
    )
    start = time.perf_counter()
    gx_adapter._runtime()
    print(f"GX import + ephemeral context: {time.perf_counter() - start:.1f} s (once per process)")
    if args.baseline:
        _untuned()
        print("baseline: GX defaults (batch fingerprint on, nullable dtypes as they come)")
    ten_expectation_suite(frames, args.repeat)
    if not args.skip_full:
        full_gates(frames, args.repeat)


if __name__ == "__main__":
    main()
