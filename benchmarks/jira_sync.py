"""Jira sync benchmark: ours vs the naive use of the `jira` library, full and incremental
request counts, and peak memory. Requests are counted by the sandbox, not estimated.

    uv run python benchmarks/jira_sync.py compare --issues 5000 --worklogs 50000 --latency-ms 50
    uv run python benchmarks/jira_sync.py full --issues 20000 --worklogs 200000
    uv run python benchmarks/jira_sync.py rss --issues 100000 --worklogs 1000000

`compare`: our full sync, then the naive loop (`search_issues` then `worklogs(issue)` per
issue), both against the same sandbox with the given latency; prints times, requests, ratios.
By default the sandbox runs in its own process (`pmo sandbox serve`), as a real Jira is
another machine: in-process, its Python request handling shares the client's GIL and is
billed to whichever client is running. `--sandbox in-process` keeps the old set-up.
`full`: our full sync, then 1 % churn (work logged on 1 % of the issues through the REST API,
which adds a worklog and moves the issue's `updated`, as in Jira) and the incremental sync
(metadata inside `jira.metadata_refresh_hours`), then once more with the metadata due.
`rss`: our full sync in a child process; prints its peak RSS.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np

from config.settings import JiraSettings, Settings
from connectors.jira.client import build_jira
from connectors.jira.sync import run_jira_sync
from connectors.store import Warehouse
from sandbox.faults import FaultRule
from sandbox.gen.api import generate_tenant
from sandbox.server import SandboxInfo, SandboxServer, start_sandbox
from sandbox.tenant import save_tenant


class _Sandbox:
    """What the benchmark needs from a sandbox, wherever it runs: its URLs and counters."""

    def __init__(self, info: SandboxInfo, server: SandboxServer | None = None) -> None:
        self.info = info
        self.server = server

    def reset_stats(self) -> None:
        if self.server:
            self.server.app.stats.reset()
        else:
            httpx.delete(f"{self.info.control_url}/stats").raise_for_status()

    def stats(self) -> dict[str, Any]:
        if self.server:
            return self.server.app.stats.snapshot()
        return httpx.get(f"{self.info.control_url}/stats").json()


@contextmanager
def _serve(doc: dict[str, Any], latency_ms: float, where: str) -> Iterator[_Sandbox]:
    if where == "in-process":
        with start_sandbox(doc, faults=_latency(latency_ms)) as server:
            yield _Sandbox(server.info, server)
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        save_tenant(doc, folder / "tenant.json")
        rules = [{"route": "/rest/*", "kind": "latency", "latency_ms": latency_ms}]
        (folder / "faults.json").write_text(json.dumps(rules if latency_ms else []))
        command = [str(Path(sys.executable).with_name("pmo")), "sandbox", "serve"]
        command += [
            "--tenant",
            str(folder / "tenant.json"),
            "--faults",
            str(folder / "faults.json"),
        ]
        process = subprocess.Popen(
            [*command, "--info", str(folder / "info.json")],
            cwd=Path(__file__).resolve().parents[1],
            stdout=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 120
            while not (folder / "info.json").exists():
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the sandbox process did not start (exit {process.poll()})")
                time.sleep(0.1)
            time.sleep(0.2)  # the info file is written just before the server accepts
            info = SandboxInfo(**json.loads((folder / "info.json").read_text()))
            yield _Sandbox(info)
        finally:
            process.terminate()
            process.wait(timeout=30)


def _ours(
    sandbox: _Sandbox, database: Path, full: bool = True, refresh_hours: float = 24
) -> dict[str, Any]:
    settings = Settings(jira=JiraSettings(concurrency=4, metadata_refresh_hours=refresh_hours))
    warehouse = Warehouse(f"sqlite:///{database}")
    warehouse.migrate()
    sandbox.reset_stats()
    started = time.perf_counter()
    run_jira_sync(settings, warehouse, build_jira(settings, sandbox.info), full=full)
    seconds = time.perf_counter() - started
    snap = sandbox.stats()
    return {
        "seconds": round(seconds, 2),
        "requests": snap["total"],
        "tasks": warehouse.count("tasks"),
        "time_entries": warehouse.count("time_entries"),
        "by_route": {r.split(" ", 1)[1]: sum(c.values()) for r, c in snap["routes"].items()},
    }


def _naive(sandbox: _Sandbox, projects: list[str]) -> dict[str, Any]:
    """What most scripts do: search every issue, then ask each issue for its worklogs."""
    from jira import JIRA

    sandbox.reset_stats()
    started = time.perf_counter()
    client = JIRA(
        sandbox.info.jira_url, basic_auth=(sandbox.info.jira_email, sandbox.info.jira_api_token)
    )
    worklogs = 0
    for key in projects:
        for issue in client.search_issues(f"project = {key}", maxResults=False):
            worklogs += len(client.worklogs(issue.key))
    seconds = time.perf_counter() - started
    return {
        "seconds": round(seconds, 2),
        "requests": sandbox.stats()["total"],
        "worklogs": worklogs,
    }


def _latency(ms: float) -> list[FaultRule]:
    return [FaultRule(route="/rest/*", kind="latency", latency_ms=ms)] if ms else []


def compare(args: argparse.Namespace) -> None:
    doc, _ = generate_tenant(args.seed, args.issues, worklogs=args.worklogs)
    projects = [p["key"] for p in doc["jira"]["projects"]]
    print(f"sandbox: {args.sandbox}, latency {args.latency_ms} ms", flush=True)
    with (
        tempfile.TemporaryDirectory() as tmp,
        _serve(doc, args.latency_ms, args.sandbox) as sandbox,
    ):
        ours = _ours(sandbox, Path(tmp) / "ours.db")
        print("ours ", ours, flush=True)
        naive = _naive(sandbox, projects)
        print("naive", naive, flush=True)
    print(
        f"speed-up {naive['seconds'] / ours['seconds']:.1f}x, "
        f"fewer requests {naive['requests'] / ours['requests']:.1f}x"
    )


def _churn(sandbox: _Sandbox, keys: list[str], share: float, seed: int) -> tuple[int, int]:
    """Log work on `share` of the issues through the REST API, as people do in Jira: each
    write adds a worklog and moves its issue's `updated` (the sandbox does what Jira does)."""
    rng = np.random.default_rng(seed)
    chosen = rng.choice(len(keys), max(1, int(len(keys) * share)), replace=False)
    auth = (sandbox.info.jira_email, sandbox.info.jira_api_token)
    base = f"{sandbox.info.jira_url}/rest/api/2/issue"
    started = time.strftime("%Y-%m-%dT%H:%M:%S.000+0000", time.gmtime(time.time() - 86400))
    with httpx.Client(auth=auth, timeout=30) as client:
        for i in sorted(chosen):
            body = {"started": started, "timeSpentSeconds": 1800, "comment": "churn"}
            client.post(f"{base}/{keys[i]}/worklog", json=body).raise_for_status()
    return len(chosen), len(chosen)


