"""Graph emulator benchmark: a large Microsoft 365 tenant served page by page.

Builds a synthetic Graph tenant (Planner tasks, Shifts time cards, SharePoint list items),
loads it into `GraphState` (time and RSS), then measures requests per second two ways:
in-process through `sandbox.graph.handle` (routing, paging, filtering and JSON rendering,
no HTTP) and over HTTP against the sandbox server with one keep-alive client. Page costs
should not grow with the tenant: compare a run with `--scale 1` and `--scale 10`.

    uv run python benchmarks/sandbox_graph.py --scale 4 --requests 200
"""

from __future__ import annotations

import argparse
import resource
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

import httpx

from sandbox.graph import GraphState, handle
from sandbox.graph.http import GraphRequest
from sandbox.graph.paths import split_raw_path

SITE = "contoso.sharepoint.com,11111111-2222-3333-4444-555555555555,66666666-7777-8888-9999-000000000000"
START = datetime(2026, 1, 1, tzinfo=UTC)


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def build_graph(scale: int) -> dict[str, Any]:
    """scale 1: 10,000 tasks in 20 plans, 50,000 time cards, 25,000 list items."""
    plans = [
        {
            "id": f"plan-{p}",
            "title": f"Plan {p}",
            "owner": "group-1",
            "container": {"containerId": "group-1", "type": "group"},
        }
        for p in range(20)
    ]
    tasks = [
        {
            "id": f"t{n}",
            "planId": f"plan-{n % 20}",
            "title": f"Task {n}",
            "percentComplete": 0,
            "priority": 5,
            "createdDateTime": iso(START),
            "assignments": {},
        }
        for n in range(10_000 * scale)
    ]
    cards = [
        {
            "id": f"TCK_{n}",
            "userId": f"u{n % 500}",
            "state": "clockedOut",
            "clockInEvent": {"dateTime": iso(START + timedelta(minutes=10 * n))},
            "clockOutEvent": {"dateTime": iso(START + timedelta(minutes=10 * n + 480))},
            "breaks": [],
        }
        for n in range(50_000 * scale)
    ]
    items = [
        {
            "id": str(n),
            "createdDateTime": iso(START),
            "lastModifiedDateTime": iso(START),
            "fields": {"Title": f"Entry {n}", "Hours": 7.5, "Project": "ABC"},
        }
        for n in range(1, 25_000 * scale + 1)
    ]
    return {
        "users": [{"id": "u0", "mail": "u0@example.com", "displayName": "U0"}],
        "groups": [{"id": "group-1", "displayName": "G"}], "plans": plans, "buckets": [],
        "tasks": tasks, "teams": [{"id": "team-1", "channels": []}],
        "time_cards": {"team-1": cards},
        "sites": [{"id": SITE, "lists": [{"id": "list-1", "displayName": "Timesheets", "items": items}]}],
        "drives": [],
    }  # fmt: skip


class Core:
    """What GraphState needs from the sandbox core: a clock and an outbox."""

    def __init__(self) -> None:
        self.outbox: list[Any] = []

    def now(self) -> datetime:
        return START + timedelta(days=400)

    def publish(self, *args: Any) -> None:
        self.outbox.append(args)


def request(url: str) -> GraphRequest:
    parts = urlsplit(url)
    segments, raw_path = split_raw_path(parts.path)
    pairs = tuple(parse_qsl(parts.query))
    return GraphRequest("GET", segments, raw_path, pairs, {}, b"", "http://127.0.0.1:1/v1.0")


def operations(scale: int) -> dict[str, Callable[[int], str]]:
    """Paths (below /v1.0) per operation; `n` varies the page asked for."""
    site = quote(SITE, safe="")
    first_card = START + timedelta(days=30)
    return {
        "plan tasks, page of 100": lambda n: f"planner/plans/plan-{n % 20}/tasks?$top=100",
        "time cards, filtered page of 999": lambda n: (
            "teams/team-1/schedule/timeCards?$top=999&$filter=clockInEvent/dateTime%20ge%20"
            + iso(first_card + timedelta(days=n % (300 * scale)))
        ),
        "list items with fields, page of 200": lambda n: (
            f"sites/{site}/lists/list-1/items?$expand=fields"
        ),
        "one planner task": lambda n: f"planner/tasks/t{n * 37 % (10_000 * scale)}",
    }


def in_process(graph: GraphState, scale: int, count: int) -> list[dict[str, Any]]:
    rows = []
    for label, path in operations(scale).items():
        started = time.perf_counter()
        for n in range(count):
            response = handle(graph, request(f"/v1.0/{path(n)}"))
            if response.status != 200:
                raise SystemExit(f"{label}: {response.status} {response.content[:200]!r}")
        seconds = time.perf_counter() - started
        rows.append({"operation": label, "how": "in-process", "req_per_s": count / seconds})
    return rows


def over_http(tenant_graph: dict[str, Any], scale: int, count: int) -> list[dict[str, Any]]:
    from sandbox.server import start_sandbox
    from sandbox.tenant import graph_only_tenant

    doc = graph_only_tenant(
        tenant_graph,
        token="bench",  # noqa: S106 (the synthetic tenant's token)
        now=iso(START + timedelta(days=400)),
        time_zone="UTC",
    )
    rows = []
    with (
        start_sandbox(doc) as server,
        httpx.Client(headers={"Authorization": "Bearer bench"}) as http,
    ):
        base = server.info.graph_base_url
        for label, path in operations(scale).items():
            started = time.perf_counter()
            for n in range(count):
                response = http.get(f"{base}/{path(n)}")
                if response.status_code != 200:
                    raise SystemExit(f"{label}: HTTP {response.status_code} {response.text[:200]}")
            seconds = time.perf_counter() - started
            rows.append({"operation": label, "how": "HTTP", "req_per_s": count / seconds})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=1, help="1 = 10k tasks, 50k cards, 25k items")
    parser.add_argument("--requests", type=int, default=100, help="requests per operation")
    parser.add_argument("--no-http", action="store_true", help="only the in-process measure")
    args = parser.parse_args()
    started = time.perf_counter()
    tenant_graph = build_graph(args.scale)
    built = time.perf_counter() - started
    started = time.perf_counter()
    graph = GraphState(tenant_graph, Core())
    loaded = time.perf_counter() - started
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"scale {args.scale}: {len(graph.tasks):,} tasks, {len(graph.time_cards['team-1']):,} time"
        f" cards, {len(next(iter(graph.lists.values())).items):,} list items"
    )
    print(f"build {built:.2f} s, load into GraphState {loaded:.2f} s, peak RSS {rss:.0f} MiB")
    rows = in_process(graph, args.scale, args.requests)
    if not args.no_http:
        rows += over_http(tenant_graph, args.scale, args.requests)
    for row in rows:
        print(f"{row['how']:>10}  {row['operation']:<40} {row['req_per_s']:8.1f} req/s")


if __name__ == "__main__":
    main()
