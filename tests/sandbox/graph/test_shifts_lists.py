"""Time cards (filter, paging) and SharePoint list items (expand, delta, 410 resync)."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import quote

import pytest
from starlette.testclient import TestClient

from sandbox.graph.shifts import parse_clock_in_filter
from tests.sandbox.graph.conftest import SITE, LocalCore

BASE = "http://127.0.0.1:8081/v1.0"
CARDS = f"{BASE}/teams/team-1/schedule/timeCards"
ITEMS = f"{BASE}/sites/{quote(SITE, safe='')}/lists/list-1/items"


def _all_pages(client: TestClient, url: str) -> tuple[list[dict], dict]:
    """Every item across next links, and the last page (which holds any deltaLink)."""
    values: list[dict] = []
    while True:
        page = client.get(url).json()
        values += page["value"]
        if "@odata.nextLink" not in page:
            return values, page
        url = page["@odata.nextLink"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", 120),  # no filter: every card, across pages of 50
        ("?$filter=clockInEvent/dateTime ge 2026-11-17T00:00:00Z", 20),  # the last 10 days
        # a closed window, quoted value, and $top paging together
        ("?$top=7&$filter=clockInEvent/dateTime ge '2026-10-01T00:00:00Z' and "
         "clockInEvent/dateTime lt 2026-10-11T00:00:00Z", 20),
    ],
)  # fmt: skip
def test_time_cards_filter_on_clock_in_and_page(
    client: TestClient, query: str, expected: int
) -> None:
    cards, _ = _all_pages(client, CARDS + query)
    assert len(cards) == len({card["id"] for card in cards}) == expected


@pytest.mark.parametrize(
    "query",
    [
        "?$filter=state eq 'clockedOut'",  # another property: unsupported, never ignored
        "?$filter=clockInEvent/dateTime ge yesterday",  # not a date
        "?$top=0",  # $top out of range
        "?$skiptoken=garbage",  # a token this sandbox never issued
    ],
)
def test_time_card_queries_outside_the_subset_answer_400(client: TestClient, query: str) -> None:
    assert client.get(CARDS + query).status_code == 400


def test_added_time_cards_are_served(client: TestClient, core: LocalCore) -> None:
    card = client.get(CARDS).json()["value"][0] | {"id": "TCK_new"}
    core.graph.add_time_cards("team-1", [card])
    assert len(_all_pages(client, CARDS)[0]) == 121


@pytest.mark.parametrize(
    ("query", "has_fields"),
    [("", False), ("?expand=fields", True), ("?$expand=fields", True), ("?%24expand=fields", True)],
)
def test_list_items_carry_fields_only_when_expanded(
    client: TestClient, query: str, has_fields: bool
) -> None:
    items, _ = _all_pages(client, ITEMS + query)
    assert len(items) == 250
    assert all(("fields" in item) == has_fields for item in items)


def test_list_addressed_by_display_name(client: TestClient) -> None:
    url = f"{BASE}/sites/{quote(SITE, safe='')}/lists/Timesheets/items/7?$expand=fields"
    assert client.get(url).json()["fields"]["Title"] == "Entry 7"


def test_delta_rounds_report_changes_and_deletions(client: TestClient, core: LocalCore) -> None:
    first, last = _all_pages(client, f"{ITEMS}/delta?$expand=fields")
    assert len(first) == 250 and "@odata.deltaLink" in last
    core.graph.edit_list_item(SITE, "list-1", "3", {"Hours": 9.0})
    core.graph.delete_list_item(SITE, "list-1", "4")
    core.graph.edit_list_item(SITE, "list-1", "900", {"Title": "New", "Hours": 1.0})
    second, last2 = _all_pages(client, last["@odata.deltaLink"])
    by_id = {entry["id"]: entry for entry in second}
    assert set(by_id) == {"3", "4", "900"}
    assert by_id["3"]["fields"]["Hours"] == 9.0
    assert by_id["4"] == {  # the `deleted` facet, as the listItem delta docs show it
        "id": "4",
        "parentReference": {"siteId": SITE},
        "deleted": {"state": "deleted"},
    }
    assert "$expand=fields" in last2["@odata.deltaLink"]
    third, _ = _all_pages(client, last2["@odata.deltaLink"])
    assert third == []


def test_an_item_changed_then_deleted_in_one_round_is_listed_then_reported_deleted(
    client: TestClient, core: LocalCore
) -> None:
    # Graph's feed may carry an item more than once; the last occurrence is its state
    _, last = _all_pages(client, f"{ITEMS}/delta?$expand=fields")
    core.graph.edit_list_item(SITE, "list-1", "8", {"Hours": 3.0})
    core.graph.delete_list_item(SITE, "list-1", "8")
    second, _ = _all_pages(client, last["@odata.deltaLink"])
    assert [(e["id"], "deleted" in e) for e in second] == [("8", False), ("8", True)]
    assert second[0]["fields"]["Hours"] == 3.0


def test_person_columns_are_lookup_ids_unless_selected_by_name(
    client: TestClient, core: LocalCore
) -> None:
    core.graph.edit_list_item(SITE, "list-1", "9", {"AuthorLookupId": "13"})
    core.graph.edit_list_item(SITE, "list-1", "1", {"Hours": 1.0})  # not a person column
    expanded = client.get(f"{ITEMS}/9?expand=fields").json()["fields"]
    assert expanded["AuthorLookupId"] == "13" and "Author" not in expanded
    selected = client.get(f"{ITEMS}/9?expand=fields(select=Author,Hours)").json()["fields"]
    assert selected == {
        "@odata.etag": expanded["@odata.etag"],
        "Author": "Brad Cleaver",
        "Hours": expanded["Hours"],
    }


def test_delta_function_forms_of_the_sdk(client: TestClient) -> None:
    _, last = _all_pages(client, f"{ITEMS}/delta()")
    token = last["@odata.deltaLink"].split("token=")[1]
    assert client.get(f"{ITEMS}/delta(token='{token}')").json()["value"] == []


@pytest.mark.parametrize("expire", [False, True])
def test_unknown_or_expired_delta_token_answers_410(
    client: TestClient, core: LocalCore, expire: bool
) -> None:
    _, last = _all_pages(client, f"{ITEMS}/delta")
    url = last["@odata.deltaLink"]
    if expire:
        core.graph.expire_delta_tokens()
    else:
        url = url.split("token=")[0] + "token=never-issued"
    response = client.get(url)
    assert response.status_code == 410
    assert response.json()["error"]["code"] == "resyncRequired"


KEYS = [datetime(2026, 1, day, tzinfo=UTC) for day in (1, 2, 2, 3, 5)]  # sorted, one duplicate


@pytest.mark.parametrize(
    ("text", "expected_days"),
    [
        ("clockInEvent/dateTime ge 2026-01-02T00:00:00Z", [2, 2, 3, 5]),  # inclusive lower
        ("clockInEvent/dateTime gt 2026-01-02T00:00:00Z", [3, 5]),  # exclusive lower
        ("clockInEvent/dateTime le 2026-01-02T00:00:00Z", [1, 2, 2]),  # inclusive upper
        ("clockInEvent/dateTime lt 2026-01-02T00:00:00Z", [1]),  # exclusive upper
        ("clockInEvent/dateTime eq 2026-01-02T00:00:00Z", [2, 2]),  # both bounds
        ("clockInEvent/dateTime eq 2026-01-04T00:00:00Z", []),  # no card at that instant
        # the tighter of two lower bounds wins; an offset is normalised to UTC
        ("clockInEvent/dateTime ge 2026-01-01T00:00:00Z and clockInEvent/dateTime gt "
         "2026-01-03T01:00:00+01:00 and clockInEvent/dateTime lt 2026-01-06T00:00:00Z", [5]),
        # an empty window: lower above upper
        ("clockInEvent/dateTime ge 2026-01-04T00:00:00Z and clockInEvent/dateTime le "
         "2026-01-02T00:00:00Z", []),
    ],
)  # fmt: skip
def test_clock_in_windows_bisect_like_a_scan(text: str, expected_days: list[int]) -> None:
    window = parse_clock_in_filter(text).slice(KEYS)
    assert [moment.day for moment in KEYS[window]] == expected_days


def test_a_delta_link_outlives_the_sandbox_that_issued_it() -> None:
    # Graph's delta tokens outlive the client's connection; a sandbox restarted on the same
    # tenant (a second `pmo demo`) must honour them too, until they expire
    from datetime import UTC, datetime

    from sandbox.graph.errors import GraphError
    from sandbox.graph.liststore import ListStore

    now = datetime(2026, 11, 27, tzinfo=UTC)
    items = [{"id": str(n), "fields": {"Hours": n}} for n in range(1, 4)]
    first = ListStore(SITE, {"id": "list-1"}, [dict(i) for i in items])
    full = first.cursor(None, now)
    token = first.issue(type(full)(full.upto, full.upto, None, now))
    restarted = ListStore(SITE, {"id": "list-1"}, [dict(i) for i in items])
    restarted.upsert("2", {"Hours": 9}, now)
    assert restarted.cursor(token, now).pending == (("2", False),)
    other_list = ListStore(SITE, {"id": "list-2"}, [dict(i) for i in items])
    restarted.expire_tokens()
    for store in (restarted, other_list):
        with pytest.raises(GraphError) as gone:
            store.cursor(token, now)
        assert gone.value.status == 410
