"""The static-token credential the Graph SDK accepts for the sandbox."""

from __future__ import annotations

import asyncio

import pytest
from azure.core.credentials import AccessToken

from sandbox.credentials import AsyncStaticTokenCredential, StaticTokenCredential


def test_sync_credential_returns_an_access_token_and_hides_it() -> None:
    credential = StaticTokenCredential("s3cret")
    token = credential.get_token("https://graph.microsoft.com/.default", enable_cae=True)
    assert isinstance(token, AccessToken) and token.token == "s3cret"
    assert credential.get_token_info().token == "s3cret"
    assert "s3cret" not in repr(credential)


def test_async_credential_is_awaited() -> None:
    credential = AsyncStaticTokenCredential("s3cret")
    token = asyncio.run(credential.get_token("scope", claims=None))
    assert isinstance(token, AccessToken) and token.token == "s3cret"
    assert "s3cret" not in repr(credential)


def test_empty_token_is_refused_without_echoing_anything() -> None:
    with pytest.raises(ValueError, match=r"credentials\.graph\.token"):
        StaticTokenCredential("")
