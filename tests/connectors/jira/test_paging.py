"""The one paginator (`connectors.jira.paging`) for both Jira styles, as tables: each case is
the answers a server gives, in order, and what the listing yields and fetches."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from connectors.jira.paging import follow, next_offset, next_token, offset_pages, token_pages


def _scripted(bodies: list[dict[str, Any]]) -> tuple[Callable[[Any], dict[str, Any]], list[Any]]:
    """A fetch that answers `bodies` in order and records the cursor of every request."""
    asked: list[Any] = []

    def fetch(cursor: Any) -> dict[str, Any]:
        asked.append(cursor)
        return bodies[len(asked) - 1]

    return fetch, asked


@pytest.mark.parametrize(
    ("bodies", "pages", "asked"),
    [
        # two pages, the last without a token
        (
            [{"issues": [1, 2], "nextPageToken": "T2"}, {"issues": [3]}],
            [[1, 2], [3]],
            [None, "T2"],
        ),
        # an empty listing: one request
        ([{"issues": []}], [[]], [None]),
        # the last page marker is the token's absence (null or "" count as absent)
        ([{"issues": [1], "nextPageToken": None}], [[1]], [None]),
        ([{"issues": [1], "nextPageToken": ""}], [[1]], [None]),
        # isLast without a token ends it too; a token is followed even past an empty page
        ([{"issues": [1], "isLast": True}], [[1]], [None]),
        (
            [{"issues": [], "nextPageToken": "T2"}, {"issues": [1], "isLast": True}],
            [[], [1]],
            [None, "T2"],
        ),
    ],
)
def test_token_pages(bodies, pages, asked):
    fetch, seen = _scripted(bodies)
    assert list(token_pages(fetch, key="issues")) == pages
    assert seen == asked


@pytest.mark.parametrize(
    ("bodies", "pages", "asked"),
    [
        # two pages: isLast on the second
        (
            [
                {"values": [1, 2], "maxResults": 2, "isLast": False},
                {"values": [3], "maxResults": 2, "isLast": True},
            ],
            [[1, 2], [3]],
            [0, 2],
        ),
        # empty listing
        ([{"values": [], "maxResults": 50}], [[]], [0]),
        # a full page marked isLast: no extra request
        ([{"values": [1, 2], "maxResults": 2, "isLast": True}], [[1, 2]], [0]),
        # no isLast (agile caveat): a short page ends it
        (
            [{"values": [1, 2], "maxResults": 2}, {"values": [3], "maxResults": 2}],
            [[1, 2], [3]],
            [0, 2],
        ),
        # a full last page followed by an empty one
        (
            [{"values": [1, 2], "maxResults": 2}, {"values": [], "maxResults": 2}],
            [[1, 2], []],
            [0, 2],
        ),
        # total reached on a full page: no request for an empty one (Data Center search)
        ([{"values": [1, 2], "maxResults": 2, "total": 2}], [[1, 2]], [0]),
        (
            [
                {"values": [1, 2], "maxResults": 2, "total": 3},
                {"values": [3], "maxResults": 2, "total": 3},
            ],
            [[1, 2], [3]],
            [0, 2],
        ),
        # the server capped maxResults below what was asked: its own figure counts
        (
            [
                {"values": [1, 2], "maxResults": 2},
                {"values": [3, 4], "maxResults": 2, "isLast": True},
            ],
            [[1, 2], [3, 4]],
            [0, 2],
        ),
    ],
)
def test_offset_pages(bodies, pages, asked):
    fetch, seen = _scripted(bodies)
    assert list(offset_pages(fetch)) == pages
    assert seen == asked


@pytest.mark.parametrize(
    ("body", "start", "expected"),
    [
        ({"values": [1, 2], "maxResults": 2}, None, 2),
        ({"values": [1, 2], "maxResults": 2}, 4, 6),
        ({"values": [1, 2], "maxResults": 2, "isLast": True}, 4, None),
        ({"values": [1], "maxResults": 2}, 4, None),
        ({"values": [], "maxResults": 2}, 4, None),
        ({"values": [1, 2], "maxResults": 2, "total": 6}, 4, None),
        ({"values": [1, 2], "maxResults": 2, "total": 7}, 4, 6),
    ],
)
def test_next_offset_rule(body, start, expected):
    assert next_offset()(body, start) == expected


@pytest.mark.parametrize(
    ("body", "expected"),
    [({"nextPageToken": "T"}, "T"), ({"nextPageToken": None}, None), ({}, None)],
)
def test_next_token_rule(body, expected):
    assert next_token(body, "previous") == expected


def test_follow_yields_each_page_before_fetching_the_next():
    """A caller can store a page before the next request is made (the sync relies on it)."""
    events: list[str] = []

    def fetch(cursor: int | None) -> int:
        events.append(f"fetch {cursor}")
        return 0 if cursor is None else cursor

    for page in follow(fetch, lambda page, _c: page + 1 if page < 2 else None):
        events.append(f"got {page}")
    assert events == ["fetch None", "got 0", "fetch 1", "got 1", "fetch 2", "got 2"]
