"""A small hand-made tenant whose Microsoft 365 side holds every edge case the connector handles.

Built in code (not the generator) so each record is visible next to the test that uses it.
"""

from __future__ import annotations

from typing import Any

from sandbox.tenant import graph_only_tenant

SITE = "contoso.sharepoint.com,11111111-1111-1111-1111-111111111111,22222222-2222-2222-2222-222222222222"
TOKEN = "graph-test-token-5f2c"
ANA, BEN, CARL = "u-ana", "u-ben", "u-carl"
BIG_PLAN_TASKS = 130  # more than one page of Planner tasks (the sandbox pages by 100)


def _task(i: int, plan: str, bucket: str, **extra: Any) -> dict[str, Any]:
    task = {
        "id": f"{plan}-t{i:03d}",
        "planId": plan,
        "bucketId": bucket,
        "title": f"Task {i} of {plan}",
        "percentComplete": (0, 50, 100)[i % 3],
        "priority": i % 11,
        "startDateTime": "2026-10-01T00:00:00Z",
        "dueDateTime": f"2026-12-{1 + i % 28:02d}T00:00:00Z",
        "completedDateTime": "2026-11-10T09:00:00Z" if i % 3 == 2 else None,
        "createdDateTime": "2026-09-01T08:00:00Z",
        "assignments": {
            (ANA, BEN)[i % 2]: {
                "@odata.type": "#microsoft.graph.plannerAssignment",
                "assignedDateTime": "2026-09-02T08:00:00Z",
                "orderHint": "8",
            }
        },
        "appliedCategories": {},
        "orderHint": "8585",
    }
    task.update(extra)
    return task


def _event(when: str | None) -> dict[str, Any] | None:
    return None if when is None else {"dateTime": when, "isAtApprovedLocation": True, "notes": None}


def card(
    card_id: str,
    user: str,
    clock_in: str | None,
    clock_out: str | None,
    *,
    breaks: list[tuple[str, str]] = (),
    confirmed: str = "manager",
) -> dict[str, Any]:
    state = "clockedOut" if clock_out else "clockedIn"
    return {
        "id": card_id,
        "userId": user,
        "state": state,
        "confirmedBy": confirmed,
        "notes": None,
        "createdDateTime": "2026-11-20T00:00:00Z",
        "lastModifiedDateTime": "2026-11-21T00:00:00Z",
        "clockInEvent": _event(clock_in),
        "clockOutEvent": _event(clock_out),
        "breaks": [
            {"breakId": f"BRK_{card_id}_{n}", "start": _event(s), "end": _event(e), "notes": None}
            for n, (s, e) in enumerate(breaks)
        ],
    }


TIME_CARDS = [
    card("TCK_plain", ANA, "2026-11-20T12:00:00Z", "2026-11-20T20:00:00Z"),  # 8 h
    card(
        "TCK_break",
        ANA,
        "2026-11-19T12:00:00Z",
        "2026-11-19T20:30:00Z",
        breaks=[("2026-11-19T15:00:00Z", "2026-11-19T15:30:00Z")],
    ),  # 8 h after the break
    card("TCK_night", BEN, "2026-11-20T13:00:00Z", "2026-11-20T21:00:00Z"),  # 22:00-06:00 Tokyo
    card("TCK_reversed", BEN, "2026-11-18T18:00:00Z", "2026-11-18T09:00:00Z"),  # out before in
    card("TCK_open", ANA, "2026-11-27T11:00:00Z", None),  # still clocked in
    card("TCK_unconfirmed", BEN, "2026-11-17T00:00:00Z", "2026-11-17T06:00:00Z", confirmed="none"),
]

