"""Generates sandbox tenants: a demo portfolio with planted problems, or a scale tenant.

`generate_tenant(seed, scale)` returns `(tenant, manifest)`: the tenant in the format of
`docs/tenant-format.md`, the manifest listing every planted problem with the ids involved.
The same seed (and `now`) always gives the same JSON.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sandbox.gen.demo import build_demo

DEFAULT_NOW = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)


def generate_tenant(
    seed: int = 7,
    scale: str | int = "demo",
    *,
    clean: bool = False,
    now: datetime | None = None,
    worklogs: int | None = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A tenant and its manifest. `scale` is "demo" or a number of issues (bulk tenant).

    `clean` drops the planted problems of the demo (a scale tenant has none anyway);
    `worklogs` overrides the scale tenant's default of 10 worklogs per issue.
    """
    moment = (now or DEFAULT_NOW).astimezone(UTC)
    if scale == "demo":
        return build_demo(seed, moment, clean)
    from sandbox.gen.scale import build_scale

    return build_scale(seed, moment, _issue_count(scale), worklogs)


def _issue_count(scale: str | int) -> int:
    try:
        count = int(scale)
    except (TypeError, ValueError):
        raise ValueError(f"scale must be 'demo' or a number of issues, got {scale!r}") from None
    if count < 1:
        raise ValueError(f"scale must be at least 1 issue, got {count}")
    return count
