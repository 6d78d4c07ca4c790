"""Session-wide test setup: quiet, offline, and nothing written outside tmp dirs."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

# Set before Prefect or Great Expectations are imported anywhere: no phoning home.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """One Prefect test harness per test process (it takes ~15 s to start); the folders
    whose tests run flows use it automatically (tests/flows, tests/reliability)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield
