"""Evaluate a portfolio's projects in several worker processes (same results, less wall time).

Workers are forked after the frames are grouped by project, so they read the parent's frames
copy-on-write instead of receiving a pickled copy; each worker evaluates chunks of project
ids and sends back only the `Evaluation`s. Chunks are contiguous runs of the sorted ids and
`map` keeps their order, so the list is the same, in the same order, as a serial run.
Fork needs a POSIX system; on others (or with one worker) the caller runs serially.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Protocol

CHUNKS_PER_WORKER = 8  # small chunks even out projects of different sizes

# The job of the pool being run, set before forking so that the children inherit it.
_JOB: list[Any] = []


class PortfolioJob(Protocol):
    def run(self, project_ids: Sequence[str]) -> list[Any]: ...


def run_in_processes(job: PortfolioJob, project_ids: Sequence[str], workers: int) -> list[Any]:
    """`job.run(project_ids)`, split over `workers` forked processes, in the same order."""
    if workers <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        return job.run(project_ids)
    size = max(1, -(-len(project_ids) // (workers * CHUNKS_PER_WORKER)))
    chunks = [list(project_ids[i : i + size]) for i in range(0, len(project_ids), size)]
    _JOB[:] = [job]
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(min(workers, len(chunks)), mp_context=context) as pool:
            return [e for part in pool.map(_run_chunk, chunks) for e in part]
    finally:
        _JOB.clear()


def _run_chunk(project_ids: list[str]) -> list[Any]:
    return _JOB[0].run(project_ids)
