"""Reading the gate rules file (`checks.lifecycle_file`, relative to the config's folder).

The file is read here, at the edge; `checks.gates.parse_rules` validates it as pure data.
The checks are imported when rules are loaded, so finding the file (`lifecycle_path`) is
cheap: a sync that judges nothing never loads them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from config.settings import Settings

if TYPE_CHECKING:
    from checks.gates.rules import LifecycleRules

SHIPPED_RULES = Path(__file__).resolve().parent / "lifecycle.yaml"


def lifecycle_path(settings: Settings) -> Path:
    """The rules file: absolute, or relative to the config's folder; a config copied
    elsewhere without its own rules file (the default name) uses the shipped rules."""
    path = Path(settings.checks.lifecycle_file).expanduser()
    if path.is_absolute():
        return path
    beside = settings.config_dir / path
    if not beside.is_file() and str(path) == "lifecycle.yaml":
        return SHIPPED_RULES
    return beside


def load_rules(settings: Settings) -> LifecycleRules:
    """The validated gate rules; RulesError names the file and every bad key."""
    from checks.gates.rules import RulesError, parse_rules  # the checks: loaded when judging

    path = lifecycle_path(settings)
    if not path.is_file():
        raise RulesError(f"gate rules file {path} does not exist (checks.lifecycle_file)")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise RulesError(f"gate rules file {path} is not valid YAML: {exc}") from None
    rules = parse_rules(raw, str(path))
    validate_project_overrides(rules, settings)
    return rules


def validate_project_overrides(rules: LifecycleRules, settings: Settings) -> None:
    """Fail at start, not mid-run, on a bad `projects.<KEY>.gates` or `.thresholds` entry."""
    from checks.gates.rules import RulesError, with_project_overrides
    from checks.risk.catalog import unknown_threshold_keys

    for key, entry in settings.projects.items():
        if not isinstance(entry, dict):
            raise RulesError(f"projects.{key}: must be a mapping, got {type(entry).__name__}")
        with_project_overrides(rules, entry.get("gates"), f"projects.{key}.gates")
        thresholds = entry.get("thresholds") or {}
        if not isinstance(thresholds, dict):
            raise RulesError(f"projects.{key}.thresholds: must be a mapping of metric -> number")
        unknown = unknown_threshold_keys(thresholds)
        if unknown:
            raise RulesError(
                f"projects.{key}.thresholds: unknown metric(s) {unknown} (see checks/risk/catalog.py)"
            )
