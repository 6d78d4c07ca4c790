"""Graph's time format (UTC with `Z`) and a lenient parser for what clients send."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime

from sandbox.graph.errors import bad_request


def graph_time(moment: datetime) -> str:
    """`2026-11-27T06:00:00Z`: the form Graph emits for DateTimeOffset."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(text: str, where: str) -> datetime:
    """ISO 8601 with `Z`, `+00:00` or up to 7 fractional digits; 400 naming `where` otherwise."""
    value = text.strip().strip("'")
    if "T" in value:  # Python 3.11 reads Graph's forms itself; the slow path is for the rest
        with contextlib.suppress(ValueError):
            parsed = datetime.fromisoformat(value)
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    if value.endswith("Z"):
        value = value[:-1] + "+00:00"
    if "." in value:
        head, _, rest = value.partition(".")
        digits = "".join(ch for ch in rest if ch.isdigit())
        value = f"{head}.{digits[:6].ljust(6, '0')}{rest[len(digits) :]}"
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise bad_request(f"{where}: '{text}' is not an ISO 8601 date-time.") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
