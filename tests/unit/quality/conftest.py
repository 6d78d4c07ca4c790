"""One GX context for every GX-heavy test: the adapter keeps one per process; this fixture
creates it up front (import and context cost seconds) so tests share it explicitly."""

from __future__ import annotations

import pytest

from checks.quality import gx_adapter


@pytest.fixture(scope="session")
def gx_runtime() -> object:
    return gx_adapter._runtime()
