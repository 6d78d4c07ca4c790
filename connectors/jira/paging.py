"""The one paginator for Jira's two paging styles.

Jira pages a listing either by offset (`startAt`/`maxResults`, answered with `isLast` on the
agile API, `total` on the platform one, sometimes neither) or by token (`nextPageToken`, on
`search/jql` and `changelog/bulkfetch`). `follow` is the loop; a cursor rule per style says
where the next page starts, or None when the answer was the last page. The rules are pure,
so the end signals are tested as a table without a server.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeVar

Page = TypeVar("Page")
Cursor = TypeVar("Cursor")


def follow(
    fetch: Callable[[Cursor | None], Page],
    next_cursor: Callable[[Page, Cursor | None], Cursor | None],
) -> Iterator[Page]:
    """Every page of a listing: fetch the first (cursor None), then follow the cursor rule
    until it says there is no next page. Each page is yielded before the next is fetched."""
    cursor: Cursor | None = None
    while True:
        page = fetch(cursor)
        yield page
        cursor = next_cursor(page, cursor)
        if cursor is None:
            return


def next_offset(key: str = "values") -> Callable[[Mapping[str, Any], int | None], int | None]:
    """The offset rule: stop on an empty page, on `isLast`, on a page shorter than the
    `maxResults` the server answered with, or when `total` is reached (any of them, since
    servers differ in which they send); else start after this page."""

    def rule(body: Mapping[str, Any], start: int | None) -> int | None:
        values = body.get(key) or []
        size = int(body.get("maxResults") or len(values) or 1)
        following = (start or 0) + len(values)
        total = body.get("total")
        if not values or body.get("isLast") is True or len(values) < size:
            return None
        if isinstance(total, int) and following >= total:
            return None
        return following

    return rule


def next_token(body: Mapping[str, Any], _token: str | None) -> str | None:
    """The token rule: the answer's `nextPageToken`; its absence marks the last page."""
    return body.get("nextPageToken") or None


def offset_pages(
    fetch: Callable[[int], Mapping[str, Any]], key: str = "values"
) -> Iterator[list[Any]]:
    """The `key` lists of an offset-paged listing (`fetch` gets the `startAt`)."""
    for body in follow(lambda start: fetch(start or 0), next_offset(key)):
        yield list(body.get(key) or [])


def token_pages(fetch: Callable[[str | None], Mapping[str, Any]], key: str) -> Iterator[list[Any]]:
    """The `key` lists of a token-paged listing (`fetch` gets None, then each token)."""
    for body in follow(fetch, next_token):
        yield list(body.get(key) or [])
