"""Async readers: Graph collections to typed records, every page to the end.

Paging follows `@odata.nextLink` verbatim with the SDK's `with_url` until there is none.
Collections of one scope are read page after page; scopes (plans, teams, lists) run side
by side under the per-service semaphore of the connection.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from kiota_abstractions.base_request_configuration import RequestConfiguration

from connectors.graph.client import GraphConnection
from connectors.graph.errors import GraphConnectorError, is_gone
from connectors.graph.records import (
    BucketRecord,
    GraphUser,
    ListItemRecord,
    PlannerTaskRecord,
    PlanRecord,
    TaskDetailsRecord,
    TimeCardRecord,
    bucket_from_json,
    list_item_from_json,
    plan_from_json,
    task_details_from_json,
    task_from_json,
    time_card_from_json,
    user_from_json,
)
from connectors.graph.transport import batch_get, get_json, read_pages

USER_FIELDS = ["id", "mail", "userPrincipalName", "displayName", "otherMails"]
TIME_CARD_PAGE = 999


# --- directory -------------------------------------------------------------------------------


async def read_users(conn: GraphConnection, user_ids: Iterable[str]) -> dict[str, GraphUser]:
    """The directory entries of the given user ids; ids Graph doesn't know are left out."""
    requests = {}
    for uid in sorted({u for u in user_ids if u}):
        builder = conn.client.users.by_user_id(uid)
        query = builder.UserItemRequestBuilderGetQueryParameters(select=USER_FIELDS)
        requests[uid] = builder.to_get_request_information(
            RequestConfiguration(query_parameters=query)
        )
    replies = await batch_get(conn, "directory", requests, "users (directory lookup)", "users")
    users: dict[str, GraphUser] = {}
    for uid, (status, body) in replies.items():
        if status == 200 and isinstance(body, dict):
            users[uid] = user_from_json(body)
        elif status != 404:  # 404: a deleted account; anything else leaves the directory unknown
            raise GraphConnectorError(
                f"Graph answered users/{uid} with {status} inside $batch"
                + (": it needs User.Read.All (application)" if status in (401, 403) else ""),
                status=status,
            )
    return users


# --- Planner ---------------------------------------------------------------------------------


async def read_plans(
    conn: GraphConnection, groups: list[str], plan_ids: list[str]
) -> list[PlanRecord]:
    """Plans of the configured groups plus the configured plan ids, each once."""
    found: dict[str, PlanRecord] = {}
    for group in groups:
        builder = conn.client.groups.by_group_id(group).planner.plans
        for model in await read_pages(
            conn, "planner", builder, f"plans of group {group}", "planner"
        ):
            found.setdefault(str(model["id"]), plan_from_json(model))
    for plan_id in plan_ids:
        if plan_id in found:
            continue
        builder = conn.client.planner.plans.by_planner_plan_id(plan_id)
        async with conn.limit("planner"):
            raw = await get_json(
                conn, builder.to_get_request_information(), f"plan {plan_id}", "planner"
            )
        found[plan_id] = plan_from_json(raw)
    return list(found.values())


@dataclass(frozen=True)
class PlanContents:
    plan: PlanRecord
    buckets: list[BucketRecord]
    tasks: list[PlannerTaskRecord]
    details: dict[str, TaskDetailsRecord]


async def read_plan(
    conn: GraphConnection, plan: PlanRecord, *, details: bool, use_batch: bool = True
) -> PlanContents:
    plan_builder = conn.client.planner.plans.by_planner_plan_id(plan.id)
    buckets = await read_pages(
        conn, "planner", plan_builder.buckets, f"buckets of plan {plan.id}", "planner"
    )
    tasks = await read_pages(
        conn, "planner", plan_builder.tasks, f"tasks of plan {plan.id}", "planner"
    )
    task_records = [task_from_json(t) for t in tasks]
    found = {}
    if details and task_records:
        reader = read_task_details if use_batch else read_task_details_one_by_one
        found = await reader(conn, [t.id for t in task_records])
    return PlanContents(plan, [bucket_from_json(b) for b in buckets], task_records, found)


