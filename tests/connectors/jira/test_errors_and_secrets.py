"""Failures are loud and named; secrets appear nowhere (logs, errors, warehouse)."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
import sqlalchemy as sa

from config.settings import JiraSettings, SecretRef, Settings
from connectors.jira.client import build_jira
from connectors.jira.errors import JiraAuthError, JiraNotFoundError
from connectors.jira.sync import run_jira_sync
from connectors.store import Warehouse, log_sync, utcnow
from connectors.store.tables import ALL_TABLES
from sandbox.server import SandboxServer
from tests.connectors.jira.conftest import jira_settings, sync
from tests.connectors.jira.tenant_factory import SECRET_PAT, SECRET_TOKEN


def _settings(server: SandboxServer, token_env: str, **kw: object) -> Settings:
    return Settings(
        jira=JiraSettings(
            url=server.info.jira_url,
            email="pmo-bot@example.com",
            api_token=SecretRef(env=token_env),
            **kw,
        )
    )


def test_wrong_credentials_fail_loudly_without_echoing_the_token(
    server: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PMO_TEST_BAD_TOKEN", "wrong-" + SECRET_TOKEN)
    with pytest.raises(JiraAuthError, match="HTTP 401") as info:
        build_jira(_settings(server, "PMO_TEST_BAD_TOKEN"), check_server=True)
    assert SECRET_TOKEN not in str(info.value) and "API token" in str(info.value)


def test_a_configured_project_that_does_not_exist_is_an_error(
    server: SandboxServer, warehouse: Warehouse
) -> None:
    with pytest.raises(JiraNotFoundError, match="configured project NOPE"):
        sync(server, warehouse, jira_settings(projects=["ABC", "NOPE"]))


def test_a_sync_with_known_secrets_leaves_them_nowhere(
    server: SandboxServer,
    warehouse: Warehouse,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("PMO_TEST_JIRA_TOKEN", SECRET_TOKEN)
    settings = _settings(server, "PMO_TEST_JIRA_TOKEN")
    with caplog.at_level(logging.DEBUG):
        api = build_jira(settings)
        summaries = run_jira_sync(settings, warehouse, api)
        for summary in summaries:
            log_sync(
                warehouse,
                "run-1",
                "jira",
                summary.scope,
                started_at=utcnow(),
                status="succeeded",
                summary=summary.to_dict(),
            )
        # an error path too: a failing call's message
        with pytest.raises(JiraNotFoundError) as info:
            api.get("project/NOPE", context="configured project NOPE")
    texts = [
        caplog.text,
        str(info.value),
        repr(api.endpoint),
        repr(settings),
        json.dumps([s.to_dict() for s in summaries]),
    ]
    texts.append(_dump(warehouse))
    for secret in (SECRET_TOKEN, SECRET_PAT):
        for text in texts:
            assert secret not in text


def warehouse_now():
    from connectors.store import utcnow

    return utcnow()


def _dump(warehouse: Warehouse) -> str:
    """Every table of the warehouse, operational ones included, as text."""
    parts = []
    with warehouse.engine.connect() as conn:
        for name, table in ALL_TABLES.items():
            rows = conn.execute(sa.select(table)).all()
            parts.append(f"{name}: {rows!r}")
    return "\n".join(parts)
