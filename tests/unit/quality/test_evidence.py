"""Invariants of turning failing rows into per-project results (hypothesis)."""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from checks.model import Severity
from checks.quality.evidence import MAX_EXAMPLES, failure_results

rows = st.lists(
    st.tuples(
        st.sampled_from(["jira:1", "jira:2", "jira:3", None]),  # project (None: unknown)
        st.booleans(),  # failing
    ),
    min_size=1,
    max_size=60,
)


@settings(max_examples=200, deadline=None)
@given(rows)
def test_failures_are_split_without_loss_or_leak(data: list[tuple[str | None, bool]]) -> None:
    keys = pd.Series([f"k{i}" for i in range(len(data))], dtype="string")
    projects = pd.Series([p for p, _ in data], dtype="string")
    failing = pd.Series([f for _, f in data])
    results = failure_results(
        table="tasks", expectation="x", severity=Severity.WARNING, detail="",
        keys=keys, failing=failing, projects=projects,
    )  # fmt: skip
    # every failing row is counted exactly once, in its own project's result
    assert sum(r.failing_count for r in results) == int(failing.sum())
    for result in results:
        own = [i for i, (p, f) in enumerate(data) if f and p == result.project_id]
        assert result.failing_count == len(own)
        assert set(result.example_keys) <= {f"k{i}" for i in own}
        assert len(result.example_keys) == min(len(own), MAX_EXAMPLES)
        assert result.checked_count == sum(p == result.project_id for p, _ in data)
        assert not result.success
    # one result per project touched, none for untouched ones
    touched = {p for p, f in data if f}
    assert [r.project_id for r in results] == sorted(touched - {None}) + (
        [None] if None in touched else []
    )
