"""Tenant builders used by the sandbox core's own tests (fixed, small, fast), and the
product's entry point `generate_tenant`, which is the full generator in `sandbox.gen`."""

from __future__ import annotations

from typing import Any


def generate_tenant(
    seed: int = 7, scale: str | int = "demo", **options: Any
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The tenant and manifest of `sandbox.gen.api.generate_tenant` (the product generator)."""
    from sandbox.gen.api import generate_tenant as generate

    return generate(seed, scale, **options)
