"""Connecting the real clients to a sandbox: the static-token credential msgraph-sdk accepts
(API-FACTS §3.1), and ready-made `jira.JIRA` / `GraphServiceClient` builders for scripts and
tests. The one implementation for everything under `sandbox/` and its tests.

The credential is a duck-typed `azure.core.credentials.TokenCredential` (and
`SupportsTokenInfo`): kiota's `AzureIdentityAccessTokenProvider` calls
`get_token(*scopes, claims=..., enable_cae=...)`, awaits the result if it is awaitable, and
keeps it only if it is an `AccessToken`.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from azure.core.credentials import AccessToken, AccessTokenInfo

if TYPE_CHECKING:
    import httpx
    from jira import JIRA
    from msgraph import GraphServiceClient

    from sandbox.server import SandboxInfo

GRAPH_SCOPES = ["https://graph.microsoft.com/.default"]
TOKEN_LIFETIME_S = 3600


class StaticTokenCredential:
    """An azure ``TokenCredential`` that always returns one token (the sandbox's).

    The Graph SDK asks a credential for a token per request; against the sandbox there is
    no identity platform, so the token given at construction is the whole story.
    """

    def __init__(self, token: str, lifetime_s: int = TOKEN_LIFETIME_S) -> None:
        if not token:
            raise ValueError(
                "StaticTokenCredential needs the sandbox's Graph token (credentials.graph.token)."
            )
        self._token = token
        self._lifetime_s = lifetime_s

    def get_token(
        self,
        *scopes: str,
        claims: str | None = None,
        tenant_id: str | None = None,
        enable_cae: bool = False,
        **kwargs: Any,
    ) -> AccessToken:
        return AccessToken(self._token, int(time.time()) + self._lifetime_s)

    def get_token_info(self, *scopes: str, options: Any = None) -> AccessTokenInfo:
        return AccessTokenInfo(self._token, int(time.time()) + self._lifetime_s)

    def close(self) -> None:
        """Nothing to release; present because azure credentials are closable."""

    def __repr__(self) -> str:  # never show the token
        return f"{type(self).__name__}(<redacted>)"


class AsyncStaticTokenCredential(StaticTokenCredential):
    """The `AsyncTokenCredential` flavour, for code that awaits `get_token`."""

    async def get_token(  # type: ignore[override]
        self,
        *scopes: str,
        claims: str | None = None,
        tenant_id: str | None = None,
        enable_cae: bool = False,
        **kwargs: Any,
    ) -> AccessToken:
        return StaticTokenCredential.get_token(self, *scopes)

    async def get_token_info(self, *scopes: str, options: Any = None) -> AccessTokenInfo:  # type: ignore[override]
        return StaticTokenCredential.get_token_info(self, *scopes)

    async def close(self) -> None:  # type: ignore[override]
        """Nothing to release."""

    async def __aenter__(self) -> AsyncStaticTokenCredential:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        return None


def graph_client_at(
    base_url: str, token: str, http: httpx.AsyncClient | None = None
) -> GraphServiceClient:
    """A `GraphServiceClient` aimed at `base_url` (ending in `/v1.0`); `http` replaces the
    SDK's default transport (its middleware) when given."""
    from kiota_authentication_azure.azure_identity_authentication_provider import (
        AzureIdentityAuthenticationProvider,
    )
    from msgraph import GraphRequestAdapter, GraphServiceClient

    auth = AzureIdentityAuthenticationProvider(StaticTokenCredential(token), scopes=GRAPH_SCOPES)
    adapter = GraphRequestAdapter(auth, client=http)
    adapter.base_url = base_url
    return GraphServiceClient(request_adapter=adapter)


def graph_client(info: SandboxInfo) -> GraphServiceClient:
    """A `GraphServiceClient` pointed at the sandbox, with the SDK's default middleware."""
    return graph_client_at(info.graph_base_url, info.graph_token)


def jira_client(info: SandboxInfo, *, version: str = "3", pat: bool = False, **kwargs: Any) -> JIRA:
    """A `jira.JIRA` on the sandbox (basic auth with the API token, or the bearer PAT)."""
    from jira import JIRA

    auth: dict[str, Any] = (
        {"token_auth": info.jira_pat}
        if pat
        else {"basic_auth": (info.jira_email, info.jira_api_token)}
    )
    return JIRA(info.jira_url, options={"rest_api_version": version}, **auth, **kwargs)
