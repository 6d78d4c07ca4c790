"""The Microsoft 365 side of a sandbox tenant, held in memory in Graph's own shapes.

Handlers read and change it; tests change it through the mutation methods at the bottom
(edit or delete list items, add time cards, edit Planner tasks) to drive incremental reads.
"""

from __future__ import annotations

import base64
import copy
import json
import threading
from datetime import UTC, datetime
from typing import Any

from sandbox.graph.clock import graph_time, parse_time
from sandbox.graph.drivestore import DriveStore, UploadSession
from sandbox.graph.errors import not_found
from sandbox.graph.liststore import ListStore


def _by_id(records: list[dict[str, Any]] | None) -> dict[str, dict[str, Any]]:
    return {str(record["id"]): record for record in records or []}


class GraphState:
    """Planner, Shifts, SharePoint lists and drives, Teams and mail of one tenant."""

    def __init__(self, tenant_graph: dict[str, Any], core: Any) -> None:
        # Own copy, so serving never changes the caller's document; a JSON round trip is
        # several times faster than deepcopy on a large tenant and the tenant is JSON anyway.
        tenant_graph = json.loads(json.dumps(tenant_graph))
        self.core = core
        # The server thread and a test's thread may both touch the state: share the core's lock.
        self.lock = getattr(core, "lock", None) or threading.RLock()
        self.users = _by_id(tenant_graph.get("users"))
        self.groups = _by_id(tenant_graph.get("groups"))
        self._load_planner(tenant_graph)
        self._load_teams(tenant_graph)
        self._load_sharepoint(tenant_graph)
        self.sent_mail: dict[str, list[dict[str, Any]]] = {}
        self.webhook_posts: dict[str, list[dict[str, Any]]] = {}

    def _load_planner(self, tenant_graph: dict[str, Any]) -> None:
        self.plans = _by_id(tenant_graph.get("plans"))
        self.buckets = _by_id(tenant_graph.get("buckets"))
        self.tasks = _by_id(tenant_graph.get("tasks"))
        self.tasks_by_plan: dict[str, list[dict[str, Any]]] = {}  # a page must not scan all
        self.task_details = tenant_graph.get("task_details") or {}
        self.plan_details: dict[str, dict[str, Any]] = tenant_graph.get("plan_details") or {}
        self._etag_counter = 0
        for task in self.tasks.values():
            self.tasks_by_plan.setdefault(str(task.get("planId")), []).append(task)
            task.setdefault("@odata.etag", self.next_etag("Task"))

    def _load_teams(self, tenant_graph: dict[str, Any]) -> None:
        self.teams = _by_id(tenant_graph.get("teams"))
        self.messages: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.last_message_id = 0
        self.time_cards: dict[str, list[dict[str, Any]]] = {}
        self._clock_ins: dict[str, list[datetime]] = {}
        for team, cards in (tenant_graph.get("time_cards") or {}).items():
            self.time_cards[team], self._clock_ins[team] = _by_clock_in(cards)

    def _load_sharepoint(self, tenant_graph: dict[str, Any]) -> None:
        self.sites = _by_id(tenant_graph.get("sites"))
        self.lists = {
            (site_id, str(meta["id"])): ListStore(site_id, meta, meta.get("items") or [])
            for site_id, site in self.sites.items()
            for meta in site.get("lists") or []
        }
        now = self.now()
        self.drives = {str(m["id"]): DriveStore(m, now) for m in tenant_graph.get("drives") or []}
        self.uploads: dict[str, UploadSession] = {}

    # -- services of the core --------------------------------------------------------------
    def now(self) -> datetime:
        moment = self.core.now()
        if isinstance(moment, str):
            return parse_time(moment, "sandbox clock")
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)

    def publish(self, kind: str, target: str, payload: Any) -> None:
        """Record in the core's outbox everything the pipeline published to Microsoft 365."""
        outbox = getattr(self.core, "outbox", None)
        if hasattr(outbox, "add"):
            outbox.add(service="graph", kind=kind, target=target, payload=payload)
        else:  # the core's earlier API: state.publish(kind, service, target, payload)
            self.core.publish(kind, "graph", target, payload)

    def next_etag(self, kind: str) -> str:
        """A weak ETag in Planner's style (`W/"base64"`), new on every change."""
        self._etag_counter += 1
        tag = base64.b64encode(f"'{self._etag_counter}-{kind}'".encode()).decode()
        return f'W/"{tag}"'

    def actor(self) -> dict[str, Any]:
        """identitySet of the account the sandbox's token stands for (the tenant's first user)."""
        user = next(iter(self.users.values()), None)
        if user is None:
            return {"user": {"id": "sandbox-app", "displayName": "PMO sandbox"}}
        return {"user": {"id": user["id"], "displayName": user.get("displayName")}}

    # -- lookups that answer 404 naming the resource ---------------------------------------
    def plan(self, plan_id: str) -> dict[str, Any]:
        return _find(self.plans, plan_id, "plannerPlan")

    def task(self, task_id: str) -> dict[str, Any]:
        return _find(self.tasks, task_id, "plannerTask")

    def group(self, group_id: str) -> dict[str, Any]:
        return _find(self.groups, group_id, "group")

    def team(self, team_id: str) -> dict[str, Any]:
        return _find(self.teams, team_id, "team")

    def channel(self, team_id: str, channel_id: str) -> dict[str, Any]:
        channels = {str(c["id"]): c for c in self.team(team_id).get("channels") or []}
        return _find(channels, channel_id, "channel")

    def user(self, user_id: str) -> dict[str, Any]:
        """By id, mail, userPrincipalName or a person's alias, case-insensitively."""
        wanted = user_id.casefold()
        for user in self.users.values():
            names = [user.get("id"), user.get("mail"), user.get("userPrincipalName")]
            if wanted in {str(n).casefold() for n in names + list(user.get("aliases") or []) if n}:
                return user
        raise not_found("user", user_id)

    def site(self, site_id: str) -> dict[str, Any]:
        return _find(self.sites, site_id, "site")

    def list_store(self, site_id: str, list_ref: str) -> ListStore:
        """A list by id or display name (Graph accepts both in `lists/{list-id}`)."""
        self.site(site_id)
        for (site, list_id), store in self.lists.items():
            title = str(store.meta.get("displayName", "")).casefold()
            if site == site_id and list_ref.casefold() in {list_id.casefold(), title}:
                return store
        raise not_found("list", list_ref)

    def drive(self, drive_id: str) -> DriveStore:
        if drive_id not in self.drives:
            raise not_found("drive", drive_id)
        return self.drives[drive_id]

    def site_drive(self, site_id: str) -> DriveStore:
        self.site(site_id)
        for store in self.drives.values():
            if store.meta.get("site") == site_id:
                return store
        raise not_found("drive of site", site_id)

    def team_time_cards(self, team_id: str) -> list[dict[str, Any]]:
        """The team's cards ordered by clock-in (cards without one first)."""
        self.team(team_id)
        return self.time_cards.setdefault(team_id, [])

    def clock_ins(self, team_id: str) -> list[datetime]:
        """Clock-in times of the team's cards that have one, in card order (for bisecting)."""
        self.team_time_cards(team_id)
        return self._clock_ins.setdefault(team_id, [])

    # -- mutations for tests and scenarios --------------------------------------------------
    def edit_list_item(
        self, site_id: str, list_ref: str, item_id: str, fields: dict[str, Any]
    ) -> dict[str, Any]:
        """Create or change a list item; it appears in the next delta round."""
        with self.lock:
            return self.list_store(site_id, list_ref).upsert(str(item_id), fields, self.now())

    def delete_list_item(self, site_id: str, list_ref: str, item_id: str) -> None:
        """Delete a list item; the next delta round reports it with the `deleted` facet (and,
        when it changed since the round's token, lists it first, as Graph may)."""
        with self.lock:
            self.list_store(site_id, list_ref).delete(str(item_id))

    def expire_delta_tokens(self) -> None:
        """Forget every issued delta token, so the next delta call with one answers 410."""
        with self.lock:
            for store in self.lists.values():
                store.expire_tokens()

    def add_time_cards(self, team_id: str, cards: list[dict[str, Any]]) -> None:
        with self.lock:
            merged = [*self.team_time_cards(team_id), *copy.deepcopy(cards)]
            self.time_cards[team_id], self._clock_ins[team_id] = _by_clock_in(merged)

    def edit_task(self, task_id: str, changes: dict[str, Any]) -> dict[str, Any]:
        """Change a Planner task as another user would: new ETag, so a stale one gets 412."""
        with self.lock:
            task = self.task(task_id)
            task.update(copy.deepcopy(changes))
            task["@odata.etag"] = self.next_etag("Task")
            return copy.deepcopy(task)

    def add_task(self, task: dict[str, Any]) -> dict[str, Any]:
        """Store a new (or replace a) Planner task; it is listed in its plan at once."""
        with self.lock:
            stored = copy.deepcopy(task)
            stored.setdefault("createdDateTime", graph_time(self.now()))
            stored["@odata.etag"] = self.next_etag("Task")
            replaced = self.tasks.get(str(stored["id"]))
            if replaced is not None:
                self.tasks_by_plan[str(replaced.get("planId"))].remove(replaced)
            self.tasks[str(stored["id"])] = stored
            self.tasks_by_plan.setdefault(str(stored.get("planId")), []).append(stored)
            return copy.deepcopy(stored)


def _find(records: dict[str, dict[str, Any]], ident: str, resource: str) -> dict[str, Any]:
    if ident not in records:
        raise not_found(resource, ident)
    return records[ident]


def _by_clock_in(cards: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[datetime]]:
    """Cards ordered by clock-in (those without one first) and the clock-ins to bisect on."""
    keyed = sorted(((_clock_in(card), index) for index, card in enumerate(cards)))
    ordered = [cards[index] for _, index in keyed]
    return ordered, [moment for (has_one, moment), _ in keyed if has_one]


def _clock_in(card: dict[str, Any]) -> tuple[bool, datetime]:
    """Sort key: cards without a clock-in first, then by the instant (offsets normalised)."""
    raw = (card.get("clockInEvent") or {}).get("dateTime")
    if not raw:
        return False, datetime.min.replace(tzinfo=UTC)
    return True, parse_time(raw, f"timeCard {card.get('id')}")
