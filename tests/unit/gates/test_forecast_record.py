"""Forecast record: earlier snapshot forecasts scored against the actual finish."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from checks.forecast.monte_carlo import epoch_days
from checks.forecast.record import score_forecasts


def snapshots(*rows: tuple[str, str, date, date, date]) -> pd.DataFrame:
    records = []
    for project, day, p50, p85, p95 in rows:
        for name, value in (("p50", p50), ("p85", p85), ("p95", p95)):
            records.append(
                {
                    "project_id": project,
                    "snapshot_date": day,
                    "metric": f"forecast.{name}_date",
                    "value": epoch_days(value),
                }
            )
    records.append(
        {"project_id": "p1", "snapshot_date": "2026-01-01", "metric": "evm.spi", "value": 0.9}
    )  # other metrics are ignored
    return pd.DataFrame(records)


D = date
FRAME = snapshots(
    ("p1", "2026-01-01", D(2026, 3, 1), D(2026, 3, 10), D(2026, 3, 20)),
    ("p1", "2026-02-01", D(2026, 3, 5), D(2026, 3, 12), D(2026, 3, 15)),
    ("p1", "2026-04-01", D(2026, 4, 5), D(2026, 4, 6), D(2026, 4, 7)),  # after a Mar finish
    ("p2", "2026-01-01", D(2026, 1, 2), D(2026, 1, 3), D(2026, 1, 4)),  # another project
)

CASES = [
    # finished 2026-03-14: first forecast inside P50..P95 (error +4 vs P85), second too (+2);
    # the April snapshot was taken after the finish and is not scored
    ("p1", D(2026, 3, 14), D(2026, 6, 1), [("hit", 4), ("hit", 2)], 1.0, 3.0),
    # finished 2026-03-18: inside the first range (+8), after the second's P95 (+6)
    ("p1", D(2026, 3, 18), D(2026, 6, 1), [("hit", 8), ("late", 6)], 0.5, 7.0),
    # finished 2026-02-25: before both P50s (-13 and -15 vs P85)
    ("p1", D(2026, 2, 25), D(2026, 6, 1), [("early", -13), ("early", -15)], 0.0, 14.0),
    # still open on 2026-03-17: first pending (P95 not passed), second missed (+5 lower bound)
    ("p1", None, D(2026, 3, 17), [("pending", None), ("missed", 5)], 0.0, 5.0),
    # a project with no snapshots has an empty record
    ("p9", None, D(2026, 3, 17), [], None, None),
]


@pytest.mark.parametrize(("project", "actual", "as_of", "expected", "hit_rate", "mae"), CASES)
def test_scoring(project, actual, as_of, expected, hit_rate, mae):
    record = score_forecasts(FRAME, project, actual, as_of)
    assert [(s.outcome, s.error_days) for s in record.scored] == expected
    summary = record.summary()
    assert summary["hit_rate"] == hit_rate
    assert summary["mean_abs_error_days"] == mae


def test_missing_columns_are_named():
    with pytest.raises(ValueError, match="snapshot_date"):
        score_forecasts(
            pd.DataFrame({"project_id": ["p1"], "metric": ["x"], "value": [1.0]}),
            "p1",
            None,
            D(2026, 1, 1),
        )


def test_record_serialises_with_summary():
    out = score_forecasts(FRAME, "p1", D(2026, 3, 14), D(2026, 6, 1)).to_dict()
    assert out["summary"]["scored"] == 2
    assert out["scored"][0]["snapshot_date"] == "2026-01-01"
