"""Planner: plans, buckets, tasks and task details, with Planner's optimistic concurrency.

Updates need `If-Match` with the current `@odata.etag` (400 without, 412 when stale), answer
204, or 200 with the task under `Prefer: return=representation` (MGD plannerplan-update.md).
"""

from __future__ import annotations

import copy
import secrets
from typing import Any

from sandbox.graph.clock import graph_time, parse_time
from sandbox.graph.errors import GraphError, bad_request, not_found
from sandbox.graph.http import GraphRequest, GraphResponse, empty, json_response
from sandbox.graph.paging import paged_collection
from sandbox.graph.state import GraphState

PAGE = 100
WRITABLE_TASK = {
    "title", "bucketId", "orderHint", "assigneePriority", "percentComplete", "priority",
    "startDateTime", "dueDateTime", "appliedCategories", "assignments", "conversationThreadId",
    "previewType",
}  # fmt: skip
WRITABLE_DETAILS = {"description", "previewType", "checklist", "references"}


def list_group_plans(graph: GraphState, req: GraphRequest, group: str) -> GraphResponse:
    graph.group(group)
    plans = [
        plan
        for plan in graph.plans.values()
        if group in {plan.get("owner"), (plan.get("container") or {}).get("containerId")}
    ]
    return json_response(paged_collection(req, plans, PAGE))


def get_plan(graph: GraphState, req: GraphRequest, plan: str) -> GraphResponse:
    return json_response(graph.plan(plan))


def get_plan_details(graph: GraphState, req: GraphRequest, plan: str) -> GraphResponse:
    """plannerPlanDetails: the names of the plan's label slots (`categoryDescriptions`),
    `null` for a slot nobody named, as in Graph's documented example."""
    graph.plan(plan)
    details = graph.plan_details.setdefault(plan, {})
    details.setdefault("id", plan)
    details.setdefault("sharedWith", {})
    names = details.setdefault("categoryDescriptions", {})
    for slot in range(1, 7):
        names.setdefault(f"category{slot}", None)
    details.setdefault("@odata.etag", graph.next_etag("PlanDetails"))
    return json_response(details)


def list_plan_tasks(graph: GraphState, req: GraphRequest, plan: str) -> GraphResponse:
    graph.plan(plan)
    tasks = graph.tasks_by_plan.get(plan, [])
    return json_response(paged_collection(req, tasks, PAGE))


def list_plan_buckets(graph: GraphState, req: GraphRequest, plan: str) -> GraphResponse:
    graph.plan(plan)
    buckets = [bucket for bucket in graph.buckets.values() if bucket.get("planId") == plan]
    return json_response(paged_collection(req, buckets, PAGE))


def list_bucket_tasks(graph: GraphState, req: GraphRequest, bucket: str) -> GraphResponse:
    if bucket not in graph.buckets:
        raise not_found("plannerBucket", bucket)
    tasks = [task for task in graph.tasks.values() if task.get("bucketId") == bucket]
    return json_response(paged_collection(req, tasks, PAGE))


def get_task(graph: GraphState, req: GraphRequest, task: str) -> GraphResponse:
    return json_response(graph.task(task))


def check_if_match(req: GraphRequest, current_etag: str, what: str) -> None:
    supplied = req.header("if-match")
    if not supplied:
        raise bad_request(f"The If-Match header is required to update {what}.")
    if supplied != current_etag:
        raise GraphError(
            412,
            "PreconditionFailed",
            f"The ETag in If-Match does not match the current version of {what}; "
            "read it again and retry with the new @odata.etag.",
        )


def _check_properties(body: dict[str, Any], allowed: set[str], entity: str) -> None:
    for key in body:
        if not key.startswith("@odata.") and key not in allowed:
            raise bad_request(f"The property '{key}' of {entity} can't be set in this request.")


def _validate_task_values(body: dict[str, Any]) -> None:
    for key in ("percentComplete", "priority"):
        if key in body:
            high = 100 if key == "percentComplete" else 10
            value = body[key]
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= high:
                raise bad_request(f"plannerTask.{key} must be an integer from 0 to {high}.")
    for key in ("startDateTime", "dueDateTime"):
        if body.get(key) is not None:
            parse_time(str(body[key]), f"plannerTask.{key}")
    if "title" in body and (not isinstance(body["title"], str) or not body["title"].strip()):
        raise bad_request("plannerTask.title must be a non-empty string.")


def _check_bucket(graph: GraphState, bucket_id: str | None, plan_id: str) -> None:
    if bucket_id and (graph.buckets.get(bucket_id) or {}).get("planId") != plan_id:
        raise bad_request(f"plannerBucket '{bucket_id}' is not in plan '{plan_id}'.")


