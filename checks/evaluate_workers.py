"""Evaluate a portfolio's projects in worker processes while the quality gates run.

A project's evaluation is two steps: `assess` (risk checks, forecast, chart series, table
digest: most of the work, independent of data quality) and `conclude` (scope the quality
report, decide the gate). Workers are forked once the frames are grouped by project, so they
read the parent's frames copy-on-write instead of a pickled copy. Each worker assesses its
share of the projects while the parent runs the quality gates; the parent then sends the
quality report down a pipe, each worker concludes and sends back only its `Evaluation`s, and
the parent puts them back in the order of the ids: the same list as one process gives.
Without fork (not POSIX) the caller's serial path is used.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection
from typing import Any, Protocol


class PortfolioJob(Protocol):
    def run(self, project_ids: Sequence[str], quality: Any) -> list[Any]: ...

    def assess(self, project_ids: Sequence[str]) -> list[Any]: ...

    def conclude(self, assessed: list[Any], quality: Any) -> list[Any]: ...


def run_overlapped(
    job: PortfolioJob, project_ids: Sequence[str], workers: int, quality: Callable[[], Any]
) -> list[Any]:
    """`job.run(project_ids, quality())` with the projects over `workers` forked processes."""
    if workers <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        return job.run(project_ids, quality())
    context = multiprocessing.get_context("fork")
    shares = [list(project_ids[i::workers]) for i in range(workers)]  # interleaved: balanced
    pipes, processes = [], []
    # objects that exist now move to GC's permanent generation in the children, so their
    # collections do not write to (and so copy) the pages of the inherited frames
    gc.freeze()
    try:
        for share in shares:
            parent_end, child_end = context.Pipe()
            process = context.Process(target=_worker, args=(job, share, child_end), daemon=True)
            process.start()
            child_end.close()
            pipes.append(parent_end)
            processes.append(process)
        gc.unfreeze()  # the parent collects as usual again
        report = quality()
        for pipe in pipes:
            # a worker that already failed closed its end: its error is read below
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                pipe.send(("quality", report))
        results = [_receive(pipe) for pipe in pipes]
    finally:
        gc.unfreeze()
        for pipe in pipes:
            pipe.close()
        for process in processes:
            process.join(timeout=60)
            if process.is_alive():  # only after an error in the parent: nothing to wait for
                process.kill()
    order = {pid: i for i, pid in enumerate(project_ids)}
    return sorted((e for part in results for e in part), key=lambda e: order[e.project_id])


def _receive(pipe: Connection) -> list[Any]:
    try:
        status, payload = pipe.recv()
    except EOFError as exc:
        raise RuntimeError("an evaluation worker process died without a result") from exc
    if status == "error":
        raise payload
    return payload


def _worker(job: PortfolioJob, project_ids: list[str], pipe: Connection) -> None:
    try:
        assessed = job.assess(project_ids)
        _, report = pipe.recv()
        pipe.send(("ok", job.conclude(assessed, report)))
    except EOFError:
        pass  # the parent failed (its error is raised there): stop quietly
    except Exception as exc:
        pipe.send(("error", exc))
    finally:
        pipe.close()
