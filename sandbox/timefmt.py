"""Time formats of the two services (they differ, and clients depend on the difference)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo


def parse_iso(text: str) -> datetime:
    """Jira ``+0000``, Graph ``Z`` or ``+00:00``, with or without fractions; naive means UTC."""
    value = text.strip()
    if value.endswith("Z"):
        value = value[:-1] + "+00:00"
    if len(value) >= 5 and value[-5] in "+-" and value[-4:].isdigit() and ":" not in value[-5:]:
        value = f"{value[:-2]}:{value[-2:]}"
    if "." in value:
        head, _, rest = value.partition(".")
        digits = rest[: len(rest) - len(rest.lstrip("0123456789"))]
        zone_part = rest[len(digits) :]
        value = f"{head}.{digits[:6].ljust(6, '0')}{zone_part}"
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def to_ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def from_ms(ms: int, zone: tzinfo = UTC) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=UTC).astimezone(zone)


def jira_ts(moment: datetime, zone: tzinfo | None = None) -> str:
    """Jira platform form: ``2021-01-17T12:34:00.000+0000`` (millis, no colon in the offset).

    Formatted by hand: strftime dominated the cost of serving 1000-worklog pages."""
    local = moment.astimezone(zone) if zone else moment
    offset = local.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    sign = "-" if minutes < 0 else "+"
    hours, mins = divmod(abs(minutes), 60)
    return (
        f"{local.year:04d}-{local.month:02d}-{local.day:02d}T{local.hour:02d}:{local.minute:02d}:"
        f"{local.second:02d}.{local.microsecond // 1000:03d}{sign}{hours:02d}{mins:02d}"
    )


def agile_ts(moment: datetime) -> str:
    """Jira Agile form: colon offsets or ``Z``."""
    return (
        moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    )


def graph_ts(moment: datetime) -> str:
    """Graph form: UTC with ``Z``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S") + "Z"


def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def duration_text(seconds: int) -> str:
    """Jira's ``timeSpent`` text with 8-hour days and 5-day weeks: ``1d 3h 20m``."""
    minutes = seconds // 60
    parts = []
    for unit, size in (("w", 5 * 8 * 60), ("d", 8 * 60), ("h", 60), ("m", 1)):
        count, minutes = divmod(minutes, size)
        if count:
            parts.append(f"{count}{unit}")
    return " ".join(parts) or "0m"


def parse_duration(text: str) -> int:
    """Seconds in a Jira duration such as ``3h 20m`` or ``1d``."""
    sizes = {"w": 5 * 8 * 3600, "d": 8 * 3600, "h": 3600, "m": 60, "s": 1}
    total = 0
    for part in text.split():
        unit = part[-1]
        if unit not in sizes or not part[:-1].replace(".", "", 1).isdigit():
            raise ValueError(f"not a Jira duration: {text!r}")
        total += int(float(part[:-1]) * sizes[unit])
    return total


def utc_now() -> datetime:
    return datetime.now(UTC)


ONE_MINUTE = timedelta(minutes=1)