def _apply_task_changes(graph: GraphState, task: dict[str, Any], body: dict[str, Any]) -> None:
    now = graph_time(graph.now())
    for key, value in body.items():
        if key.startswith("@odata."):
            continue
        if key == "assignments":
            _merge_assignments(graph, task, value or {}, now)
        elif key == "appliedCategories":
            task["appliedCategories"] = {**(task.get("appliedCategories") or {}), **(value or {})}
        else:
            task[key] = value
    if "percentComplete" in body:
        done = body["percentComplete"] == 100
        task["completedDateTime"] = (task.get("completedDateTime") or now) if done else None
        task["completedBy"] = graph.actor() if done else None


def _merge_assignments(
    graph: GraphState, task: dict[str, Any], changes: dict[str, Any], now: str
) -> None:
    assignments = dict(task.get("assignments") or {})
    for user_id, assignment in changes.items():
        if assignment is None:
            assignments.pop(user_id, None)
            continue
        assignments[user_id] = {
            "@odata.type": "#microsoft.graph.plannerAssignment",
            "assignedBy": graph.actor(),
            "assignedDateTime": now,
            "orderHint": (assignment or {}).get("orderHint") or " !",
        }
    task["assignments"] = assignments


def _updated(req: GraphRequest, entity: dict[str, Any]) -> GraphResponse:
    if "return=representation" in (req.header("prefer") or ""):
        return json_response(copy.deepcopy(entity))
    return empty(204)


def patch_task(graph: GraphState, req: GraphRequest, task: str) -> GraphResponse:
    stored = graph.task(task)
    check_if_match(req, stored["@odata.etag"], f"plannerTask '{task}'")
    body = req.json()
    _check_properties(body, WRITABLE_TASK, "plannerTask")
    _validate_task_values(body)
    _check_bucket(graph, body.get("bucketId"), stored["planId"])
    _apply_task_changes(graph, stored, body)
    stored["@odata.etag"] = graph.next_etag("Task")
    graph.publish("planner_task_update", f"planner/tasks/{task}", copy.deepcopy(stored))
    return _updated(req, stored)


def new_task(graph: GraphState, body: dict[str, Any]) -> dict[str, Any]:
    """A plannerTask with Planner's defaults for everything the body leaves out."""
    return {
        "id": secrets.token_urlsafe(21)[:28],
        "planId": body["planId"], "bucketId": body.get("bucketId"), "title": body["title"],
        "orderHint": body.get("orderHint") or "8585000000000000000P(", "assigneePriority": "",
        "percentComplete": 0, "priority": 5, "startDateTime": None, "dueDateTime": None,
        "createdDateTime": graph_time(graph.now()), "createdBy": graph.actor(),
        "completedDateTime": None, "completedBy": None, "hasDescription": False,
        "previewType": "automatic", "referenceCount": 0, "checklistItemCount": 0,
        "activeChecklistItemCount": 0, "conversationThreadId": None,
        "appliedCategories": {}, "assignments": {},
    }  # fmt: skip


def create_task(graph: GraphState, req: GraphRequest) -> GraphResponse:
    body = req.json()
    _check_properties(body, WRITABLE_TASK | {"planId"}, "plannerTask")
    if not isinstance(body.get("planId"), str) or not isinstance(body.get("title"), str):
        raise bad_request("A new plannerTask needs 'planId' and 'title' strings.")
    _validate_task_values(body)
    graph.plan(body["planId"])
    _check_bucket(graph, body.get("bucketId"), body["planId"])
    task = new_task(graph, body)
    changes = {k: v for k, v in body.items() if k not in {"planId", "title", "orderHint"}}
    _apply_task_changes(graph, task, changes)
    stored = graph.add_task(task)
    graph.publish("planner_task", f"planner/plans/{body['planId']}", stored)
    return json_response(stored, status=201)


def _details(graph: GraphState, task: str) -> dict[str, Any]:
    graph.task(task)
    if task not in graph.task_details:
        graph.task_details[task] = {
            "id": task, "description": "", "previewType": "automatic",
            "references": {}, "checklist": {},
        }  # fmt: skip
    details = graph.task_details[task]
    details.setdefault("id", task)
    details.setdefault("@odata.etag", graph.next_etag("TaskDetails"))
    return details


def get_task_details(graph: GraphState, req: GraphRequest, task: str) -> GraphResponse:
    return json_response(_details(graph, task))


def patch_task_details(graph: GraphState, req: GraphRequest, task: str) -> GraphResponse:
    details = _details(graph, task)
    check_if_match(req, details["@odata.etag"], f"plannerTaskDetails '{task}'")
    body = req.json()
    _check_properties(body, WRITABLE_DETAILS, "plannerTaskDetails")
    details.update({k: v for k, v in body.items() if not k.startswith("@odata.")})
    details["@odata.etag"] = graph.next_etag("TaskDetails")
    graph.tasks[task]["hasDescription"] = bool(details.get("description"))
    graph.publish("planner_task_details", f"planner/tasks/{task}/details", copy.deepcopy(details))
    return _updated(req, details)
