"""Jira's time formats: ``2021-01-17T12:34:00.000+0000`` (platform), colon offsets or ``Z``
(agile), plain ``yyyy-mm-dd`` dates. All results are timezone-aware UTC unless asked."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from connectors.jira.records import MappingError


def parse_jira_time(value: Any, *, keep_offset: bool = False) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, int | float):  # some spec examples show epoch milliseconds
        return datetime.fromtimestamp(value / 1000, tz=UTC)
    text = str(value).strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    elif len(text) > 5 and text[-5] in "+-" and text[-4:].isdigit():
        text = f"{text[:-2]}:{text[-2:]}"  # +0000 -> +00:00
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise MappingError(f"not a Jira timestamp: {str(value)[:40]!r}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment if keep_offset else moment.astimezone(UTC)


def parse_date(value: Any) -> date | None:
    if value is None or value == "":
        return None
    text = str(value).strip()
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        raise MappingError(f"not a date: {text[:40]!r}") from None


def to_ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)
