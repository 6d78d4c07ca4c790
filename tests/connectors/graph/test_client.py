"""Client wiring: which credential, which requests are safe to repeat, secrets kept out."""

from __future__ import annotations

import httpx
import pytest

from config.settings import ConfigError, GraphSettings
from connectors.graph.client import StaticTokenCredential, credential_for, safe_to_repeat


def graph(**kw) -> GraphSettings:
    return GraphSettings.model_validate(kw)


def test_explicit_token_wins_and_is_never_shown():
    cred = credential_for(graph(), "s3cr3t-token")
    assert isinstance(cred, StaticTokenCredential) and "s3cr3t" not in repr(cred)
    assert cred.get_token("https://graph.microsoft.com/.default").token == "s3cr3t-token"


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({}, "graph.base_url is 'sandbox'"),  # the sandbox needs its URL and token passed in
        ({"base_url": "https://graph.microsoft.com/v1.0"}, "tenant_id and graph.client_id"),
        (
            {"base_url": "https://graph.microsoft.com/v1.0", "tenant_id": "t", "client_id": "c"},
            "client_secret or graph.certificate_path",
        ),  # no way to authenticate
        (
            {
                "base_url": "https://graph.microsoft.com/v1.0",
                "tenant_id": "t",
                "client_id": "c",
                "client_secret": {"env": "PMO_TEST_UNSET_SECRET"},
            },
            "PMO_TEST_UNSET_SECRET is not set",
        ),
    ],
)
def test_missing_credentials_are_config_errors_naming_the_key(config, message, monkeypatch):
    monkeypatch.delenv("PMO_TEST_UNSET_SECRET", raising=False)
    with pytest.raises(ConfigError, match=message):
        credential_for(graph(**config), None)


def test_client_secret_builds_an_app_only_credential(monkeypatch):
    # signing in with it against a token endpoint: test_token_endpoint.py
    from connectors.graph.client import CachedTokenCredential

    monkeypatch.setenv("PMO_TEST_GRAPH_SECRET", "value-never-logged")
    cred = credential_for(
        graph(
            base_url="https://graph.microsoft.com/v1.0",
            tenant_id="t",
            client_id="c",
            client_secret={"env": "PMO_TEST_GRAPH_SECRET"},
        ),
        None,
    )
    assert isinstance(cred, CachedTokenCredential)
    assert "value-never-logged" not in repr(cred)


@pytest.mark.parametrize(
    ("method", "url", "safe"),
    [
        ("GET", "http://127.0.0.1/v1.0/planner/plans/p/tasks", True),  # reads
        (
            "PUT",
            "http://127.0.0.1/v1.0/drives/d/items/root:/a.html:/content",
            True,
        ),  # same bytes again
        ("POST", "http://127.0.0.1/v1.0/$batch", True),  # the connector batches reads only
        ("POST", "http://127.0.0.1/v1.0/planner/tasks", False),  # would create a second task
        ("POST", "http://127.0.0.1/v1.0/users/u/sendMail", False),  # would send a second mail
    ],
)
def test_safe_to_repeat_after_a_dropped_connection(method, url, safe):
    assert safe_to_repeat(httpx.Request(method, url)) is safe


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ([{"Retry-After": "3"}, {"retry-after": "7"}], "7"),  # the longest item's Retry-After
        (
            [{"Retry-After": "Fri, 04 Dec 2099 08:00:00 GMT"}, {"Retry-After": "3"}],
            "Fri, 04 Dec 2099 08:00:00 GMT",
        ),
        ([{}, {}], None),  # no header: the policy's backoff
    ],
)
def test_throttled_batch_items_wait_for_the_longest_retry_after(headers, expected):
    from connectors.graph.transport import _round_wait

    assert _round_wait([(429, None, h) for h in headers]) == (429, expected)
