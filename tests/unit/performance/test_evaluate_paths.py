"""The optimised evaluation paths give what the straightforward ones gave (issue 6 benchmark).

- a shard of projects cut from the portfolio (`PortfolioJob.shard`, what a Prefect task on
  another process or machine receives) evaluates its projects exactly as the whole portfolio
  does (JSON compared byte for byte);
- the forecast simulation (small integer types, int32 draws) matches the earlier int32/int64
  implementation kept here as the oracle, trial by trial;
- ISO week labels computed per distinct date match `strftime` per row, and so do the
  project load's Mondays;
- row hashes computed column by column equal pandas' hash of the prepared frame;
- finish timestamps skip `pd.to_datetime` only when it would change nothing.
"""

from __future__ import annotations

import json
import math
import pickle
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pytest

from checks.evaluation.chart_data import _day_labels, _iso_weeks
from checks.evaluation.data_version import IGNORED_COLUMNS, _canonical, row_hashes
from checks.evaluation.evaluate import PortfolioJob, evaluate_portfolio
from checks.evaluation.frames import PortfolioSplit
from checks.forecast.monte_carlo import simulate_buckets_to_finish
from checks.forecast.throughput import _utc
from checks.model import QualityReport
from config.lifecycle import load_rules
from config.settings import Settings
from sandbox.synthetic_frames import Problems, synthetic_portfolio

AS_OF = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)


def _reference_simulation(
    counts: np.ndarray, remaining: int, trials: int, seed: int, max_buckets: int
) -> np.ndarray:
    """The simulation as it was before the int16 / int32-draw optimisation (the oracle)."""
    counts = np.asarray(counts, dtype=np.int32)
    if remaining <= 0:
        return np.zeros(trials, dtype=np.int64)

    def block_size(rest: int) -> int:
        mean = counts.mean() if len(counts) else 0.0
        return 128 if mean <= 0 else int(min(math.ceil(1.25 * rest / mean) + 8, 512))

    rng = np.random.default_rng(seed)
    finished_at = np.full(trials, max_buckets + 1, dtype=np.int64)
    open_trials = np.ones(trials, dtype=bool)
    total = np.zeros(trials, dtype=np.int32)
    block, start = block_size(remaining), 0
    while start < max_buckets and open_trials.any() and counts.any():
        running = np.take(counts, rng.integers(0, len(counts), size=(block, trials)))
        np.cumsum(running, axis=0, out=running)
        running += total
        hit = open_trials & (running[-1] >= remaining)
        short = np.count_nonzero(running[:, hit] < remaining, axis=0)
        finished_at[hit] = np.minimum(start + short + 1, max_buckets + 1)
        open_trials &= ~hit
        total = running[-1].copy()
        start += block
        if open_trials.any():
            block = block_size(remaining - int(total[open_trials].min()))
    return finished_at


SIMULATIONS = [
    # typical project: ~0.8 items a day, a hundred open items
    (np.random.default_rng(1).poisson(0.8, 84), 100, 10_000, 42, 3650),
    # nothing left to do
    (np.array([1, 0, 2]), 0, 50, 1, 3650),
    # no throughput at all: every trial beyond the horizon
    (np.zeros(84, dtype=np.int64), 10, 100, 3, 3650),
    # one item every few days, short horizon: many trials never finish
    (np.array([0, 0, 0, 1]), 40, 2_000, 7, 50),
    # very sparse history: several blocks before the stragglers finish
    (np.array([0] * 83 + [1]), 30, 500, 9, 3650),
    # large counts and backlog: running sums beyond int16, int32 path
    (np.array([200, 300, 0]), 30_000, 1_000, 5, 3650),
]


@pytest.mark.parametrize("case", SIMULATIONS, ids=range(len(SIMULATIONS)))
def test_simulation_matches_the_reference_trial_by_trial(case: tuple) -> None:
    expected = _reference_simulation(*case)
    assert np.array_equal(simulate_buckets_to_finish(*case), expected)


def test_random_simulations_match_the_reference() -> None:
    rng = np.random.default_rng(0)
    for _ in range(60):  # random histories, backlogs, seeds and horizons
        counts = rng.poisson(rng.uniform(0.01, 3), int(rng.integers(1, 120)))
        case = (counts, int(rng.integers(0, 400)), int(rng.integers(1, 2000)), 11, 3650)
        assert np.array_equal(simulate_buckets_to_finish(*case), _reference_simulation(*case))


def test_iso_week_labels_match_strftime_per_row() -> None:
    days = pd.Series(pd.to_datetime(["2026-01-01", "2025-12-29", None, "2026-01-01", "2027-01-03"]))
    expected = pd.to_datetime(days).dt.strftime("%G-W%V")
    labels = _iso_weeks(days)
    assert list(labels.isna()) == list(expected.isna())
    assert list(labels.dropna()) == list(expected.dropna())  # e.g. 2026-W01 for 2025-12-29


@pytest.mark.parametrize(
    "stamps",
    [
        pd.Series(pd.to_datetime(["2026-01-01T10:00Z", None], utc=True)),  # already UTC: kept
        pd.Series(pd.to_datetime(["2026-01-01T10:00"])),  # naive: made UTC
        pd.Series(pd.to_datetime(["2026-01-01T10:00+02:00"])),  # other zone: converted
    ],
)
def test_utc_stamps_equal_to_datetime(stamps: pd.Series) -> None:
    pd.testing.assert_series_equal(_utc(stamps), pd.to_datetime(stamps, utc=True))


