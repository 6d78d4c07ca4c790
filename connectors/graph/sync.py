"""`sync_graph`: Planner, Shifts time cards and SharePoint timesheets into the warehouse.

Gather (async readers) -> map (pure) -> apply (one transaction per scope). Planner and
Shifts have no delta query in Graph v1.0, so they are read whole and an id census turns
what disappeared into tombstones; SharePoint lists are read with list-item `delta`, the
delta link stored as the list's watermark in the same transaction as its rows.

`progress`, when given, is called as ``progress(source, stream, rows)`` after each scope.
A scope that fails is reported in its source's summary (`errors`) and the others carry on;
the flow records every source in `sync_log` and fails the run when one failed. A delta link
that had to be replaced by a full read is a `warnings` entry.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pandas as pd
from kiota_abstractions.api_error import APIError

from config.settings import Settings
from connectors.graph import readers
from connectors.graph.client import GraphConnection, connect, run_blocking
from connectors.graph.errors import GraphConnectorError
from connectors.graph.mapping_time import (
    TimesheetColumns,
    WorkIndex,
)
from connectors.graph.people import PersonDirectory
from connectors.graph.scopes import (
    add_people,
    apply_list_round,
    apply_plan,
    apply_time_cards,
    census_plans,
    list_scope,
    work_index,
)
from connectors.store import Warehouse
from connectors.sync_types import SyncSummary

log = logging.getLogger(__name__)
Progress = Callable[[str, str, int], None]


@dataclass(frozen=True)
class ListRound:
    """A timesheet list's delta round with what its person columns point at."""

    cfg: dict[str, Any]
    round: readers.DeltaRound
    site_users: dict[str, Any]


@dataclass
class Gathered:
    plans: list[readers.PlanContents] = field(default_factory=list)
    cards: list[Any] = field(default_factory=list)
    cards_complete: bool = True
    rounds: list[ListRound] = field(default_factory=list)
    users: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)

    def fail(self, source: str, message: str) -> None:
        log.error("graph sync: %s", message)
        self.errors.setdefault(source, []).append(message)


def sync_graph(
    settings: Settings,
    warehouse: Warehouse,
    *,
    graph_url: str | None = None,
    token: str | None = None,
    progress: Progress | None = None,
    full: bool = False,
) -> list[SyncSummary]:
    """Sync every configured plan, team and timesheet list (blocking; runs its own loop)."""
    return run_blocking(
        sync_graph_async(
            settings, warehouse, graph_url=graph_url, token=token, progress=progress, full=full
        )
    )


async def sync_graph_async(
    settings: Settings,
    warehouse: Warehouse,
    *,
    graph_url: str | None = None,
    token: str | None = None,
    progress: Progress | None = None,
    full: bool = False,
) -> list[SyncSummary]:
    if not settings.graph.enabled:
        return []
    conn = connect(settings.graph, base_url=graph_url, token=token)
    try:
        gathered = await gather(conn, settings, warehouse, full)
    finally:
        await conn.aclose()
    summaries = apply_all(settings, warehouse, gathered, progress, full)
    for summary in summaries:
        service = {"planner": "planner", "shifts": "shifts", "sharepoint": "sharepoint"}.get(
            summary.source, "directory"
        )
        summary.requests = conn.counters.requests_by_service[service]
        summary.retries = conn.counters.retries_by_service[service]
    return summaries


# --- gather ----------------------------------------------------------------------------------


async def _guard(gathered: Gathered, source: str, work: Any) -> Any:
    """One scope's failure is reported in its summary; the other scopes carry on."""
    try:
        return await work
    except GraphConnectorError as exc:
        gathered.fail(source, str(exc))
    except APIError as exc:
        gathered.fail(source, f"{source}: Graph answered {exc.response_status_code}: {exc}")
    except httpx.TransportError as exc:
        gathered.fail(source, f"{source}: connection failed after retries ({type(exc).__name__})")
    return None


