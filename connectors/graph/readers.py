"""Async readers: Graph collections to typed records, every page to the end.

Paging follows `@odata.nextLink` verbatim with the SDK's `with_url` until there is none.
Collections of one scope are read page after page; scopes (plans, teams, lists) run side
by side under the per-service semaphore of the connection.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
from kiota_abstractions.base_request_configuration import RequestConfiguration

from connectors.graph.client import GraphConnection
from connectors.graph.errors import GraphConnectorError, is_gone
from connectors.graph.records import (
    BucketRecord,
    GraphUser,
    ListItemRecord,
    PlannerTaskRecord,
    PlanRecord,
    SiteUser,
    TaskDetailsRecord,
    TimeCardRecord,
    bucket_from_json,
    list_item_from_json,
    plan_categories,
    plan_from_json,
    site_user_from_json,
    task_details_from_json,
    task_from_json,
    time_card_from_json,
    user_from_json,
)
from connectors.graph.transport import batch_get, get_json, read_pages

log = logging.getLogger(__name__)
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


PLAN_DETAILS = "plan-details"  # the batch id of the plan's own details (no task id looks so)


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
    task_ids = [t.id for t in task_records] if details else []
    if use_batch:
        categories, found = await read_details(conn, plan.id, task_ids)
    else:
        categories, found = await read_details(conn, plan.id, [])
        found = await read_task_details_one_by_one(conn, task_ids)
    plan = dataclasses.replace(plan, categories=categories or plan.categories)
    return PlanContents(plan, [bucket_from_json(b) for b in buckets], task_records, found)


async def read_details(
    conn: GraphConnection, plan_id: str, task_ids: list[str]
) -> tuple[Mapping[str, str], dict[str, TaskDetailsRecord]]:
    """The plan's category names and the tasks' details through `$batch` (20 per request)
    instead of one request each; the plan's details ride in the first batch."""
    planner = conn.client.planner
    requests = {PLAN_DETAILS: planner.plans.by_planner_plan_id(plan_id).details}
    requests |= {tid: planner.tasks.by_planner_task_id(tid).details for tid in task_ids}
    replies = await batch_get(
        conn,
        "planner",
        {key: b.to_get_request_information() for key, b in requests.items()},
        f"Planner details of plan {plan_id}",
        "planner",
    )
    plan_status, plan_body = replies.pop(PLAN_DETAILS)
    if plan_status == 200 and isinstance(plan_body, dict):
        categories = plan_categories(plan_body)
    elif plan_status == 404:  # the plan went away while it was read
        categories = MappingProxyType({})
    else:
        raise GraphConnectorError(
            f"Graph answered planner/plans/{plan_id}/details with {plan_status} inside $batch",
            status=plan_status,
        )
    return categories, _task_details(replies)


def _task_details(replies: dict[str, Any]) -> dict[str, TaskDetailsRecord]:
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


async def read_task_details(
    conn: GraphConnection, task_ids: list[str]
) -> dict[str, TaskDetailsRecord]:
    """Task details through `$batch` (20 per request) instead of one request per task."""
    tasks = conn.client.planner.tasks
    requests = {
        tid: tasks.by_planner_task_id(tid).details.to_get_request_information() for tid in task_ids
    }
    replies = await batch_get(conn, "planner", requests, "Planner task details", "planner")
    return _task_details(replies)


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
    full: bool  # no token (first run, --full, or restarted): census needed
    restarted: bool = False  # the stored link could not be used (410, unreachable)
    warning: str | None = None  # why it was restarted, for the summary


async def resolve_list_id(conn: GraphConnection, site: str, list_ref: str) -> str:
    """A list's id (config may name it by display name): ids are what row keys use."""
    builder = conn.client.sites.by_site_id(site).lists.by_list_id(list_ref)
    async with conn.limit("sharepoint"):
        info = builder.to_get_request_information()
        found = await get_json(conn, info, f"list {list_ref} of site {site}", "list_items")
    return str(found["id"])


def rebase_link(link: str, base_url: str) -> str:
    """A stored delta link moved onto the configured base URL.

    Graph hands out absolute links; the warehouse outlives the host they name (a sandbox on
    a new port, a proxy, a moved tenant URL). The path from `/sites/` on and the query (the
    token) are what identify the round, so only those are kept.
    """
    parts = urlsplit(link)
    at = parts.path.find("/sites/")
    if at < 0:
        return link
    base = urlsplit(base_url.rstrip("/"))
    return urlunsplit((base.scheme, base.netloc, base.path + parts.path[at:], parts.query, ""))