LIST_ITEMS = [
    {
        "id": str(n),
        "createdDateTime": "2026-11-20T18:00:00Z",
        "lastModifiedDateTime": "2026-11-20T18:00:00Z",
        "fields": {
            "Title": f"row {n}",
            "Person": person,
            "WorkDate": day,
            "Hours": hours,
            "Project": "ABC",
            "Task": "ABC-1",
        },
    }
    for n, (person, day, hours) in enumerate(
        [
            ("a.lima@example.onmicrosoft.com", "2026-11-20", 7.5),  # Ana under her alias address
            ("ana.lima@example.com", "2026-11-19", 6),
            (
                "ben@example.com",
                "2026-11-20",
                14,
            ),  # a 14-hour day: kept, the quality gate judges it
        ]
        + [("ben@example.com", f"2026-11-{1 + n % 28:02d}", 1.5) for n in range(3, 250)],
        start=1,
    )
]


def small_tenant() -> dict[str, Any]:
    tasks = [_task(i, "plan-big", "b-plan") for i in range(BIG_PLAN_TASKS)]
    tasks += [_task(i, "plan-small", "b-exec") for i in range(4)]
    tasks.append(_task(99, "plan-small", "b-exec", dueDateTime=None))  # no due date: kept, flagged
    details = {
        t["id"]: {
            "id": t["id"],
            "description": "d",
            "previewType": "automatic",
            "references": {},
            "checklist": {
                "c1": {
                    "@odata.type": "#microsoft.graph.plannerChecklistItem",
                    "isChecked": True,
                    "title": "one",
                },
                "c2": {
                    "@odata.type": "#microsoft.graph.plannerChecklistItem",
                    "isChecked": False,
                    "title": "two",
                },
                "c3": {
                    "@odata.type": "#microsoft.graph.plannerChecklistItem",
                    "isChecked": False,
                    "title": "three",
                },
                "c4": {
                    "@odata.type": "#microsoft.graph.plannerChecklistItem",
                    "isChecked": False,
                    "title": "four",
                },
            },
        }
        for t in tasks
    }
    graph = {
        "users": [
            {
                "id": ANA,
                "mail": "a.lima@example.onmicrosoft.com",
                "displayName": "Ana Lima",
                "userPrincipalName": "a.lima@example.onmicrosoft.com",
            },
            {
                "id": BEN,
                "mail": "ben@example.com",
                "displayName": "Ben Ito",
                "userPrincipalName": "ben@example.com",
            },
            {
                "id": CARL,
                "mail": "carl@example.com",
                "displayName": "Carl Sender",
                "userPrincipalName": "carl@example.com",
            },
        ],
        "groups": [{"id": "g1", "displayName": "PMO"}],
        "plans": [
            {
                "id": "plan-big",
                "title": "Big Plan",
                "owner": "g1",
                "createdDateTime": "2026-09-01T00:00:00Z",
                "createdBy": {"user": {"id": BEN}},
                "container": {"containerId": "g1", "type": "group"},
            },
            {
                "id": "plan-small",
                "title": "Small Plan",
                "owner": "g2",
                "createdDateTime": "2026-09-01T00:00:00Z",
                "createdBy": {"user": {"id": ANA}},
                "container": {"containerId": "g2", "type": "group"},
            },
        ],
        "buckets": [
            {"id": "b-plan", "planId": "plan-big", "name": "Planning", "orderHint": "1"},
            {"id": "b-exec", "planId": "plan-small", "name": "Execution ", "orderHint": "1"},
        ],
        "tasks": tasks,
        "task_details": details,
        "teams": [
            {
                "id": "team1",
                "displayName": "Ops",
                "channels": [{"id": "19:pmo@thread.tacv2", "displayName": "PMO"}],
            }
        ],
        "time_cards": {"team1": TIME_CARDS},
        "sites": [
            {
                "id": SITE,
                "name": "PMO",
                "lists": [{"id": "list-ts", "displayName": "Timesheets", "items": LIST_ITEMS}],
            }
        ],
        "drives": [
            {
                "id": "drive1",
                "name": "Documents",
                "site": SITE,
                "webUrl": "https://contoso.sharepoint.com/sites/PMO/Shared%20Documents",
            }
        ],
    }
    return graph_only_tenant(graph, token=TOKEN, scale="test")
