"""Settings: the shipped defaults load, and every kind of mistake names file and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from config.settings import DEFAULT_CONFIG, ConfigError, SecretRef, load_settings


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "pmo.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_default_points_at_the_sandbox_and_sqlite() -> None:
    settings = load_settings(DEFAULT_CONFIG)
    assert settings.jira.url == "sandbox"
    assert settings.graph.base_url == "sandbox"
    assert settings.warehouse.url.startswith("sqlite:///")


@pytest.mark.parametrize(
    ("yaml_text", "expected_in_message"),
    [
        # a typo'd key is named with its full path
        ("jira:\n  projets: [ABC]\n", "jira.projets: unknown key"),
        # a wrong type names the key and what was given
        ("jira:\n  page_size: many\n", "jira.page_size"),
        # a value out of range
        ("checks:\n  census_drop_share: 3\n", "checks.census_drop_share"),
        # a secret written literally instead of a reference
        ("jira:\n  api_token: hunter2\n", "jira.api_token"),
        # a secret reference naming two places
        ("jira:\n  api_token: {env: A, prefect_block: b}\n", "exactly one"),
        # an unknown time zone
        ("time_zone: Mars/Olympus\n", "time_zone"),
        # a typo at the top level
        ("warehous:\n  url: sqlite://\n", "warehous: unknown key"),
    ],
)
def test_bad_config_fails_naming_the_file_and_key(
    tmp_path: Path, yaml_text: str, expected_in_message: str
) -> None:
    path = write(tmp_path, yaml_text)
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    assert expected_in_message in str(info.value)
    assert str(path) in str(info.value)


def test_literal_secret_values_never_appear_in_the_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as literal:
        load_settings(write(tmp_path, "jira:\n  api_token: hunter2-secret\n"))
    assert "hunter2-secret" not in str(literal.value)
    with pytest.raises(ConfigError) as info:
        load_settings(write(tmp_path, "jira:\n  api_token: {env: A, value: hunter2-secret}\n"))
    assert "jira.api_token.value: unknown key" in str(info.value)
    assert "hunter2-secret" not in str(info.value)


def test_missing_file_and_invalid_yaml_are_clear(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(tmp_path / "nope.yaml")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_settings(write(tmp_path, "jira: [unclosed\n"))


def test_environment_variables_expand_and_pmo_config_is_honoured(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WH_URL", "postgresql+psycopg://pmo@db/pmo")
    path = write(
        tmp_path,
        "warehouse:\n  url: ${WH_URL}\njira:\n  url: ${JIRA_URL:-https://x.atlassian.net}\n",
    )
    monkeypatch.setenv("PMO_CONFIG", str(path))
    settings = load_settings()
    assert settings.warehouse.url == "postgresql+psycopg://pmo@db/pmo"
    assert settings.jira.url == "https://x.atlassian.net"


def test_secret_refs_resolve_from_the_environment_only_when_asked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ref = SecretRef(env="PMO_TEST_TOKEN")
    monkeypatch.delenv("PMO_TEST_TOKEN", raising=False)
    with pytest.raises(ConfigError) as info:
        ref.resolve()
    assert "PMO_TEST_TOKEN is not set" in str(info.value)
    monkeypatch.setenv("PMO_TEST_TOKEN", "tok-123")
    assert ref.resolve() == "tok-123"


def test_a_config_copied_elsewhere_uses_the_shipped_gate_rules(tmp_path: Path) -> None:
    from config.lifecycle import SHIPPED_RULES, lifecycle_path, load_rules
    from config.settings import Settings

    alone = Settings(source_path=str(write(tmp_path, "time_zone: UTC\n")))
    assert lifecycle_path(alone) == SHIPPED_RULES
    assert load_rules(alone).gate_phases[0] == "initiation"
    # a rules file named explicitly must exist: no silent fallback for a typo
    named = Settings.model_validate(
        {"source_path": str(tmp_path / "pmo.yaml"), "checks": {"lifecycle_file": "gates.yaml"}}
    )
    with pytest.raises(ConfigError, match=r"gates\.yaml"):
        load_rules(named)
