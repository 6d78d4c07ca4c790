"""Properties: the clock-in window equals a scan; paging returns every record exactly once."""

from __future__ import annotations

import operator
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from sandbox.graph.http import GraphRequest
from sandbox.graph.paging import ListWindow, paged_collection
from sandbox.graph.shifts import parse_clock_in_filter

ORIGIN = datetime(2026, 1, 1, tzinfo=UTC)
COMPARE = {"ge": operator.ge, "gt": operator.gt, "le": operator.le, "lt": operator.lt,
           "eq": operator.eq}  # fmt: skip
hours = st.integers(min_value=0, max_value=48)


@settings(max_examples=200, deadline=None, database=None)
@given(
    st.lists(hours, max_size=40),
    st.lists(st.tuples(st.sampled_from(sorted(COMPARE)), hours), min_size=1, max_size=3),
)
def test_clock_in_window_equals_a_scan(offsets: list[int], clauses: list[tuple[str, int]]) -> None:
    keys = sorted(ORIGIN + timedelta(hours=h) for h in offsets)
    text = " and ".join(
        f"clockInEvent/dateTime {op} {(ORIGIN + timedelta(hours=h)).isoformat()}"
        for op, h in clauses
    )
    expected = [
        k for k in keys if all(COMPARE[op](k, ORIGIN + timedelta(hours=h)) for op, h in clauses)
    ]
    assert keys[parse_clock_in_filter(text).slice(keys)] == expected


def _request(pairs: list[tuple[str, str]]) -> GraphRequest:
    return GraphRequest("GET", ("x",), "x", tuple(pairs), {}, b"", "http://127.0.0.1:1/v1.0")


@settings(max_examples=100, deadline=None, database=None)
@given(
    st.integers(min_value=0, max_value=120),
    st.integers(min_value=1, max_value=50),
    st.integers(min_value=0, max_value=30),
)
def test_paging_a_window_returns_each_record_once(total: int, top: int, start: int) -> None:
    records = [{"id": str(n)} for n in range(total)]
    window = ListWindow(records, start, total)
    seen: list[dict] = []
    pairs = [("$top", str(top))]
    while True:
        page = paged_collection(_request(pairs), window, default=10)
        seen += page["value"]
        if "@odata.nextLink" not in page:
            break
        token = page["@odata.nextLink"].split("$skiptoken=")[1]
        pairs = [("$top", str(top)), ("$skiptoken", token)]
    assert seen == records[start:]
