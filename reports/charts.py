"""Charts as PNG bytes (matplotlib, Agg backend: no display, no files).

Each function takes plain data and returns PNG bytes, or None when there is nothing to
draw, so a report shows "no data" rather than an empty axis.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import matplotlib

matplotlib.use("Agg")
import itertools

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np

PALETTE = {"pv": "#5b6c8f", "ev": "#2e8540", "ac": "#c0392b", "target": "#8e44ad", "bar": "#4a90d9"}


def _png(fig: plt.Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()


def _date_axis(ax: plt.Axes) -> None:
    locator = mdates.AutoDateLocator(maxticks=8)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def data_uri(png: bytes | None) -> str | None:
    return None if png is None else "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def s_curve(series: Sequence[Mapping[str, Any]], target_date: Any = None) -> bytes | None:
    """Cumulative planned value, earned value and actual hours over time."""
    if len(series) < 2:
        return None
    days = [_as_date(p["date"]) for p in series]
    fig, ax = plt.subplots(figsize=(7, 3.4))
    for key, label in (("pv", "Planned value"), ("ev", "Earned value"), ("ac", "Actual hours")):
        ax.plot(
            days, [p.get(key) or 0 for p in series], label=label, color=PALETTE[key], linewidth=2
        )
    target = _as_date(target_date)
    if target:
        ax.axvline(
            target, color=PALETTE["target"], linestyle="--", linewidth=1, label="Target date"
        )
    ax.set_ylabel("hours")
    ax.set_title("Earned value S-curve")
    _date_axis(ax)
    ax.legend(loc="upper left", fontsize=8)
    ax.grid(alpha=0.3)
    return _png(fig)


def forecast_histogram(
    histogram: Mapping[str, Sequence[Any]] | None,
    percentiles: Mapping[str, Any],
    target_date: Any = None,
) -> bytes | None:
    """Monte Carlo completion dates: how many trials finished on each date, with P50/P85."""
    if not histogram or not histogram.get("dates"):
        return None
    days = [_as_date(d) for d in histogram["dates"]]
    fig, ax = plt.subplots(figsize=(7, 3.2))
    ax.bar(
        days, histogram["counts"], width=max(1.0, _bin_width(days)), color=PALETTE["bar"], alpha=0.8
    )
    for name, style in (("p50", ":"), ("p85", "-")):
        day = _as_date(percentiles.get(name))
        if day:
            ax.axvline(
                day, color="#222", linestyle=style, linewidth=1.2, label=f"{name.upper()} {day}"
            )
    target = _as_date(target_date)
    if target:
        ax.axvline(
            target, color=PALETTE["target"], linestyle="--", linewidth=1.5, label=f"Target {target}"
        )
    ax.set_title("Completion forecast (Monte Carlo)")
    ax.set_ylabel("trials")
    _date_axis(ax)
    ax.legend(fontsize=8)
    fig.autofmt_xdate()
    return _png(fig)


def _bin_width(days: Sequence[date | None]) -> float:
    known = sorted(d for d in days if d)
    return float(min((b - a).days for a, b in itertools.pairwise(known))) if len(known) > 1 else 1.0


def risk_heatmap(risks: Sequence[Mapping[str, Any]]) -> bytes | None:
    """Open risks counted by probability (x) and impact (y), 1-5 each."""
    grid = np.zeros((5, 5), dtype=int)
    for risk in risks:
        p, i = risk.get("probability"), risk.get("impact")
        if p and i and 1 <= int(p) <= 5 and 1 <= int(i) <= 5:
            grid[int(i) - 1, int(p) - 1] += 1
    if not grid.any():
        return None
    score = np.outer(np.arange(1, 6), np.arange(1, 6))
    fig, ax = plt.subplots(figsize=(3.8, 3.4))
    ax.imshow(score, origin="lower", cmap="RdYlGn_r", alpha=0.55, extent=(0.5, 5.5, 0.5, 5.5))
    for (row, col), count in np.ndenumerate(grid):
        if count:
            ax.text(
                col + 1, row + 1, str(count), ha="center", va="center", fontsize=11, weight="bold"
            )
    ax.set_xticks(range(1, 6))
    ax.set_yticks(range(1, 6))
    ax.set_xlabel("probability")
    ax.set_ylabel("impact")
    ax.set_title("Open risks")
    return _png(fig)


def resource_load(load: Sequence[Mapping[str, Any]], top: int = 8) -> bytes | None:
    """Hours per person per week against capacity, for the most loaded people."""
    if not load:
        return None
    people: dict[str, float] = {}
    for row in load:
        people[row["person"]] = max(
            people.get(row["person"], 0.0),
            float(row["hours"]) / max(float(row.get("capacity") or 40), 1),
        )
    chosen = sorted(people, key=people.get, reverse=True)[:top]
    fig, ax = plt.subplots(figsize=(7, 3.2))
    for person in chosen:
        rows = sorted((r for r in load if r["person"] == person), key=lambda r: str(r["week"]))
        shares = [100 * float(r["hours"]) / max(float(r.get("capacity") or 40), 1) for r in rows]
        # "$" would start matplotlib mathtext: names are data, not markup.
        ax.plot(
            [str(r["week"]) for r in rows], shares, marker="o", label=person.replace("$", r"\$")
        )
    ax.axhline(100, color=PALETTE["ac"], linestyle="--", linewidth=1)
    ax.set_ylabel("% of capacity")
    ax.set_title("Resource load by week")
    ax.tick_params(axis="x", labelrotation=45, labelsize=7)
    ax.legend(fontsize=7, ncol=2)
    return _png(fig)
