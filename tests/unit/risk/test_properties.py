"""Invariants of the risk checks, over generated projects (hypothesis)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checks.evaluation.frames import PortfolioSplit
from checks.model import to_jsonable
from checks.risk import run_risk_checks
from checks.risk.evm import check_evm
from config.settings import ChecksSettings
from sandbox.synthetic_frames import Problems, synthetic_portfolio
from tests.unit.risk.builders import entry, frames_of, task

ORIGIN = datetime(2026, 1, 1, tzinfo=UTC)
FAST = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])

plans = st.lists(
    st.tuples(
        st.integers(1, 200),  # estimate hours
        st.integers(0, 40),  # start offset (days)
        st.integers(1, 30),  # duration (days)
    ),
    min_size=1,
    max_size=8,
)


def _on_plan_tasks(plan, as_of):
    """Tasks whose percent complete is exactly their planned share at `as_of`, with hours = EV."""
    tasks, entries = [], []
    for n, (estimate, offset, duration) in enumerate(plan):
        start = ORIGIN + timedelta(days=offset)
        share = min(max((as_of - start) / timedelta(days=duration), 0.0), 1.0)
        category = "done" if share >= 1 else "in_progress" if share > 0 else "todo"
        tasks.append(
            task(
                f"jira:{n}",
                estimate_hours=estimate,
                start_date=start.date().isoformat(),
                due_date=(start + timedelta(days=duration - 1)).date().isoformat(),
                status_category=category,
                percent_complete=100 * share,
            )
        )
        if share > 0:
            entries.append(entry(f"e{n}", estimate * share, "2026-01-01", task_id=f"jira:{n}"))
    return tasks, entries


@FAST
@given(plans, st.integers(1, 80 * 24))
def test_project_exactly_on_plan_has_spi_and_cpi_of_one(plan, hours_in):
    as_of = ORIGIN + timedelta(hours=hours_in)
    tasks, entries = _on_plan_tasks(plan, as_of)
    metrics = check_evm(
        frames_of(as_of, tasks=tasks, entries=entries, project={"start_date": "2026-01-01"}),
        ChecksSettings(),
    ).metrics
    if metrics["evm.pv_hours"] > 1e-6:
        assert metrics["evm.spi"] == pytest.approx(1.0, rel=1e-6)
        assert metrics["evm.cpi"] == pytest.approx(1.0, rel=1e-6)
    if 1e-6 < metrics["evm.ev_hours"] < metrics["evm.bac_hours"] - 1e-6:
        # ES is the *first* time PV reached EV: on plan it is AT, or earlier when the plan was
        # idle (flat PV) just before the status date; it is never later.
        assert metrics["evm.spi_t"] <= 1.0 + 1e-6
        if len(plan) == 1:
            assert metrics["evm.spi_t"] == pytest.approx(1.0, rel=1e-6)


progress = st.lists(
    st.tuples(
        st.floats(0.5, 300),
        st.sampled_from(["todo", "in_progress", "done"]),
        st.one_of(st.none(), st.floats(0, 100)),
    ),
    min_size=1,
    max_size=10,
)


def _tasks(items):
    return [
        task(
            f"jira:{n}",
            estimate_hours=est,
            status_category=cat,
            percent_complete=pc,
            start_date="2026-01-01",
            due_date="2026-01-20",
        )
        for n, (est, cat, pc) in enumerate(items)
    ]


@FAST
@given(progress, st.sampled_from([0.0, 50.0]))
def test_earned_value_never_exceeds_budget(items, credit):
    metrics = check_evm(
        frames_of(tasks=_tasks(items)),
        ChecksSettings(thresholds={"evm.in_progress_credit_pct": credit}),
    ).metrics
    assert metrics["evm.ev_hours"] <= metrics["evm.bac_hours"] + 1e-9


@FAST
@given(progress, st.data())
def test_adding_done_work_never_lowers_earned_value(items, data):
    before = check_evm(frames_of(tasks=_tasks(items)), ChecksSettings()).metrics["evm.ev_hours"]
    index = data.draw(st.integers(0, len(items)))  # finish one item, or add a new done one
    changed = list(items)
    if index < len(items):
        changed[index] = (items[index][0], "done", items[index][2])
    else:
        changed.append((data.draw(st.floats(0.5, 300)), "done", None))
    after = check_evm(frames_of(tasks=_tasks(changed)), ChecksSettings()).metrics["evm.ev_hours"]
    assert after >= before - 1e-9


@settings(max_examples=3, deadline=None)
@given(st.integers(0, 2**16))
def test_checks_are_deterministic(seed):
    as_of = datetime(2026, 11, 27, 6, tzinfo=UTC)
    frames = synthetic_portfolio(
        3, 60, 4, seed, as_of, Problems(late=1, cycle=1, stale_in_progress=1)
    )
    outputs = []
    for _ in range(2):
        split = PortfolioSplit(frames)
        outputs.append(
            [
                to_jsonable(run_risk_checks(split.project(p, as_of), ChecksSettings()))
                for p in split.project_ids
            ]
        )
    assert outputs[0] == outputs[1]
    assert np.isfinite(
        [v for o in outputs[0] for v in o["metrics"].values() if v is not None]
    ).all()
