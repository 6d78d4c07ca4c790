"""Client wiring: the real `jira` client, configured from settings, behind `JiraApi`.

The connector calls the `jira.JIRA` client's public methods where they say what we send
(`server_info`, `fields`, `project`, `boards`, `add_attachment`, `create_issue`, issue
properties, ...). The client's own retry loop is off (``max_retries=0``: its
ResilientSession would retry only 429/503, sleep up to a minute, fail on an HTTP-date
``Retry-After`` and repeat a POST blindly); instead every attempt the client's session
sends goes through one transport adapter, `PolicyAdapter`, which applies
`connectors.resilience` (the same rules as Graph and the webhook) and counts it. So there
is one retry loop per request, whichever method sent it, and no double retries.

Where the client has no method for a request, or its method would send something else
(see `JiraApi.request`), the request goes through the client's own session (its auth,
headers, timeout and error handling), so it is policed and counted the same way.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar, cast
from urllib.parse import urlsplit

import requests
from jira import JIRA, JIRAError
from requests.adapters import HTTPAdapter

from config.settings import jira_part
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

if TYPE_CHECKING:
    from config.settings import JiraSettings, Settings

# POSTs that only read: repeating them is harmless, so the retry policy may repeat them.
READ_ONLY_POSTS = (
    "search/jql",
    "search",
    "search/approximate-count",
    "changelog/bulkfetch",
    "worklog/list",
    "comment/list",
)
# Error texts we can match and show: Jira localises them to the account's language unless
# told to honour Accept-Language.
ENGLISH = {"Accept-Language": "en", "X-Force-Accept-Language": "true"}
T = TypeVar("T")


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


def _what(request: requests.PreparedRequest | None) -> str:
    """`METHOD /path` of a request, for messages (never its query, headers or body)."""
    if request is None:
        return "Jira request"
    return f"{request.method} {urlsplit(str(request.url)).path}"


class PolicyAdapter(HTTPAdapter):
    """The transport under the client's session: each `send` is one request, sent under
    the shared policy (`RetryingCaller`), every attempt counted. A request is repeatable by
    its method (and the read-only POSTs above); a create that got no clear answer raises
    `JiraConnectionLostError` instead of being sent twice."""

    def __init__(self, caller: RetryingCaller) -> None:
        super().__init__()
        self.caller = caller

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        body = request.body
        if body is not None and not isinstance(body, bytes | str):
            # A streamed body (the client's multipart upload): read once, so a retry (of a
            # throttled or never-sent request) sends the same bytes again.
            request.body = (
                body.read() if hasattr(body, "read") else b"".join(cast(Iterable[bytes], body))
            )
        path = urlsplit(str(request.url)).path
        repeatable = is_repeatable(str(request.method), path, READ_ONLY_POSTS)

        def attempt() -> requests.Response:
            response = HTTPAdapter.send(self, request, **kwargs)
            if not kwargs.get("stream"):
                # Read the answer here, not later in the session: a connection dropped
                # mid-answer is then a failed attempt the policy judges.
                _ = response.content
            return response

        return self.caller.call(attempt, _what(request), idempotent=repeatable)


class JiraApi:
    """The `jira` client, with our policy under it and our errors over it.

    `call` runs a client method and turns the client's `JIRAError` into the connector's
    errors (which name what failed and never echo credentials); `get`/`post`/`put` send what
    the client has no method for."""

    def __init__(
        self, client: JIRA, endpoint: Endpoint, policy: RetryPolicy, *, seed: int | None = None
    ) -> None:
        self.client = client
        self.endpoint = endpoint
        self.stats = HttpStats()
        self.caller = RetryingCaller(policy, self.stats, seed=seed)
        adapter = PolicyAdapter(self.caller)
        # jira 3.10 takes no session or transport from outside and exposes its session only
        # as `_session`: the adapter is mounted there, and `request` (below) sends through it.
        for prefix in ("http://", "https://"):
            client._session.mount(prefix, adapter)
        # The client's @cloud_api methods (approximate_issue_count) look at deploymentType,
        # which it learns only from serverInfo; the deployment is configured, so say it.
        client.deploymentType = "Cloud" if self.is_cloud else "Server"
        self.server: dict[str, Any] | None = None  # serverInfo, once read

    @property
    def session(self) -> requests.Session:
        """The client's session (its auth and headers), for inspection."""
        return self.client._session

    @property
    def is_cloud(self) -> bool:
        return self.endpoint.deployment == "cloud"

    def call(self, action: Callable[[], T], *, context: str = "") -> T:
        """`action()` (a client method), its failures as connector errors."""
        try:
            return action()
        except JIRAError as exc:
            response = exc.response
            what = _what(response.request) if response is not None else "Jira request"
            if response is not None and response.status_code >= 400:
                raise_for_status(response, what, context)
            where = f"{what} ({context})" if context else what
            raise JiraError(f"{where}: {exc.text or 'no usable answer'}", path=what) from None
        except ValueError:  # a 2xx answer that is not JSON
            raise JiraError(f"{context or 'Jira request'}: the response is not JSON") from None

    def url(self, path: str) -> str:
        base = f"rest/api/{self.endpoint.api_version}"
        return f"{self.endpoint.url.rstrip('/')}/{base}/{path.lstrip('/')}"

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
        context: str = "",
    ) -> Any:
        """A REST call the client has no public method for, or whose method sends something
        else: the searches (`search_issues`/`enhanced_search_issues` first read every field
        definition to translate JQL names, one `GET field` per client that our field ids do
        not need, on every incremental run), the changelog and worklog streams, and comments
        created with their entity property (`add_comment` cannot send one). jira 3.10 has no
        public generic request method, so this is its session's `request`: the client's
        auth, headers, timeout and error handling, and our adapter under it."""
        url = self.url(path)
        data = json.dumps(body) if body is not None else None
        session = self.client._session

        def send() -> requests.Response:
            return session.request(method, url, params=dict(params or {}), data=data)

        response = self.call(send, context=context)
        return json_body(response, _what(response.request))

    def get(self, path: str, params: Mapping[str, Any] | None = None, **kw: Any) -> Any:
        return self.request("GET", path, params=params, **kw)

    def post(self, path: str, body: Any, **kw: Any) -> Any:
        return self.request("POST", path, body=body, **kw)

    def put(self, path: str, body: Any, **kw: Any) -> Any:
        return self.request("PUT", path, body=body, **kw)

    def find(self, path_format: str, ids: tuple[str, str], *, context: str) -> dict[str, Any]:
        """A resource the client has no method for, by the client's generic `find`."""
        return dict(
            self.call(lambda: self.client.find(path_format, ids), context=context).raw or {}
        )

    def server_info(self) -> dict[str, Any]:
        info = self.call(self.client.server_info, context="checking the Jira URL")
        if not isinstance(info, dict) or "versionNumbers" not in info:
            raise JiraError(f"{self.endpoint.url} does not answer like Jira (serverInfo)")
        self.server = info
        return info

    def ensure_server(self) -> dict[str, Any]:
        """serverInfo at most once per client: the sync asks only when it re-reads metadata
        (first run, `--full`, refresh interval elapsed), not on every incremental run."""
        return self.server if self.server is not None else self.server_info()


