"""COPY text-format escaping for PostgreSQL bulk writes (pure: no database needed)."""

from __future__ import annotations

import pandas as pd
import pytest
import sqlalchemy as sa

from connectors.store.bulk_pg import column_texts, escape_copy_text


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([], []),
        (["plain", "text"], ["plain", "text"]),
        (["tab\there"], ["tab\\there"]),
        (["line\nbreak", "cr\r"], ["line\\nbreak", "cr\\r"]),
        (["back\\slash", "\\N"], ["back\\\\slash", "\\\\N"]),
        (["nul\x00byte", "ok"], ["nul\ufffdbyte", "ok"]),
        (["", "ünïcødé ✓"], ["", "ünïcødé ✓"]),
    ],
)
def test_escape_copy_text(values: list[str], expected: list[str]) -> None:
    assert escape_copy_text(values) == expected


@pytest.mark.parametrize(
    ("type_", "values", "expected"),
    [
        (sa.Text(), pd.Series(["a", None, "a\tb"], dtype="string"), ["a", "\\N", "a\\tb"]),
        (sa.Float(), pd.Series([1.5, None, 0.1], dtype="Float64"), ["1.5", "\\N", "0.1"]),
        (sa.BigInteger(), pd.Series([3, None], dtype="Int64"), ["3", "\\N"]),
        (sa.Boolean(), pd.Series([True, None, False], dtype="boolean"), ["t", "\\N", "f"]),
        (sa.JSON(), pd.Series([[], None, ["x\ty"]], dtype=object), ["[]", "\\N", '["x\\\\ty"]']),
        (
            sa.Date(),
            pd.Series(pd.to_datetime(["2026-03-29", None])),
            ["2026-03-29", "\\N"],
        ),
    ],
)
def test_column_texts(type_: sa.types.TypeEngine, values: pd.Series, expected: list[str]) -> None:
    assert column_texts(sa.Column("c", type_), values) == expected