async def gather(
    conn: GraphConnection, settings: Settings, warehouse: Warehouse, full: bool
) -> Gathered:
    g = settings.graph
    out = Gathered()
    plans = await _guard(out, "planner", readers.read_plans(conn, g.groups, g.plans)) or []
    plan_jobs = [readers.read_plan(conn, p, details=g.read_task_details) for p in plans]
    card_jobs = [readers.read_time_cards(conn, team) for team in g.shifts_teams]
    site_users = readers.SiteUserCache()
    list_jobs = [
        _read_list(conn, warehouse, cfg, i, full, site_users)
        for i, cfg in enumerate(g.timesheet_lists)
    ]
    results = await asyncio.gather(
        asyncio.gather(*[_guard(out, "planner", j) for j in plan_jobs]),
        asyncio.gather(*[_guard(out, "shifts", j) for j in card_jobs]),
        asyncio.gather(*[_guard(out, "sharepoint", j) for j in list_jobs]),
    )
    out.plans = [p for p in results[0] if p is not None]
    out.cards = [c for team in results[1] if team is not None for c in team]
    out.cards_complete = all(team is not None for team in results[1])
    out.rounds = [r for r in results[2] if r is not None]
    user_ids = {a.user_id for p in out.plans for t in p.tasks for a in t.assignments}
    user_ids |= {p.plan.created_by for p in out.plans if p.plan.created_by}
    user_ids |= {c.user_id for c in out.cards if c.user_id}
    out.users = await _guard(out, "directory", readers.read_users(conn, user_ids)) or {}
    return out


async def _read_list(
    conn: GraphConnection,
    warehouse: Warehouse,
    cfg: dict[str, Any],
    index: int,
    full: bool,
    site_users: readers.SiteUserCache,
) -> ListRound:
    site, name = list_scope(cfg, index)
    columns = TimesheetColumns.from_config(cfg.get("columns"), f"graph.timesheet_lists[{index}]")
    try:
        list_id = await readers.resolve_list_id(conn, site, name)
    except GraphConnectorError as exc:  # name the configured list, not only Graph's words
        raise GraphConnectorError(
            f"graph.timesheet_lists[{index}] (list {name!r} of site {site}): {exc}",
            status=exc.status,
        ) from None
    mark = (
        None if full else warehouse.get_watermark("sharepoint", "list_items", f"{site}|{list_id}")
    )
    delta_round = await readers.read_list_delta(conn, site, list_id, (mark or {}).get("delta_link"))
    users = {}
    if readers.needs_site_users(delta_round.items, columns.person):
        users = await site_users.get(conn, site)
    return ListRound({**cfg, "index": index}, delta_round, users)


# --- apply -----------------------------------------------------------------------------------


def directory_for(
    settings: Settings, warehouse: Warehouse, users: dict[str, Any]
) -> PersonDirectory:
    people = warehouse.read("people")
    zones = {
        pid: (None if pd.isna(tz) else str(tz))
        for pid, tz in zip(people["person_id"], people["time_zone"], strict=True)
    }
    return PersonDirectory.build(
        users.values(), settings.graph.email_aliases, zones, settings.time_zone
    )


def apply_all(
    settings: Settings,
    warehouse: Warehouse,
    gathered: Gathered,
    progress: Progress | None,
    full: bool,
) -> list[SyncSummary]:
    people = directory_for(settings, warehouse, gathered.users)
    summaries = {s: SyncSummary(s, "*", full=full) for s in ("planner", "shifts", "sharepoint")}
    summaries["directory"] = SyncSummary("graph", "users", full=full)
    summaries["directory"].stream("users").add(fetched=len(gathered.users))
    for source, messages in gathered.errors.items():
        summaries[source].errors.extend(messages)
    if gathered.errors.get("directory"):
        # without the directory every person would map to nobody: keep the last good rows
        for source in ("planner", "shifts"):
            summaries[source].errors.append(f"{source}: not applied, the user directory failed")
        gathered.plans, gathered.cards = [], []
        gathered.cards_complete = False
    for contents in gathered.plans:
        apply_plan(settings, warehouse, contents, people, summaries["planner"])
        _report(progress, "planner", "tasks", len(contents.tasks))
    if settings.graph.shifts_teams:
        apply_time_cards(
            warehouse, gathered.cards, gathered.cards_complete, people, summaries["shifts"]
        )
        _report(progress, "shifts", "time_cards", len(gathered.cards))
    index = work_index(warehouse) if gathered.rounds else WorkIndex({}, {})
    for found in gathered.rounds:
        apply_list_round(
            warehouse,
            found.cfg,
            found.round,
            people,
            index,
            summaries["sharepoint"],
            site_users=found.site_users,
            max_hours=settings.graph.max_row_hours,
        )
        _report(progress, "sharepoint", "timesheets", len(found.round.items))
    if not any(gathered.errors.get(s) for s in ("planner", "directory")):
        census_plans(warehouse, gathered.plans, summaries["planner"])
    add_people(warehouse, gathered.users, people)
    return list(summaries.values())


def _report(progress: Progress | None, source: str, stream: str, rows: int) -> None:
    if progress is not None:
        progress(source, stream, rows)
