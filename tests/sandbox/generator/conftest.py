"""Generated tenants shared by the generator tests (generation takes about a second each)."""

from __future__ import annotations

from typing import Any

import pytest

from sandbox.gen.api import generate_tenant


@pytest.fixture(scope="session")
def demo() -> tuple[dict[str, Any], dict[str, Any]]:
    return generate_tenant(7)


@pytest.fixture(scope="session")
def clean_demo() -> tuple[dict[str, Any], dict[str, Any]]:
    return generate_tenant(7, clean=True)
