"""SharePoint timesheet lists as Graph really serves them (issue 13, points 1, 2 and 4).

Person columns come as `<Name>LookupId` pointing into the site's user information list,
lists hold folders, a delta round may list an item and then report it deleted (with the
`deleted` facet), and the stored delta link is an absolute URL of a host that may move.
"""

from __future__ import annotations

from typing import Any

import pytest

from connectors.graph.sync import sync_graph
from tests.connectors.graph.conftest import graph_settings
from tests.connectors.graph.tenant import SITE, TOKEN, small_tenant

UIL_ITEMS_ROUTE = "GET /v1.0/sites/{site}/lists/{list_ref}/items"


def _row(n: int, **fields: Any) -> dict[str, Any]:
    base = {"Title": f"row {n}", "WorkDate": "2026-11-20", "Hours": 2, "Project": "ABC"}
    return {
        "id": str(n),
        "createdDateTime": "2026-11-20T18:00:00.1234567Z",
        "lastModifiedDateTime": "2026-11-20T18:00:00.123Z",
        "contentType": {"id": "0x0100", "name": "Item"},
        "fields": {**base, **fields},
    }


def _site_user(lookup_id: str, title: str, email: str, login: str) -> dict[str, Any]:
    return {
        "id": lookup_id,
        "fields": {"Title": title, "EMail": email, "UserName": login, "ContentType": "Person"},
    }


@pytest.fixture
def tenant() -> dict[str, Any]:
    doc = small_tenant()
    site = doc["graph"]["sites"][0]
    site["lists"] = [
        {
            "id": "list-ts",
            "displayName": "Timesheets",
            "items": [
                {  # a folder: no timesheet columns at all
                    "id": "1",
                    "contentType": {"id": "0x0120", "name": "Folder"},
                    "fields": {"Title": "Archive", "ContentType": "Folder"},
                },
                _row(2, PersonLookupId="7"),  # Ana, by her e-mail in the site's user list
                _row(3, PersonLookupId="9"),  # Ben has no mailbox: only his sign-in name
                _row(4, PersonLookupId="42"),  # nobody: not in the user information list
                _row(5, PersonLookupId="11"),  # a site user without any address
                _row(6, Person="ben@example.com"),  # an e-mail column still works
                _row(7, PersonLookupId="7", Hours=-3),  # negative hours
                _row(8, PersonLookupId="7", Hours=1e9),  # more than a day holds
            ],
        },
        {"id": "list-two", "displayName": "Timesheets 2", "items": [_row(1, PersonLookupId="9")]},
        {
            "id": "uil",
            "displayName": "User Information List",
            "list": {"hidden": True},
            "items": [
                _site_user("7", "Ana Lima", "a.lima@example.onmicrosoft.com", "a.lima@x"),
                _site_user("9", "Ben Ito", "", "i:0#.f|membership|ben@example.com"),
                _site_user("11", "Everyone", "", "c:0(.s|true"),
            ],
        },
    ]
    return doc


@pytest.fixture
def settings():
    lists = [{"site": SITE, "list": "Timesheets"}, {"site": SITE, "list": "Timesheets 2"}]
    return graph_settings(timesheet_lists=lists)


def run(settings, warehouse, sandbox, **kw):
    summaries = sync_graph(
        settings, warehouse, graph_url=sandbox.info.graph_base_url, token=TOKEN, **kw
    )
    return {s.source: s for s in summaries}


def _open_quarantine(warehouse) -> dict[str, str]:
    q = warehouse.read_operational("quarantine")
    q = q[(q["source"] == "sharepoint") & q["resolved_at"].isna()]
    return dict(zip(q["record_id"], q["reason"], strict=True))


def test_person_lookup_ids_resolve_through_the_site_user_list_read_once(
    settings, warehouse, sandbox
):
    result = run(settings, warehouse, sandbox)
    assert result["sharepoint"].ok, result["sharepoint"].errors
    entries = warehouse.read("time_entries").set_index("entry_id")
    people = entries["person_id"].to_dict()
    assert people["sharepoint:list-ts:2"] == "ana.lima@example.com"  # EMail, alias folded
    assert people["sharepoint:list-ts:3"] == "ben@example.com"  # claims sign-in name
    assert people["sharepoint:list-ts:6"] == "ben@example.com"
    assert people["sharepoint:list-two:1"] == "ben@example.com"
    stats = sandbox.app.stats.snapshot()["routes"]
    assert sum(stats[UIL_ITEMS_ROUTE].values()) == 1  # two lists, one site: one read


