"""Connecting the real clients to a sandbox: a static-token credential msgraph-sdk accepts,
and ready-made `jira.JIRA` / `GraphServiceClient` builders for scripts and tests.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from azure.core.credentials import AccessToken

if TYPE_CHECKING:
    from jira import JIRA
    from msgraph import GraphServiceClient

    from sandbox.server import SandboxInfo

GRAPH_SCOPES = ["https://graph.microsoft.com/.default"]


class StaticTokenCredential:
    """An azure ``TokenCredential`` that always returns one token (the sandbox's).

    The Graph SDK asks a credential for a token per request; against the sandbox there is
    no identity platform, so the token given at construction is the whole story.
    """

    def __init__(self, token: str, lifetime_s: int = 3600) -> None:
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

    def __repr__(self) -> str:  # never show the token
        return "StaticTokenCredential(<redacted>)"


def graph_client(info: SandboxInfo) -> GraphServiceClient:
    """A `GraphServiceClient` pointed at the sandbox, with the SDK's default middleware."""
    from kiota_authentication_azure.azure_identity_authentication_provider import (
        AzureIdentityAuthenticationProvider,
    )
    from msgraph import GraphRequestAdapter, GraphServiceClient

    auth = AzureIdentityAuthenticationProvider(
        StaticTokenCredential(info.graph_token), scopes=GRAPH_SCOPES
    )
    adapter = GraphRequestAdapter(auth)
    adapter.base_url = info.graph_base_url
    return GraphServiceClient(request_adapter=adapter)


def jira_client(info: SandboxInfo, *, version: str = "3", pat: bool = False, **kwargs: Any) -> JIRA:
    """A `jira.JIRA` on the sandbox (basic auth with the API token, or the bearer PAT)."""
    from jira import JIRA

    auth: dict[str, Any] = (
        {"token_auth": info.jira_pat}
        if pat
        else {"basic_auth": (info.jira_email, info.jira_api_token)}
    )
    return JIRA(info.jira_url, options={"rest_api_version": version}, **auth, **kwargs)
