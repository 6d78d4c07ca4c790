"""Shifts time cards: `teams/{id}/schedule/timeCards` with `$filter` on the clock-in time.

Only comparisons of `clockInEvent/dateTime` (ge, gt, le, lt, eq) joined by `and` are served;
any other filter answers 400 rather than a silently unfiltered result.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sandbox.graph.clock import parse_time
from sandbox.graph.errors import bad_request, not_found
from sandbox.graph.http import GraphRequest, GraphResponse, json_response
from sandbox.graph.paging import ListWindow, paged_collection
from sandbox.graph.state import GraphState

PAGE = 50
CLAUSE = re.compile(r"^\s*clockInEvent/dateTime\s+(ge|gt|le|lt|eq)\s+('?)([^'\s]+)\2\s*$", re.I)


@dataclass(frozen=True)
class ClockInWindow:
    """Bounds on the clock-in time; each bound is (instant, inclusive) or None."""

    lower: tuple[datetime, bool] | None = None
    upper: tuple[datetime, bool] | None = None

    def narrowed(self, op: str, bound: datetime) -> ClockInWindow:
        lower, upper = self.lower, self.upper
        if op in {"ge", "gt", "eq"}:
            candidate = (bound, op != "gt")
            lower = candidate if lower is None else max(lower, candidate, key=_lower_key)
        if op in {"le", "lt", "eq"}:
            candidate = (bound, op != "lt")
            upper = candidate if upper is None else min(upper, candidate, key=_upper_key)
        return ClockInWindow(lower, upper)

    def slice(self, keys: list[datetime]) -> slice:
        """Positions in the sorted `keys` that fall inside the window."""
        start, stop = 0, len(keys)
        if self.lower is not None:
            moment, inclusive = self.lower
            start = (bisect.bisect_left if inclusive else bisect.bisect_right)(keys, moment)
        if self.upper is not None:
            moment, inclusive = self.upper
            stop = (bisect.bisect_right if inclusive else bisect.bisect_left)(keys, moment)
        return slice(start, max(start, stop))


def _lower_key(bound: tuple[datetime, bool]) -> tuple[datetime, bool]:
    return bound[0], not bound[1]  # at the same instant, an exclusive bound is tighter


def _upper_key(bound: tuple[datetime, bool]) -> tuple[datetime, bool]:
    return bound[0], bound[1]


def parse_clock_in_filter(text: str) -> ClockInWindow:
    """`clockInEvent/dateTime ge 2026-01-01T00:00:00Z and ...` -> a clock-in window."""
    window = ClockInWindow()
    for clause in re.split(r"\s+and\s+", text.strip(), flags=re.I):
        match = CLAUSE.match(clause)
        if match is None:
            raise bad_request(
                f"Unsupported $filter clause '{clause}': only clockInEvent/dateTime "
                "compared with ge, gt, le, lt or eq and joined by 'and' is supported."
            )
        bound = parse_time(match.group(3), "$filter")
        window = window.narrowed(match.group(1).lower(), bound)
    return window


def list_time_cards(graph: GraphState, req: GraphRequest, team: str) -> GraphResponse:
    cards: Sequence[dict[str, Any]] = graph.team_time_cards(team)
    text = req.query("filter")
    if text:
        keys = graph.clock_ins(team)
        without_clock_in = len(cards) - len(keys)
        window = parse_clock_in_filter(text).slice(keys)
        # bisect and a view, not a copy: a page costs its size however large the tenant
        first, last = without_clock_in + window.start, without_clock_in + window.stop
        cards = ListWindow(graph.team_time_cards(team), first, last)
    return json_response(paged_collection(req, cards, PAGE, maximum=1000))


def get_time_card(graph: GraphState, req: GraphRequest, team: str, card: str) -> GraphResponse:
    for found in graph.team_time_cards(team):
        if found.get("id") == card:
            return json_response(found)
    raise not_found("timeCard", card)
