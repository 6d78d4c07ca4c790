"""The JQL subset the sandbox understands, evaluated column-wise over an issue table.

Anything outside the subset raises `JqlError` (answered 400 in Jira's shape): a connector
must never get a silently wrong result from a query the sandbox half understood.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

TEXT_FIELDS = {
    "project": "project",
    "issuetype": "issuetype",
    "type": "issuetype",
    "status": "status",
}
KEY_FIELDS = {"key": "key", "issuekey": "key", "id": "id"}
DATE_FIELDS = {
    "created": "created",
    "createddate": "created",
    "updated": "updated",
    "updateddate": "updated",
}
ORDER_FIELDS = {
    "key",
    "issuekey",
    "id",
    "created",
    "updated",
    "project",
    "status",
    "issuetype",
    "createddate",
    "updateddate",
}
UNBOUNDED = (
    "Unbounded JQL queries are not allowed here. Please add a search restriction to your query."
)

_TOKEN = re.compile(
    r'\s*(?:(?P<str>"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\')|(?P<op>!=|>=|<=|!~|[=<>~(),])'
    r"|(?P<word>[A-Za-z0-9_.\-:/*]+))"
)


class JqlError(ValueError):
    """A query outside the supported subset, with Jira's wording where there is one."""


@dataclass(frozen=True)
class Query:
    where: Any  # a nested tuple tree; None when the query has no restriction
    order: tuple[tuple[str, bool], ...]  # (column, descending)


def tokenize(text: str) -> list[tuple[str, str]]:
    tokens, pos = [], 0
    text = text.rstrip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise JqlError(f"Error in the JQL Query: unexpected character at position {pos + 1}.")
        kind = match.lastgroup or "word"
        value = match.group(kind)
        if kind == "str":
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        tokens.append((kind, value))
        pos = match.end()
    return tokens


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens, self.pos = tokens, 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def is_word(self, *words: str) -> bool:
        tok = self.peek()
        return tok is not None and tok[0] == "word" and tok[1].upper() in words

    def take(self) -> tuple[str, str]:
        tok = self.peek()
        if tok is None:
            raise JqlError("Error in the JQL Query: the query ended unexpectedly.")
        self.pos += 1
        return tok

    def expect_op(self, op: str) -> None:
        tok = self.take()
        if tok != ("op", op):
            raise JqlError(f"Error in the JQL Query: expected '{op}' but got '{tok[1]}'.")

    def parse(self) -> Query:
        where = None if self.is_word("ORDER") or self.peek() is None else self.or_expr()
        order: list[tuple[str, bool]] = []
        if self.is_word("ORDER"):
            self.take()
            if not self.is_word("BY"):
                raise JqlError("Error in the JQL Query: expected 'BY' after 'ORDER'.")
            self.take()
            order = self.order_list()
        if self.peek() is not None:
            raise JqlError(f"Error in the JQL Query: unexpected '{self.peek()[1]}'.")  # type: ignore[index]
        return Query(where, tuple(order))

    def order_list(self) -> list[tuple[str, bool]]:
        order = []
        while True:
            field = self.take()[1].lower()
            if field not in ORDER_FIELDS:
                raise JqlError(f"Not able to sort using field '{field}'.")
            descending = False
            if self.is_word("ASC", "DESC"):
                descending = self.take()[1].upper() == "DESC"
            order.append((_column(field), descending))
            if self.peek() != ("op", ","):
                return order
            self.take()

    def or_expr(self) -> Any:
        node = self.and_expr()
        while self.is_word("OR"):
            self.take()
            node = ("or", node, self.and_expr())
        return node

    def and_expr(self) -> Any:
        node = self.not_expr()
        while self.is_word("AND"):
            self.take()
            node = ("and", node, self.not_expr())
        return node

    def not_expr(self) -> Any:
        if self.is_word("NOT"):
            self.take()
            return ("not", self.not_expr())
        if self.peek() == ("op", "("):
            self.take()
            node = self.or_expr()
            self.expect_op(")")
            return node
        return self.clause()

    def clause(self) -> Any:
        kind, field = self.take()
        if kind != "word":
            raise JqlError(f"Error in the JQL Query: expected a field name but got '{field}'.")
        name = field.lower()
        if name not in {*TEXT_FIELDS, *KEY_FIELDS, *DATE_FIELDS, "labels"}:
            raise JqlError(
                f"Field '{field}' does not exist or you do not have permission to view it."
            )
        op = self.operator()
        values = self.value_list() if op in ("in", "not in") else [self.value()]
        return ("clause", name, op, values)

    def operator(self) -> str:
        if self.is_word("IN"):
            self.take()
            return "in"
        if self.is_word("NOT"):
            self.take()
            if not self.is_word("IN"):
                raise JqlError("Error in the JQL Query: expected 'IN' after 'NOT'.")
            self.take()
            return "not in"
        kind, op = self.take()
        if kind != "op" or op not in ("=", "!=", ">=", "<=", ">", "<"):
            raise JqlError(f"Error in the JQL Query: the operator '{op}' is not supported here.")
        return op

    def value_list(self) -> list[str]:
        self.expect_op("(")
        values = [self.value()]
        while self.peek() == ("op", ","):
            self.take()
            values.append(self.value())
        self.expect_op(")")
        return values

    def value(self) -> str:
        kind, value = self.take()
        if kind == "op":
            raise JqlError(f"Error in the JQL Query: expected a value but got '{value}'.")
        if kind == "word" and (self.peek() or ("", ""))[1] == "(":
            raise JqlError(f"Error in the JQL Query: the function '{value}' is not supported.")
        return value


def parse(text: str) -> Query:
    return _Parser(tokenize(text)).parse()


def _column(field: str) -> str:
    return {**TEXT_FIELDS, **KEY_FIELDS, **DATE_FIELDS, "labels": "labels"}[field]


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
    column = _column(field)
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