def _as_json(evaluations: list) -> list[str]:
    return [json.dumps(e.to_dict(), sort_keys=True, default=str) for e in evaluations]


def _snapshots(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Earlier forecasts of every other project (the forecast record reads them)."""
    rows = [
        {"project_id": pid, "snapshot_date": day, "metric": f"forecast.{pct}_date", "value": v}
        for pid in sorted(frames["projects"]["project_id"])[::2]
        for day, base in (
            (pd.Timestamp("2026-10-01").date(), 20800.0),
            (pd.Timestamp("2026-11-01").date(), 20850.0),
        )
        for pct, v in (("p50", base), ("p85", base + 20), ("p95", base + 40))
    ]
    return pd.DataFrame(rows)


def test_shards_evaluated_on_their_own_give_the_portfolio_result() -> None:
    """A worker holding only a shard's rows (`PortfolioJob.shard`) evaluates its projects
    exactly as one process holding the whole portfolio does: people's time on other
    projects, dependencies across projects and snapshots travel with the shard."""
    problems = Problems(late=1, cycle=1, long_day=1, critical_defects=1, over_allocation=1)
    frames = synthetic_portfolio(12, 40, 4.0, 3, AS_OF, problems)
    settings = Settings(checks={"forecast_trials": 500})
    rules, quality, snapshots = load_rules(settings), QualityReport(results=()), _snapshots(frames)
    whole = evaluate_portfolio(frames, settings, rules, AS_OF, quality, snapshots)
    assert len(whole) > 5  # most projects are evaluated (closed ones are skipped)
    job = PortfolioJob.build(frames, settings, rules, AS_OF, snapshots, hash_tables=False)
    ids = job.project_ids()
    parts = []
    for shard in (ids[0:5], ids[5:6], ids[6:]):
        cut = job.shard(shard)
        assert len(cut.frames["time_entries"]) < len(frames["time_entries"])  # only its rows
        shipped = pickle.loads(pickle.dumps(cut))  # noqa: S301 - what a runner sends a worker
        assessed = pickle.loads(pickle.dumps(shipped.job().assess(shard)))  # noqa: S301 - and back
        parts += PortfolioJob.conclude_all(assessed, quality)
    assert _as_json(parts) == _as_json(whole)


def test_a_shard_keeps_the_time_its_people_log_on_other_projects() -> None:
    frames = _portfolio()
    entries = frames["time_entries"].copy()
    a, b = sorted(frames["projects"]["project_id"])[:2]
    person = entries.loc[entries["project_id"] == a, "person_id"].iloc[0]
    elsewhere = entries.index[entries["project_id"] == b][:5]
    entries.loc[elsewhere, "person_id"] = person  # a's person also works on b
    split = PortfolioSplit({**frames, "time_entries": entries})
    alone = PortfolioSplit(split.shard([a])).project(a, AS_OF)
    whole = split.project(a, AS_OF)
    assert set(alone.portfolio_time_entries["project_id"]) == {a, b}  # b's hours came along
    for name in ("tasks", "time_entries", "portfolio_time_entries", "people", "dependencies"):
        pd.testing.assert_frame_equal(getattr(alone, name), getattr(whole, name))
    with pytest.raises(KeyError, match="nowhere"):
        split.shard(["nowhere"])


def _portfolio() -> dict[str, pd.DataFrame]:
    return synthetic_portfolio(8, 30, 3.0, 5, AS_OF, Problems(late=1, long_day=1))


def test_monday_labels_match_strftime_per_row() -> None:
    dates = pd.Series(pd.to_datetime(["2026-11-23", None, "2026-11-30", "2026-11-23", None]))
    expected = dates.dt.strftime("%Y-%m-%d")
    got = _day_labels(dates)
    assert got.isna().tolist() == expected.isna().tolist()
    assert got.dropna().tolist() == expected.dropna().tolist()


def _prepared_hash(frame: pd.DataFrame) -> np.ndarray:
    """The definition: pandas' hash of a frame of the prepared columns (JSON cells as text)."""
    columns = sorted(c for c in frame.columns if c not in IGNORED_COLUMNS)
    prepared = pd.DataFrame(
        {
            c: frame[c].reset_index(drop=True)
            if frame[c].dtype != object
            else pd.Series([_canonical(v) for v in frame[c]], dtype="string")
            for c in columns
        },
        index=pd.RangeIndex(len(frame)),
    )
    return pd.util.hash_pandas_object(prepared, index=False).to_numpy()


def test_row_hashes_equal_pandas_hash_of_the_prepared_frame() -> None:
    frames = synthetic_portfolio(6, 20, 3.0, 5, AS_OF, Problems(late=1, cycle=1, long_day=1))
    split = PortfolioSplit(frames)
    project = split.project(split.project_ids[0], AS_OF).project
    samples = {**frames, "project": pd.DataFrame([{**project, "labels": ["a", 1], "x": None}])}
    for name, frame in samples.items():
        if frame.empty:
            continue
        for rows in (frame, frame.iloc[::-1]):  # any index
            assert np.array_equal(row_hashes(rows), _prepared_hash(rows)), name
