"""Microsoft 365 side: groups, Planner plans/buckets/tasks, Teams, SharePoint timesheets."""

from __future__ import annotations

import base64
import random
import uuid
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
            "plan_details": {},
            "teams": [],
            "time_cards": {},
            "sites": [],
            "drives": [],
        }
    )

    # the timesheet site's user information list: M365 address -> lookup id
    site_users: dict[str, str] = field(default_factory=dict)

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
        # the plan's label names, with unnamed slots as `null` (plannerPlanDetails example)
        world.data["plan_details"][plan_id] = {
            "id": plan_id,
            "sharedWith": {members[0].graph_user_id: True},
            "categoryDescriptions": {
                "category1": "Customer-facing",
                "category2": "Defect",
                "category3": None,
                "category4": "Lessons learned",
                "category5": None,
                "category6": None,
            },
        }
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
    """The PMO site: a Timesheets list (with a folder, as real lists have), the site's hidden
    user information list that person columns point into, and the document library."""
    rng = world.rng
    site_id = f"{SP_HOST},{new_uuid(rng)},{new_uuid(rng)}"
    timesheet = {
        "id": new_uuid(rng),
        "displayName": "Timesheets",
        "name": "Timesheets",
        "items": [_folder_item("Archive 2025")],
    }
    world.data["sites"].append(
        {
            "id": site_id,
            "name": "PMO",
            "displayName": "PMO",
            "webUrl": f"https://{SP_HOST}/sites/PMO",
            "lists": [timesheet, _user_information_list(world, site_id)],
        }
    )
    world.data["drives"].append(
        {
            "id": "b!" + rng.getrandbits(192).to_bytes(24, "big").hex(),
            "name": "Documents",
            "driveType": "documentLibrary",
            "site": site_id,
            "webUrl": f"https://{SP_HOST}/sites/PMO/Shared%20Documents",
        }
    )
    return site_id, timesheet


def _folder_item(name: str) -> dict[str, Any]:
    """A folder in a list: an item with the Folder content type and no timesheet columns."""
    return {
        "id": "1",
        "createdDateTime": "2025-01-02T08:00:00Z",
        "lastModifiedDateTime": "2025-01-02T08:00:00Z",
        "contentType": {"id": "0x012000C0FFEE", "name": "Folder"},
        "fields": {"Title": name, "FileLeafRef": name, "ContentType": "Folder"},
    }


def _user_information_list(world: GraphWorld, site_id: str) -> dict[str, Any]:
    """SharePoint's hidden list of the site's users; a person column stores the item id of
    its entry (`PersonLookupId`). Every sixth user has no mailbox: `mail` is null in the
    directory and `EMail` empty here, only the sign-in name carries the address."""
    items = []
    for n, user in enumerate(world.data["users"]):
        if n % 6 == 5:
            user["mail"] = None
        lookup_id = str(7 + 2 * n)  # SharePoint ids have gaps (groups and removed users)
        upn = user["userPrincipalName"]
        world.site_users[upn] = lookup_id
        items.append(
            {
                "id": lookup_id,
                "createdDateTime": "2025-01-02T08:00:00Z",
                "lastModifiedDateTime": "2025-01-02T08:00:00Z",
                "contentType": {"id": "0x010A00C0FFEE", "name": "Person"},
                "fields": {
                    "Title": user["displayName"],
                    "EMail": user["mail"] or "",
                    "UserName": upn,
                    "Name": f"i:0#.f|membership|{upn.lower()}",
                    "ContentType": "Person",
                },
            }
        )
    name = uuid.uuid5(uuid.NAMESPACE_URL, f"{site_id}/users")
    return {
        "id": str(name),
        "displayName": "User Information List",
        "name": "users",
        "list": {"hidden": True, "template": "genericList"},
        "items": items,
    }


def mixed_precision(moment: datetime, n: int) -> str:
    """Graph's timestamps come with 0, 3 or 7 fractional digits; the sandbox sends all three."""
    base = moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    return base + ("Z", ".000Z", ".0000000Z")[n % 3]


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
        "createdDateTime": mixed_precision(entered, int(item_id)),
        "lastModifiedDateTime": mixed_precision(entered, int(item_id) + 1),
        "contentType": {"id": "0x0100C0FFEE", "name": "Item"},
        "fields": {
            "Title": f"{person.display_name} {day.isoformat()}",
            # a person column as Graph returns it with expand=fields: the lookup id only
            "PersonLookupId": world.site_users[person.m365_mail],
            "WorkDate": f"{day.isoformat()}T00:00:00Z",
            "Hours": hours,
            "Project": project,
            "Task": task,
        },
    }
    timesheet["items"].append(row)
    return row


def edit_time_cards(world: GraphWorld) -> None:
    """Cards as Shifts keeps them after edits: every fifth closed card was corrected by a
    manager (`originalEntry` keeps the first clock-out, 20 minutes later than the final one),
    and timestamps come with 0, 3 or 7 fractional digits. Final entries are unchanged."""
    n = 0
    for cards in world.data["time_cards"].values():
        for card in cards:
            n += 1
            for event in (card.get("clockInEvent"), card.get("clockOutEvent")):
                if event and event.get("dateTime"):
                    moment = datetime.fromisoformat(event["dateTime"].replace("Z", "+00:00"))
                    event["dateTime"] = mixed_precision(moment, n)
            out = card.get("clockOutEvent")
            if not out or n % 5:
                continue
            original = dict(out)
            moment = datetime.fromisoformat(out["dateTime"].replace("Z", "+00:00"))
            original["dateTime"] = mixed_precision(moment + timedelta(minutes=20), n)
            card["originalEntry"] = {**card["originalEntry"], "clockOutEvent": original}
