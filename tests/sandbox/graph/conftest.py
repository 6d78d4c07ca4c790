"""Fixtures for the Graph emulator: a small tenant, an in-process app and a live server.

`graph_tenant()` is deterministic and sized so that every paged collection has several pages
(230 Planner tasks, 120 time cards, 250 list items).
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import uvicorn
from kiota_abstractions.base_request_configuration import RequestConfiguration
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.testclient import TestClient

from sandbox.graph import GraphState, routes, webhook_routes
from sandbox.tenant import graph_only_tenant

NOW = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)
TOKEN = "graph-test-token"
SITE = "contoso.sharepoint.com,11111111-2222-3333-4444-555555555555,66666666-7777-8888-9999-000000000000"
CHANNEL = "19:abc123@thread.tacv2"
USERS = [
    {"id": f"0000000{n}-aaaa-bbbb-cccc-dddddddddddd", "mail": f"user{n}@example.com",
     "displayName": f"User {n}", "userPrincipalName": f"user{n}@example.onmicrosoft.com"}
    for n in range(1, 4)
]  # fmt: skip


def card_message(card: dict[str, Any]) -> dict[str, Any]:
    """A Teams Workflows webhook body carrying one Adaptive Card."""
    return {
        "type": "message",
        "attachments": [
            {"contentType": "application/vnd.microsoft.card.adaptive", "content": card}
        ],
    }


async def every_item(builder: Any, query: Any = None) -> list[Any]:
    """Every item of a paged Graph collection, read with the SDK by following its next links."""
    page = await builder.get(RequestConfiguration(query_parameters=query) if query else None)
    items = list(page.value)
    while page.odata_next_link:
        page = await builder.with_url(page.odata_next_link).get()
        items += page.value
    return items


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _task(n: int, plan: str, bucket: str) -> dict[str, Any]:
    user = USERS[n % len(USERS)]["id"]
    return {
        "id": f"task-{plan}-{n:04d}", "planId": plan, "bucketId": bucket, "title": f"Task {n}",
        "orderHint": "8585269235419181250", "assigneePriority": "", "percentComplete": n % 3 * 50,
        "priority": 5, "startDateTime": None, "dueDateTime": _iso(NOW + timedelta(days=n % 20)),
        "createdDateTime": _iso(NOW - timedelta(days=40)), "completedDateTime": None,
        "completedBy": None, "hasDescription": False, "previewType": "automatic",
        "referenceCount": 0, "checklistItemCount": 0, "activeChecklistItemCount": 0,
        "conversationThreadId": None, "createdBy": {"user": {"id": user, "displayName": None}},
        "appliedCategories": {"category1": True},
        "assignments": {user: {"@odata.type": "#microsoft.graph.plannerAssignment",
                               "assignedBy": {"user": {"id": user, "displayName": None}},
                               "assignedDateTime": _iso(NOW - timedelta(days=30)),
                               "orderHint": "8585269235419181250"}},
    }  # fmt: skip


def _time_card(n: int) -> dict[str, Any]:
    clock_in = NOW - timedelta(days=60) + timedelta(hours=12 * n)
    event = {"isAtApprovedLocation": True, "notes": None}
    return {
        "id": f"TCK_{n:04d}", "userId": USERS[n % 3]["id"], "state": "clockedOut",
        "confirmedBy": "none", "notes": None,
        "createdDateTime": _iso(clock_in), "lastModifiedDateTime": _iso(clock_in),
        "createdBy": {"user": {"id": USERS[n % 3]["id"], "displayName": None}},
        "lastModifiedBy": {"user": {"id": USERS[n % 3]["id"], "displayName": None}},
        "clockInEvent": {**event, "dateTime": _iso(clock_in)},
        "clockOutEvent": {**event, "dateTime": _iso(clock_in + timedelta(hours=8))},
        "breaks": [], "originalEntry": None,
    }  # fmt: skip


def _list_item(n: int) -> dict[str, Any]:
    day = NOW - timedelta(days=n % 30)
    return {
        "id": str(n), "createdDateTime": _iso(day), "lastModifiedDateTime": _iso(day),
        "fields": {"Title": f"Entry {n}", "Person": USERS[n % 3]["mail"],
                   "WorkDate": day.strftime("%Y-%m-%d"), "Hours": 7.5, "Project": "ABC",
                   "Task": f"ABC-{n % 40 + 1}"},
    }  # fmt: skip


def graph_tenant(tasks_in_plan_1: int = 230, list_items: int = 250) -> dict[str, Any]:
    """A whole tenant document (Jira part empty) whose `graph` part exercises every route."""
    buckets = ("bucket-2", "bucket-1")
    tasks = [_task(n, "plan-1", buckets[n % 2]) for n in range(tasks_in_plan_1)]
    tasks += [_task(n, "plan-2", "bucket-3") for n in range(3)]
    graph = {
        "users": USERS,
        "groups": [{"id": "group-1", "displayName": "ABC project"}],
        "plans": [
            {"id": plan, "title": f"Plan {plan}", "owner": "group-1",
             "createdDateTime": _iso(NOW - timedelta(days=50)),
             "createdBy": {"user": {"id": USERS[0]["id"], "displayName": None}},
             "container": {"containerId": "group-1", "type": "group",
                           "url": "https://graph.microsoft.com/v1.0/groups/group-1"}}
            for plan in ("plan-1", "plan-2")
        ],
        "buckets": [
            {"id": "bucket-1", "name": "To do", "planId": "plan-1", "orderHint": "85752"},
            {"id": "bucket-2", "name": "Doing", "planId": "plan-1", "orderHint": "85751"},
            {"id": "bucket-3", "name": "Backlog", "planId": "plan-2", "orderHint": "85750"},
        ],
        "tasks": tasks,
        "task_details": {"task-plan-1-0000": {"description": "Kick-off <b>notes</b>",
                                              "previewType": "description",
                                              "references": {}, "checklist": {}}},
        "teams": [{"id": "team-1", "displayName": "PMO",
                   "channels": [{"id": CHANNEL, "displayName": "PMO"}]}],
        "time_cards": {"team-1": [_time_card(n) for n in range(120)]},
        "sites": [{"id": SITE, "name": "PMO", "displayName": "PMO",
                   "lists": [{"id": "list-1", "displayName": "Timesheets", "name": "Timesheets",
                              "items": [_list_item(n) for n in range(1, list_items + 1)]},
                             {"id": "uil-1", "displayName": "User Information List",
                              "name": "users", "list": {"hidden": True},
                              "items": [{"id": "13", "fields": {
                                  "Title": "Brad Cleaver", "EMail": "",
                                  "UserName": "bradc@contoso.com"}}]}]}],
        "drives": [{"id": "drive-1", "name": "Documents", "site": SITE}],
    }  # fmt: skip
    return graph_only_tenant(graph, token=TOKEN, now=NOW.isoformat())


class Outbox:
    """The core's outbox contract (`add(service=, kind=, target=, payload=)`), in memory."""

    def __init__(self) -> None:
        self.entries: list[dict[str, Any]] = []

    def add(self, *, service: str, kind: str, target: str, payload: Any) -> dict[str, Any]:
        entry = {"seq": len(self.entries) + 1, "service": service, "kind": kind,
                 "target": target, "payload": payload}  # fmt: skip
        self.entries.append(entry)
        return entry


class LocalCore:
    """Stands in for the sandbox core (clock, outbox, `graph`) until tests run on the runner."""

    def __init__(self, tenant: dict[str, Any]) -> None:
        self.outbox = Outbox()
        self.clock = NOW
        self.graph = GraphState(tenant["graph"], self)

    def now(self) -> datetime:
        return self.clock


def graph_app(core: LocalCore) -> Starlette:
    return Starlette(routes=[Mount("/v1.0", routes=routes(core)), *webhook_routes(core)])


@pytest.fixture
def core() -> LocalCore:
    return LocalCore(graph_tenant())


@pytest.fixture
def client(core: LocalCore) -> Iterator[TestClient]:
    with TestClient(graph_app(core), base_url="http://127.0.0.1:8081") as test_client:
        yield test_client


@contextmanager
def live_server(app: Starlette) -> Iterator[str]:
    """Serve `app` with uvicorn on a free loopback port in a thread; yields the base URL."""
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=lambda: asyncio.run(server.serve()), daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the test server did not start within 10 s")
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
