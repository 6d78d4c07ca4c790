"""Figures read straight from the raw real-data files, for tests to compare the warehouse
with. Deliberately independent of `tests.realdata.builder`: plain JSON/CSV reading, no
shared helpers, so a conversion bug can't hide behind the same code on both sides."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tests.realdata.builder import require_dir


def archive_issues(project: str | None = None) -> Iterator[dict[str, Any]]:
    """Every archived issue (of one project, or of MOD and DAEMON)."""
    base = require_dir() / "jira-archive"
    for name in [project] if project else ["MOD", "DAEMON"]:
        for path in sorted((base / name).iterdir()):
            if path.name != "project.json" and path.suffix == ".json":
                yield json.loads(path.read_text(encoding="utf-8"))


def archive_project_ids() -> dict[str, str]:
    base = require_dir() / "jira-archive"
    return {
        name: str(json.loads((base / name / "project.json").read_text("utf-8"))["id"])
        for name in ("MOD", "DAEMON")
    }


def cesaw_rows(file: str, projects: tuple[str, ...] = ("612", "95")) -> list[dict[str, str]]:
    with (require_dir() / "cesaw" / file).open(newline="", encoding="utf-8") as handle:
        return [r for r in csv.DictReader(handle) if r["project_key"] in projects]


def realdata_path() -> Path:
    return require_dir()
