"""The sandbox's live state: the tenant being served, plus everything written to it.

Handlers read and write through this object; so can a test in the same process (the
outbox, posted comments, uploaded files), which is why every write takes the lock.
"""

from __future__ import annotations

import copy
import itertools
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sandbox.graph.state import GraphState
from sandbox.jira.issues_table import IssueTable
from sandbox.jira.jql_eval import Context
from sandbox.jira.worklogs_table import DeletedWorklogs, WorklogTable
from sandbox.timefmt import parse_iso, zone


@dataclass
class OutboxEntry:
    seq: int
    kind: str  # comment, attachment, property, issue, issue_link, worklog, channel_message, ...
    service: str  # jira, graph, webhook
    target: str  # what it was published to: an issue key, a channel, a drive path, a mailbox
    at: str
    payload: Any

    def as_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "kind": self.kind,
            "service": self.service,
            "target": self.target,
            "at": self.at,
            "payload": self.payload,
        }


class SandboxState:
    def __init__(self, doc: dict[str, Any]) -> None:
        self.doc = doc
        self.lock = threading.RLock()
        self.zone = zone(doc["time_zone"])
        self.tenant_now = parse_iso(doc["now"])
        self._started = time.monotonic()
        self.credentials = doc["credentials"]
        self.people = {p["account_id"]: p for p in doc["people"]}
        self.people[self.bot()["account_id"]] = self.bot()
        self.issues = IssueTable(doc)
        bulk_ids = doc["bulk"]["arrays"]["issue_id"] if doc.get("bulk") else None
        self.worklogs = WorklogTable(doc, bulk_ids)
        self.deleted_worklogs = DeletedWorklogs(doc["jira"].get("deleted_worklogs", []))
        self.comments: dict[str, list[dict[str, Any]]] = {}
        self.attachments: dict[str, list[dict[str, Any]]] = {}
        self.attachment_bytes: dict[str, bytes] = {}
        self.bulk_properties: dict[str, dict[str, Any]] = {}
        self.outbox: list[OutboxEntry] = []
        self._ids = itertools.count(_first_free_id(doc))
        self.graph = GraphState(doc["graph"], self)  # the Graph side keeps its own records
        self.jira_base = ""
        self.graph_base = ""
        self.webhook_base = ""

    def now(self) -> datetime:
        """The tenant's clock: its snapshot time, advancing with the wall clock."""
        return self.tenant_now + timedelta(seconds=time.monotonic() - self._started)

    def new_id(self) -> int:
        with self.lock:
            return next(self._ids)

    def publish(self, kind: str, service: str, target: str, payload: Any) -> OutboxEntry:
        with self.lock:
            entry = OutboxEntry(
                len(self.outbox) + 1,
                kind,
                service,
                target,
                self.now().isoformat(),
                copy.deepcopy(payload),
            )
            self.outbox.append(entry)
            return entry

    def outbox_entries(self, kind: str | None = None) -> list[dict[str, Any]]:
        with self.lock:
            return [e.as_dict() for e in self.outbox if kind is None or e.kind == kind]

    def jql_context(self) -> Context:
        jira = self.doc["jira"]
        projects = {p["key"].lower(): p["key"].lower() for p in jira["projects"]}
        projects |= {p["id"]: p["key"].lower() for p in jira["projects"]}
        projects |= {p["name"].lower(): p["key"].lower() for p in jira["projects"]}
        return Context(
            self.zone,
            {
                "project": projects,
                "issuetype": _names_and_ids(jira.get("issue_types", [])),
                "status": _names_and_ids(jira.get("statuses", [])),
            },
        )

    def person(self, account_id: str | None) -> dict[str, Any] | None:
        return self.people.get(account_id or "")

    def bot(self) -> dict[str, Any]:
        """The account the credentials belong to (Jira's ``myself``)."""
        email = self.credentials["jira"]["email"]
        return {
            "account_id": "sandbox-bot",
            "email": email,
            "display_name": "PMO Bot",
            "time_zone": self.doc["time_zone"],
        }


def _names_and_ids(items: list[dict[str, Any]]) -> dict[str, str]:
    out = {i["name"].lower(): i["name"].lower() for i in items}
    out |= {str(i["id"]): i["name"].lower() for i in items}
    return out


def _first_free_id(doc: dict[str, Any]) -> int:
    """New ids start above every numeric id in the tenant, so they never collide."""
    jira = doc["jira"]
    numbers = [int(i["id"]) for i in jira.get("issues", [])]
    numbers += [int(w["id"]) for w in jira.get("worklogs", [])]
    numbers += [int(w["worklogId"]) for w in jira.get("deleted_worklogs", [])]
    if doc.get("bulk"):
        arrays = doc["bulk"]["arrays"]
        numbers += [int(arrays["issue_id"].max()), int(arrays["wl_id"].max())]
    return max(numbers, default=10000) + 1000
