"""The table of Graph operations this sandbox serves and the dispatcher that matches it.

Patterns are matched on decoded segments (see `paths.py`); `{name}` captures a segment and
`{name|prefix}` captures only segments that start with `prefix` (for `delta()` forms).
Segment names compare case-insensitively, as Graph's do.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sandbox.graph import drive, lists, mail, planner, shifts, teams, users
from sandbox.graph.errors import GraphError, bad_request
from sandbox.graph.http import GraphRequest, GraphResponse
from sandbox.graph.options import PAGED, SINGLE, apply_select, check_options
from sandbox.graph.state import GraphState

Handler = Callable[..., GraphResponse]


@dataclass(frozen=True)
class Operation:
    method: str
    pattern: tuple[str, ...]
    handler: Handler

    def match(self, segments: tuple[str, ...]) -> dict[str, str] | None:
        if len(segments) != len(self.pattern):
            return None
        params: dict[str, str] = {}
        for want, got in zip(self.pattern, segments, strict=True):
            if want.startswith("{"):
                name, _, prefix = want[1:-1].partition("|")
                if prefix and not got.startswith(prefix):
                    return None
                params[name] = got
            elif want.casefold() != got.casefold():
                return None
        return params


def _operations() -> list[Operation]:
    table: list[tuple[str, str, Handler]] = [
        ("GET", "groups/{group}/planner/plans", planner.list_group_plans),
        ("GET", "planner/plans/{plan}", planner.get_plan),
        ("GET", "planner/plans/{plan}/details", planner.get_plan_details),
        ("GET", "planner/plans/{plan}/tasks", planner.list_plan_tasks),
        ("GET", "planner/plans/{plan}/buckets", planner.list_plan_buckets),
        ("GET", "planner/buckets/{bucket}/tasks", planner.list_bucket_tasks),
        ("POST", "planner/tasks", planner.create_task),
        ("GET", "planner/tasks/{task}", planner.get_task),
        ("PATCH", "planner/tasks/{task}", planner.patch_task),
        ("GET", "planner/tasks/{task}/details", planner.get_task_details),
        ("PATCH", "planner/tasks/{task}/details", planner.patch_task_details),
        ("GET", "teams/{team}/schedule/timeCards", shifts.list_time_cards),
        ("GET", "teams/{team}/schedule/timeCards/{card}", shifts.get_time_card),
        ("GET", "teams/{team}", teams.get_team),
        ("GET", "teams/{team}/channels", teams.list_channels),
        ("GET", "teams/{team}/channels/{channel}", teams.get_channel),
        ("POST", "teams/{team}/channels/{channel}/messages", teams.post_message),
        ("GET", "teams/{team}/channels/{channel}/messages", teams.list_messages),
        ("GET", "teams/{team}/channels/{channel}/messages/{message}", teams.get_message),
        ("GET", "sites/{site}", lists.get_site),
        ("GET", "sites/{site}/lists", lists.list_lists),
        ("GET", "sites/{site}/lists/{list_ref}", lists.get_list),
        ("GET", "sites/{site}/lists/{list_ref}/items", lists.list_items),
        ("GET", "sites/{site}/lists/{list_ref}/items/{delta|delta}", lists.items_delta),
        ("GET", "sites/{site}/lists/{list_ref}/items/{item}", lists.get_item),
        ("GET", "users", users.list_users),
        ("GET", "users/{user}", users.get_user),
        ("POST", "users/{user}/sendMail", mail.send_mail),
        ("GET", "users/{user}/messages", mail.list_sent),
        ("GET", "users/{user}/mailFolders/{folder}/messages", mail.list_sent),
        ("PUT", "_upload/{session}", drive.put_upload_chunk),
        ("DELETE", "_upload/{session}", drive.cancel_upload),
    ]
    for prefix in ("drives/{drive}", "sites/{site}/drive"):
        table += [
            ("GET", prefix, drive.get_drive),
            ("GET", f"{prefix}/items/{{ref}}", drive.get_item),
            ("GET", f"{prefix}/items/{{ref}}/children", drive.list_children),
            ("GET", f"{prefix}/items/{{ref}}/content", drive.get_content),
            ("PUT", f"{prefix}/items/{{ref}}/content", drive.put_content),
            ("POST", f"{prefix}/items/{{ref}}/createUploadSession", drive.create_upload_session),
        ]
    return [Operation(method, tuple(path.split("/")), handler) for method, path, handler in table]


OPERATIONS = _operations()
# OData options each operation serves beyond `$select` (see options.py).
PAGED_COLLECTIONS = (
    planner.list_group_plans, planner.list_plan_tasks, planner.list_plan_buckets,
    planner.list_bucket_tasks, teams.list_messages, teams.list_channels, lists.list_lists,
    mail.list_sent,
    drive.list_children, users.list_users,
)  # fmt: skip
OPTIONS: dict[Handler, frozenset[str]] = {
    **dict.fromkeys(PAGED_COLLECTIONS, PAGED),
    shifts.list_time_cards: PAGED | {"filter", "orderby"},
    lists.list_items: PAGED | {"expand"},
    lists.items_delta: PAGED | {"expand"},
    lists.get_item: SINGLE | {"expand"},
}  # fmt: skip


def find_operation(req: GraphRequest) -> tuple[Operation, dict[str, str]]:
    """The operation for the request; 405 if only the method is wrong, else 400 like Graph."""
    path_matched = False
    for operation in OPERATIONS:
        params = operation.match(req.segments)
        if params is None:
            continue
        if operation.method == req.method:
            return operation, params
        path_matched = True
    if path_matched:
        raise GraphError(
            405, "MethodNotAllowed", f"{req.method} is not allowed on '{req.raw_path}'."
        )
    raise bad_request(f"Resource not found for the segment path '{'/'.join(req.segments)}'.")


def dispatch(graph: GraphState, req: GraphRequest) -> GraphResponse:
    """Run one Graph request against the state; every failure comes back in Graph's shape."""
    operation, params = find_operation(req)
    check_options(req, OPTIONS.get(operation.handler, SINGLE))
    return apply_select(req, operation.handler(graph, req, **params))
