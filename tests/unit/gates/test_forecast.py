"""Monte Carlo forecast: hand-computed percentiles on tiny histories, and its invariants."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checks.forecast.monte_carlo import (
    ThroughputHistory,
    done_timestamps,
    epoch_days,
    finish_histogram,
    forecast_completion,
    forecast_project,
    from_epoch_days,
    how_many_percentile,
    remaining_items,
    simulate_buckets_to_finish,
    throughput_history,
    when_percentile,
)
from checks.schema import to_frame

AS_OF = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)
TODAY = AS_OF.date()


def history(counts: list[int], bucket_days: int = 1) -> ThroughputHistory:
    return ThroughputHistory(np.array(counts), bucket_days, date(2026, 1, 1), date(2026, 1, 2))


def in_days(n: int) -> date:
    return TODAY + timedelta(days=n)


# Geometric cases: history [0, 5, 5] and 5 remaining finish on day k with probability
# (1/3)^(k-1) * 2/3, so F(1)=0.667, F(2)=0.889, F(3)=0.963: every percentile sits far
# (> 5 standard errors at 10,000 trials) from a step of the CDF.
PERCENTILE_CASES = [
    # constant 2 a day, 5 remaining: ceil(5/2) = 3 days in every trial
    ([2, 2, 2], 1, 5, {"p50": 3, "p70": 3, "p85": 3, "p95": 3}),
    # geometric p = 2/3 (see above): P50 day 1, P70 and P85 day 2, P95 day 3
    ([0, 5, 5], 1, 5, {"p50": 1, "p70": 2, "p85": 2, "p95": 3}),
    # weekly buckets of 3, 7 remaining: 3 weeks = 21 days
    ([3, 3], 7, 7, {"p50": 21, "p70": 21, "p85": 21, "p95": 21}),
    # nothing remains: done "today + 0"
    ([1, 0], 1, 0, {"p50": 0, "p70": 0, "p85": 0, "p95": 0}),
]


@pytest.mark.parametrize(("counts", "bucket", "remaining", "expected"), PERCENTILE_CASES)
def test_percentiles_match_hand_computation(counts, bucket, remaining, expected):
    result = forecast_completion(history(counts, bucket), remaining, AS_OF, seed=42)
    assert result.trials == 10_000
    assert result.percentiles == {k: in_days(v) for k, v in expected.items()}


def test_on_time_probability_is_the_share_of_trials_by_the_target():
    # geometric p = 2/3: P(finish within 2 days) = 8/9 = 0.889; standard error 0.003
    result = forecast_completion(history([0, 5, 5]), 5, AS_OF, target_date=in_days(2), seed=1)
    assert result.on_time_probability == pytest.approx(8 / 9, abs=0.015)
    # target before the first possible finish: never on time
    early = forecast_completion(history([0, 5, 5]), 5, AS_OF, target_date=TODAY, seed=1)
    assert early.on_time_probability == 0.0


def test_how_many_by_a_date():
    # two days of [0, 5, 5]: 0 items w.p. 1/9, 5 w.p. 4/9, 10 w.p. 4/9.
    # P50: P(X >= 10) = 0.44 < 0.5, P(X >= 5) = 0.89 -> 5; P95: P(X >= 5) < 0.95 -> 0
    result = forecast_completion(history([0, 5, 5]), 5, AS_OF, how_many_by=in_days(2), seed=3)
    assert result.how_many == {
        "by_date": in_days(2),
        "buckets": 2,
        "p50": 5,
        "p70": 5,
        "p85": 5,
        "p95": 0,
    }


def test_no_throughput_gives_no_dates_and_says_why():
    result = forecast_completion(history([0, 0, 0]), 4, AS_OF, target_date=in_days(30))
    assert result.percentiles == dict.fromkeys(("p50", "p70", "p85", "p95"))
    assert result.on_time_probability is None
    assert result.trust == "none"
    assert "no throughput" in result.trust_note.lower()


def test_unfinished_within_horizon_is_beyond_it():
    # one item in ~10 years of days cannot finish 10 items within the horizon
    counts = [0] * 999 + [1]
    result = forecast_completion(history(counts), 10, AS_OF, trials=500)
    assert result.percentiles["p95"] is None


PERCENTILE_FN_CASES = [
    # when: smallest value with at least pct % at or below
    (when_percentile, [1, 2, 3, 4], 50, 2),
    (when_percentile, [1, 2, 3, 4], 51, 3),
    (when_percentile, [1, 2, 3, 4], 100, 4),
    # how many: largest value at least pct % reach
    (how_many_percentile, [1, 2, 3, 4], 50, 3),
    (how_many_percentile, [1, 2, 3, 4], 75, 2),
    (how_many_percentile, [1, 2, 3, 4], 100, 1),
]


@pytest.mark.parametrize(("fn", "values", "pct", "expected"), PERCENTILE_FN_CASES)
def test_percentile_definitions(fn, values, pct, expected):
    assert fn(np.array(values), pct) == expected


def task(tid: str, category: str, resolved: str | None, task_type: str = "story", **kw):
    return {
        "task_id": tid,
        "project_id": "jira:1",
        "task_type": task_type,
        "status_category": category,
        "resolved_at": resolved,
        "source": "jira",
        "is_deleted": kw.get("deleted", False),
        "synced_at": "2026-11-27T00:00:00+00:00",
    }


def test_throughput_history_counts_complete_days_before_the_status_date():
    tasks = to_frame(
        "tasks",
        [
            task("a", "done", "2026-11-26T10:00:00+00:00"),  # yesterday: last bucket
            task("b", "done", "2026-11-26T23:00:00+00:00"),  # yesterday too
            task("c", "done", "2026-11-24T01:00:00+00:00"),  # three days ago
            task("d", "done", "2026-11-27T01:00:00+00:00"),  # today: partial day, left out
            task("e", "done", "2026-11-01T01:00:00+00:00"),  # outside a 4-day window
            task("f", "done", "2026-11-25T01:00:00+00:00", task_type="epic"),  # not a work item
            task("g", "done", "2026-11-25T01:00:00+00:00", deleted=True),  # tombstoned
            task("h", "in_progress", None),
            task("i", "todo", None),
        ],
    )
    hist = throughput_history(done_timestamps(tasks), AS_OF, window_days=4)
    assert hist.counts.tolist() == [0, 1, 0, 2]
    assert (hist.first_day, hist.last_day) == (date(2026, 11, 23), date(2026, 11, 26))
    assert remaining_items(tasks) == 2


def test_done_without_resolved_at_falls_back_to_the_last_move_into_done():
    tasks = to_frame("tasks", [task("a", "done", None)])
    changes = to_frame(
        "status_changes",
        [
            {
                "change_id": "c1",
                "task_id": "a",
                "changed_at": "2026-11-20T00:00:00+00:00",
                "to_category": "done",
                "source": "jira",
                "is_deleted": False,
                "synced_at": "2026-11-27T00:00:00+00:00",
            },
            {
                "change_id": "c2",
                "task_id": "a",
                "changed_at": "2026-11-25T00:00:00+00:00",
                "to_category": "done",
                "source": "jira",
                "is_deleted": False,
                "synced_at": "2026-11-27T00:00:00+00:00",
            },
        ],
    )
    stamps = done_timestamps(tasks, changes)
    assert stamps.to_dict() == {"a": pd.Timestamp("2026-11-25T00:00:00+00:00")}


def test_forecast_project_end_to_end_and_metrics():
    rows = [task(f"d{i}", "done", f"2026-11-{10 + i:02d}T12:00:00+00:00") for i in range(14)]
    rows += [task(f"o{i}", "todo", None) for i in range(7)]
    result = forecast_project(
        to_frame("tasks", rows), None, AS_OF, target_date=in_days(60), window_days=28
    )
    assert result.remaining_items == 7 and result.history_items == 14
    assert result.throughput_per_week == pytest.approx(3.5)
    metrics = result.metrics()
    assert from_epoch_days(metrics["forecast.p85_date"]) == result.percentiles["p85"]
    assert metrics["forecast.on_time_probability"] == 1.0
    assert metrics["forecast.p85_days_late"] < 0


def test_epoch_days_round_trip():
    assert epoch_days(date(1970, 1, 11)) == 10.0
    assert from_epoch_days(10.0) == date(1970, 1, 11)
    assert from_epoch_days(float("nan")) is None


def test_bad_bucket_or_window_is_named():
    with pytest.raises(ValueError, match="bucket_days"):
        throughput_history(pd.Series([], dtype="datetime64[ns, UTC]"), AS_OF, 14, 3)
    with pytest.raises(ValueError, match="window_days"):
        throughput_history(pd.Series([], dtype="datetime64[ns, UTC]"), AS_OF, 10, 7)


histories = st.lists(st.integers(0, 6), min_size=1, max_size=20).filter(lambda c: sum(c) > 0)


@settings(max_examples=40, deadline=None)
@given(counts=histories, remaining=st.integers(0, 60), seed=st.integers(0, 2**32 - 1))
def test_percentiles_are_monotone(counts, remaining, seed):
    dates = forecast_completion(history(counts), remaining, AS_OF, trials=2000, seed=seed)
    p = [dates.percentiles[k] for k in ("p50", "p70", "p85", "p95")]
    known = [d for d in p if d is not None]
    assert known == sorted(known)
    assert p[: len(known)] == known  # "beyond the horizon" only at the top end


@settings(max_examples=40, deadline=None)
@given(
    counts=histories,
    remaining=st.integers(0, 60),
    more=st.integers(1, 20),
    seed=st.integers(0, 2**32 - 1),
)
def test_more_remaining_items_never_finish_earlier(counts, remaining, more, seed):
    args = (np.array(counts), 2000, seed, 3650)
    fewer = simulate_buckets_to_finish(args[0], remaining, *args[1:])
    extra = simulate_buckets_to_finish(args[0], remaining + more, *args[1:])
    assert (extra >= fewer).all()  # trial by trial, not just in distribution


@settings(max_examples=20, deadline=None)
@given(counts=histories, remaining=st.integers(0, 60), seed=st.integers(0, 2**32 - 1))
def test_same_seed_same_forecast(counts, remaining, seed):
    first = forecast_completion(history(counts), remaining, AS_OF, trials=1000, seed=seed)
    again = forecast_completion(history(counts), remaining, AS_OF, trials=1000, seed=seed)
    assert first == again


HISTOGRAM_CASES = [
    # one bar per finish bucket when there are few distinct values
    (
        [1, 1, 2, 5],
        1,
        40,
        {"dates": ["2026-11-28", "2026-11-29", "2026-12-02"], "counts": [2, 1, 1]},
    ),
    # weekly buckets: dates step by 7 days
    ([1, 2, 2], 7, 40, {"dates": ["2026-12-04", "2026-12-11"], "counts": [1, 2]}),
    # more distinct values than bins: width ceil(6 / 2) = 3 buckets per bar, labelled by the first
    ([1, 2, 3, 4, 5, 6], 1, 2, {"dates": ["2026-11-28", "2026-12-01"], "counts": [3, 3]}),
    # trials beyond the horizon (here 10 buckets) are left out
    ([1, 11, 11], 1, 40, {"dates": ["2026-11-28"], "counts": [1]}),
]


@pytest.mark.parametrize(("buckets", "bucket_days", "bins", "expected"), HISTOGRAM_CASES)
def test_finish_histogram(buckets, bucket_days, bins, expected):
    hist = finish_histogram(np.array(buckets), TODAY, bucket_days, 10, bins)
    assert hist == expected
