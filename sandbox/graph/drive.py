"""Drive items: upload by path (201 new / 200 replaced), read back, and chunked upload sessions.

Paths arrive as one item reference (`root:/reports/r.csv:` or `{parentId}:/name:`), merged by
`paths.merge_drive_item_paths`. Upload URLs point back at this sandbox (`/v1.0/_upload/{id}`).
"""

from __future__ import annotations

import contextlib
import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from sandbox.graph.clock import graph_time
from sandbox.graph.drivestore import DriveItem, DriveStore, UploadSession, check_name
from sandbox.graph.errors import GraphError, bad_request, not_found
from sandbox.graph.http import GraphRequest, GraphResponse, empty, json_response
from sandbox.graph.paging import paged_collection
from sandbox.graph.paths import parse_item_reference
from sandbox.graph.state import GraphState

UPLOAD_SESSION_LIFETIME = timedelta(days=1)
CONFLICT = "@microsoft.graph.conflictBehavior"
TEXT_IN_OUTBOX_LIMIT = 1_000_000


def drive_of(graph: GraphState, params: dict[str, str]) -> DriveStore:
    return graph.drive(params["drive"]) if "drive" in params else graph.site_drive(params["site"])


def get_drive(graph: GraphState, req: GraphRequest, **params: str) -> GraphResponse:
    """The drive resource, so a client can find a site's library id (`sites/{s}/drive`)."""
    store = drive_of(graph, params)
    return json_response(
        {
            "id": store.id,
            "name": store.meta.get("name", "Documents"),
            "driveType": "documentLibrary",
            "webUrl": f"{req.base_url}/drives/{store.id}",
        }
    )


def _item(store: DriveStore, ref: str) -> DriveItem:
    parent, path = parse_item_reference(ref)
    return store.resolve(parent, path)


def get_item(graph: GraphState, req: GraphRequest, **params: str) -> GraphResponse:
    store = drive_of(graph, params)
    return json_response(store.to_graph(_item(store, params["ref"]), req.base_url))


def list_children(graph: GraphState, req: GraphRequest, **params: str) -> GraphResponse:
    store = drive_of(graph, params)
    folder = _item(store, params["ref"])
    children = [store.to_graph(child, req.base_url) for child in store.children(folder)]
    return json_response(paged_collection(req, children, 200))


def get_content(graph: GraphState, req: GraphRequest, **params: str) -> GraphResponse:
    item = _item(drive_of(graph, params), params["ref"])
    if item.is_folder:
        raise bad_request(f"driveItem '{item.name}' is a folder and has no content.")
    headers = {"Content-Type": "application/octet-stream"}
    return GraphResponse(status=200, content=item.content, headers=headers)


def _publish_file(graph: GraphState, store: DriveStore, item: DriveItem) -> None:
    """Outbox entry with the file's path, size and hash (and its text when it is small text)."""
    payload: dict[str, Any] = {
        "id": item.id,
        "name": item.name,
        "path": store.path_of(item),
        "size": len(item.content),
        "sha256": hashlib.sha256(item.content).hexdigest(),
    }
    if len(item.content) <= TEXT_IN_OUTBOX_LIMIT:
        with contextlib.suppress(UnicodeDecodeError):
            payload["text"] = item.content.decode("utf-8")
    graph.publish("drive_file", f"drives/{store.id}/root:/{store.path_of(item)}", payload)


def _write(
    graph: GraphState, store: DriveStore, ref: str, content: bytes, conflict: str | None
) -> tuple[int, DriveItem]:
    parent, path = parse_item_reference(ref)
    now = graph.now()
    if path is None:  # addressed by id: replace that file's content
        item = store.get(parent)
        item.content, item.modified, item.version = content, now, item.version + 1
        return 200, item
    if conflict == "fail" and _exists(store, parent, path):
        raise GraphError(409, "nameAlreadyExists", f"An item already exists at '{path}'.")
    return store.write(parent, path, content, now)


def _exists(store: DriveStore, parent: str, path: str) -> bool:
    try:
        store.resolve(parent, path)
    except GraphError:
        return False
    return True


def put_content(graph: GraphState, req: GraphRequest, **params: str) -> GraphResponse:
    store = drive_of(graph, params)
    status, item = _write(graph, store, params["ref"], req.body, req.query(CONFLICT))
    _publish_file(graph, store, item)
    return json_response(_upload_reply(store.to_graph(item, req.base_url)), status=status)


def _upload_reply(item: dict[str, Any]) -> dict[str, Any]:
    """The driveItem an upload answers with: the documented replies carry no `webUrl`
    (a client that needs one reads the item), so neither does the sandbox's."""
    return {k: v for k, v in item.items() if k != "webUrl"}


def create_upload_session(graph: GraphState, req: GraphRequest, **params: str) -> GraphResponse:
    store = drive_of(graph, params)
    parent, path = parse_item_reference(params["ref"])
    if path is None:  # a session to replace an existing file given by id
        parent, path = "root", store.path_of(store.get(parent))
    for part in filter(None, path.split("/")):
        check_name(part)  # refuse now, not after the last chunk
    item = (req.json() if req.body else {}).get("item") or {}
    conflict = item.get(CONFLICT, "replace")
    if conflict == "fail" and _exists(store, parent, path):
        raise GraphError(409, "nameAlreadyExists", f"An item already exists at '{path}'.")
    # LargeFileUploadTask compares the expiry with the real wall clock, not the tenant's.
    expires = max(graph.now(), datetime.now(UTC)) + UPLOAD_SESSION_LIFETIME
    session = UploadSession(secrets.token_urlsafe(18), store.id, parent, path, conflict, expires)
    if isinstance(item.get("fileSize"), int):
        session.total, session.buffer = item["fileSize"], bytearray(item["fileSize"])
    graph.uploads[session.id] = session
    return json_response(
        {
            "uploadUrl": f"{req.base_url}/_upload/{session.id}",
            "expirationDateTime": graph_time(expires),
            "nextExpectedRanges": session.next_ranges(),
        }
    )


def _session(graph: GraphState, session_id: str) -> UploadSession:
    session = graph.uploads.get(session_id)
    if session is None or (session.result is None and session.expires < datetime.now(UTC)):
        raise not_found("uploadSession", session_id)
    return session


def put_upload_chunk(graph: GraphState, req: GraphRequest, session: str) -> GraphResponse:
    upload = _session(graph, session)
    store = graph.drive(upload.drive_id)
    if upload.result is not None:
        # The SDK re-sends the final range once more; answer it with the finished item again.
        status, item_id = upload.result
        reply = store.to_graph(store.get(item_id), req.base_url)
        return json_response(_upload_reply(reply), status=status)
    upload.accept(req.header("content-range"), req.body)
    if not upload.complete:
        body = {
            "expirationDateTime": graph_time(upload.expires),
            "nextExpectedRanges": upload.next_ranges(),
        }
        return json_response(body, status=202)
    status, item = store.write(upload.parent_id, upload.path, bytes(upload.buffer), graph.now())
    upload.result, upload.buffer = (status, item.id), bytearray()
    _publish_file(graph, store, item)
    return json_response(_upload_reply(store.to_graph(item, req.base_url)), status=status)


def cancel_upload(graph: GraphState, req: GraphRequest, session: str) -> GraphResponse:
    _session(graph, session)
    del graph.uploads[session]
    return empty(204)
