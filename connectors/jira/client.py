"""Client wiring: the real `jira` client, configured from settings, behind `JiraApi`.

`JiraApi` sends every request through the client's own session (its auth, its headers)
and through one `RetryingCaller`, so timeouts, retries, counting and error wording are
the same for every endpoint, wrapped by the library or not.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import requests
from jira import JIRA

from connectors.jira.errors import JiraError
from connectors.jira.http import (
    HttpStats,
    RetryingCaller,
    RetryPolicy,
    json_body,
    raise_for_status,
    set_label,
)
from connectors.resilience import is_repeatable

AGILE = "agile/1.0"
# POSTs that only read: repeating them is harmless, so the retry policy may repeat them.
READ_ONLY_POSTS = (
    "search/jql",
    "search",
    "search/approximate-count",
    "changelog/bulkfetch",
    "worklog/list",
)


@dataclass(frozen=True)
class Endpoint:
    """Where and how to reach Jira; credentials already resolved (never logged)."""

    url: str
    deployment: str  # cloud or datacenter
    email: str | None = None
    api_token: str | None = None
    personal_access_token: str | None = None

    def __repr__(self) -> str:  # secrets never in reprs
        return f"Endpoint(url={self.url!r}, deployment={self.deployment!r})"

    @property
    def api_version(self) -> str:
        return "3" if self.deployment == "cloud" else "2"


class JiraApi:
    """Thin typed door: `get`/`post`/`put` on REST paths, returning parsed JSON."""

    def __init__(
        self,
        client: JIRA,
        endpoint: Endpoint,
        policy: RetryPolicy,
        *,
        timeout: float,
        seed: int | None = None,
    ) -> None:
        self.client = client
        self.endpoint = endpoint
        self.stats = HttpStats()
        self.caller = RetryingCaller(policy, self.stats, seed=seed)
        self.timeout = timeout
        self.session: requests.Session = client._session  # the client's own session
        # Error texts we can match and show: Jira localises them to the account's language
        # unless told to honour Accept-Language.
        self.session.headers["Accept-Language"] = "en"
        self.session.headers["X-Force-Accept-Language"] = "true"
        self.server: dict[str, Any] | None = None  # serverInfo, once read

    @property
    def is_cloud(self) -> bool:
        return self.endpoint.deployment == "cloud"

    def url(self, path: str, api: str | None = None) -> str:
        base = f"rest/{api}" if api else f"rest/api/{self.endpoint.api_version}"
        return f"{self.endpoint.url.rstrip('/')}/{base}/{path.lstrip('/')}"

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
        api: str | None = None,
        context: str = "",
        data: Any = None,
        headers: Mapping[str, str] | None = None,
        files: Any = None,
        idempotent: bool | None = None,
    ) -> Any:
        """`idempotent`: None decides by method (a POST creates, unless it is one of the
        read-only POSTs); a caller that knows better says so."""
        url = self.url(path, api)
        if idempotent is None:
            idempotent = is_repeatable(method, path, READ_ONLY_POSTS)
        what = f"{method} /rest/{api or 'api/' + self.endpoint.api_version}/{path.lstrip('/')}"
        payload = json.dumps(body) if body is not None else data

        def send() -> requests.Response:
            # Bypass ResilientSession.request's own retry loop by calling the base class.
            return requests.Session.request(
                self.session,
                method,
                url,
                params=params,
                data=payload,
                files=files,
                headers=dict(headers or {}),
                timeout=self.timeout,
            )

        response = self.caller.call(send, what, idempotent=idempotent)
        raise_for_status(response, what, context)
        return json_body(response, what)

    def get(self, path: str, params: Mapping[str, Any] | None = None, **kw: Any) -> Any:
        return self.request("GET", path, params=params, **kw)

    def post(self, path: str, body: Any, **kw: Any) -> Any:
        return self.request("POST", path, body=body, **kw)

    def put(self, path: str, body: Any, **kw: Any) -> Any:
        return self.request("PUT", path, body=body, **kw)

    def server_info(self) -> dict[str, Any]:
        info = self.get("serverInfo", api="api/2", context="checking the Jira URL")
        if not isinstance(info, dict) or "versionNumbers" not in info:
            raise JiraError(f"{self.endpoint.url} does not answer like Jira (serverInfo)")
        self.client.deploymentType = info.get("deploymentType")
        self.server = info
        return info

    def ensure_server(self) -> dict[str, Any]:
        """serverInfo at most once per client: the sync asks only when it re-reads metadata
        (first run, `--full`, refresh interval elapsed), not on every incremental run."""
        return self.server if self.server is not None else self.server_info()


def _sandbox_endpoint(settings: Any, sandbox_info: Any) -> Endpoint:
    """From `sandbox.server.SandboxInfo` (or its `as_dict()`)."""
    url = _get(sandbox_info, "jira_url")
    if settings.deployment == "datacenter":
        return Endpoint(url, "datacenter", personal_access_token=_get(sandbox_info, "jira_pat"))
    return Endpoint(
        url,
        "cloud",
        email=_get(sandbox_info, "jira_email"),
        api_token=_get(sandbox_info, "jira_api_token"),
    )


def _get(obj: Any, name: str) -> Any:
    return obj[name] if isinstance(obj, Mapping) else getattr(obj, name)


def endpoint_from_settings(settings: Any, sandbox_info: Any = None) -> Endpoint:
    """`settings` is `JiraSettings`. Secrets are resolved here, at the edge, and only here."""
    if settings.url == "sandbox":
        if sandbox_info is None:
            raise JiraError(
                "jira.url is 'sandbox' but no sandbox is running: start it with "
                "`pmo demo` or set jira.url to a real Jira URL"
            )
        return _sandbox_endpoint(settings, sandbox_info)
    if settings.deployment == "datacenter":
        if settings.personal_access_token is None:
            raise JiraError("jira.personal_access_token is required for deployment: datacenter")
        return Endpoint(
            settings.url,
            "datacenter",
            personal_access_token=settings.personal_access_token.resolve(),
        )
    if not settings.email or settings.api_token is None:
        raise JiraError("jira.email and jira.api_token are required for deployment: cloud")
    return Endpoint(
        settings.url, "cloud", email=settings.email, api_token=settings.api_token.resolve()
    )


def build_jira(
    settings: Any, sandbox_info: Any = None, *, seed: int | None = None, check_server: bool = False
) -> JiraApi:
    """A ready `JiraApi` for `settings` (the whole `Settings` or its `jira` part).

    `check_server` reads serverInfo now (fails fast on a wrong URL or credentials); without
    it the sync reads it only when it refreshes metadata (`JiraApi.ensure_server`)."""
    jira_settings = getattr(settings, "jira", settings)
    endpoint = endpoint_from_settings(jira_settings, sandbox_info)
    auth: dict[str, Any] = (
        {"basic_auth": (endpoint.email, endpoint.api_token)}
        if endpoint.deployment == "cloud"
        else {"token_auth": endpoint.personal_access_token}
    )
    client = JIRA(
        server=endpoint.url,
        options={"rest_api_version": endpoint.api_version, "check_update": False},
        get_server_info=False,  # we ask ourselves, through the retry policy
        max_retries=0,  # our policy retries; the client's would sleep up to a minute
        timeout=jira_settings.timeout_seconds,
        logging=False,
        **auth,
    )
    policy = RetryPolicy(
        max_retries=jira_settings.max_retries, max_total_wait=jira_settings.max_total_wait_seconds
    )
    api = JiraApi(client, endpoint, policy, timeout=jira_settings.timeout_seconds, seed=seed)
    if check_server:
        set_label("*")
        api.server_info()
    return api
