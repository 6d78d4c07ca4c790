"""OData system query options: which ones each operation serves, and `$select`.

An option the sandbox does not implement for an operation answers 400 naming it, so a client
never mistakes an ignored `$filter` or `$orderby` for a served one (a silent wrong result).
"""

from __future__ import annotations

import re
from typing import Any

from sandbox.graph.errors import bad_request
from sandbox.graph.http import GraphRequest, GraphResponse

ODATA_OPTIONS = {
    "select", "expand", "filter", "orderby", "top", "skip", "skiptoken", "count", "search",
    "format", "apply", "compute", "deltatoken",
}  # fmt: skip
PAGED = frozenset({"select", "top", "skiptoken"})
SINGLE = frozenset({"select"})
DEFAULT_ORDER = {"clockinevent/datetime", "clockinevent/datetime asc"}


def check_options(req: GraphRequest, accepted: frozenset[str]) -> None:
    """400 for an OData option (with or without `$`) that this operation does not serve."""
    for key, value in req.query_pairs:
        name = key.lower().lstrip("$")
        if name not in ODATA_OPTIONS:
            continue  # not an OData option (e.g. a delta `token`)
        if name not in accepted:
            raise bad_request(f"The query option '{key}' is not supported on this resource.")
        if name == "orderby" and " ".join(value.lower().split()) not in DEFAULT_ORDER:
            raise bad_request(f"$orderby '{value}' is not supported: only clockInEvent/dateTime.")
        if name == "expand" and not EXPAND_FIELDS.match(value.strip()):
            raise bad_request(f"$expand '{value}' is not supported: only 'fields'.")


EXPAND_FIELDS = re.compile(r"^fields(\(\$?select=[\w,\s]*\))?$")


def apply_select(req: GraphRequest, response: GraphResponse) -> GraphResponse:
    """Keep `id`, annotations and the `$select`ed properties of the entity or each entity."""
    wanted = {part.strip() for part in (req.query("select") or "").split(",") if part.strip()}
    if not wanted or not isinstance(response.body, dict):
        return response
    body = response.body
    if isinstance(body.get("value"), list):
        body = {**body, "value": [_project(entity, wanted) for entity in body["value"]]}
    else:
        body = _project(body, wanted)
    return GraphResponse(response.status, body, response.content, response.headers)


def _project(entity: Any, wanted: set[str]) -> Any:
    if not isinstance(entity, dict):
        return entity
    return {k: v for k, v in entity.items() if k == "id" or k.startswith("@") or k in wanted}
