"""Charts as PNG bytes (matplotlib, Agg backend: no display, no files).

Each function takes plain data and returns PNG bytes, or None when there is nothing to
draw, so a report shows "no data" rather than an empty axis.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Chart:
    """A drawn chart: its title, a text alternative saying what it shows, and the PNG."""

    title: str
    alt: str
    png: bytes
    legend: tuple[str, ...] = ()  # the legend's entries, in order
    legend_on_data: bool = False  # True when the legend box overlaps the plotting area


def _chart(fig: plt.Figure, ax: plt.Axes, title: str, alt: str) -> Chart:
    """Render, and record what the legend says and whether it covers the data."""
    legend = ax.get_legend()
    labels: tuple[str, ...] = ()
    on_data = False
    if legend is not None:
        fig.canvas.draw()
        labels = tuple(t.get_text() for t in legend.get_texts())
        on_data = legend.get_window_extent().overlaps(ax.get_window_extent())
    return Chart(title, alt, _png(fig), labels, on_data)


def _legend_below(ax: plt.Axes, columns: int = 4) -> None:
    """Legends sit under the plot, never over the data (line ends, bars)."""
    ax.legend(
        loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=columns, fontsize=8, frameon=False
    )


def _label(text: str) -> str:
    # "$" would start matplotlib mathtext: names are data, not markup.
    return text.replace("$", r"\$")


def s_curve(series: Sequence[Mapping[str, Any]], target_date: Any = None) -> Chart | None:
    """Cumulative planned value, earned value and actual hours over time."""
    if len(series) < 2:
        return None
    days = [_as_date(p["date"]) for p in series]
    fig, ax = plt.subplots(figsize=(7, 3.6))
    labels = (("pv", "Planned value"), ("ev", "Earned value"), ("ac", "Actual hours"))
    for key, label in labels:
        ax.plot(
            days, [p.get(key) or 0 for p in series], label=label, color=PALETTE[key], linewidth=2
        )
    target = _as_date(target_date)
    if target:
        ax.axvline(
            target, color=PALETTE["target"], linestyle="--", linewidth=1, label="Target date"
        )
    ax.set_ylabel("hours (cumulative)")
    ax.set_xlabel("date")
    ax.set_title("Earned value S-curve")
    _date_axis(ax)
    _legend_below(ax)
    ax.grid(alpha=0.3)
    last = series[-1]
    alt = (
        f"Cumulative hours from {days[0]} to {days[-1]}: at the last point planned value "
        f"{float(last.get('pv') or 0):,.0f} h, earned value {float(last.get('ev') or 0):,.0f} h, "
        f"actual {float(last.get('ac') or 0):,.0f} h"
        + (f"; target date {target}." if target else ".")
    )
    return _chart(fig, ax, "Earned value S-curve", alt)


def forecast_histogram(
    histogram: Mapping[str, Sequence[Any]] | None,
    percentiles: Mapping[str, Any],
    target_date: Any = None,
) -> Chart | None:
    """Monte Carlo completion dates: how many trials finished on each date, with P50/P85."""
    if not histogram or not histogram.get("dates"):
        return None
    days = [_as_date(d) for d in histogram["dates"]]
    fig, ax = plt.subplots(figsize=(7, 3.4))
    ax.bar(
        days, histogram["counts"], width=max(1.0, _bin_width(days)), color=PALETTE["bar"], alpha=0.8
    )
    names = {"p50": "50 % confidence", "p85": "85 % confidence"}
    for name, style in (("p50", ":"), ("p85", "-")):
        day = _as_date(percentiles.get(name))
        if day:
            ax.axvline(
                day, color="#222", linestyle=style, linewidth=1.2, label=f"{names[name]}: {day}"
            )
    target = _as_date(target_date)
    if target:
        ax.axvline(
            target, color=PALETTE["target"], linestyle="--", linewidth=1.5, label=f"Target {target}"
        )
    ax.set_title("Completion forecast (Monte Carlo)")
    ax.set_ylabel("simulated trials")
    ax.set_xlabel("finish date")
    _date_axis(ax)
    _legend_below(ax, 3)
    alt = (
        f"{sum(int(c) for c in histogram['counts']):,} simulated finishes between {min(d for d in days if d)} "
        f"and {max(d for d in days if d)}; 50 % finish by {percentiles.get('p50') or '–'}, "
        f"85 % by {percentiles.get('p85') or '–'}" + (f"; target {target}." if target else ".")
    )
    return _chart(fig, ax, "Completion forecast", alt)


def _bin_width(days: Sequence[date | None]) -> float:
    known = sorted(d for d in days if d)
    return float(min((b - a).days for a, b in itertools.pairwise(known))) if len(known) > 1 else 1.0


def risk_heatmap(risks: Sequence[Mapping[str, Any]]) -> Chart | None:
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
    ax.set_xlabel("probability (1 = rare, 5 = almost certain)", fontsize=8)
    ax.set_ylabel("impact (1-5)")
    ax.set_title("Open risks")
    high = int(grid[np.where(score >= 15)].sum())
    alt = f"{int(grid.sum())} open risks by probability and impact; {high} with a score of 15 or more."
    return _chart(fig, ax, "Risk heat map (open risks only)", alt)


def resource_load(
    load: Sequence[Mapping[str, Any]],
    top: int = 6,
    names: Mapping[str, str] | None = None,
    project: str = "",
) -> Chart | None:
    """Hours logged on this project per week, stacked by person: the `top` people by hours,
    everyone else as one band. Weeks are dates on a time axis, so bars never go back."""
    if not load:
        return None
    names = names or {}
    totals: dict[str, float] = {}
    for row in load:
        totals[row["person"]] = totals.get(row["person"], 0.0) + float(row["hours"])
    chosen = sorted(totals, key=lambda p: (-totals[p], p))[:top]
    weeks = sorted({_as_date(row["week"]) for row in load if _as_date(row["week"])})
    if not weeks:
        return None
    index = {week: i for i, week in enumerate(weeks)}
    bands = {person: np.zeros(len(weeks)) for person in chosen}
    rest = np.zeros(len(weeks))
    for row in load:
        week = _as_date(row["week"])
        if week is None:
            continue
        target = bands.get(row["person"], rest)
        target[index[week]] += float(row["hours"])
    fig, ax = plt.subplots(figsize=(7, 3.6))
    bottom = np.zeros(len(weeks))
    colours = plt.get_cmap("tab10")
    for i, person in enumerate(chosen):
        ax.bar(
            weeks,
            bands[person],
            width=5,
            bottom=bottom,
            color=colours(i),
            label=_label(names.get(person, person)),
        )
        bottom += bands[person]
    others = len(totals) - len(chosen)
    if rest.any():
        ax.bar(weeks, rest, width=5, bottom=bottom, color="#b8bfcc", label=f"{others} others")
    ax.set_ylabel("hours per week")
    ax.set_xlabel("week")
    title = f"Hours logged on {project} per week" if project else "Hours logged per week"
    ax.set_title(title)
    _date_axis(ax)
    _legend_below(ax, 4)
    ax.grid(alpha=0.3, axis="y")
    busiest = weeks[int(np.argmax(bottom + rest))]
    alt = (
        f"{sum(totals.values()):,.0f} hours by {len(totals)} people from {weeks[0]} to {weeks[-1]}; "
        f"most: {', '.join(f'{names.get(p, p)} {totals[p]:,.0f} h' for p in chosen[:3])}; "
        f"busiest week {busiest} ({float((bottom + rest).max()):,.0f} h)."
    )
    return _chart(fig, ax, title, alt)
