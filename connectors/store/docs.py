"""Render `docs/warehouse.md` from the table declarations, so the documentation cannot drift.

Run `uv run python -m connectors.store.docs > docs/warehouse.md`; a test fails when the
committed file differs from what this prints.
"""

from __future__ import annotations

import sqlalchemy as sa

from checks.schema import CANONICAL_TABLES
from connectors.store.tables import OPERATIONAL

_HEADER = """# Warehouse schema

Generated from `checks/schema.py` and `connectors/store/tables.py` by
`uv run python -m connectors.store.docs > docs/warehouse.md`; do not edit by hand.

Conventions: ids are qualified by source (`jira:10001`, `planner:…`, `shifts:…`,
`sharepoint:<list>:<item>`); people are identified by lower-case e-mail
(`jira:user:<accountId>` when Jira hides it); all timestamps are UTC; hours are decimals; a sync never deletes rows: it sets `is_deleted` and `deleted_at`
(filter on `is_deleted = false` for the current state). The schema is created and upgraded by
Alembic migrations (`connectors/store/migrations/`), run on every start.
"""


def _canonical_section(name: str) -> str:
    table = CANONICAL_TABLES[name]
    lines = [
        f"## `{name}`",
        "",
        table.description,
        "",
        f"Primary key: `{', '.join(table.primary_key)}`",
        "",
        "| column | type | null | meaning |",
        "| --- | --- | --- | --- |",
    ]
    for col in table.columns:
        nullable = "yes" if col.nullable and col.name not in table.primary_key else "no"
        lines.append(f"| `{col.name}` | {col.dtype} | {nullable} | {col.description} |")
    return "\n".join(lines)


def _operational_section(table: sa.Table) -> str:
    pk = ", ".join(c.name for c in table.primary_key.columns)
    lines = [
        f"## `{table.name}`",
        "",
        table.comment or "",
        "",
        f"Primary key: `{pk}`",
        "",
        "| column | type | null | meaning |",
        "| --- | --- | --- | --- |",
    ]
    for col in table.columns:
        type_name = type(col.type).__name__.replace("UTCDateTime", "datetime (UTC)").lower()
        lines.append(
            f"| `{col.name}` | {type_name} | {'yes' if col.nullable else 'no'} | {col.comment or ''} |"
        )
    return "\n".join(lines)


def render() -> str:
    parts = [_HEADER, "# Canonical tables", ""]
    parts += [_canonical_section(name) + "\n" for name in CANONICAL_TABLES]
    parts += ["# Operational tables", ""]
    parts += [_operational_section(table) + "\n" for table in OPERATIONAL.values()]
    return "\n".join(parts)


if __name__ == "__main__":
    print(render(), end="")