def last_occurrences(raw_items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One entry per item id, the last one seen: Graph may list an item several times in a
    round (listed, then deleted) and documents that the last occurrence is its state."""
    last: dict[str, dict[str, Any]] = {}
    for raw in raw_items:
        key = str(raw.get("id"))
        last.pop(key, None)  # re-insert so the order is that of the last occurrences
        last[key] = raw
    return list(last.values())


async def _delta_pages(
    conn: GraphConnection, builder: Any, first: Any, where: str
) -> tuple[list[Any], str]:
    items: list[Any] = []
    async with conn.limit("sharepoint"):
        page = await get_json(conn, first, where, "list_items")
        while True:
            items.extend(page.get("value") or [])
            if link := page.get("@odata.nextLink"):
                info = builder.with_url(rebase_link(link, conn.base_url))
                page = await get_json(conn, info.to_get_request_information(), where, "list_items")
                continue
            if not page.get("@odata.deltaLink"):
                raise GraphConnectorError(f"{where}: the last delta page has no @odata.deltaLink")
            return last_occurrences(items), page["@odata.deltaLink"]


def _unusable_link(exc: BaseException) -> str | None:
    """Why a stored delta link can't be followed (then a full round replaces it), or None."""
    if is_gone(exc):
        return "Graph answered 410 (resyncRequired): the delta token expired"
    if isinstance(exc, httpx.TransportError):
        return f"the stored delta link could not be reached ({type(exc).__name__})"
    return None


async def read_list_delta(
    conn: GraphConnection, site: str, list_id: str, delta_link: str | None
) -> DeltaRound:
    """Changes since `delta_link`; a full round when there is none or it can't be used."""
    builder = conn.client.sites.by_site_id(site).lists.by_list_id(list_id).items.delta
    where = f"items of list {list_id} (site {site})"
    warning = None
    if delta_link:
        try:
            first = builder.with_url(rebase_link(delta_link, conn.base_url))
            items, link = await _delta_pages(
                conn, builder, first.to_get_request_information(), where
            )
            return DeltaRound(
                list_id, [list_item_from_json(list_id, i) for i in items], link, full=False
            )
        except Exception as exc:
            why = _unusable_link(exc)
            if why is None:
                raise
            warning = f"{where}: {why}; read in full instead"
            log.warning("graph sync: %s", warning)
    query = builder.DeltaRequestBuilderGetQueryParameters(expand=["fields"])
    first = builder.to_get_request_information(RequestConfiguration(query_parameters=query))
    items, link = await _delta_pages(conn, builder, first, where)
    records = [list_item_from_json(list_id, i) for i in items]
    return DeltaRound(
        list_id, records, link, full=True, restarted=bool(delta_link), warning=warning
    )


# --- site users (person columns) -----------------------------------------------------------

USER_INFO_LIST = "User Information List"  # SharePoint's hidden list behind person columns


async def read_site_users(conn: GraphConnection, site: str) -> dict[str, SiteUser]:
    """The site's user information list: lookup id -> name and e-mail (one read per site)."""
    builder = conn.client.sites.by_site_id(site).lists.by_list_id(USER_INFO_LIST).items
    query = builder.ItemsRequestBuilderGetQueryParameters(expand=["fields"])
    config = RequestConfiguration(query_parameters=query)
    entries = await read_pages(
        conn, "sharepoint", builder, f"user information list of site {site}", "list_items", config
    )
    return {str(e["id"]): site_user_from_json(e) for e in entries}


class SiteUserCache:
    """Site users read at most once per site and run, and only for sites that need them."""

    def __init__(self) -> None:
        self._sites: dict[str, asyncio.Task[dict[str, SiteUser]]] = {}

    async def get(self, conn: GraphConnection, site: str) -> dict[str, SiteUser]:
        if site not in self._sites:
            self._sites[site] = asyncio.ensure_future(read_site_users(conn, site))
        return await self._sites[site]


def needs_site_users(items: list[ListItemRecord], column: str) -> bool:
    """A person column given as a lookup id or a display name (not as an e-mail)."""
    for item in items:
        if item.deleted or item.folder:
            continue
        value = item.fields.get(column)
        if item.fields.get(f"{column}LookupId") not in (None, "", []):
            return True
        if isinstance(value, str) and value.strip() and "@" not in value:
            return True
    return False
