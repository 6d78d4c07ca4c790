"""Benchmark: quality gates + every risk check + gate decisions over a synthetic portfolio.

Default: 500 projects, 100,000 tasks, 1,000,000 time entries (from `sandbox.synthetic_frames`), the
full quality gates once and every project's evaluation (risk checks, forecast with 10,000
trials, gate decision, data version). Prints wall time per stage, CPU and the peak RSS.

    uv run python benchmarks/evaluate.py                      # the issue's scale, 2 processes
    uv run python benchmarks/evaluate.py --projects 50        # quick look
    uv run python benchmarks/evaluate.py --runner serial      # one process, stages timed apart
    uv run python benchmarks/evaluate.py --runner dask --projects 2000   # local Dask cluster
    uv run python benchmarks/evaluate.py --profile 25         # top 25 functions (serial)

Runners other than `serial` are the product's path, `flows.evaluation.evaluate_projects` in
a Prefect flow: shards of `--shard-size` projects as Prefect tasks on a ProcessPoolTaskRunner
with forked workers (`process`, `flows.evaluation.ForkProcessPoolTaskRunner`), a
DaskTaskRunner on a `distributed.LocalCluster` of `--workers` processes started here (`dask`,
or `--dask-address` of a running cluster), or threads (`thread`); the quality gates (GX
import included) run in this process meanwhile. A Prefect server runs beside, in a process of
its own, its URL in PREFECT_API_URL (as production sets it). Measure in a byte-compiled
virtualenv (`make setup`): without bytecode every module is compiled on every start.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import os
import pstats
import resource
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

from checks.evaluation.evaluate import evaluate_portfolio
from checks.gates import LifecycleRules
from checks.model import Decision, QualityReport
from checks.quality import QualityContext, run_quality_gates
from config.lifecycle import load_rules
from config.settings import Settings
from sandbox.synthetic_frames import Problems, synthetic_portfolio

AS_OF = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)


def peak_rss_mib(children: bool = False) -> float:
    who = resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF
    return resource.getrusage(who).ru_maxrss / 1024  # Linux reports KiB


def current_rss_mib() -> float:
    return psutil.Process().memory_info().rss / 2**20


def cpu_seconds(own: bool | None = None) -> float:
    """User + system CPU: this process (own=True), its finished children (False), or both."""
    who = [resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN]
    if own is not None:
        who = who[:1] if own else who[1:]
    usages = [resource.getrusage(w) for w in who]
    return sum(u.ru_utime + u.ru_stime for u in usages)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--projects", type=int, default=500)
    parser.add_argument("--tasks-per-project", type=int, default=200)
    parser.add_argument("--entries-per-task", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--trials", type=int, default=10_000, help="Monte Carlo trials")
    parser.add_argument(
        "--runner", choices=["serial", "thread", "process", "dask"], default="process"
    )
    parser.add_argument("--workers", type=int, default=2, help="processes / Dask workers")
    parser.add_argument("--shard-size", type=int, default=50, help="projects per Prefect task")
    parser.add_argument("--dask-address", help="a running Dask scheduler (default: local cluster)")
    parser.add_argument("--profile", type=int, default=0, help="print the top N functions")
    return parser.parse_args()


def run_serial(frames: dict, settings: Settings, rules: object) -> tuple[list, dict[str, float]]:
    """Quality gates, then every project in this process: each stage timed on its own."""
    t1, c1 = time.perf_counter(), cpu_seconds()
    quality: QualityReport = run_quality_gates(frames, QualityContext(as_of=AS_OF), settings.checks)
    t_quality, c_quality = time.perf_counter() - t1, cpu_seconds() - c1
    peak_quality = peak_rss_mib()
    t2, c2 = time.perf_counter(), cpu_seconds()
    evaluations = evaluate_portfolio(frames, settings, rules, AS_OF, quality)
    t_eval, c_eval = time.perf_counter() - t2, cpu_seconds() - c2
    print(f"quality gates: {t_quality:.2f} s wall, {c_quality:.2f} s CPU ({len(quality.results)} "
          f"results, {len(quality.critical_failures)} critical failures; peak RSS after: "
          f"{peak_quality:.0f} MiB)")  # fmt: skip
    print(f"checks + decisions: {t_eval:.2f} s wall, {c_eval:.2f} s CPU, {len(evaluations)} "
          f"projects ({1000 * c_eval / max(len(evaluations), 1):.1f} ms CPU/project)")  # fmt: skip
    return evaluations, {"wall": t_quality + t_eval, "cpu": c_quality + c_eval}


def run_tasks(
    frames: dict, settings: Settings, rules: LifecycleRules, args: argparse.Namespace
) -> tuple[list, dict[str, float]]:
    """The product's path: `evaluate_projects` in a Prefect flow, shards as tasks.

    One Prefect server for the run, as in production, its address in PREFECT_API_URL before
    Prefect is imported (Prefect's threads read it from there): without it, every process
    and some of Prefect's own threads would start a temporary server of their own."""
    with prefect_server():
        return _run_tasks(frames, settings, rules, args)


def _run_tasks(
    frames: dict, settings: Settings, rules: LifecycleRules, args: argparse.Namespace
) -> tuple[list, dict[str, float]]:
    from flows.evaluation import evaluate_projects

    cluster = None
    address = args.dask_address
    if args.runner == "dask" and not address:
        from distributed import Client, LocalCluster

        cluster = LocalCluster(
            n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=None
        )
        address = cluster.scheduler_address
        with Client(cluster) as client:
            sampler = _RssSampler(list(client.run(os.getpid).values()))
    spec = {"task_runner": args.runner, "workers": args.workers, "shard_size": args.shard_size}
    if address:
        spec["dask_address"] = address
    settings = settings.model_copy(
        update={"evaluation": settings.evaluation.model_copy(update=spec)}
    )
    gates_cpu: list[float] = []

    def gates() -> QualityReport:
        start = time.thread_time()
        report = run_quality_gates(frames, QualityContext(as_of=AS_OF), settings.checks)
        gates_cpu.append(time.thread_time() - start)
        return report

    # Called outside a flow: Prefect sends the calling flow run's context (its flow object
    # and parameters) with every task, and a flow defined here would carry these frames.
    # The product's flows are module functions with small parameters (a config path).
    t1, own1, kids1 = time.perf_counter(), cpu_seconds(own=True), cpu_seconds(own=False)
    evaluations = evaluate_projects(frames, settings, rules, AS_OF, gates)
    timing = {
        "wall": time.perf_counter() - t1,
        "own": cpu_seconds(own=True) - own1,
        "kids": cpu_seconds(own=False) - kids1,
    }
    workers_cpu = timing["kids"]
    if cluster is not None:
        from distributed import Client

        with Client(cluster) as client:
            per_worker = client.run(_worker_usage)
        peaks = sampler.stop()
        cluster.close()
        workers_cpu = sum(u["cpu"] for u in per_worker.values())
        # sampled, not ru_maxrss: a spawned process inherits its parent's high-water mark
        print(f"Dask workers: {len(per_worker)}; peak RSS per worker (sampled every 0.2 s): "
              + ", ".join(f"{p:.0f} MiB" for p in peaks)
              + "; CPU per worker: " + ", ".join(f"{u['cpu']:.1f} s" for u in per_worker.values()))  # fmt: skip
    print(f"this process (shard cuts, task submission, quality gates incl. the GX import "
          f"{gates_cpu[0] if gates_cpu else 0:.1f} s, merge): {timing['own']:.2f} s CPU; "
          f"workers (risk checks, forecasts, decisions): {workers_cpu:.2f} s CPU "
          f"({1000 * workers_cpu / max(len(evaluations), 1):.1f} ms CPU/project)")  # fmt: skip
    return evaluations, {"wall": timing["wall"], "cpu": timing["own"] + workers_cpu}


@contextlib.contextmanager
def prefect_server() -> Iterator[str]:
    """A Prefect API server in a process of its own, as production has one: this process talks
    to it over HTTP and imports none of it (Prefect's `SubprocessASGIServer` is the same command
    but brings ~80 MiB of server modules into the process that starts it). Its URL is set in
    PREFECT_API_URL meanwhile; yields it."""
    import importlib.util

    import httpx

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    spec = importlib.util.find_spec("prefect")
    assert spec is not None and spec.origin is not None
    app_dir = str(Path(spec.origin).parent.parent)
    command = [
        sys.executable, "-m", "uvicorn", "--app-dir", app_dir,
        "--factory", "prefect.server.api.server:create_app",
        "--host", "127.0.0.1", "--port", str(port), "--log-level", "error", "--lifespan", "on",
    ]  # fmt: skip
    env = {**os.environ, "PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1"}
    server = subprocess.Popen(command, env=env)
    url = f"http://127.0.0.1:{port}/api"
    # in the environment, as production sets it: Prefect's threads (its event loop, the
    # process pool's message forwarder) read settings from there, not from a settings context
    before = os.environ.get("PREFECT_API_URL")
    os.environ["PREFECT_API_URL"] = url
    try:
        deadline = time.monotonic() + 180
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"Prefect server exited with {server.returncode}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{url}/health", timeout=5).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError("Prefect server did not answer within 180 s")
            time.sleep(0.2)
        yield url
    finally:
        if before is None:
            os.environ.pop("PREFECT_API_URL", None)
        else:
            os.environ["PREFECT_API_URL"] = before
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


