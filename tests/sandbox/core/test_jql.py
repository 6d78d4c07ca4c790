"""The JQL subset: what it accepts, what it matches, and that everything else is refused."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from sandbox.jira import jql, jql_eval

BERLIN = ZoneInfo("Europe/Berlin")


def _ms(*args: int, tz=UTC) -> int:
    return int(datetime(*args, tzinfo=tz).timestamp() * 1000)


COLS = {
    "id": np.array([1, 2, 3, 4], dtype=np.int64),
    "key": np.array(["ABC-1", "ABC-2", "XYZ-1", "ABC-10"], dtype=object),
    "key_number": np.array([1, 2, 1, 10], dtype=np.int64),
    "project": np.array(["abc", "abc", "xyz", "abc"], dtype=object),
    "issuetype": np.array(["story", "bug", "story", "risk"], dtype=object),
    "status": np.array(["to do", "done", "in progress", "to do"], dtype=object),
    "labels": [frozenset({"pmo"}), frozenset(), frozenset({"pmo", "x"}), frozenset()],
    "created": np.array([_ms(2026, 1, 1), _ms(2026, 2, 1), _ms(2026, 3, 1), _ms(2026, 4, 1)]),
    "updated": np.array(
        [_ms(2026, 5, 1, 9, 59), _ms(2026, 5, 1, 10, 0), _ms(2026, 5, 2), _ms(2026, 4, 30)]
    ),
}
CTX = jql_eval.Context(
    BERLIN,
    {
        "project": {"abc": "abc", "xyz": "xyz", "10000": "abc"},
        "issuetype": {"story": "story", "bug": "bug", "risk": "risk", "10001": "story"},
        "status": {"to do": "to do", "done": "done", "in progress": "in progress"},
    },
)


@pytest.mark.parametrize(
    ("query", "keys"),
    [
        # equality on the project key, default order is key DESC (project, then number)
        ("project = ABC", ["ABC-10", "ABC-2", "ABC-1"]),
        # a project id and a type id resolve like names
        ("project = 10000 AND issuetype = 10001", ["ABC-1"]),
        # IN lists with quoted values, ORDER BY ascending key
        ('status in ("To Do", "In Progress") ORDER BY key ASC', ["ABC-1", "ABC-10", "XYZ-1"]),
        # NOT IN and != invert the match
        ("project = ABC AND status not in (Done) ORDER BY key", ["ABC-1", "ABC-10"]),
        ("project != ABC", ["XYZ-1"]),
        # OR with parentheses binds as written
        ("(project = XYZ OR issuetype = Bug) AND labels = pmo", ["XYZ-1"]),
        # labels match any of the listed labels
        ("labels in (x, nothing) ORDER BY key", ["XYZ-1"]),
        # epoch milliseconds compare exactly
        (f"updated >= {_ms(2026, 5, 1, 10, 0)} ORDER BY updated", ["ABC-2", "XYZ-1"]),
        # 'yyyy-MM-dd HH:mm' is read in the tenant's zone: 12:00 Berlin = 10:00 UTC
        ('updated >= "2026-05-01 12:00" ORDER BY key', ["ABC-2", "XYZ-1"]),
        # < excludes the bound; a date alone means midnight in the tenant's zone
        ('created < "2026-02-01" ORDER BY key', ["ABC-1"]),
        # key lookups are case-insensitive, ORDER BY DESC on a date
        ("key in (abc-1, ABC-2) ORDER BY created DESC", ["ABC-2", "ABC-1"]),
        # NOT negates a clause
        ("project = ABC AND NOT status = Done ORDER BY key", ["ABC-1", "ABC-10"]),
    ],
)
def test_queries_match_the_expected_issues_in_order(query: str, keys: list[str]) -> None:
    positions = jql_eval.evaluate(jql.parse(query), COLS, CTX)
    assert [COLS["key"][p] for p in positions] == keys


@pytest.mark.parametrize(
    ("query", "message"),
    [
        # no restriction at all: Jira refuses unbounded queries on search/jql
        ("", "Unbounded JQL"),
        ("ORDER BY key", "Unbounded JQL"),
        # fields outside the subset are an error, never ignored
        ("summary ~ migration", "Field 'summary' does not exist"),
        ("assignee = currentUser()", "Field 'assignee' does not exist"),
        # functions and relative dates are outside the subset
        ("updated >= -5d", "Date value '-5d'"),
        ("updated >= startOfDay()", "function 'startOfDay' is not supported"),
        # an unknown value of a known field
        ("project = NOPE", "The value 'NOPE' does not exist"),
        # range operators on a text field, and ~ on anything
        ("status > Done", "operator '>' is not supported"),
        ("project ~ ABC", "operator '~' is not supported"),
        # broken syntax
        ("project = ABC AND", "ended unexpectedly"),
        ("(project = ABC", "ended unexpectedly"),
        ("(project = ABC))", "unexpected ')'"),
        ("project = ABC ORDER BY rank", "Not able to sort using field 'rank'"),
    ],
)
def test_queries_outside_the_subset_are_refused(query: str, message: str) -> None:
    with pytest.raises(jql.JqlError, match=re.escape(message)):
        jql_eval.evaluate(jql.parse(query), COLS, CTX)
