"""Graph over the SDK's request adapter: JSON replies, paging to the end, `$batch` of reads.

Requests are built by msgraph-sdk's request builders and sent through its adapter (auth,
retry handler, our counting and transport-retry middleware); replies are read as JSON here
(see `records.py` for why not as SDK models).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from msgraph.generated.models.o_data_errors.o_data_error import ODataError
from msgraph_core.requests.batch_request_content import BatchRequestContent
from msgraph_core.requests.batch_request_item import BatchRequestItem

from connectors.graph.client import GraphConnection
from connectors.graph.errors import GraphConnectorError, guarded

BATCH_LIMIT = 20  # Graph's (and the SDK's) maximum requests per $batch
RETRY_STATUSES = {429, 503, 504}


ERROR_MAP: dict[str, Any] = {"XXX": ODataError}


async def get_json(
    conn: GraphConnection, info: Any, resource: str, permission: str
) -> dict[str, Any]:
    """Send a request the SDK built and read the reply as JSON (see `records.py` for why)."""
    raw = await guarded(
        conn.client.request_adapter.send_primitive_async(info, "bytes", ERROR_MAP),
        resource,
        permission,
    )
    try:
        parsed = json.loads(raw) if raw else {}
    except ValueError as exc:
        raise GraphConnectorError(
            f"Graph answered {resource} with a body that is not JSON"
        ) from exc
    if not isinstance(parsed, dict):
        raise GraphConnectorError(f"Graph answered {resource} with JSON that is not an object")
    return parsed


async def read_pages(
    conn: GraphConnection,
    service: str,
    builder: Any,
    resource: str,
    permission: str,
    config: Any = None,
) -> list[dict[str, Any]]:
    """Every item of a collection: the first page, then each `@odata.nextLink` in turn."""
    async with conn.limit(service):
        page = await get_json(
            conn, builder.to_get_request_information(config), resource, permission
        )
        items = list(page.get("value") or [])
        while link := page.get("@odata.nextLink"):
            info = builder.with_url(link).to_get_request_information()
            page = await get_json(conn, info, resource, permission)
            items.extend(page.get("value") or [])
    return items


async def batch_get(
    conn: GraphConnection, service: str, requests: dict[str, Any], resource: str, permission: str
) -> dict[str, Any]:
    """Run GET `RequestInformation`s through `$batch`, 20 per request: id -> (status, body).

    Graph throttles items inside a batch one by one (429/503/504 with `Retry-After` on the
    item); those items are sent again in a later batch, up to `max_retries` rounds.
    """
    results: dict[str, Any] = {}
    pending = list(requests)
    for attempt in range(conn.max_retries + 1):
        waits: list[float] = []
        for start in range(0, len(pending), BATCH_LIMIT):
            chunk = pending[start : start + BATCH_LIMIT]
            content = BatchRequestContent()
            for key in chunk:
                content.add_request(key, BatchRequestItem(requests[key], id=key))
            replies = await _post_batch(conn, service, content, resource, permission)
            for key in chunk:
                results[key] = replies.get(key, (None, None, {}))
        pending = [k for k in pending if results[k][0] in RETRY_STATUSES]
        if not pending or attempt == conn.max_retries:
            break
        waits = [_item_wait(results[k][2], attempt) for k in pending]
        await asyncio.sleep(max(waits))
    return {k: (status, body) for k, (status, body, _) in results.items()}


def _item_wait(headers: dict[str, Any], attempt: int) -> float:
    value = str({k.lower(): v for k, v in (headers or {}).items()}.get("retry-after", ""))
    return min(float(value), 60.0) if value.isdigit() else min(0.5 * 2**attempt, 30.0)


async def _post_batch(
    conn: GraphConnection,
    service: str,
    content: BatchRequestContent,
    resource: str,
    permission: str,
) -> dict[str, tuple[int | None, Any, dict[str, Any]]]:
    """POST one `$batch` built by the SDK; the reply is read as JSON here because msgraph-core
    1.5's `BatchResponseItem` reads `body` as base64 bytes and loses JSON object bodies."""
    builder = conn.client.batch
    info = await builder.to_post_request_information(content)
    async with conn.limit(service):
        responses = (await get_json(conn, info, resource, permission)).get("responses") or []
    return {
        str(r.get("id")): (r.get("status"), r.get("body"), r.get("headers") or {})
        for r in responses
        if isinstance(r, dict)
    }
