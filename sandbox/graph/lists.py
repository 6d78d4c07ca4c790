"""SharePoint lists: items (with `fields` when expanded) and `items/delta`.

kiota requests `items/delta()` and `items/delta(token='...')`; the links this sandbox hands out
use `items/delta?token=...` as SharePoint does. Both forms are served.
"""

from __future__ import annotations

import re
from typing import Any

from sandbox.graph.errors import bad_request
from sandbox.graph.http import GraphRequest, GraphResponse, json_response
from sandbox.graph.liststore import DeltaCursor, ListStore, public_item
from sandbox.graph.paging import page_size, paged_collection
from sandbox.graph.state import GraphState

PAGE = 200
DELTA_SEGMENT = re.compile(r"^delta(?:\((?:token=)?'?(?P<token>[^')]*)'?\))?$")


def list_items(graph: GraphState, req: GraphRequest, site: str, list_ref: str) -> GraphResponse:
    store = graph.list_store(site, list_ref)
    with_fields = req.expands("fields")
    items = store.ordered_items()
    return json_response(
        paged_collection(req, items, PAGE, render=lambda item: public_item(item, with_fields))
    )


def get_item(
    graph: GraphState, req: GraphRequest, site: str, list_ref: str, item: str
) -> GraphResponse:
    store = graph.list_store(site, list_ref)
    return json_response(public_item(store.get(item), req.expands("fields")))


def get_list(graph: GraphState, req: GraphRequest, site: str, list_ref: str) -> GraphResponse:
    return json_response(graph.list_store(site, list_ref).meta)


def list_lists(graph: GraphState, req: GraphRequest, site: str) -> GraphResponse:
    graph.site(site)
    metas = [store.meta for (owner, _), store in graph.lists.items() if owner == site]
    return json_response(paged_collection(req, metas, PAGE))


def get_site(graph: GraphState, req: GraphRequest, site: str) -> GraphResponse:
    return json_response({k: v for k, v in graph.site(site).items() if k != "lists"})


def delta_token(req: GraphRequest, segment: str) -> str | None:
    """The token from `delta(token='t')` or `delta?token=t`; None starts a full round."""
    match = DELTA_SEGMENT.match(segment)
    if match is None:
        raise bad_request(f"Resource not found for the segment '{segment}'.")
    return match.group("token") or req.query("token") or None


def _delta_entry(
    store: ListStore, item_id: str, deleted: bool, with_fields: bool
) -> dict[str, Any]:
    if deleted or item_id not in store.items:
        return {"id": item_id, "@removed": {"reason": "deleted"}}
    return public_item(store.items[item_id], with_fields)


def items_delta(
    graph: GraphState, req: GraphRequest, site: str, list_ref: str, delta: str
) -> GraphResponse:
    store = graph.list_store(site, list_ref)
    now = graph.now()
    cursor = store.cursor(delta_token(req, delta), now)
    pending = cursor.pending or ()
    size = page_size(req, PAGE, 999)
    with_fields = req.expands("fields")
    body: dict[str, Any] = {
        "value": [_delta_entry(store, i, gone, with_fields) for i, gone in pending[:size]]
    }
    rest = pending[size:]
    if rest:
        token = store.issue(DeltaCursor(cursor.since, cursor.upto, rest, now))
        body["@odata.nextLink"] = _delta_link(req, token)
    else:
        token = store.issue(DeltaCursor(cursor.upto, cursor.upto, None, now))
        body["@odata.deltaLink"] = _delta_link(req, token)
    return json_response(body)


def _delta_link(req: GraphRequest, token: str) -> str:
    """`.../items/delta?token=...` keeping the caller's other options ($expand, $top)."""
    path = req.raw_path.rsplit("/", 1)[0] + "/delta"
    kept = [
        (k, v) for k, v in req.query_pairs if k.lower().lstrip("$") not in {"token", "skiptoken"}
    ]
    return req.url_with(path, [*kept, ("token", token)])
