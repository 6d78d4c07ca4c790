"""A project's health as red / amber / green (RAG), with its limits from the metric catalogue.

After Smartsheet's default rule (red beyond 10 % behind, amber when behind at all), applied to
schedule (SPI) and cost (CPI), plus findings (critical: red; warning: amber) and evidence too
poor to judge (Hold: red):

- red: SPI or CPI below its catalogue threshold (`checks.risk.catalog`, 0.9 by default: the
  limit where the index raises its finding; `ChecksSettings.thresholds` and a project's
  `thresholds` override it, as they do for the finding), a critical finding, or Hold;
- amber: SPI or CPI below 1.0 (behind the plan at all), a warning finding, or Go with
  conditions;
- green otherwise.

The exit gate's other decisions stay out of it: a healthy project half-way through its phase
fails "work complete" and would recycle if it asked to leave now, which says it is not done,
not that it is in trouble. The digest shows that decision in its own column.

The evaluation carries the result (`extra["rag"]`); reports only render it.
"""

from __future__ import annotations

from collections.abc import Mapping

from checks.risk.catalog import threshold

RAG_INDICES = ("evm.spi", "evm.cpi")
ON_PLAN = 1.0  # an index of 1.0 is the plan itself (EV = PV, EV = AC): below it is behind


def red_limits(thresholds: Mapping[str, float] | None = None) -> dict[str, float]:
    """Index -> the value below which it makes a project red (its catalogue threshold)."""
    limits = {name: threshold(name, thresholds) for name in RAG_INDICES}
    return {name: limit for name, limit in limits.items() if limit is not None}


def rag_of(
    spi: float | None,
    critical_findings: int,
    decision: str | None = None,
    cpi: float | None = None,
    warning_findings: int = 0,
    thresholds: Mapping[str, float] | None = None,
) -> str:
    """Red / amber / green: the project's health (module docstring); `thresholds`: the
    effective overrides of the catalogue (settings, then the project's)."""
    red = red_limits(thresholds)
    indices = {
        name: value
        for name, value in zip(RAG_INDICES, (spi, cpi), strict=True)
        if value is not None
    }
    if (
        decision == "Hold"
        or critical_findings > 0
        or any(name in red and value < red[name] for name, value in indices.items())
    ):
        return "red"
    if (
        decision == "Go with conditions"
        or warning_findings > 0
        or any(value < ON_PLAN for value in indices.values())
    ):
        return "amber"
    return "green"


def rag_legend(thresholds: Mapping[str, float] | None = None) -> tuple[tuple[str, str], ...]:
    """(colour, meaning) per RAG colour, naming the limits in force."""
    red = red_limits(thresholds)
    spi, cpi = (red.get(name) for name in RAG_INDICES)
    below = f"{spi:g}" if spi == cpi and spi is not None else f"{spi} (SPI) / {cpi} (CPI)"
    return (
        ("green", f"on track: SPI and CPI at least {ON_PLAN:.1f}, no critical or warning finding"),
        ("amber", f"attention: SPI or CPI below {ON_PLAN:.1f}, a warning finding, or Go with conditions"),
        ("red", f"at risk: SPI or CPI below {below}, a critical finding, or evidence too poor to judge"),
    )  # fmt: skip
