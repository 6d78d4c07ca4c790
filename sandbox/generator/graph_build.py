"""Building Microsoft 365 records (Planner, Shifts time cards, SharePoint timesheets)."""

from __future__ import annotations

import base64
import random
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sandbox.timefmt import graph_ts

SITE_ID = "contoso.sharepoint.com,2c1f0a1b-0d4e-4c7a-9a43-0f5e8f2f6b11,7d6c5b4a-3f2e-4d1c-8b0a-9e8f7a6b5c4d"


def _guid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _planner_id(rng: random.Random) -> str:
    """Planner ids are 28 url-safe characters."""
    return base64.urlsafe_b64encode(rng.getrandbits(168).to_bytes(21, "big")).decode()[:28]


def _etag(counter: int) -> str:
    return 'W/"' + base64.b64encode(f"'{counter}-Task'".encode()).decode() + '"'


@dataclass
class GraphBuilder:
    rng: random.Random
    now: datetime
    groups: list[dict[str, Any]] = field(default_factory=list)
    plans: list[dict[str, Any]] = field(default_factory=list)
    buckets: list[dict[str, Any]] = field(default_factory=list)
    tasks: list[dict[str, Any]] = field(default_factory=list)
    task_details: dict[str, dict[str, Any]] = field(default_factory=dict)
    time_cards: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    timesheet_items: list[dict[str, Any]] = field(default_factory=list)
    next_card: int = 1

    def plan(self, title: str, owner: dict[str, Any], bucket_names: list[str]) -> dict[str, Any]:
        group_id = _guid(self.rng)
        self.groups.append({"id": group_id, "displayName": f"{title} team"})
        created = graph_ts(self.now - timedelta(days=120))
        plan = {
            "id": _planner_id(self.rng),
            "title": title,
            "owner": group_id,
            "createdDateTime": created,
            "createdBy": {"user": {"id": owner["graph_user_id"]}},
            "container": {
                "containerId": group_id,
                "type": "group",
                "url": f"https://graph.microsoft.com/v1.0/groups/{group_id}",
            },
        }
        self.plans.append(plan)
        for index, name in enumerate(bucket_names):
            self.buckets.append(
                {
                    "id": _planner_id(self.rng),
                    "name": name,
                    "planId": plan["id"],
                    "orderHint": f"85{index:02d}!",
                }
            )
        return plan

    def task(
        self,
        plan: dict[str, Any],
        bucket: str,
        title: str,
        assignee: dict[str, Any] | None,
        *,
        percent: int,
        due: datetime | None,
        created: datetime,
    ) -> dict[str, Any]:
        bucket_id = next(
            b["id"] for b in self.buckets if b["planId"] == plan["id"] and b["name"] == bucket
        )
        assignments = {}
        if assignee:
            assignments[assignee["graph_user_id"]] = {
                "@odata.type": "#microsoft.graph.plannerAssignment",
                "assignedBy": {"user": {"id": assignee["graph_user_id"]}},
                "assignedDateTime": graph_ts(created),
                "orderHint": "8585!",
            }
        task = {
            "@odata.etag": _etag(len(self.tasks) + 1),
            "id": _planner_id(self.rng),
            "planId": plan["id"],
            "bucketId": bucket_id,
            "title": title,
            "orderHint": "8585!",
            "assigneePriority": "",
            "percentComplete": percent,
            "priority": 5,
            "startDateTime": graph_ts(created),
            "dueDateTime": graph_ts(due) if due else None,
            "completedDateTime": graph_ts(min(due or self.now, self.now))
            if percent == 100
            else None,
            "completedBy": {"user": {"id": assignee["graph_user_id"]}}
            if percent == 100 and assignee
            else None,
            "createdDateTime": graph_ts(created),
            "createdBy": {"user": {"id": plan["createdBy"]["user"]["id"]}},
            "hasDescription": True,
            "previewType": "automatic",
            "referenceCount": 0,
            "checklistItemCount": 0,
            "activeChecklistItemCount": 0,
            "conversationThreadId": None,
            "appliedCategories": {},
            "assignments": assignments,
        }
        self.tasks.append(task)
        self.task_details[task["id"]] = {
            "id": task["id"],
            "description": f"{title}.",
            "previewType": "automatic",
            "references": {},
            "checklist": {},
        }
        return task

    def time_card(
        self,
        team_id: str,
        person: dict[str, Any],
        local_in: datetime,
        local_out: datetime,
        *,
        break_minutes: int = 30,
    ) -> dict[str, Any]:
        """A clocked-out card; times are the person's local wall clock, stored in UTC."""
        zone = ZoneInfo(person["time_zone"])
        clock_in, clock_out = local_in.replace(tzinfo=zone), local_out.replace(tzinfo=zone)
        event = {"isAtApprovedLocation": True, "notes": None}
        brk_start = clock_in + timedelta(hours=4)
        breaks = (
            [
                {
                    "breakId": f"BRK_{self.next_card:06d}",
                    "notes": None,
                    "start": {**event, "dateTime": graph_ts(brk_start)},
                    "end": {
                        **event,
                        "dateTime": graph_ts(brk_start + timedelta(minutes=break_minutes)),
                    },
                }
            ]
            if break_minutes
            else []
        )
        in_event, out_event = (
            {**event, "dateTime": graph_ts(clock_in)},
            {**event, "dateTime": graph_ts(clock_out)},
        )
        user = {"user": {"id": person["graph_user_id"], "displayName": person["display_name"]}}
        card = {
            "id": f"TCK_{self.next_card:08d}",
            "userId": person["graph_user_id"],
            "state": "clockedOut",
            "confirmedBy": "user",
            "notes": None,
            "createdDateTime": graph_ts(clock_in),
            "lastModifiedDateTime": graph_ts(max(clock_in, clock_out)),
            "createdBy": user,
            "lastModifiedBy": user,
            "clockInEvent": in_event,
            "clockOutEvent": out_event,
            "breaks": breaks,
            "originalEntry": {
                "clockInEvent": in_event,
                "clockOutEvent": out_event,
                "breaks": breaks,
            },
        }
        self.next_card += 1
        self.time_cards.setdefault(team_id, []).append(card)
        return card

    def timesheet(
        self, person: dict[str, Any], day: datetime, hours: float, project: str, task: str
    ) -> dict[str, Any]:
        item_id = str(len(self.timesheet_items) + 1)
        stamp = graph_ts(day.replace(hour=18))
        item = {
            "id": item_id,
            "createdDateTime": stamp,
            "lastModifiedDateTime": stamp,
            "@odata.etag": f'"{_guid(self.rng)},1"',
            "fields": {
                "id": item_id,
                "Title": f"{task} {day:%Y-%m-%d}",
                "Person": person["email"],
                "WorkDate": day.strftime("%Y-%m-%d"),
                "Hours": hours,
                "Project": project,
                "Task": task,
            },
        }
        self.timesheet_items.append(item)
        return item

    def document(self, people: list[dict[str, Any]], teams: list[dict[str, Any]]) -> dict[str, Any]:
        from sandbox.generator.people import graph_users

        return {
            "users": graph_users(people),
            "groups": self.groups,
            "plans": self.plans,
            "buckets": self.buckets,
            "tasks": self.tasks,
            "task_details": self.task_details,
            "teams": teams,
            "time_cards": self.time_cards,
            "sites": [
                {
                    "id": SITE_ID,
                    "name": "PMO",
                    "displayName": "PMO",
                    "lists": [
                        {
                            "id": "8f0f6a5e-1b9c-4c42-9d8a-6a2b0c1d2e3f",
                            "displayName": "Timesheets",
                            "items": self.timesheet_items,
                        }
                    ],
                }
            ],
            "drives": [
                {
                    "id": "b!pmoDocuments0000000000000000000000000000000000000000000",
                    "name": "Documents",
                    "site": SITE_ID,
                }
            ],
        }
