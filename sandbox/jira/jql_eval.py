"""Evaluating a parsed JQL query column-wise over an issue table (see `sandbox.jira.jql`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from sandbox.jira.jql import UNBOUNDED, JqlError, Query, column_of


@dataclass(frozen=True)
class Context:
    """What values in a query resolve against: the tenant's zone and id -> name maps."""

    zone: ZoneInfo
    aliases: dict[str, dict[str, str]]  # column -> {id or name (lower): canonical lower}


def evaluate(query: Query, cols: dict[str, Any], ctx: Context) -> np.ndarray:
    """Positions of matching issues in the query's order (ties broken by id)."""
    if query.where is None:
        raise JqlError(UNBOUNDED)
    mask = _mask(query.where, cols, ctx)
    positions = np.flatnonzero(mask)
    return _sort(positions, query.order or (("key", True),), cols)


def _mask(node: Any, cols: dict[str, Any], ctx: Context) -> np.ndarray:
    tag = node[0]
    if tag == "and":
        return _mask(node[1], cols, ctx) & _mask(node[2], cols, ctx)
    if tag == "or":
        return _mask(node[1], cols, ctx) | _mask(node[2], cols, ctx)
    if tag == "not":
        return ~_mask(node[1], cols, ctx)
    return _clause(node[1], node[2], node[3], cols, ctx)


def _clause(
    field: str, op: str, values: list[str], cols: dict[str, Any], ctx: Context
) -> np.ndarray:
    column = column_of(field)
    if column in ("created", "updated"):
        return _compare(cols[column], op, _date_ms(values[0], ctx.zone, field), field)
    if op not in ("=", "!=", "in", "not in"):
        raise JqlError(f"The operator '{op}' is not supported by the '{field}' field.")
    if column == "labels":
        wanted = {v.lower() for v in values}
        hit = np.fromiter(
            (bool(labels & wanted) for labels in cols["labels"]), bool, len(cols["labels"])
        )
    else:
        hit = _isin(cols, column, _resolve(column, values, ctx))
    return ~hit if op in ("!=", "not in") else hit


def _isin(cols: dict[str, Any], column: str, wanted: np.ndarray) -> np.ndarray:
    """Membership, on integer codes where the table has them (100k strings compare slowly)."""
    uniques = cols.get(f"{column}#uniques")
    if uniques is None or wanted.dtype != object:
        return np.isin(cols[column], wanted)
    at = np.searchsorted(uniques, wanted)
    inside = at < len(uniques)
    found = at[inside][uniques[at[inside]] == wanted[inside]]
    return np.isin(cols[f"{column}#codes"], found)


def _resolve(column: str, values: Sequence[str], ctx: Context) -> np.ndarray:
    if column == "id":
        if not all(v.isdigit() for v in values):
            raise JqlError(f"The value '{values[0]}' is not a valid issue id.")
        return np.array([int(v) for v in values], dtype=np.int64)
    if column == "key":
        return np.array([v.upper() for v in values], dtype=object)
    known = ctx.aliases.get(column, {})
    resolved = []
    for value in values:
        canonical = known.get(value.lower())
        if canonical is None:
            raise JqlError(f"The value '{value}' does not exist for the field '{column}'.")
        resolved.append(canonical)
    return np.array(resolved, dtype=object)


_OPS: dict[str, Callable[[np.ndarray, int], np.ndarray]] = {
    ">=": np.greater_equal,
    "<=": np.less_equal,
    ">": np.greater,
    "<": np.less,
    "=": np.equal,
    "!=": np.not_equal,
}


def _compare(column: np.ndarray, op: str, bound: int, field: str) -> np.ndarray:
    if op not in _OPS:
        raise JqlError(f"The operator '{op}' is not supported by the '{field}' field.")
    return _OPS[op](column, bound)


def _date_ms(value: str, zone: ZoneInfo, field: str) -> int:
    """Epoch ms, or ``yyyy-MM-dd[ HH:mm]`` read in the tenant's time zone (as Jira does)."""
    if value.lstrip("-").isdigit() and len(value) > 8:
        return int(value)
    for pattern in ("%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M", "%Y-%m-%d", "%Y/%m/%d"):
        try:
            local = datetime.strptime(value, pattern).replace(tzinfo=zone)
        except ValueError:
            continue
        return int(local.timestamp() * 1000)
    raise JqlError(
        f"Date value '{value}' for field '{field}' is invalid. Valid formats include: "
        "'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd', or a period format."
    )


def _sort(
    positions: np.ndarray, order: Sequence[tuple[str, bool]], cols: dict[str, Any]
) -> np.ndarray:
    keys: list[np.ndarray] = [cols["id"][positions]]  # last tie-breaker
    for column, descending in reversed(order):
        parts = (
            [("key_number", cols["key_number"]), ("project", cols["project"])]
            if column == "key"
            else [(column, cols[column])]
        )
        for name, values in parts:
            taken = cols.get(f"{name}#codes", values)[positions]
            if taken.dtype == object:
                taken = np.unique(taken, return_inverse=True)[1]
            keys.append(-taken if descending else taken)
    return positions[np.lexsort(keys)] if len(positions) else positions
