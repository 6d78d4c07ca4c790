"""SharePoint lists: items (with `fields` when expanded) and `items/delta`.

kiota requests `items/delta()` and `items/delta(token='...')`; the links this sandbox hands out
use `items/delta?token=...` as SharePoint does. Both forms are served.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from sandbox.graph.errors import GraphError, bad_request
from sandbox.graph.http import GraphRequest, GraphResponse, json_response
from sandbox.graph.liststore import DeltaCursor, ListStore, public_item
from sandbox.graph.paging import page_size, paged_collection
from sandbox.graph.state import GraphState

PAGE = 200
DELTA_SEGMENT = re.compile(r"^delta(?:\((?:token=)?'?(?P<token>[^')]*)'?\))?$")


USER_INFO_LIST = "User Information List"


def _renderer(graph: GraphState, req: GraphRequest, site: str) -> Callable[[dict[str, Any]], Any]:
    """How items of this request look: `fields` when expanded; with `fields(select=...)` only
    the selected columns, lookup columns among them as their display value (a person's name)."""
    with_fields = req.expands("fields")
    selected = req.expand_select("fields")
    if not with_fields or selected is None:
        return lambda item: public_item(item, with_fields)
    names = _site_user_names(graph, site)
    lookups = dict.fromkeys(selected, names)

    def render(item: dict[str, Any]) -> dict[str, Any]:
        public = public_item(item, True, lookups)
        fields = public.get("fields") or {}
        public["fields"] = {k: v for k, v in fields.items() if k in selected or k.startswith("@")}
        return public

    return render


def _site_user_names(graph: GraphState, site: str) -> dict[str, Any]:
    """Lookup id -> display name, from the site's user information list (if it has one)."""
    try:
        store = graph.list_store(site, USER_INFO_LIST)
    except GraphError:
        return {}
    return {item_id: item["fields"].get("Title") for item_id, item in store.items.items()}


def list_items(graph: GraphState, req: GraphRequest, site: str, list_ref: str) -> GraphResponse:
    store = graph.list_store(site, list_ref)
    items = store.ordered_items()
    return json_response(paged_collection(req, items, PAGE, render=_renderer(graph, req, site)))


def get_item(
    graph: GraphState, req: GraphRequest, site: str, list_ref: str, item: str
) -> GraphResponse:
    store = graph.list_store(site, list_ref)
    return json_response(_renderer(graph, req, site)(store.get(item)))


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
    store: ListStore, item_id: str, deleted: bool, render: Callable[[dict[str, Any]], Any]
) -> dict[str, Any]:
    if not deleted and item_id in store.items:
        return render(store.items[item_id])
    if not deleted and item_id in store.ghosts:  # listed as it was, then reported deleted
        return render(store.ghosts[item_id][1])
    # the listItem delta docs report a deletion with the `deleted` facet
    return {
        "id": item_id,
        "parentReference": {"siteId": store.site_id},
        "deleted": {"state": "deleted"},
    }


def items_delta(
    graph: GraphState, req: GraphRequest, site: str, list_ref: str, delta: str
) -> GraphResponse:
    store = graph.list_store(site, list_ref)
    now = graph.now()
    cursor = store.cursor(delta_token(req, delta), now)
    pending = cursor.pending or ()
    size = page_size(req, PAGE, 999)
    render = _renderer(graph, req, site)
    body: dict[str, Any] = {
        "value": [_delta_entry(store, i, gone, render) for i, gone in pending[:size]]
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
