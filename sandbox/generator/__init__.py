"""The product's tenant generator entry point: `generate_tenant` (the demo portfolio with
planted problems, or a scale tenant), implemented in `sandbox.gen` and imported lazily so that
importing `sandbox.generator` stays cheap."""

from __future__ import annotations

from typing import Any


def generate_tenant(
    seed: int = 7, scale: str | int = "demo", **options: Any
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The tenant and manifest of `sandbox.gen.api.generate_tenant` (the product generator)."""
    from sandbox.gen.api import generate_tenant as generate

    return generate(seed, scale, **options)
