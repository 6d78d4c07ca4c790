"""Reading the gate rules file (`checks.lifecycle_file`, relative to the config's folder).

The file is read here, at the edge; `checks.gates.parse_rules` validates it as pure data.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from checks.gates.rules import LifecycleRules, RulesError, parse_rules
from config.settings import Settings


def lifecycle_path(settings: Settings) -> Path:
    path = Path(settings.checks.lifecycle_file).expanduser()
    return path if path.is_absolute() else settings.config_dir / path


def load_rules(settings: Settings) -> LifecycleRules:
    """The validated gate rules; RulesError names the file and every bad key."""
    path = lifecycle_path(settings)
    if not path.is_file():
        raise RulesError(f"gate rules file {path} does not exist (checks.lifecycle_file)")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise RulesError(f"gate rules file {path} is not valid YAML: {exc}") from None
    return parse_rules(raw, str(path))