def _keys(server: SandboxServer) -> list[str]:
    issues = server.state.issues
    return [issues.record(pos)["key"] for pos in range(len(issues))]


def full(args: argparse.Namespace) -> None:
    doc, _ = generate_tenant(args.seed, args.issues, worklogs=args.worklogs)
    with (
        tempfile.TemporaryDirectory() as tmp,
        start_sandbox(doc, faults=_latency(args.latency_ms)) as server,
    ):
        sandbox = _Sandbox(server.info, server)  # in-process: the churn edits its state
        first = _ours(sandbox, Path(tmp) / "ours.db")
        print("full       ", first, flush=True)
        touched = _churn(sandbox, _keys(server), args.churn, args.seed)
        with server.state.lock:  # two minutes pass: `worklog/updated` leaves out the last one
            server.state.tenant_now += timedelta(seconds=120)
        second = _ours(sandbox, Path(tmp) / "ours.db", full=False)
        print("incremental", second, "after touching (issues, worklogs)", touched, flush=True)
        # the once-per-interval cost: the same incremental run with its metadata due
        due = _ours(sandbox, Path(tmp) / "ours.db", full=False, refresh_hours=0)
        print("incremental, metadata due (no further churn)", due, flush=True)
    print(
        f"incremental requests = {100 * second['requests'] / first['requests']:.2f} % of the full sync's"
    )
    print(f"incremental with metadata due = {100 * due['requests'] / first['requests']:.2f} %")


def _child(url: str, email: str, token: str, database: str) -> None:
    settings = Settings(jira=JiraSettings(concurrency=4))
    warehouse = Warehouse(f"sqlite:///{database}")
    warehouse.migrate()
    info = {"jira_url": url, "jira_email": email, "jira_api_token": token, "jira_pat": ""}
    run_jira_sync(settings, warehouse, build_jira(settings, info))


def rss(args: argparse.Namespace) -> None:
    doc, _ = generate_tenant(args.seed, args.issues, worklogs=args.worklogs)
    with tempfile.TemporaryDirectory() as tmp, start_sandbox(doc) as server:
        started = time.perf_counter()
        child = multiprocessing.get_context("spawn").Process(
            target=_child,
            args=(
                server.info.jira_url,
                server.info.jira_email,
                server.info.jira_api_token,
                str(Path(tmp) / "rss.db"),
            ),
        )
        child.start()
        child.join()
        seconds = time.perf_counter() - started
        requests_made = server.app.stats.snapshot()["total"]
        warehouse = Warehouse(f"sqlite:///{Path(tmp) / 'rss.db'}")
        loaded = {t: warehouse.count(t) for t in ("tasks", "time_entries", "status_changes")}
        warehouse.dispose()
    peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        f"sync process peak RSS {peak_mib:.0f} MiB, {seconds:.0f} s, {requests_made} requests, "
        f"exit {child.exitcode}, loaded {loaded}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("mode", choices=["compare", "full", "rss"])
    parser.add_argument("--issues", type=int, default=5000)
    parser.add_argument("--worklogs", type=int, default=50000)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--churn", type=float, default=0.01)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--sandbox",
        choices=["process", "in-process"],
        default="process",
        help="compare: serve the sandbox from its own process (default) or this one",
    )
    args = parser.parse_args()
    {"compare": compare, "full": full, "rss": rss}[args.mode](args)


if __name__ == "__main__":
    main()
