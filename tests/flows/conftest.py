"""Flow tests: one Prefect test harness for the whole session (it takes ~15 s to start).

Every flow test is in the xdist group "prefect", so they share one worker and one harness.
`product` opens one runtime (the sandbox with the demo tenant, a fresh SQLite warehouse);
flows called inside it reuse that runtime, so the test sees everything they published.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")


@pytest.fixture(scope="session", autouse=True)
def _flows_share_the_harness(prefect_harness: None) -> Iterator[None]:
    """The session's one harness (tests/conftest.py), shared with tests/reliability."""
    yield


def write_config(tmp_path: Path, **sections: Any) -> Path:
    """A settings file: sandbox sources, a SQLite warehouse and reports under tmp_path."""
    import yaml

    body: dict[str, Any] = {
        "time_zone": "Europe/Berlin",
        "warehouse": {"url": f"sqlite:///{tmp_path / 'warehouse.db'}"},
        "sandbox": {"enabled": True, "seed": 7},
        "jira": {"url": "sandbox"},
        "graph": {"base_url": "sandbox"},
        "publish": {"reports_dir": str(tmp_path / "reports")},
    }
    for name, value in sections.items():
        body[name] = {**body.get(name, {}), **value}
    path = tmp_path / "pmo.yaml"
    path.write_text(yaml.safe_dump(body), encoding="utf-8")
    # lifecycle.yaml is looked up next to the config file: use the shipped one.
    shipped = Path(__file__).resolve().parents[2] / "config" / "lifecycle.yaml"
    (tmp_path / "lifecycle.yaml").write_text(shipped.read_text(encoding="utf-8"), encoding="utf-8")
    return path
