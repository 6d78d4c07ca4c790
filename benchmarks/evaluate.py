"""Benchmark: quality gates + every risk check + gate decisions over a synthetic portfolio.

Default: 500 projects, 100,000 tasks, 1,000,000 time entries (from `checks.synthetic`), the
full quality gates once, then every project's evaluation (risk checks, forecast with 10,000
trials, gate decision, data version). Prints wall time per stage and the peak RSS.

    uv run python benchmarks/evaluate.py                       # the issue's scale
    uv run python benchmarks/evaluate.py --projects 50         # quick look
    uv run python benchmarks/evaluate.py --workers 2           # projects split over 2 processes
    uv run python benchmarks/evaluate.py --profile 25          # top 25 functions (serial)
"""

from __future__ import annotations

import argparse
import cProfile
import multiprocessing
import os
import pstats
import resource
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

from checks.evaluate import evaluate_portfolio
from checks.model import Decision, QualityReport
from checks.quality import QualityContext, run_quality_gates
from checks.synthetic import Problems, synthetic_portfolio
from config.lifecycle import load_rules
from config.settings import Settings

AS_OF = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)
_STATE: dict = {}  # frames etc. for forked workers (inherited, not pickled)


def peak_rss_mib(children: bool = False) -> float:
    who = resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF
    return resource.getrusage(who).ru_maxrss / 1024  # Linux reports KiB


def current_rss_mib() -> float:
    return psutil.Process().memory_info().rss / 2**20


def cpu_seconds() -> float:
    """User + system CPU of this process and its finished children (workers)."""
    own, kids = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--projects", type=int, default=500)
    parser.add_argument("--tasks-per-project", type=int, default=200)
    parser.add_argument("--entries-per-task", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--trials", type=int, default=10_000, help="Monte Carlo trials")
    parser.add_argument("--workers", type=int, default=1, help="processes for the projects")
    parser.add_argument("--profile", type=int, default=0, help="print the top N functions")
    return parser.parse_args()


def _evaluate_slice(project_ids: list[str]) -> list[str]:
    s = _STATE
    evaluations = evaluate_portfolio(
        s["frames"], s["settings"], s["rules"], AS_OF, s["quality"], project_ids=project_ids
    )
    return [e.decision.value for e in evaluations]


def evaluate_all(workers: int) -> list[str]:
    ids = sorted(_STATE["frames"]["projects"]["project_id"])
    if workers <= 1:
        return _evaluate_slice(ids)
    slices = [ids[i::workers] for i in range(workers)]
    context = multiprocessing.get_context("fork")  # children share the frames copy-on-write
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        return [d for part in pool.map(_evaluate_slice, slices) for d in part]


def main() -> None:
    args = parse_args()
    t0 = time.perf_counter()
    problems = Problems(late=5, cycle=5, long_day=5, critical_defects=5, over_allocation=5)
    frames = synthetic_portfolio(
        args.projects, args.tasks_per_project, args.entries_per_task, args.seed, AS_OF, problems
    )
    t_gen = time.perf_counter() - t0
    rows = {name: len(frame) for name, frame in frames.items()}
    rss_data, rss_frames = peak_rss_mib(), current_rss_mib()
    settings = Settings(checks={"forecast_trials": args.trials})
    rules = load_rules(settings)

    t1, c1 = time.perf_counter(), cpu_seconds()
    quality: QualityReport = run_quality_gates(frames, QualityContext(as_of=AS_OF), settings.checks)
    t_quality, c_quality = time.perf_counter() - t1, cpu_seconds() - c1
    peak_quality = peak_rss_mib()
    _STATE.update(frames=frames, settings=settings, rules=rules, quality=quality)

    t2, c2 = time.perf_counter(), cpu_seconds()
    if args.profile:
        profiler = cProfile.Profile()
        decisions = profiler.runcall(evaluate_all, 1)
    else:
        decisions = evaluate_all(args.workers)
    t_eval, c_eval = time.perf_counter() - t2, cpu_seconds() - c2

    total = t_quality + t_eval
    print(f"machine: {os.cpu_count()} cpus; workers: {args.workers}; trials: {args.trials}")
    print("rows: " + ", ".join(f"{k}={v:,}" for k, v in rows.items()))
    print(
        f"generate (not counted): {t_gen:.2f} s; peak RSS while generating: {rss_data:.0f} MiB, "
        f"RSS holding the frames: {rss_frames:.0f} MiB"
    )
    print(f"quality gates: {t_quality:.2f} s wall, {c_quality:.2f} s CPU ({len(quality.results)} results, "
          f"{len(quality.critical_failures)} critical failures)")  # fmt: skip
    print(f"checks + decisions: {t_eval:.2f} s wall, {c_eval:.2f} s CPU, {len(decisions)} projects "
          f"({1000 * t_eval / max(len(decisions), 1):.1f} ms/project)")  # fmt: skip
    print(
        f"total (quality + checks + decisions): {total:.2f} s wall, {c_quality + c_eval:.2f} s CPU"
    )
    print(
        f"load average during the run: {os.getloadavg()[0]:.1f} (2 cores: wall > CPU when shared)"
    )
    peak = max(peak_rss_mib(), peak_rss_mib(children=True))
    print(f"peak RSS: {peak:.0f} MiB (largest single process); after quality gates: "
          f"{peak_quality:.0f} MiB; RSS at the end: {current_rss_mib():.0f} MiB")  # fmt: skip
    print("decisions: " + ", ".join(f"{d.value}={decisions.count(d.value)}" for d in Decision))
    if args.profile:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.profile)


if __name__ == "__main__":
    main()
