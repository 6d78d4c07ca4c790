"""A static-token credential that msgraph-sdk accepts for the sandbox (API-FACTS §3.1).

Duck-typed `azure.core.credentials.TokenCredential` (and `SupportsTokenInfo`): kiota's
`AzureIdentityAccessTokenProvider` calls `get_token(*scopes, claims=..., enable_cae=...)`,
awaits the result if it is awaitable, and keeps it only if it is an `AccessToken`.
"""

from __future__ import annotations

import time
from typing import Any

from azure.core.credentials import AccessToken, AccessTokenInfo

TOKEN_LIFETIME_S = 3600


class SandboxCredential:
    """Hands out the sandbox's Graph bearer token; never prints it."""

    def __init__(self, token: str) -> None:
        if not token:
            raise ValueError(
                "SandboxCredential needs the sandbox's Graph token (credentials.graph.token)."
            )
        self._token = token

    def __repr__(self) -> str:
        return "SandboxCredential(token=***)"

    def get_token(
        self,
        *scopes: str,
        claims: str | None = None,
        tenant_id: str | None = None,
        enable_cae: bool = False,
        **kwargs: Any,
    ) -> AccessToken:
        return AccessToken(self._token, int(time.time()) + TOKEN_LIFETIME_S)

    def get_token_info(self, *scopes: str, options: Any = None) -> AccessTokenInfo:
        return AccessTokenInfo(self._token, int(time.time()) + TOKEN_LIFETIME_S)

    def close(self) -> None:
        """Nothing to release; present because azure credentials are closable."""


class AsyncSandboxCredential(SandboxCredential):
    """The `AsyncTokenCredential` flavour, for code that awaits `get_token`."""

    async def get_token(  # type: ignore[override]
        self,
        *scopes: str,
        claims: str | None = None,
        tenant_id: str | None = None,
        enable_cae: bool = False,
        **kwargs: Any,
    ) -> AccessToken:
        return SandboxCredential.get_token(self, *scopes)

    async def get_token_info(self, *scopes: str, options: Any = None) -> AccessTokenInfo:  # type: ignore[override]
        return SandboxCredential.get_token_info(self, *scopes)

    async def close(self) -> None:  # type: ignore[override]
        """Nothing to release."""

    async def __aenter__(self) -> AsyncSandboxCredential:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        return None


def graph_client(base_url: str, token: str) -> Any:
    """A `GraphServiceClient` aimed at the sandbox (`base_url` ends with `/v1.0`)."""
    from kiota_authentication_azure.azure_identity_authentication_provider import (
        AzureIdentityAuthenticationProvider,
    )
    from msgraph import GraphRequestAdapter, GraphServiceClient

    auth = AzureIdentityAuthenticationProvider(
        SandboxCredential(token), scopes=["https://graph.microsoft.com/.default"]
    )
    adapter = GraphRequestAdapter(auth)
    adapter.base_url = base_url
    return GraphServiceClient(request_adapter=adapter)
