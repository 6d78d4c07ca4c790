"""Benchmark: a full Microsoft 365 sync of a large synthetic tenant through the sandbox.

Synthesises a tenant (the generator's scale mode covers Jira only) of P plans x T tasks with
task details, C time cards over several teams and one SharePoint timesheet list, serves it
from a sandbox in a child process with a fixed latency on every Graph request, and runs
`sync_graph` into a fresh SQLite warehouse twice: task details through `$batch` (20 per
request) and one request per task. Prints requests (counted by the client and by the
sandbox), wall time and rows.

    uv run python benchmarks/graph_sync.py                      # 200 plans, 20k tasks, 50k cards
    uv run python benchmarks/graph_sync.py --plans 20 --cards 5000 --modes batch
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psutil

from sandbox.tenant import graph_only_tenant

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SITE = "contoso.sharepoint.com,00000000-0000-0000-0000-000000000001,00000000-0000-0000-0000-000000000002"
TOKEN = "bench-token"  # noqa: S105 (the synthetic sandbox tenant's token, not a secret)
T0 = datetime(2026, 6, 1, 6, tzinfo=UTC)


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def users(n: int) -> list[dict[str, Any]]:
    return [
        {
            "id": f"user-{i:04d}",
            "mail": f"person{i}@example.com",
            "displayName": f"Person {i}",
            "userPrincipalName": f"person{i}@example.com",
        }
        for i in range(n)
    ]


def planner(plans: int, per_plan: int, people: int) -> dict[str, Any]:
    out: dict[str, Any] = {"plans": [], "buckets": [], "tasks": [], "task_details": {}}
    for p in range(plans):
        plan_id = f"plan-{p:04d}"
        out["plans"].append(
            {
                "id": plan_id,
                "title": f"Plan {p}",
                "owner": "group-1",
                "container": {"containerId": "group-1", "type": "group"},
                "createdBy": {"user": {"id": f"user-{p % people:04d}"}},
                "createdDateTime": iso(T0),
            }
        )
        buckets = [f"{plan_id}-b{b}" for b in range(3)]
        out["buckets"] += [
            {"id": b, "planId": plan_id, "name": name, "orderHint": str(i)}
            for i, (b, name) in enumerate(
                zip(buckets, ("Planning", "Execution", "UAT"), strict=True)
            )
        ]
        for t in range(per_plan):
            task_id = f"{plan_id}-t{t:04d}"
            out["tasks"].append(
                {
                    "id": task_id,
                    "planId": plan_id,
                    "bucketId": buckets[t % 3],
                    "title": f"Task {t}",
                    "percentComplete": (0, 50, 100)[t % 3],
                    "priority": t % 11,
                    "startDateTime": iso(T0),
                    "dueDateTime": iso(T0 + timedelta(days=30 + t % 90)),
                    "createdDateTime": iso(T0),
                    "appliedCategories": {},
                    "assignments": {
                        f"user-{(p + t) % people:04d}": {
                            "@odata.type": "#microsoft.graph.plannerAssignment",
                            "assignedDateTime": iso(T0),
                        }
                    },
                }
            )
            out["task_details"][task_id] = {
                "id": task_id,
                "description": "",
                "references": {},
                "checklist": {"c1": {"isChecked": t % 2 == 0, "title": "step"}},
            }
    return out


def time_cards(count: int, teams: int, people: int) -> dict[str, list[dict[str, Any]]]:
    cards: dict[str, list[dict[str, Any]]] = {f"team-{k}": [] for k in range(teams)}
    for i in range(count):
        start = T0 + timedelta(days=i // people % 170, hours=i % 5)
        event = lambda at: {"dateTime": iso(at), "isAtApprovedLocation": True, "notes": None}  # noqa: E731
        cards[f"team-{i % teams}"].append(
            {
                "id": f"TCK_{i:06d}",
                "userId": f"user-{i % people:04d}",
                "state": "clockedOut",
                "confirmedBy": "manager",
                "clockInEvent": event(start),
                "clockOutEvent": event(start + timedelta(hours=8)),
                "breaks": [
                    {
                        "breakId": f"BRK_{i}",
                        "start": event(start + timedelta(hours=4)),
                        "end": event(start + timedelta(hours=4, minutes=30)),
                    }
                ],
                "lastModifiedDateTime": iso(start + timedelta(hours=8)),
            }
        )
    return cards


def list_items(count: int, people: int) -> list[dict[str, Any]]:
    return [
        {
            "id": str(i + 1),
            "createdDateTime": iso(T0),
            "lastModifiedDateTime": iso(T0),
            "fields": {
                "Person": f"person{i % people}@example.com",
                "WorkDate": (T0 + timedelta(days=i % 170)).date().isoformat(),
                "Hours": 1 + i % 8,
                "Project": "ABC",
                "Task": f"ABC-{i % 50}",
            },
        }
        for i in range(count)
    ]


def tenant(args: argparse.Namespace) -> dict[str, Any]:
    graph = planner(args.plans, args.tasks // args.plans, args.people)
    graph |= {
        "users": users(args.people),
        "groups": [{"id": "group-1", "displayName": "PMO"}],
        "teams": [
            {"id": f"team-{k}", "displayName": f"Team {k}", "channels": []}
            for k in range(args.teams)
        ],
        "time_cards": time_cards(args.cards, args.teams, args.people),
        "sites": [
            {
                "id": SITE,
                "name": "PMO",
                "lists": [
                    {
                        "id": "timesheets",
                        "displayName": "Timesheets",
                        "items": list_items(args.list_items, args.people),
                    }
                ],
            }
        ],
        "drives": [],
    }
    return graph_only_tenant(graph, token=TOKEN, scale="graph-bench")


def serve(path: str, latency_ms: float, queue: Any) -> None:
    """Child process: serve the tenant until terminated (its CPU is not the client's)."""
    from sandbox.faults import FaultRule
    from sandbox.server import start_sandbox

    rules = (
        [FaultRule(route="/v1.0/*", kind="latency", latency_ms=latency_ms)] if latency_ms else []
    )
    with start_sandbox(Path(path), faults=rules) as server:
        queue.put(server.info.graph_base_url)
        while True:
            time.sleep(3600)


def control(base: str, method: str, path: str) -> dict[str, Any]:
    import httpx

    root = base.rsplit("/v1.0", 1)[0]
    reply = httpx.request(method, f"{root}/_sandbox/{path}", timeout=30)
    return reply.json() if reply.content else {}


def run(mode: str, graph_url: str, args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    from config.settings import Settings
    from connectors.graph import readers
    from connectors.graph.sync import sync_graph
    from connectors.store import Warehouse

    settings = Settings.model_validate(
        {
            "time_zone": "Europe/Berlin",
            "graph": {
                "plans": [f"plan-{p:04d}" for p in range(args.plans)],
                "shifts_teams": [f"team-{k}" for k in range(args.teams)],
                "timesheet_lists": [{"site": SITE, "list": "Timesheets"}],
                "read_task_details": True,
                "concurrency": args.concurrency,
            },
        }
    )
    warehouse = Warehouse(f"sqlite:///{workdir / f'{mode}.db'}")
    warehouse.migrate()
    original = readers.read_plan

    async def read_plan(conn: Any, plan: Any, *, details: bool, use_batch: bool = True) -> Any:
        return await original(conn, plan, details=details, use_batch=mode == "batch")

    readers.read_plan = read_plan  # the benchmark's switch between the two detail readers
    control(graph_url, "DELETE", "stats")
    started, cpu_started = time.perf_counter(), time.process_time()
    try:
        summaries = sync_graph(settings, warehouse, graph_url=graph_url, token=TOKEN)
    finally:
        readers.read_plan = original
    seconds = time.perf_counter() - started
    client_cpu = time.process_time() - cpu_started  # steadier than wall time on a shared machine
    stats = control(graph_url, "GET", "stats")
    streams = {f"{s.source}.{k}": v.fetched for s in summaries for k, v in s.streams.items()}
    return {
        "mode": mode,
        "seconds": round(seconds, 1),
        "client_cpu_s": round(client_cpu, 1),
        "load_avg_1m": round(os.getloadavg()[0], 1),
        "client_requests": sum(s.requests for s in summaries),
        "sandbox_requests": stats["total"],
        "batch_requests": sum(stats["routes"].get("POST /v1.0/$batch", {}).values()),
        "errors": [e for s in summaries for e in s.errors],
        "rows": streams,
        "tasks": warehouse.count("tasks"),
        "time_entries": warehouse.count("time_entries"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--plans", type=int, default=200)
    parser.add_argument("--tasks", type=int, default=20_000, help="total Planner tasks")
    parser.add_argument("--cards", type=int, default=50_000, help="total Shifts time cards")
    parser.add_argument("--teams", type=int, default=10)
    parser.add_argument("--list-items", type=int, default=5_000)
    parser.add_argument("--people", type=int, default=60)
    parser.add_argument("--latency-ms", type=float, default=50)
    parser.add_argument(
        "--concurrency", type=int, default=16, help="graph.concurrency (per service)"
    )
    parser.add_argument(
        "--modes", default="batch,single", help="batch and/or single (details per task)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        path = workdir / "tenant.json"
        started = time.perf_counter()
        path.write_text(json.dumps(tenant(args)))
        print(
            f"tenant: {args.plans} plans, {args.tasks} tasks, {args.cards} time cards, "
            f"{args.list_items} list items ({time.perf_counter() - started:.1f} s to write)"
        )
        queue: Any = mp.get_context("spawn").Queue()
        child = mp.get_context("spawn").Process(
            target=serve, args=(str(path), args.latency_ms, queue), daemon=True
        )
        child.start()
        try:
            graph_url = queue.get(timeout=300)
            for mode in args.modes.split(","):
                server = psutil.Process(child.pid)
                before = sum(server.cpu_times()[:2])
                result = run(mode.strip(), graph_url, args, workdir)
                result["sandbox_cpu_s"] = round(sum(server.cpu_times()[:2]) - before, 1)
                print(json.dumps(result), flush=True)
        finally:
            child.terminate()
            child.join(10)


if __name__ == "__main__":
    main()
