"""Microsoft 365 side: groups, Planner plans/buckets/tasks, Teams, SharePoint timesheets."""

from __future__ import annotations

import base64
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sandbox.gen.people import Person, new_uuid
from sandbox.timefmt import graph_ts

SP_HOST = "contoso.sharepoint.com"

PLANS: list[tuple[str, int, list[str], list[str]]] = [
    # title, tasks, buckets, task title stems
    (
        "M365 Rollout",
        150,
        ["Pilot", "Wave 1", "Wave 2", "Wave 3", "Training", "Hypercare"],
        [
            "Migrate mailbox batch",
            "Enable OneDrive for team",
            "Teams onboarding for department",
            "Install Office apps in lab",
            "Collect feedback from floor",
            "Run drop-in clinic",
        ],
    ),
    (
        "Office Move Berlin",
        45,
        ["Preparation", "Move weekend", "Aftercare"],
        [
            "Label desks on floor",
            "Book movers for zone",
            "Patch network ports in zone",
            "Test printers on floor",
            "Hand out access badges",
        ],
    ),
]


@dataclass
class GraphWorld:
    rng: random.Random
    now: datetime
    people: list[Person]
    data: dict[str, Any] = field(
        default_factory=lambda: {
            "users": [],
            "groups": [],
            "plans": [],
            "buckets": [],
            "tasks": [],
            "task_details": {},
            "teams": [],
            "time_cards": {},
            "sites": [],
            "drives": [],
        }
    )

    def etag(self) -> str:
        raw = base64.b64encode(f"1-Task@@@@{self.rng.getrandbits(40):x}".encode()).decode()
        return f'W/"J{raw}"'

    def identity(self, person: Person) -> dict[str, Any]:
        return {"user": {"id": person.graph_user_id, "displayName": person.display_name}}


def add_groups_and_plans(world: GraphWorld, members: list[Person]) -> None:
    rng, now = world.rng, world.now
    for title, count, buckets, stems in PLANS:
        group_id = new_uuid(rng)
        world.data["groups"].append(
            {
                "id": group_id,
                "displayName": f"{title} Team",
                "description": f"{title} project",
                "mailNickname": title.lower().replace(" ", ""),
                "groupTypes": ["Unified"],
                "mailEnabled": True,
                "securityEnabled": False,
                "visibility": "Private",
            }
        )
        created = now - timedelta(days=120)
        plan_id = rng.getrandbits(96).to_bytes(12, "big").hex()[:28]
        world.data["plans"].append(
            {
                "id": plan_id,
                "title": title,
                "owner": group_id,
                "createdDateTime": graph_ts(created),
                "createdBy": world.identity(members[0]),
                "container": {
                    "containerId": group_id,
                    "type": "group",
                    "url": f"https://graph.microsoft.com/v1.0/groups/{group_id}",
                },
                "@odata.etag": world.etag(),
            }
        )
        bucket_ids = []
        for n, name in enumerate(buckets):
            bucket_id = rng.getrandbits(96).to_bytes(12, "big").hex()[:28]
            bucket_ids.append(bucket_id)
            world.data["buckets"].append(
                {
                    "id": bucket_id,
                    "name": name,
                    "planId": plan_id,
                    "orderHint": f"85{n:02d}!",
                    "@odata.etag": world.etag(),
                }
            )
        for n in range(count):
            _add_task(world, plan_id, bucket_ids, n, count, stems, members, created)


