"""Determinism, integrity and the lifecycle coverage of the demo portfolio."""

from __future__ import annotations

import json
from typing import Any

from sandbox.gen.api import generate_tenant
from sandbox.tenant import validate_tenant

Pair = tuple[dict[str, Any], dict[str, Any]]


def test_same_seed_gives_identical_json(demo: Pair) -> None:
    again = generate_tenant(demo[0]["generator"]["seed"])
    assert json.dumps(again, sort_keys=True) == json.dumps(demo, sort_keys=True)


def test_other_seed_gives_other_data(demo: Pair) -> None:
    other, _ = generate_tenant(demo[0]["generator"]["seed"] + 1)
    assert json.dumps(other["jira"]["worklogs"]) != json.dumps(demo[0]["jira"]["worklogs"])


def test_demo_and_clean_pass_validation(demo: Pair, clean_demo: Pair) -> None:
    assert validate_tenant(demo[0]) == []
    assert validate_tenant(clean_demo[0]) == []


def test_every_lifecycle_phase_is_present(demo: Pair) -> None:
    phases = {
        p["properties"]["pmo-charter"]["phase"]
        for p in demo[0]["jira"]["projects"]
        if "pmo-charter" in p["properties"]
    }
    assert phases >= {
        "initiation",
        "planning",
        "execution",
        "qa_uat",
        "training_documentation",
        "closeout",
    }
