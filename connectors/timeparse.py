"""The one timestamp parser for every source: `datetime.fromisoformat` (Python 3.11+) reads
all the forms Jira and Graph send, so no source keeps its own string surgery.

- Jira platform: ``2021-01-17T12:34:00.000+0000`` (millis, ``+hhmm`` with no colon);
- Jira agile and Graph: colon offsets or ``Z``; Graph sends up to 7 fractional digits
  (3.11 keeps the first 6, i.e. microseconds);
- plain ``yyyy-mm-dd`` dates; some Jira spec examples show epoch milliseconds.

Results are timezone-aware UTC (a naive value is UTC by both vendors' convention) unless the
caller asks to keep the sender's offset, e.g. to find a worklog's local day.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any


class MappingError(ValueError):
    """A record that can't be mapped; the message is the quarantine reason."""


def parse_time(value: Any, *, keep_offset: bool = False) -> datetime | None:
    """A timestamp (text, epoch ms or datetime) as an aware datetime; None when absent."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value / 1000, tz=UTC)
    else:
        try:
            moment = datetime.fromisoformat(str(value).strip())
        except ValueError:
            raise MappingError(f"not a timestamp: {str(value)[:40]!r}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment if keep_offset else moment.astimezone(UTC)


def parse_date(value: Any) -> date | None:
    """A calendar date from ``yyyy-mm-dd`` text (anything after the tenth character is
    ignored, so a timestamp gives its own written day); None when absent."""
    if value is None or value == "":
        return None
    text = str(value).strip()
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        raise MappingError(f"not a date: {text[:40]!r}") from None


def to_ms(moment: datetime) -> int:
    """Epoch milliseconds, the unit of Jira's `worklog/updated` cursor."""
    return int(moment.timestamp() * 1000)
