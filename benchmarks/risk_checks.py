"""Benchmark: the synthetic portfolio generator and every risk check over a portfolio.

Default: 500 projects x 200 tasks x 10 time entries per task (100,000 tasks, ~1,000,000 time
entries), seed 1, planted problems in 9 projects. Prints wall and CPU time (the machine may be
shared: CPU time is the steadier measure), per-check CPU milliseconds per project, and peak RSS.

    uv run python benchmarks/risk_checks.py [--projects 500] [--tasks 200] [--entries 10]
"""

from __future__ import annotations

import argparse
import resource
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from checks.evaluation.frames import PortfolioSplit
from checks.risk.runner import CHECKS
from config.settings import ChecksSettings
from sandbox.synthetic_frames import Problems, synthetic_portfolio

AS_OF = datetime(2026, 11, 27, 6, tzinfo=UTC)
PLANTED = Problems(
    late=1, cycle=1, long_day=1, missing_estimates=1, stale_in_progress=1, unowned_risk=1,
    overdue_mitigation=1, critical_defects=1, over_allocation=1,
)  # fmt: skip


def timed(step: Callable[[], Any]) -> tuple[Any, float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = step()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=500)
    parser.add_argument("--tasks", type=int, default=200, help="tasks per project")
    parser.add_argument("--entries", type=float, default=10, help="time entries per task")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    frames, wall, cpu = timed(
        lambda: synthetic_portfolio(
            args.projects, args.tasks, args.entries, args.seed, AS_OF, PLANTED
        )
    )
    rows = {name: len(frame) for name, frame in frames.items()}
    print(f"rows: {rows}")
    print(f"generate: wall {wall:.2f} s, CPU {cpu:.2f} s, peak RSS {peak_rss_mib():.0f} MiB")

    split, wall, cpu = timed(lambda: PortfolioSplit(frames))
    print(f"PortfolioSplit (group once): wall {wall:.2f} s, CPU {cpu:.2f} s")

    settings = ChecksSettings()
    per_check = dict.fromkeys(CHECKS, 0.0)
    split_cpu = findings = 0.0
    wall_start, cpu_start = time.perf_counter(), time.process_time()
    for project_id in split.project_ids:
        t = time.process_time()
        pf = split.project(project_id, AS_OF)
        split_cpu += time.process_time() - t
        for name, check in CHECKS.items():
            t = time.process_time()
            findings += len(check(pf, settings).findings)
            per_check[name] += time.process_time() - t
    wall, cpu = time.perf_counter() - wall_start, time.process_time() - cpu_start
    n = len(split.project_ids)
    print(
        f"projects {n}: cut + all checks wall {wall:.2f} s, CPU {cpu:.2f} s ({cpu / n * 1000:.1f} ms/project)"
    )
    print(f"  PortfolioSplit.project: {split_cpu / n * 1000:.1f} ms CPU/project")
    for name, seconds in per_check.items():
        print(f"  {name:<13} {seconds / n * 1000:6.1f} ms CPU/project")
    print(f"findings: {findings:.0f}; peak RSS {peak_rss_mib():.0f} MiB")


if __name__ == "__main__":
    main()
