"""Graph over the SDK's request adapter: JSON replies, paging to the end, `$batch` of reads.

Requests are built by msgraph-sdk's request builders and sent through its adapter (auth,
retry handler, our counting and transport-retry middleware); replies are read as JSON here
(see `records.py` for why not as SDK models).
"""

from __future__ import annotations

import asyncio
import json
import random
from typing import Any

from msgraph.generated.models.o_data_errors.o_data_error import ODataError
from msgraph_core.requests.batch_request_content import BatchRequestContent
from msgraph_core.requests.batch_request_item import BatchRequestItem

from connectors.graph.client import GraphConnection
from connectors.graph.errors import GraphConnectorError, guarded
from connectors.resilience import RETRYABLE_STATUS, Attempts, parse_retry_after

BATCH_LIMIT = 20  # Graph's (and the SDK's) maximum requests per $batch
RETRY_STATUSES = RETRYABLE_STATUS  # one list of transient answers for all HTTP


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
    item); those items are sent again in a later batch under the shared retry policy (the
    longest `Retry-After` of the round, seconds or HTTP-date; a count and a wait budget).
    """
    results: dict[str, Any] = {}
    pending = list(requests)
    attempts = Attempts(conn.policy, repeatable=True, rng=random.Random())
    while pending:
        for start in range(0, len(pending), BATCH_LIMIT):
            chunk = pending[start : start + BATCH_LIMIT]
            content = BatchRequestContent()
            for key in chunk:
                content.add_request(key, BatchRequestItem(requests[key], id=key))
            replies = await _post_batch(conn, service, content, resource, permission)
            for key in chunk:
                results[key] = replies.get(key, (None, None, {}))
        pending = [k for k in pending if results[k][0] in RETRY_STATUSES]
        if not pending:
            break
        status, header = _round_wait([results[k] for k in pending])
        verdict = attempts.after_status(status, header)
        if verdict.action != "retry":
            break  # the throttled items keep their status; the caller reports them
        await asyncio.sleep(verdict.delay)
    return {k: (status, body) for k, (status, body, _) in results.items()}


def _round_wait(items: list[tuple[Any, Any, dict[str, Any]]]) -> tuple[int, str | None]:
    """The status and the longest `Retry-After` among a round's throttled items."""
    best: tuple[float, str | None] = (-1.0, None)
    for _status, _body, headers in items:
        value = {k.lower(): v for k, v in (headers or {}).items()}.get("retry-after")
        seconds = parse_retry_after(str(value)) if value is not None else None
        if seconds is not None and seconds > best[0]:
            best = (seconds, str(value))
    return int(items[0][0]), best[1]


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