def _add_task(
    world: GraphWorld,
    plan_id: str,
    buckets: list[str],
    n: int,
    count: int,
    stems: list[str],
    members: list[Person],
    created: datetime,
) -> None:
    rng, now = world.rng, world.now
    bucket = min(len(buckets) - 1, n * len(buckets) // count)
    start = created + timedelta(days=10 + 150 * n // count)
    due = start + timedelta(days=rng.randint(5, 15))
    owner = members[n % len(members)]
    percent = 100 if due < now else 50 if start < now else 0
    task_id = rng.getrandbits(96).to_bytes(12, "big").hex()[:28]
    task: dict[str, Any] = {
        "id": task_id,
        "planId": plan_id,
        "bucketId": buckets[bucket],
        "title": f"{stems[n % len(stems)]} {n // len(stems) + 1}",
        "orderHint": f"8{n:04d}!",
        "assigneePriority": "",
        "percentComplete": percent,
        "priority": rng.choice([1, 3, 5, 5, 9]),
        "startDateTime": graph_ts(start),
        "dueDateTime": graph_ts(due),
        "createdDateTime": graph_ts(created),
        "createdBy": world.identity(members[0]),
        "hasDescription": n % 5 == 0,
        "previewType": "automatic",
        "referenceCount": 0,
        "checklistItemCount": 0,
        "activeChecklistItemCount": 0,
        "conversationThreadId": None,
        "completedDateTime": graph_ts(due - timedelta(days=1)) if percent == 100 else None,
        "completedBy": world.identity(owner) if percent == 100 else None,
        "appliedCategories": {"category1": True} if n % 7 == 0 else {},
        "assignments": {
            owner.graph_user_id: {
                "@odata.type": "#microsoft.graph.plannerAssignment",
                "assignedBy": world.identity(members[0]),
                "assignedDateTime": graph_ts(created),
                "orderHint": " !",
            }
        },
        "@odata.etag": world.etag(),
    }
    world.data["tasks"].append(task)
    if task["hasDescription"]:
        world.data["task_details"][task_id] = {
            "id": task_id,
            "description": f"Checklist and notes for {task['title']}.",
            "previewType": "automatic",
            "references": {},
            "checklist": {},
            "@odata.etag": world.etag(),
        }


def add_teams(world: GraphWorld, shift_teams: dict[str, list[Person]]) -> dict[str, str]:
    """The PMO team (for channel posts) and the Shifts teams; returns name -> team id."""
    ids = {}
    for name in ["PMO Office", *shift_teams]:
        team_id = new_uuid(world.rng)
        ids[name] = team_id
        channel = f"19:{world.rng.getrandbits(128):032x}@thread.tacv2"
        world.data["teams"].append(
            {
                "id": team_id,
                "displayName": name,
                "description": f"{name} team",
                "channels": [
                    {
                        "id": channel,
                        "displayName": "PMO" if name == "PMO Office" else "General",
                        "membershipType": "standard",
                    }
                ],
            }
        )
        if name != "PMO Office":
            world.data["time_cards"][team_id] = []
    return ids


def add_timesheet_site(world: GraphWorld) -> tuple[str, dict[str, Any]]:
    rng = world.rng
    site_id = f"{SP_HOST},{new_uuid(rng)},{new_uuid(rng)}"
    timesheet = {
        "id": new_uuid(rng),
        "displayName": "Timesheets",
        "name": "Timesheets",
        "items": [],
    }
    world.data["sites"].append(
        {
            "id": site_id,
            "name": "PMO",
            "displayName": "PMO",
            "webUrl": f"https://{SP_HOST}/sites/PMO",
            "lists": [timesheet],
        }
    )
    world.data["drives"].append(
        {
            "id": "b!" + rng.getrandbits(192).to_bytes(24, "big").hex(),
            "name": "Documents",
            "driveType": "documentLibrary",
            "site": site_id,
        }
    )
    return site_id, timesheet


def add_timesheet_row(
    world: GraphWorld,
    timesheet: dict[str, Any],
    person: Person,
    day: Any,
    hours: float,
    project: str,
    task: str,
) -> dict[str, Any]:
    item_id = str(len(timesheet["items"]) + 1)
    entered = datetime.combine(day, time(17), tzinfo=person.zone).astimezone(UTC)
    entered = min(entered, world.now - timedelta(minutes=5))
    row = {
        "id": item_id,
        "@odata.etag": f'"{new_uuid(world.rng)},1"',
        "createdDateTime": graph_ts(entered),
        "lastModifiedDateTime": graph_ts(entered),
        "fields": {
            "Title": f"{person.display_name} {day.isoformat()}",
            "Person": person.m365_mail,
            "WorkDate": f"{day.isoformat()}T00:00:00Z",
            "Hours": hours,
            "Project": project,
            "Task": task,
        },
    }
    timesheet["items"].append(row)
    return row
