"""Server-driven paging: `$top` plus an opaque `$skiptoken` in an absolute `@odata.nextLink`.

`PageIterator` follows `@odata.nextLink` verbatim and refuses anything not starting with http,
so links are absolute and point at this sandbox (API-FACTS §3.3).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from typing import Any, overload

from sandbox.graph.errors import bad_request
from sandbox.graph.http import GraphRequest

SKIP_TOKEN_NAMES = {"skiptoken", "$skiptoken"}


class SlicedView(Sequence[dict[str, Any]]):
    """A read-only view whose slices cost only the slice taken (a page), never a copy of all;
    subclasses say how long they are and how to take `[first:last]`."""

    def _slice(self, first: int, last: int) -> list[dict[str, Any]]:
        raise NotImplementedError

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...

    @overload
    def __getitem__(self, index: slice) -> list[dict[str, Any]]: ...

    def __getitem__(self, index: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        if isinstance(index, int):
            return self[index : index + 1][0]
        first, last, _ = index.indices(len(self))
        return self._slice(first, last)


class ListWindow(SlicedView):
    """`records[start:stop]` without copying it: only the page taken from it is copied."""

    def __init__(self, records: list[dict[str, Any]], start: int, stop: int) -> None:
        self._records, self._start, self._stop = records, start, max(start, stop)

    def __len__(self) -> int:
        return self._stop - self._start

    def _slice(self, first: int, last: int) -> list[dict[str, Any]]:
        return self._records[self._start + first : self._start + last]


def encode_skip_token(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"o": offset}).encode()).decode().rstrip("=")


def decode_skip_token(token: str) -> int:
    """The offset inside a token this sandbox issued; 400 for anything else."""
    try:
        padded = token + "=" * (-len(token) % 4)
        offset = json.loads(base64.urlsafe_b64decode(padded))["o"]
    except (binascii.Error, ValueError, KeyError, TypeError) as exc:
        raise bad_request(f"The $skiptoken '{token}' is not valid.") from exc
    if not isinstance(offset, int) or offset < 0:
        raise bad_request(f"The $skiptoken '{token}' is not valid.")
    return offset


def page_size(request: GraphRequest, default: int, maximum: int) -> int:
    """`$top` if given (1..maximum), else the collection's default page size."""
    top = request.query("top")
    if top is None:
        return default
    if not top.isdigit() or not 1 <= int(top) <= maximum:
        raise bad_request(
            f"Invalid value '{top}' for $top: expected an integer from 1 to {maximum}."
        )
    return int(top)


def paged_collection(
    request: GraphRequest,
    items: Sequence[dict[str, Any]],
    default: int,
    maximum: int = 999,
    render: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """`{"value": [...], "@odata.nextLink"?: absolute URL}` for the page the request asks for.

    `render` shapes each record of the page only, so a page costs its size, not the whole set.
    """
    token = request.query("skiptoken")
    offset = decode_skip_token(token) if token is not None else 0
    size = page_size(request, default, maximum)
    page = items[offset : offset + size]
    body: dict[str, Any] = {"value": [render(item) for item in page] if render else list(page)}
    if offset + size < len(items):
        kept = [(k, v) for k, v in request.query_pairs if k.lower() not in SKIP_TOKEN_NAMES]
        kept.append(("$skiptoken", encode_skip_token(offset + size)))
        body["@odata.nextLink"] = request.url_with(request.raw_path, kept)
    return body