async def read_task_details(
    conn: GraphConnection, task_ids: list[str]
) -> dict[str, TaskDetailsRecord]:
    """Task details through `$batch` (20 per request) instead of one request per task."""
    tasks = conn.client.planner.tasks
    requests = {
        tid: tasks.by_planner_task_id(tid).details.to_get_request_information() for tid in task_ids
    }
    replies = await batch_get(conn, "planner", requests, "Planner task details", "planner")
    out = {}
    for tid, (status, body) in replies.items():
        if status == 200 and isinstance(body, dict):
            out[tid] = task_details_from_json(tid, body)
        elif status != 404:  # a task deleted since the list was read has no details: fine
            raise GraphConnectorError(
                f"Graph answered planner/tasks/{tid}/details with {status} inside $batch",
                status=status,
            )
    return out


async def read_task_details_one_by_one(
    conn: GraphConnection, task_ids: list[str]
) -> dict[str, TaskDetailsRecord]:
    """The naive way (one GET per task); kept for the benchmark's comparison."""
    out = {}
    for tid in task_ids:
        builder = conn.client.planner.tasks.by_planner_task_id(tid).details
        async with conn.limit("planner"):
            raw = await get_json(
                conn, builder.to_get_request_information(), f"details of task {tid}", "planner"
            )
        out[tid] = task_details_from_json(tid, raw)
    return out


# --- Shifts ----------------------------------------------------------------------------------


async def read_time_cards(conn: GraphConnection, team_id: str) -> list[TimeCardRecord]:
    builder = conn.client.teams.by_team_id(team_id).schedule.time_cards
    query = builder.TimeCardsRequestBuilderGetQueryParameters(top=TIME_CARD_PAGE)
    config = RequestConfiguration(query_parameters=query)
    cards = await read_pages(
        conn, "shifts", builder, f"time cards of team {team_id}", "time_cards", config
    )
    return [time_card_from_json(team_id, c) for c in cards]


# --- SharePoint list delta -------------------------------------------------------------------


@dataclass(frozen=True)
class DeltaRound:
    """One delta round of a list: changed or removed items and the link for the next round."""

    list_id: str
    items: list[ListItemRecord]
    delta_link: str
    full: bool  # no token (first run, --full, or restarted after 410): census needed
    restarted: bool = False  # the stored token had expired (410)


async def resolve_list_id(conn: GraphConnection, site: str, list_ref: str) -> str:
    """A list's id (config may name it by display name): ids are what row keys use."""
    builder = conn.client.sites.by_site_id(site).lists.by_list_id(list_ref)
    async with conn.limit("sharepoint"):
        info = builder.to_get_request_information()
        found = await get_json(conn, info, f"list {list_ref} of site {site}", "list_items")
    return str(found["id"])


async def _delta_pages(
    conn: GraphConnection, builder: Any, first: Any, where: str
) -> tuple[list[Any], str]:
    items: list[Any] = []
    async with conn.limit("sharepoint"):
        page = await get_json(conn, first, where, "list_items")
        while True:
            items.extend(page.get("value") or [])
            if link := page.get("@odata.nextLink"):
                page = await get_json(
                    conn, builder.with_url(link).to_get_request_information(), where, "list_items"
                )
                continue
            if not page.get("@odata.deltaLink"):
                raise GraphConnectorError(f"{where}: the last delta page has no @odata.deltaLink")
            return items, page["@odata.deltaLink"]


async def read_list_delta(
    conn: GraphConnection, site: str, list_id: str, delta_link: str | None
) -> DeltaRound:
    """Changes since `delta_link`; a full round when there is none or it has expired (410)."""
    builder = conn.client.sites.by_site_id(site).lists.by_list_id(list_id).items.delta
    where = f"items of list {list_id} (site {site})"
    if delta_link:
        try:
            first = builder.with_url(delta_link).to_get_request_information()
            items, link = await _delta_pages(conn, builder, first, where)
            return DeltaRound(
                list_id, [list_item_from_json(list_id, i) for i in items], link, full=False
            )
        except Exception as exc:
            if not is_gone(exc):
                raise
    query = builder.DeltaRequestBuilderGetQueryParameters(expand=["fields"])
    first = builder.to_get_request_information(RequestConfiguration(query_parameters=query))
    items, link = await _delta_pages(conn, builder, first, where)
    records = [list_item_from_json(list_id, i) for i in items]
    return DeltaRound(list_id, records, link, full=True, restarted=bool(delta_link))
