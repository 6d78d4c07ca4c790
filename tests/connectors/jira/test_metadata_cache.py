"""When stored run metadata is used and when it must be re-read (no sandbox needed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from connectors.jira.metadata import HOUR_MS, SOURCE, STREAM, cached, is_fresh
from tests.connectors.jira.conftest import new_warehouse

READ_AT = 1_700_000_000_000
PRINT = {"url": "http://jira", "keys": ["ABC"], "fields": {}, "charter_property": "pmo-charter"}


def test_metadata_stored_before_the_status_list_was_read_is_read_again(tmp_path: Path) -> None:
    warehouse = new_warehouse(tmp_path)
    with warehouse.transaction() as txn:
        txn.set_watermark(SOURCE, STREAM, "*", {"refreshed_ms": READ_AT, "fingerprint": PRINT})
    assert cached(warehouse, "*", PRINT, 24, full=False, at_ms=READ_AT + HOUR_MS) is None


@pytest.mark.parametrize(
    ("stored_print", "hours", "full", "now_after_h", "usable"),
    [
        (PRINT, 24, False, 1, True),  # young enough: used
        (PRINT, 24, False, 24, False),  # exactly the interval: due
        (PRINT, 24, True, 1, False),  # --full always re-reads
        (PRINT, 0, False, 0, False),  # 0 = every run
        (PRINT, 24, False, -1, False),  # the clock moved back: re-read rather than trust it
        ({**PRINT, "keys": ["ABC", "DEF"]}, 24, False, 1, False),  # other projects configured
        ({**PRINT, "url": "http://other"}, 24, False, 1, False),  # another Jira
        (None, 24, False, 1, False),  # nothing stored yet (first run)
    ],
)
def test_stored_metadata_is_used_only_when_young_and_for_the_same_config(
    tmp_path: Path,
    stored_print: dict[str, Any] | None,
    hours: float,
    full: bool,
    now_after_h: float,
    usable: bool,
) -> None:
    warehouse = new_warehouse(tmp_path)
    if stored_print is not None:
        with warehouse.transaction() as txn:
            mark = {
                "refreshed_ms": READ_AT,
                "fingerprint": stored_print,
                "status_categories": {"3": "in_progress"},
            }
            txn.set_watermark(SOURCE, STREAM, "*", mark)
    at_ms = READ_AT + int(now_after_h * HOUR_MS)
    found = cached(warehouse, "*", PRINT, hours, full=full, at_ms=at_ms)
    assert (found is not None) == usable


@pytest.mark.parametrize(
    ("mark", "fresh"),
    [
        (None, False),  # project never written
        ({"refreshed_ms": READ_AT - 1}, False),  # written by an older refresh (crash half-way)
        ({"refreshed_ms": READ_AT}, True),  # written by this refresh
        ({}, False),  # malformed: re-read
    ],
)
def test_a_project_is_re_read_unless_written_for_the_current_refresh(
    mark: dict[str, Any] | None, fresh: bool
) -> None:
    assert is_fresh(mark, READ_AT) == fresh
