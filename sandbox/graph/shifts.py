"""Shifts time cards: `teams/{id}/schedule/timeCards` with `$filter` on the clock-in time.

Only comparisons of `clockInEvent/dateTime` (ge, gt, le, lt, eq) joined by `and` are served;
any other filter answers 400 rather than a silently unfiltered result.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sandbox.graph.clock import parse_time
from sandbox.graph.errors import bad_request, not_found
from sandbox.graph.http import GraphRequest, GraphResponse, json_response
from sandbox.graph.paging import paged_collection
from sandbox.graph.state import GraphState

PAGE = 50
CLAUSE = re.compile(r"^\s*clockInEvent/dateTime\s+(ge|gt|le|lt|eq)\s+('?)([^'\s]+)\2\s*$", re.I)
OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "ge": operator.ge, "gt": operator.gt, "le": operator.le, "lt": operator.lt, "eq": operator.eq,
}  # fmt: skip

Predicate = Callable[[datetime], bool]


def parse_clock_in_filter(text: str) -> list[Predicate]:
    """`clockInEvent/dateTime ge 2026-01-01T00:00:00Z and ...` -> predicates on clock-in time."""
    predicates: list[Predicate] = []
    for clause in re.split(r"\s+and\s+", text.strip(), flags=re.I):
        match = CLAUSE.match(clause)
        if match is None:
            raise bad_request(
                f"Unsupported $filter clause '{clause}': only clockInEvent/dateTime "
                "compared with ge, gt, le, lt or eq and joined by 'and' is supported."
            )
        compare, bound = OPERATORS[match.group(1).lower()], parse_time(match.group(3), "$filter")
        predicates.append(lambda moment, c=compare, b=bound: c(moment, b))
    return predicates


def _clock_in(card: dict[str, Any]) -> datetime | None:
    raw = (card.get("clockInEvent") or {}).get("dateTime")
    return parse_time(raw, f"timeCard {card.get('id')}") if raw else None


def list_time_cards(graph: GraphState, req: GraphRequest, team: str) -> GraphResponse:
    cards = graph.team_time_cards(team)
    text = req.query("filter")
    if text:
        predicates = parse_clock_in_filter(text)
        cards = [
            card
            for card in cards
            if (moment := _clock_in(card)) is not None and all(p(moment) for p in predicates)
        ]
    return json_response(paged_collection(req, cards, PAGE, maximum=1000))


def get_time_card(graph: GraphState, req: GraphRequest, team: str, card: str) -> GraphResponse:
    for found in graph.team_time_cards(team):
        if found.get("id") == card:
            return json_response(found)
    raise not_found("timeCard", card)
