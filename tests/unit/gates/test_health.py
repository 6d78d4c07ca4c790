"""The RAG rule (`checks.evaluation.health`): its limits come from the metric catalogue."""

from __future__ import annotations

import pytest

from checks.evaluation.evaluate import evaluate_gate
from checks.evaluation.health import rag_legend, rag_of
from checks.model import QualityReport, QualityResult, Severity
from checks.risk.catalog import METRICS
from config.settings import Settings
from reports.portfolio import portfolio_markdown, row_from_evaluation

from .conftest import AS_OF

CLEAN = QualityReport((QualityResult("tasks", "task_id_unique", Severity.CRITICAL, True, 0, 1),))


@pytest.mark.parametrize(
    ("spi", "cpi", "critical", "warnings", "decision", "expected"),
    [
        (1.02, 1.0, 0, 0, "Go", "green"),  # on plan, nothing flagged
        (0.95, None, 0, 0, None, "amber"),  # slightly behind (Smartsheet: amber when delta > 0)
        (0.85, None, 0, 0, None, "red"),  # more than 10 % behind
        (1.0, 0.95, 0, 0, None, "amber"),  # slightly over cost
        (1.0, 0.85, 0, 0, None, "red"),  # more than 10 % over cost
        (1.0, 1.0, 1, 0, None, "red"),  # a critical finding is red whatever the indices say
        (1.0, 1.0, 0, 2, None, "amber"),  # warnings want attention
        (1.1, None, 0, 0, "Hold", "red"),  # untrustworthy evidence
        (1.1, None, 0, 0, "Go with conditions", "amber"),
        # half-way through execution: on plan, but the exit gate would recycle (work not
        # complete). Not ready to leave the phase is not unhealthy.
        (1.0, 1.0, 0, 0, "Recycle", "green"),
        (None, None, 0, 0, None, "green"),  # no schedule data and nothing wrong
    ],
)
def test_rag_rule(
    spi: float | None,
    cpi: float | None,
    critical: int,
    warnings: int,
    decision: str | None,
    expected: str,
) -> None:
    assert rag_of(spi, critical, decision, cpi, warnings) == expected


@pytest.mark.parametrize("index", ["evm.spi", "evm.cpi"])
def test_red_starts_at_the_catalogue_threshold_of_the_index(index: str) -> None:
    limit = METRICS[index].threshold
    assert limit is not None
    spi, cpi = (limit - 0.01, 1.0) if index == "evm.spi" else (1.0, limit - 0.01)
    assert rag_of(spi, 0, None, cpi) == "red"
    spi, cpi = (limit, 1.0) if index == "evm.spi" else (1.0, limit)
    assert rag_of(spi, 0, None, cpi) == "amber"  # at the limit: behind, not yet at risk


def test_an_override_of_the_catalogue_threshold_moves_the_red_limit() -> None:
    assert rag_of(0.93, 0, None, 1.0) == "amber"
    assert rag_of(0.93, 0, None, 1.0, thresholds={"evm.spi": 0.95}) == "red"
    assert rag_of(1.0, 0, None, 0.85, thresholds={"evm.cpi": 0.8}) == "amber"


def test_the_legend_names_the_limits_in_force() -> None:
    assert "below 0.9," in dict(rag_legend())["red"]
    assert "below 0.95 (SPI) / 0.9 (CPI)," in dict(rag_legend({"evm.spi": 0.95}))["red"]
    assert "below 0.95 (SPI) / 0.9 (CPI)" in portfolio_markdown([], thresholds={"evm.spi": 0.95})


def test_the_evaluation_carries_the_rag_with_the_project_s_thresholds(portfolio, rules):
    frames, _ = portfolio
    row = frames["projects"].sort_values("project_id").iloc[0]
    pid, key = row["project_id"], row["key"]
    default = evaluate_gate(frames, pid, Settings(), rules, AS_OF, CLEAN).to_dict()
    spi = default["metrics"]["evm.spi"]
    assert spi is not None and default["decision"] != "Hold"
    assert not any(f["severity"] == "critical" for f in default["findings"])
    assert default["extra"]["rag"] in {"green", "amber"}
    # the project's own threshold above its SPI: red through the index, not a finding
    strict = Settings(projects={key: {"thresholds": {"evm.spi": spi + 0.01}}})
    doc = evaluate_gate(frames, pid, strict, rules, AS_OF, CLEAN).to_dict()
    assert not any(f["severity"] == "critical" for f in doc["findings"])
    assert doc["extra"]["rag"] == "red"
    # reports render the evaluation's RAG, they do not judge it again
    assert row_from_evaluation(doc)["rag"] == "red"
    assert row_from_evaluation(default)["rag"] == default["extra"]["rag"]
