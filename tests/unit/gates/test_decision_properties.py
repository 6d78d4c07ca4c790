"""Property tests of the gate decision: deterministic, and consistent with its criteria."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from checks.gates import Criterion, Gate, decide
from checks.model import CriterionResult, Decision, QualityReport, QualityResult, Severity

METRICS = ("evm.spi", "evm.cpi", "dependencies.cycles", "qa.open_critical_defects")

criteria = st.lists(
    st.builds(
        Criterion,
        id=st.sampled_from(("a", "b", "c", "d", "e")),
        description=st.just(""),
        metric=st.sampled_from(METRICS),
        comparison=st.sampled_from((">=", "<=", "==", ">", "<")),
        threshold=st.floats(-5, 5, allow_nan=False),
        must_meet=st.booleans(),
        weight=st.floats(0, 3, allow_nan=False),
    ),
    min_size=1,
    max_size=5,
    unique_by=lambda c: c.id,
)
values = st.dictionaries(
    st.sampled_from(METRICS), st.one_of(st.none(), st.floats(-5, 5, allow_nan=False))
)
quality = st.lists(
    st.builds(
        QualityResult,
        table=st.just("tasks"),
        expectation=st.sampled_from(("x", "y")),
        severity=st.sampled_from((Severity.CRITICAL, Severity.WARNING)),
        success=st.booleans(),
    ),
    max_size=3,
).map(lambda results: QualityReport(tuple(results)))


@settings(max_examples=200, deadline=None)
@given(crits=criteria, metrics=values, report=quality, min_score=st.floats(0, 1))
def test_decision_is_deterministic_and_consistent(crits, metrics, report, min_score):
    gate = Gate("execution", "", tuple(crits), min_score)
    first = decide(gate, metrics, {}, [], report)
    assert decide(gate, dict(reversed(list(metrics.items()))), {}, [], report) == first
    results = {(o.must_meet, o.result) for o in first.criteria}
    if report.critical_failures:
        assert first.decision == Decision.HOLD  # untrustworthy evidence is never a Go
    elif (True, CriterionResult.FAIL) in results:
        assert first.decision == Decision.RECYCLE
    elif (True, CriterionResult.MISSING) in results:
        assert first.decision == Decision.HOLD
    if first.decision == Decision.GO:
        assert all(o.result == CriterionResult.PASS for o in first.criteria)
    if first.decision == Decision.GO_WITH_CONDITIONS:
        open_should = [o for o in first.criteria if o.result != CriterionResult.PASS]
        assert len(first.conditions) == len(open_should) > 0
    else:
        assert first.conditions == ()
