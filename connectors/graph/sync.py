"""`sync_graph`: Planner, Shifts time cards and SharePoint timesheets into the warehouse.

Gather (async readers) -> map (pure) -> apply (one transaction per scope). Planner and
Shifts have no delta query in Graph v1.0, so they are read whole and an id census turns
what disappeared into tombstones; SharePoint lists are read with list-item `delta`, the
delta link stored as the list's watermark in the same transaction as its rows.

`progress`, when given, is called as ``progress(source, stream, rows)`` after each scope.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from config.settings import Settings
from connectors.graph import readers
from connectors.graph.apply import (
    insert_new_people,
    live_ids_with_prefix,
    tombstone_missing,
    write_rows,
)
from connectors.graph.client import GraphConnection, connect
from connectors.graph.errors import GraphConnectorError
from connectors.graph.mapping import map_buckets, map_plan, map_tasks, project_id
from connectors.graph.mapping_time import (
    TimesheetColumns,
    WorkIndex,
    map_time_cards,
    map_timesheet_items,
)
from connectors.graph.people import PersonDirectory
from connectors.store import Warehouse, utcnow
from connectors.sync_types import SyncSummary

log = logging.getLogger(__name__)
Progress = Callable[[str, str, int], None]


@dataclass
class Gathered:
    plans: list[readers.PlanContents] = field(default_factory=list)
    cards: list[Any] = field(default_factory=list)
    cards_complete: bool = True
    rounds: list[tuple[dict[str, Any], readers.DeltaRound]] = field(default_factory=list)
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
    return asyncio.run(
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
    try:
        return await work
    except GraphConnectorError as exc:
        gathered.fail(source, str(exc))
        return None


async def gather(
    conn: GraphConnection, settings: Settings, warehouse: Warehouse, full: bool
) -> Gathered:
    g = settings.graph
    out = Gathered()
    plans = await _guard(out, "planner", readers.read_plans(conn, g.groups, g.plans)) or []
    plan_jobs = [readers.read_plan(conn, p, details=g.read_task_details) for p in plans]
    card_jobs = [readers.read_time_cards(conn, team) for team in g.shifts_teams]
    list_jobs = [
        _read_list(conn, warehouse, cfg, i, full) for i, cfg in enumerate(g.timesheet_lists)
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


def list_scope(cfg: dict[str, Any], index: int) -> tuple[str, str]:
    site, name = cfg.get("site"), cfg.get("list")
    if not site or not name:
        raise GraphConnectorError(f"graph.timesheet_lists[{index}] needs 'site' and 'list'")
    return str(site), str(name)


async def _read_list(
    conn: GraphConnection, warehouse: Warehouse, cfg: dict[str, Any], index: int, full: bool
) -> tuple[dict[str, Any], readers.DeltaRound]:
    site, name = list_scope(cfg, index)
    TimesheetColumns.from_config(cfg.get("columns"), f"graph.timesheet_lists[{index}]")
    list_id = await readers.resolve_list_id(conn, site, name)
    mark = (
        None if full else warehouse.get_watermark("sharepoint", "list_items", f"{site}|{list_id}")
    )
    delta_round = await readers.read_list_delta(conn, site, list_id, (mark or {}).get("delta_link"))
    return {**cfg, "index": index}, delta_round


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
    for contents in gathered.plans:
        apply_plan(settings, warehouse, contents, people, summaries["planner"])
        _report(progress, "planner", "tasks", len(contents.tasks))
    if settings.graph.shifts_teams:
        apply_time_cards(warehouse, gathered, people, summaries["shifts"])
        _report(progress, "shifts", "time_cards", len(gathered.cards))
    index = work_index(warehouse) if gathered.rounds else WorkIndex({}, {})
    for cfg, delta_round in gathered.rounds:
        apply_list_round(warehouse, cfg, delta_round, people, index, summaries["sharepoint"])
        _report(progress, "sharepoint", "timesheets", len(delta_round.items))
    if not any(gathered.errors.get(s) for s in ("planner", "directory")):
        census_plans(warehouse, gathered, summaries["planner"], settings)
    _add_people(warehouse, gathered, people)
    return list(summaries.values())


def _report(progress: Progress | None, source: str, stream: str, rows: int) -> None:
    if progress is not None:
        progress(source, stream, rows)


def apply_plan(
    settings: Settings,
    warehouse: Warehouse,
    contents: readers.PlanContents,
    people: PersonDirectory,
    summary: SyncSummary,
) -> None:
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(settings.time_zone)
    plan = contents.plan
    pid = project_id(plan.id)
    overrides = settings.projects.get(plan.id) or settings.projects.get(pid) or {}
    tasks = map_tasks(
        contents.tasks,
        people,
        zone,
        categories=plan.categories,
        type_map=settings.jira.type_map,
        details=contents.details,
    )
    milestones = map_buckets(
        contents.buckets, contents.tasks, settings.graph.bucket_phase_map, zone
    )
    live_tasks = warehouse.live_ids("tasks", source="planner", project_id=pid)
    live_milestones = warehouse.live_ids("milestones", source="planner", project_id=pid)
    with warehouse.transaction() as txn:
        counts = txn.upsert("projects", [map_plan(plan, people, overrides)])
        summary.stream("projects").add(fetched=1, **counts.as_dict())
        counts = txn.upsert("milestones", milestones)
        summary.stream("milestones").add(fetched=len(milestones), **counts.as_dict())
        tombstone_missing(
            txn,
            "milestones",
            live_milestones,
            [m["milestone_id"] for m in milestones],
            summary.stream("milestones"),
        )
        write_rows(txn, "tasks", "planner", tasks, summary.stream("tasks"), stream="tasks")
        tombstone_missing(
            txn, "tasks", live_tasks, [t["task_id"] for t in tasks.rows], summary.stream("tasks")
        )
        txn.set_watermark("planner", "tasks", plan.id, {"read_at": utcnow().isoformat()})


def census_plans(
    warehouse: Warehouse, gathered: Gathered, summary: SyncSummary, settings: Settings
) -> None:
    """Plans no longer found in the configured groups: the project and its rows are tombstoned."""
    seen = {project_id(p.plan.id) for p in gathered.plans}
    gone = warehouse.live_ids("projects", source="planner") - seen
    if not gone:
        return
    with warehouse.transaction() as txn:
        for pid in sorted(gone):
            for table, stream in (("tasks", "tasks"), ("milestones", "milestones")):
                ids = warehouse.live_ids(table, source="planner", project_id=pid)
                summary.stream(stream).add(deleted=txn.tombstone(table, ids))
        summary.stream("projects").add(deleted=txn.tombstone("projects", gone))


def apply_time_cards(
    warehouse: Warehouse, gathered: Gathered, people: PersonDirectory, summary: SyncSummary
) -> None:
    mapped = map_time_cards(gathered.cards, people)
    live = warehouse.live_ids("time_entries", source="shifts")
    counts = summary.stream("time_cards")
    with warehouse.transaction() as txn:
        write_rows(txn, "time_entries", "shifts", mapped, counts, stream="time_cards")
        if gathered.cards_complete:  # a team that failed to read must not look emptied
            tombstone_missing(
                txn, "time_entries", live, [r["entry_id"] for r in mapped.rows], counts
            )
        txn.set_watermark(
            "shifts",
            "time_cards",
            "*",
            {"read_at": utcnow().isoformat(), "cards": len(gathered.cards)},
        )


def work_index(warehouse: Warehouse) -> WorkIndex:
    projects = warehouse.read("projects")
    tasks = warehouse.read("tasks")
    by_key = {
        str(k).lower(): str(p)
        for k, p in zip(projects["key"], projects["project_id"], strict=True)
        if k is not None and k == k
    }
    by_key |= {str(p).lower(): str(p) for p in projects["project_id"]}
    task_refs = {}
    for key, tid, pid in zip(tasks["key"], tasks["task_id"], tasks["project_id"], strict=True):
        task_refs[str(tid).lower()] = (str(tid), str(pid))
        if key is not None and key == key:
            task_refs.setdefault(str(key).lower(), (str(tid), str(pid)))
    return WorkIndex(by_key, task_refs)


def apply_list_round(
    warehouse: Warehouse,
    cfg: dict[str, Any],
    delta_round: readers.DeltaRound,
    people: PersonDirectory,
    index: WorkIndex,
    summary: SyncSummary,
) -> None:
    site, _ = list_scope(cfg, cfg["index"])
    columns = TimesheetColumns.from_config(
        cfg.get("columns"), f"graph.timesheet_lists[{cfg['index']}]"
    )
    prefix = f"sharepoint:{delta_round.list_id}:"
    live_items = [i for i in delta_round.items if not i.deleted]
    mapped = map_timesheet_items(live_items, columns, people, index)
    removed = {prefix + i.id for i in delta_round.items if i.deleted}
    removed |= {prefix + q.record_id.split(":", 1)[1] for q in mapped.quarantined}
    live = live_ids_with_prefix(warehouse, "time_entries", "sharepoint", prefix)
    counts = summary.stream("timesheets")
    with warehouse.transaction() as txn:
        write_rows(txn, "time_entries", "sharepoint", mapped, counts, stream="timesheets")
        counts.add(fetched=len(delta_round.items) - len(live_items))  # removals read too
        counts.add(deleted=txn.tombstone("time_entries", sorted(removed & live)))
        if delta_round.full:  # a full round lists every live item: the rest is gone
            tombstone_missing(
                txn, "time_entries", live - removed, [r["entry_id"] for r in mapped.rows], counts
            )
        txn.set_watermark(
            "sharepoint",
            "list_items",
            f"{site}|{delta_round.list_id}",
            {"delta_link": delta_round.delta_link, "restarted": delta_round.restarted},
        )


def _add_people(warehouse: Warehouse, gathered: Gathered, people: PersonDirectory) -> None:
    seen: dict[str, dict[str, Any]] = {}
    for user in gathered.users.values():
        person = people.person_for_user(user.id)
        if person:
            seen.setdefault(
                person, {"display_name": user.display_name, "source_ids": {"graph": user.id}}
            )
    insert_new_people(warehouse, seen, "graph")
