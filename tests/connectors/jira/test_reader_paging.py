"""Paging helpers (pure) and the Data Center flavour (v2, personal access token, offset search)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from connectors.jira.client import build_jira
from connectors.jira.paging import offset_pages
from connectors.jira.reader import Lookahead, _next_since
from connectors.jira.sync import WORKLOG_STREAMS, JiraSync
from sandbox.server import start_sandbox
from tests.connectors.jira import mutate
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
    # v2 paths, Bearer PAT, wiki text, the offset-paged `search` (Data Center has no
    # `search/jql`) and the paged per-issue changelog instead of bulk fetch
    doc = build_tenant(25, 2, long_changelog_every=5)
    dc_doc = copy.deepcopy(doc)
    dc_doc["jira"]["deployment"] = "datacenter"
    cloud, dc = new_warehouse(tmp_path, "cloud"), new_warehouse(tmp_path, "dc")
    with start_sandbox(doc) as server:
        sync(server, cloud)
    with start_sandbox(dc_doc) as server:
        settings = jira_settings(deployment="datacenter", page_size=10)
        sync(server, dc, settings)
        routes = server.app.stats.snapshot()["routes"]
        server.app.stats.reset()
        sync(server, dc, settings)  # nothing changed: one offset page per project
        again = server.app.stats.snapshot()["routes"]
    assert snapshot(cloud) == snapshot(dc)
    assert not [r for r in routes if "search/jql" in r or "bulkfetch" in r]
    assert "GET rest/api/{ver}/project/search" not in routes  # DC lists with GET project
    assert sum(routes["GET rest/api/{ver}/project"].values()) == 1
    assert sum(routes["POST rest/api/{ver}/search"].values()) == 6  # 25 issues, 10 a page, x 2
    assert (
        sum(routes["GET rest/api/{ver}/issue/{key}/changelog"].values()) == 10
    )  # 5 long logs x 2 projects
    # nothing changed: one page per project and one count (a `search` for no issues)
    assert sum(again["POST rest/api/{ver}/search"].values()) == 3


@pytest.mark.parametrize(
    ("deployment", "change_mid_read"),
    [
        # Data Center orders by id: edits cannot move an issue, a deletion shifts the pages
        # and its `total` changes.
        ("datacenter", "delete"),
        # Cloud orders by `updated`: an issue edited after its page was read moves to the
        # end and shows up on two pages.
        ("cloud", "edit"),
    ],
)
def test_a_read_whose_pages_shifted_is_read_again_by_the_next_run(
    tmp_path: Path, deployment: str, change_mid_read: str
) -> None:
    """A change between two pages of a read shifts the later pages by one, so one changed
    issue is skipped. The cursor must end where the read began, and the next run reads the
    window again: the warehouse then equals a fresh full sync."""
    doc = build_tenant(25, 1)
    doc["jira"]["deployment"] = deployment
    warehouse = new_warehouse(tmp_path)
    settings = jira_settings(deployment=deployment, page_size=10)
    with start_sandbox(doc) as server:
        state = server.state
        sync(server, warehouse, settings)
        cursor = warehouse.get_watermark("jira", "issues", "ABC")
        abc = sorted(
            (i for i in doc["jira"]["issues"] if i["key"].startswith("ABC-")),
            key=lambda i: int(i["id"]),
        )
        before = {i["key"]: i["fields"]["summary"] for i in abc}
        for issue in abc:  # all edited in the same instant: Cloud's read orders them by id
            mutate.edit_issue(state, issue["key"], summary=f"{issue['key']} renamed")
        mutate.advance_clock(state, 30)  # beyond the 5-minute lookback
        run = JiraSync(settings, warehouse, build_jira(settings, server.info, seed=1))
        run.prepare()
        since = run.issue_cursor("ABC")
        token = run.sync_issue_page("ABC", since, None)  # ABC-1 .. ABC-10
        if change_mid_read == "delete":
            mutate.delete_issue(state, abc[0]["key"])
        else:
            mutate.edit_issue(state, abc[0]["key"], summary="edited again")
        run.lookahead.close()  # page 2 must be read after the change, not before
        run.lookahead = Lookahead()
        while token:
            token = run.sync_issue_page("ABC", since, token)
        skipped = warehouse.read("tasks").set_index("key").loc[abc[10]["key"], "title"]
        assert skipped == before[abc[10]["key"]]  # ABC-11's edit was missed ...
        assert warehouse.get_watermark("jira", "issues", "ABC") == cursor  # ... so: no move
        run.finalize()
        sync(server, warehouse, settings)  # the window again, steady now: ABC-11 arrives
        assert warehouse.get_watermark("jira", "issues", "ABC") != cursor
        fresh = new_warehouse(tmp_path, "fresh")
        sync(server, fresh, settings, full=True)
    assert snapshot(warehouse) == snapshot(fresh)


def test_a_full_read_that_shifted_tombstones_nothing_that_is_still_in_jira(
    tmp_path: Path,
) -> None:
    """A `--full` read trusts the ids it saw to find deletions. If an edit shifts its pages,
    the issue pushed past a page boundary is not seen, yet still in Jira: it (and its
    worklogs) must not be tombstoned, and it is read in the same run."""
    doc = build_tenant(25, 2)
    warehouse = new_warehouse(tmp_path)
    settings = jira_settings(page_size=10)
    with start_sandbox(doc) as server:
        state = server.state
        sync(server, warehouse, settings)
        run = JiraSync(settings, warehouse, build_jira(settings, server.info, seed=1), full=True)
        for key in run.prepare():
            run.sync_project_meta(key)
            since = run.issue_cursor(key)
            token = run.sync_issue_page(key, since, None)
            if key == "ABC":  # an issue of the first page edited: it moves to the end
                first_page = sorted(run.reads["ABC"].page_of, key=int)
                mutate.edit_issue(state, first_page[0], summary="edited mid-read")
                run.lookahead.close()  # the next page is read after the edit
                run.lookahead = Lookahead()
            while token:
                token = run.sync_issue_page(key, since, token)
            run.finish_project(key)
        assert not run.reads["ABC"].steady
        run.retry_quarantined_worklogs()
        for stream in WORKLOG_STREAMS:
            cursor = run.worklog_cursor(stream)
            while cursor is not None:
                cursor = run.sync_worklog_page(stream, cursor)
        run.finalize()
        fresh = new_warehouse(tmp_path, "fresh")
        sync(server, fresh, settings, full=True)
    assert snapshot(warehouse) == snapshot(fresh)
