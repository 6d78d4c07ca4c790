"""What the server test cannot see in prefect.yaml: it deploys without a terminal, so prompts
and values filled in on the deploying machine go unnoticed there."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

PREFECT_YAML = Path(__file__).resolve().parents[2] / "prefect.yaml"


def deployments() -> list[dict[str, Any]]:
    return yaml.safe_load(PREFECT_YAML.read_text(encoding="utf-8"))["deployments"]


def test_every_deployment_states_its_schedules_so_deploy_at_a_terminal_does_not_ask() -> None:
    # Without a `schedules` key, `prefect deploy --all` in a terminal stops to ask for one.
    unstated = [d["name"] for d in deployments() if "schedules" not in d]
    assert not unstated, f"deployments without a schedules key in prefect.yaml: {unstated}"


def test_job_variables_take_nothing_from_the_deploying_machines_environment() -> None:
    # `{{ $VAR }}` in job variables is filled in by `prefect deploy` (left literal when
    # unset); the worker's own environment is what its flow runs must see.
    templated = [
        d["name"] for d in deployments() if "{{ $" in json.dumps(d["work_pool"]["job_variables"])
    ]
    assert not templated, f"job variables templated from the deploy environment: {templated}"


def test_every_judging_deployment_takes_an_as_of_date() -> None:
    # The status date is a parameter of every flow that judges (issue 11, point 2): a
    # deployment run can re-judge a project as of a past date from the run form.
    import importlib
    import inspect

    for deployment in deployments():
        path, name = deployment["entrypoint"].split(":")
        flow = getattr(importlib.import_module(path[:-3].replace("/", ".")), name)
        if "as_of" not in inspect.signature(flow.fn).parameters:
            continue
        assert "as_of" in deployment.get("parameters", {}), deployment["name"]
    judging = {"nightly", "weekly-status", "gate-review", "closeout"}
    listed = {d["name"] for d in deployments() if "as_of" in d.get("parameters", {})}
    assert judging <= listed