# The sandbox's `SandboxInfo` or its `as_dict()` (URLs and credentials of a running sandbox)
SandboxInfo = Mapping[str, Any] | object


def _sandbox_endpoint(settings: JiraSettings, sandbox_info: SandboxInfo) -> Endpoint:
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


def _get(obj: SandboxInfo, name: str) -> Any:
    return obj[name] if isinstance(obj, Mapping) else getattr(obj, name)


def endpoint_from_settings(
    settings: JiraSettings, sandbox_info: SandboxInfo | None = None
) -> Endpoint:
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
    settings: Settings | JiraSettings,
    sandbox_info: SandboxInfo | None = None,
    *,
    seed: int | None = None,
    check_server: bool = False,
) -> JiraApi:
    """A ready `JiraApi` for `settings` (the whole `Settings` or its `jira` part).

    `check_server` reads serverInfo now (fails fast on a wrong URL or credentials); without
    it the sync reads it only when it refreshes metadata (`JiraApi.ensure_server`)."""
    jira_settings = jira_part(settings)
    endpoint = endpoint_from_settings(jira_settings, sandbox_info)
    auth: dict[str, Any] = (
        {"basic_auth": (endpoint.email, endpoint.api_token)}
        if endpoint.deployment == "cloud"
        else {"token_auth": endpoint.personal_access_token}
    )
    client = JIRA(
        server=endpoint.url,
        options={
            "rest_api_version": endpoint.api_version,
            "check_update": False,
            "headers": ENGLISH,
        },
        get_server_info=False,  # read when needed (`ensure_server`), under our policy
        max_retries=0,  # one retry loop: our adapter's (see the module docstring)
        timeout=jira_settings.timeout_seconds,
        logging=False,
        **auth,
    )
    policy = RetryPolicy(
        max_retries=jira_settings.max_retries, max_total_wait=jira_settings.max_total_wait_seconds
    )
    api = JiraApi(client, endpoint, policy, seed=seed)
    if check_server:
        set_label("*")
        api.server_info()
    return api
