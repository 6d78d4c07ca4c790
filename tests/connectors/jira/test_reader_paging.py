"""Paging helpers (pure) and the Data Center flavour (v2, personal access token)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from connectors.jira.reader import _next_since, offset_pages
from sandbox.server import start_sandbox
from tests.connectors.jira.conftest import jira_settings, new_warehouse, snapshot, sync
from tests.connectors.jira.tenant_factory import build_tenant


def _pages(bodies: list[dict[str, Any]]) -> list[list[Any]]:
    calls: list[int] = []

    def fetch(start: int) -> dict[str, Any]:
        calls.append(start)
        return bodies[len(calls) - 1]

    return list(offset_pages(fetch))


@pytest.mark.parametrize(
    ("bodies", "expected"),
    [
        # isLast on the last page
        (
            [
                {"values": [1, 2], "maxResults": 2, "isLast": False},
                {"values": [3], "maxResults": 2, "isLast": True},
            ],
            [[1, 2], [3]],
        ),
        # no isLast at all (the jira client's agile caveat): a short page ends it
        ([{"values": [1, 2], "maxResults": 2}, {"values": [3], "maxResults": 2}], [[1, 2], [3]]),
        # a full last page followed by an empty one
        ([{"values": [1, 2], "maxResults": 2}, {"values": [], "maxResults": 2}], [[1, 2], []]),
        # isLast false but the page is short: trust the data, stop
        ([{"values": [1], "maxResults": 50, "isLast": False}], [[1]]),
    ],
)
def test_offset_pages_stop_on_any_end_signal(
    bodies: list[dict[str, Any]], expected: list[list[Any]]
) -> None:
    assert _pages(bodies) == expected


@pytest.mark.parametrize(
    ("next_page", "until", "expected"),
    [
        (
            "http://x/rest/api/3/worklog/updated?since=1700000000001",
            1700000000000,
            1700000000001,
        ),  # server's link
        (None, 1700000000000, 1700000000001),  # no link: just after the last item
        ("http://x/rest/api/3/worklog/updated", 5, 6),  # a link without since
    ],
)
def test_next_since_follows_the_servers_link(
    next_page: str | None, until: int, expected: int
) -> None:
    assert _next_since(next_page, until) == expected


def test_data_center_flavour_v2_with_a_personal_access_token(tmp_path: Path) -> None:
    # v2 paths, Bearer PAT, wiki text, and the paged per-issue changelog instead of bulk fetch
    doc = build_tenant(25, 2, long_changelog_every=5)
    with start_sandbox(doc) as server:
        cloud, dc = new_warehouse(tmp_path, "cloud"), new_warehouse(tmp_path, "dc")
        sync(server, cloud)
        server.app.stats.reset()
        sync(server, dc, jira_settings(deployment="datacenter"))
        routes = server.app.stats.snapshot()["routes"]
    assert snapshot(cloud) == snapshot(dc)
    assert "POST rest/api/{ver}/changelog/bulkfetch" not in routes
    assert (
        sum(routes["GET rest/api/{ver}/issue/{key}/changelog"].values()) == 10
    )  # 5 long logs x 2 projects
