"""Earned value of generated projects, used to tune healthy projects and plant a late one.

Same reading as the risk checks (`checks/risk/catalog.py`): PV spreads each estimate
linearly over its start..due days, EV credits the estimate of done items only.
"""

from __future__ import annotations

from datetime import date, datetime

from sandbox.gen.model import Item


def planned_share(item: Item, status_date: date) -> float:
    if item.start is None or item.due is None:
        return 0.0
    days = (item.due - item.start).days + 1
    elapsed = (status_date - item.start).days + 1
    return min(1.0, max(0.0, elapsed / days))


def earned_value(items: list[Item], now: datetime) -> tuple[float, float]:
    """(PV, EV) in hours at `now` over the items that carry an hour estimate."""
    pv = ev = 0.0
    for item in items:
        if not item.estimate_h:
            continue
        pv += item.estimate_h * planned_share(item, now.date())
        resolved = item.resolved
        if resolved is not None and resolved <= now:
            ev += item.estimate_h
    return pv, ev


def spi(items: list[Item], now: datetime) -> float | None:
    pv, ev = earned_value(items, now)
    return ev / pv if pv > 0 else None