def test_unresolved_people_and_absurd_hours_are_quarantined_with_the_reason(
    settings, warehouse, sandbox
):
    run(settings, warehouse, sandbox)
    reasons = _open_quarantine(warehouse)
    assert "site user 42, who is not in the site's user information list" in reasons["list-ts:4"]
    assert "site user 11 (Everyone), who has no e-mail address" in reasons["list-ts:5"]
    assert "'Hours' is -3 h: negative hours" in reasons["list-ts:7"]
    assert "'Hours' is 1e+09 h, more than the 24 h" in reasons["list-ts:8"]
    assert "list-ts:1" not in reasons  # a folder is skipped, not quarantined
    entries = warehouse.read("time_entries")
    assert not entries["entry_id"].isin([f"sharepoint:list-ts:{n}" for n in (1, 4, 5, 7, 8)]).any()


def test_the_last_occurrence_in_a_delta_round_wins_and_deletion_resolves_quarantine(
    settings, warehouse, sandbox
):
    run(settings, warehouse, sandbox)
    graph = sandbox.state.graph
    new = {**_row(900)["fields"], "PersonLookupId": "7"}
    graph.edit_list_item(SITE, "Timesheets", "900", new)  # created: listed in the round ...
    graph.delete_list_item(SITE, "Timesheets", "900")  # ... then reported deleted
    graph.edit_list_item(SITE, "Timesheets", "2", {"Hours": 5})  # a live row: the same
    graph.delete_list_item(SITE, "Timesheets", "2")
    graph.delete_list_item(SITE, "Timesheets", "4")  # was quarantined (unknown person)
    result = run(settings, warehouse, sandbox)
    assert result["sharepoint"].ok, result["sharepoint"].errors
    live = set(warehouse.read("time_entries")["entry_id"])
    assert not {"sharepoint:list-ts:900", "sharepoint:list-ts:2"} & live
    gone = warehouse.read("time_entries", include_deleted=True).set_index("entry_id")
    assert bool(gone.loc["sharepoint:list-ts:2", "is_deleted"])
    assert "list-ts:4" not in _open_quarantine(warehouse)


def _move_stored_links(warehouse, base: str) -> None:
    """Point every stored delta link at another host, as a sandbox on a new port would."""
    for list_id in ("list-ts", "list-two"):
        key = f"{SITE}|{list_id}"
        mark = warehouse.get_watermark("sharepoint", "list_items", key)
        _, _, rest = mark["delta_link"].partition("/v1.0/")
        with warehouse.transaction() as txn:
            txn.set_watermark("sharepoint", "list_items", key, {**mark, "delta_link": base + rest})


def test_a_delta_link_of_an_old_host_is_rebased_onto_the_configured_url(
    settings, warehouse, sandbox
):
    run(settings, warehouse, sandbox)
    _move_stored_links(warehouse, "http://127.0.0.1:9/v1.0/")  # nothing listens there
    sandbox.state.graph.edit_list_item(SITE, "Timesheets", "6", {"Hours": 4})
    sandbox.app.stats.reset()
    result = run(settings, warehouse, sandbox)
    sheets = result["sharepoint"]
    assert sheets.ok and sheets.warnings == [], (sheets.errors, sheets.warnings)
    assert sheets.streams["timesheets"].fetched == 1  # incremental: only the edited row
    entries = warehouse.read("time_entries").set_index("entry_id")
    assert entries.loc["sharepoint:list-ts:6", "hours"] == 4


def test_an_expired_delta_link_means_a_full_read_with_a_warning(settings, warehouse, sandbox):
    run(settings, warehouse, sandbox)
    sandbox.state.graph.expire_delta_tokens()
    result = run(settings, warehouse, sandbox)
    sheets = result["sharepoint"]
    assert sheets.ok
    assert len(sheets.warnings) == 2 and all("410" in w for w in sheets.warnings)
    assert all("read in full instead" in w for w in sheets.warnings)
