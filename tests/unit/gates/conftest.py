"""A small synthetic portfolio shared by the evaluation tests (built once per session)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from config.lifecycle import load_rules
from config.settings import Settings
from sandbox.synthetic_frames import Problems, synthetic_portfolio_with_manifest

AS_OF = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def portfolio():
    frames, manifest = synthetic_portfolio_with_manifest(
        4, 40, 4, 11, AS_OF, Problems(late=1, critical_defects=1)
    )
    return frames, manifest


@pytest.fixture(scope="session")
def rules():
    return load_rules(Settings())
