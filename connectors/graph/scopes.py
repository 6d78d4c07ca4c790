"""Applying one scope of a Graph sync to the warehouse: a plan, the time cards, a list round.

Each scope is one transaction: rows, tombstones, quarantine and the watermark (for lists,
the delta link) commit together or not at all.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from config.settings import Settings
from connectors.graph import readers
from connectors.graph.apply import (
    insert_new_people,
    live_ids_with_prefix,
    tombstone_missing,
    write_rows,
)
from connectors.graph.errors import GraphConnectorError
from connectors.graph.mapping import map_buckets, map_plan, map_tasks, project_id
from connectors.graph.mapping_time import (
    MAX_ROW_HOURS,
    SiteUsers,
    TimesheetColumns,
    WorkIndex,
    map_time_cards,
    map_timesheet_items,
)
from connectors.graph.people import PersonDirectory
from connectors.graph.records import GraphUser, TimeCardRecord
from connectors.store import Warehouse, utcnow
from connectors.sync_types import SyncSummary


def list_scope(cfg: dict[str, Any], index: int) -> tuple[str, str]:
    site, name = cfg.get("site"), cfg.get("list")
    if not site or not name:
        raise GraphConnectorError(f"graph.timesheet_lists[{index}] needs 'site' and 'list'")
    unknown = set(cfg) - {"site", "list", "columns", "time_zone", "index"}
    if unknown:
        raise GraphConnectorError(
            f"graph.timesheet_lists[{index}]: unknown key(s) {sorted(unknown)}"
        )
    if cfg.get("time_zone"):
        try:
            ZoneInfo(str(cfg["time_zone"]))
        except (ZoneInfoNotFoundError, ValueError):
            raise GraphConnectorError(
                f"graph.timesheet_lists[{index}].time_zone: unknown IANA zone {cfg['time_zone']!r}"
            ) from None
    return str(site), str(name)


def apply_plan(
    settings: Settings,
    warehouse: Warehouse,
    contents: readers.PlanContents,
    people: PersonDirectory,
    summary: SyncSummary,
) -> None:
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
    warehouse: Warehouse, plans: list[readers.PlanContents], summary: SyncSummary
) -> None:
    """Plans no longer found in the configured groups: the project and its rows are tombstoned."""
    seen = {project_id(p.plan.id) for p in plans}
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
    warehouse: Warehouse,
    cards: list[TimeCardRecord],
    complete: bool,
    people: PersonDirectory,
    summary: SyncSummary,
) -> None:
    mapped = map_time_cards(cards, people)
    live = warehouse.live_ids("time_entries", source="shifts")
    counts = summary.stream("time_cards")
    with warehouse.transaction() as txn:
        write_rows(txn, "time_entries", "shifts", mapped, counts, stream="time_cards")
        if not complete:  # a team that failed to read must not look emptied
            return
        tombstone_missing(txn, "time_entries", live, [r["entry_id"] for r in mapped.rows], counts)
        txn.set_watermark(
            "shifts",
            "time_cards",
            "*",
            {"read_at": utcnow().isoformat(), "cards": len(cards)},
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
    *,
    site_users: SiteUsers | None = None,
    max_hours: float = MAX_ROW_HOURS,
) -> None:
    site, _ = list_scope(cfg, cfg["index"])
    columns = TimesheetColumns.from_config(
        cfg.get("columns"), f"graph.timesheet_lists[{cfg['index']}]"
    )
    prefix = f"sharepoint:{delta_round.list_id}:"
    live_items = [i for i in delta_round.items if not i.deleted]
    zone = ZoneInfo(str(cfg.get("time_zone") or people.default_zone))
    mapped = map_timesheet_items(live_items, columns, people, index, zone, site_users, max_hours)
    deleted = [i for i in delta_round.items if i.deleted]
    removed = {prefix + i.id for i in deleted}
    removed |= {prefix + q.record_id.split(":", 1)[1] for q in mapped.quarantined}
    live = live_ids_with_prefix(warehouse, "time_entries", "sharepoint", prefix)
    counts = summary.stream("timesheets")
    if delta_round.warning:
        summary.warnings.append(delta_round.warning)
    with warehouse.transaction() as txn:
        write_rows(txn, "time_entries", "sharepoint", mapped, counts, stream="timesheets")
        counts.add(fetched=len(delta_round.items) - len(live_items))  # removals read too
        counts.add(deleted=txn.tombstone("time_entries", sorted(removed & live)))
        # an item deleted at the source takes its open quarantine entry with it
        txn.resolve_quarantine(
            "sharepoint", "timesheets", [f"{delta_round.list_id}:{i.id}" for i in deleted]
        )
        if delta_round.full:  # a full round lists every live item: the rest is gone
            tombstone_missing(
                txn, "time_entries", live - removed, [r["entry_id"] for r in mapped.rows], counts
            )
        txn.set_watermark(
            "sharepoint",
            "list_items",
            f"{site}|{delta_round.list_id}",
            {
                # absolute as Graph gave it; the reader moves it onto the configured base URL
                "delta_link": delta_round.delta_link,
                "restarted": delta_round.restarted,
            },
        )


def add_people(warehouse: Warehouse, users: dict[str, GraphUser], people: PersonDirectory) -> None:
    seen: dict[str, dict[str, Any]] = {}
    for user in users.values():
        person = people.person_for_user(user.id)
        if person:
            seen.setdefault(
                person, {"display_name": user.display_name, "source_ids": {"graph": user.id}}
            )
    insert_new_people(warehouse, seen, "graph")
