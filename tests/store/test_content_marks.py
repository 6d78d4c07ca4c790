"""The marks that stand for the warehouse's content in the judgement record and the suite
results record (issue 14 pt 11: cache nothing that could go stale silently). Two equal marks
must mean equal content, whatever clock stamped the rows and in whatever order writers
committed."""

from __future__ import annotations

from contextlib import ExitStack
from datetime import timedelta

import pytest

from connectors.store import Warehouse
from connectors.store.tables import utcnow
from flows.quality_record import frame_marks
from tests.store.test_warehouse import entry

pytestmark = pytest.mark.xdist_group("warehouse")


def test_an_update_stamped_before_the_latest_row_moves_the_marks(warehouse: Warehouse) -> None:
    # A writer whose clock is behind (another host; NTP stepping back) updates a row: count
    # and latest synced_at stay, the content does not.
    with warehouse.transaction() as txn:
        txn.upsert("time_entries", [entry(n) for n in range(3)])
    marks, frames = warehouse.content_marks(), warehouse.read_all()
    with warehouse.transaction() as txn:
        counts = txn.upsert(
            "time_entries", [entry(1, hours=7.0)], synced_at=utcnow() - timedelta(hours=1)
        )
    assert counts.updated == 1
    assert warehouse.content_marks() != marks
    assert frame_marks(warehouse.read_all()) != frame_marks(frames)


@pytest.mark.parametrize("warehouse_url", ["postgresql"], indirect=True)
def test_a_writer_that_commits_after_a_later_stamped_one_moves_the_marks(
    warehouse: Warehouse,
) -> None:
    # PostgreSQL runs writers side by side: the first stamps its rows, the second stamps
    # later and commits first, a judgement reads the marks, then the first commits.
    with warehouse.transaction() as txn:
        txn.upsert("time_entries", [entry(n) for n in range(3)])
    with ExitStack() as first:
        slow = first.enter_context(warehouse.transaction())
        slow.upsert("time_entries", [entry(0, hours=4.0)])
        with warehouse.transaction() as fast:
            fast.upsert("time_entries", [entry(2, hours=5.0)])
        marks, frames = warehouse.content_marks(), warehouse.read_all()
    assert sorted(warehouse.read_all()["time_entries"]["hours"]) == [1.5, 4.0, 5.0]
    assert warehouse.content_marks() != marks
    assert frame_marks(warehouse.read_all()) != frame_marks(frames)


def test_rewriting_the_same_content_keeps_the_marks(warehouse: Warehouse) -> None:
    with warehouse.transaction() as txn:
        txn.upsert("time_entries", [entry(n) for n in range(3)])
    marks, frames = warehouse.content_marks(), warehouse.read_all()
    with warehouse.transaction() as txn:
        counts = txn.upsert("time_entries", [entry(n) for n in range(3)])
        txn.tombstone("time_entries", ["jira:worklog:99"])  # not there: nothing written
    assert counts.unchanged == 3
    assert warehouse.content_marks() == marks
    assert frame_marks(warehouse.read_all()) == frame_marks(frames)
