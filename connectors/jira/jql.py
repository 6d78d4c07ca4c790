"""Query builders: the JQL and request parameters of every issue search, as pure functions.

JQL dates are read in the *account's* time zone with minute precision, so the cursor is
an epoch-millisecond number (zone-free, exact) moved back by a lookback window: issues
updated in the same minute as the last one seen, or just before a crash, are read again
rather than missed. Re-reading is harmless: upserts are idempotent.
"""

from __future__ import annotations

from collections.abc import Iterable

MINUTE_MS = 60_000


def quote(value: str) -> str:
    """A JQL string literal."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def project_clause(project_key: str) -> str:
    return f"project = {quote(project_key)}"


def issues_jql(
    project_key: str, since_ms: int | None, lookback_minutes: int, *, offset_paged: bool = False
) -> str:
    """All issues of a project changed since the cursor (all of them when `since_ms` is None),
    oldest change first; id breaks ties so the order is total.

    Offset paging (Data Center's `search`) orders by id instead: an issue edited while the
    pages are read would move to the end of an `updated` order and shift the next page by
    one, skipping an issue; ids don't move. The cursor then moves only after the last page.
    """
    clauses = [project_clause(project_key)]
    if since_ms is not None:
        start = max(0, since_ms - lookback_minutes * MINUTE_MS)
        clauses.append(f"updated >= {start}")
    order = "id ASC" if offset_paged else "updated ASC, id ASC"
    return " AND ".join(clauses) + f" ORDER BY {order}"


def census_jql(project_key: str) -> str:
    """Every issue id the account can see in a project (ids only: the cheapest search)."""
    return f"{project_clause(project_key)} ORDER BY id ASC"


def issue_fields(custom_field_ids: Iterable[str]) -> list[str]:
    """Only the fields the mapping reads, plus the resolved custom fields."""
    base = [
        "summary",
        "issuetype",
        "project",
        "status",
        "priority",
        "assignee",
        "labels",
        "created",
        "updated",
        "resolutiondate",
        "duedate",
        "parent",
        "fixVersions",
        "timeoriginalestimate",
        "timeestimate",
        "issuelinks",
    ]
    return base + sorted({f for f in custom_field_ids if f})


def projects_count_jql(project_keys: Iterable[str]) -> str:
    """Every issue of several projects, for one approximate count instead of one each."""
    return "project in (" + ", ".join(quote(k) for k in sorted(project_keys)) + ")"