class _RssSampler:
    """The largest RSS each process reached, sampled in a thread of this process."""

    def __init__(self, pids: list[int]) -> None:
        self.processes = [psutil.Process(pid) for pid in pids]
        self.peaks = [0] * len(pids)
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.done.wait(0.2):
            for i, process in enumerate(self.processes):
                with contextlib.suppress(psutil.Error):  # a worker that already stopped
                    self.peaks[i] = max(self.peaks[i], process.memory_info().rss)

    def stop(self) -> list[float]:
        self.done.set()
        self.thread.join()
        return sorted(p / 2**20 for p in self.peaks)


def _worker_usage() -> dict[str, float]:
    """Run in each Dask worker process: its peak RSS and CPU so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {"peak_mib": usage.ru_maxrss / 1024, "cpu": usage.ru_utime + usage.ru_stime}


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
    print(f"machine: {os.cpu_count()} cpus; runner: {args.runner}, workers: {args.workers}, "
          f"shard size: {args.shard_size}; trials: {args.trials}")  # fmt: skip
    print("rows: " + ", ".join(f"{k}={v:,}" for k, v in rows.items()))
    print(
        f"generate (not counted): {t_gen:.2f} s; peak RSS while generating: {rss_data:.0f} MiB, "
        f"RSS holding the frames: {rss_frames:.0f} MiB"
    )
    load_before = os.getloadavg()[0]
    if args.profile:
        profiler = cProfile.Profile()
        evaluations, total = profiler.runcall(run_serial, frames, settings, rules)
    elif args.runner == "serial":
        evaluations, total = run_serial(frames, settings, rules)
    else:
        evaluations, total = run_tasks(frames, settings, rules, args)
    decisions = [e.decision.value for e in evaluations]
    print(
        f"total (quality + checks + decisions): {total['wall']:.2f} s wall, "
        f"{total['cpu']:.2f} s CPU (this process + workers)"
    )
    print(
        f"load average before / after the run: {load_before:.1f} / {os.getloadavg()[0]:.1f} "
        "(2 cores: wall > CPU / cores when shared)"
    )
    peak = max(peak_rss_mib(), peak_rss_mib(children=True))
    print(f"peak RSS: {peak:.0f} MiB (largest single process: parent {peak_rss_mib():.0f}, "
          f"largest worker {peak_rss_mib(children=True):.0f}); RSS at the end: "
          f"{current_rss_mib():.0f} MiB")  # fmt: skip
    print("decisions: " + ", ".join(f"{d.value}={decisions.count(d.value)}" for d in Decision))
    if args.profile:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.profile)


if __name__ == "__main__":
    main()
