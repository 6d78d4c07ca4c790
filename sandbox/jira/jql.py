"""The JQL subset the sandbox understands: tokenizer and parser (evaluation: `jql_eval`).

Anything outside the subset raises `JqlError` (answered 400 in Jira's shape): a connector
must never get a silently wrong result from a query the sandbox half understood.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

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
            order.append((column_of(field), descending))
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


def column_of(field: str) -> str:
    return {**TEXT_FIELDS, **KEY_FIELDS, **DATE_FIELDS, "labels": "labels"}[field]
