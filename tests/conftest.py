"""Session-wide test setup: quiet, offline, and nothing written outside tmp dirs."""

from __future__ import annotations

import os

# Set before Prefect or Great Expectations are imported anywhere: no phoning home.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
