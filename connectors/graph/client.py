"""Building the async `GraphServiceClient`: credentials, retries, timeouts, counters, limits.

- Real tenants: app-only via azure-identity (`ClientSecretCredential` or
  `CertificateCredential`); the sandbox (or a token from elsewhere): a static bearer token.
- Retries follow the product's one policy (`connectors.resilience`) through
  `PolicyRetryHandler`, which replaces the SDK's `RetryHandler`: 429/5xx and dropped
  connections are retried for requests safe to repeat (reads, PUT of content, `$batch` of
  reads), bounded by `graph.max_retries` and `graph.max_total_wait_seconds`; a create that
  may have reached Graph raises `OutcomeUnknownError` for the publisher to look up.
- `CountingHandler` sits next to the transport and counts every attempt, for the summary.
- One `asyncio.Semaphore` per service bounds concurrency (`graph.concurrency`).
"""

from __future__ import annotations

import asyncio
import hashlib
import random
import threading
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar

import httpx
from azure.core.credentials import AccessToken
from kiota_authentication_azure.azure_identity_authentication_provider import (
    AzureIdentityAuthenticationProvider,
)
from kiota_http.kiota_client_factory import KiotaClientFactory
from kiota_http.middleware import RetryHandler
from kiota_http.middleware.middleware import BaseMiddleware
from msgraph import GraphRequestAdapter, GraphServiceClient
from msgraph_core import GraphClientFactory

from config.settings import ConfigError, GraphSettings
from connectors.resilience import Attempts, OutcomeUnknownError, RetryPolicy, is_repeatable

T = TypeVar("T")
TOKEN_REFRESH_MARGIN = 300  # seconds before expiry a cached token is replaced
SERVICES = ("directory", "planner", "shifts", "sharepoint", "publish")
# Which service the running task works for, so the counters can attribute requests.
CURRENT_SERVICE: ContextVar[str] = ContextVar("graph_service", default="other")


def run_blocking(work: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine from sync code, also when the caller's thread already runs a loop
    (a Prefect async task, a notebook): then it runs on a fresh loop in a helper thread."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(work)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, work).result()


class StaticTokenCredential:
    """A duck-typed azure `TokenCredential` for a token obtained elsewhere (sandbox, delegated)."""

    def __init__(self, token: str) -> None:
        self._token = token

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        return AccessToken(self._token, int(time.time()) + 3600)

    def __repr__(self) -> str:  # never show the token
        return "StaticTokenCredential(***)"


@dataclass
class GraphCounters:
    """Requests as sent on the wire (retries included), by status; for `SyncSummary`."""

    requests: int = 0
    retries: int = 0
    dropped: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    requests_by_service: Counter[str] = field(default_factory=Counter)
    retries_by_service: Counter[str] = field(default_factory=Counter)

    def count(self, *, retry: bool) -> None:
        service = CURRENT_SERVICE.get()
        self.requests += 1
        self.requests_by_service[service] += 1
        if retry:
            self.retries += 1
            self.retries_by_service[service] += 1


class CountingHandler(BaseMiddleware):
    def __init__(self, counters: GraphCounters) -> None:
        super().__init__()
        self.counters = counters

    async def send(
        self, request: httpx.Request, transport: httpx.AsyncBaseTransport
    ) -> httpx.Response:
        self.counters.count(retry="Retry-Attempt" in request.headers)
        response = await super().send(request, transport)
        self.counters.statuses[response.status_code] += 1
        return response


# POSTs to Graph that are safe to repeat: the connector's `$batch` requests carry GETs only,
# and a second upload session leaves no trace (an unused one expires; the file is PUT).
READ_ONLY_POSTS = ("/$batch", "/createUploadSession")


def safe_to_repeat(request: httpx.Request) -> bool:
    """Repeating it cannot create a second copy of anything."""
    return is_repeatable(request.method, request.url.path, READ_ONLY_POSTS)


class PolicyRetryHandler(BaseMiddleware):
    """The shared retry policy (`connectors.resilience`) as Graph middleware, in place of the
    SDK's RetryHandler, which repeats POSTs on 503/504 (a gateway timeout on `sendMail` can
    mean the mail went) and does not retry a dropped connection at all.

    A create that may have reached Graph raises `OutcomeUnknownError`; the publisher looks for
    the post's marker before anything is sent again."""

    def __init__(self, counters: GraphCounters, policy: RetryPolicy) -> None:
        super().__init__()
        self.counters = counters
        self.policy = policy
        self.rng = random.Random()

    async def send(
        self, request: httpx.Request, transport: httpx.AsyncBaseTransport
    ) -> httpx.Response:
        attempts = Attempts(self.policy, repeatable=safe_to_repeat(request), rng=self.rng)
        while True:
            response: httpx.Response | None = None
            try:
                response = await super().send(request, transport)
                await response.aread()  # a body cut off mid-way fails here, inside the policy
            except httpx.TransportError as exc:
                self.counters.dropped += 1
                verdict = attempts.after_error(exc)
                if verdict.action == "give_up":
                    raise
            else:
                verdict = attempts.after_status(
                    response.status_code, response.headers.get("retry-after")
                )
                if verdict.action in ("return", "give_up"):
                    return response  # the adapter turns an error status into an APIError
            if response is not None:
                await response.aclose()  # discarded: free its connection before going on
            if verdict.action == "unknown":
                raise OutcomeUnknownError(
                    f"Graph {request.method} {request.url.path}: no clear answer "
                    f"({verdict.reason}); it may have been applied",
                    what=f"{request.method} {request.url.path}",
                )
            # the header marks the attempt as a retry for `CountingHandler` (which counts it)
            request.headers["Retry-Attempt"] = str(attempts.retries)
            await asyncio.sleep(verdict.delay)


@dataclass
class GraphConnection:
    """A client plus what surrounds it: counters, per-service limits, the base URL."""

    client: GraphServiceClient
    http: httpx.AsyncClient
    base_url: str
    counters: GraphCounters
    limits: dict[str, asyncio.Semaphore]
    max_retries: int = 5
    credential: Any = None
    policy: RetryPolicy = field(default_factory=RetryPolicy)  # for requests outside the SDK

    @asynccontextmanager
    async def limit(self, service: str) -> AsyncIterator[None]:
        token = CURRENT_SERVICE.set(service)
        try:
            async with self.limits[service]:
                yield
        finally:
            CURRENT_SERVICE.reset(token)

    async def aclose(self) -> None:
        await self.http.aclose()
        close = getattr(self.credential, "close", None)  # azure.identity.aio credentials
        if close is not None:
            await close()


class CachedTokenCredential:
    """App-only access with one token per authority, tenant, app and scope for the whole
    process (a run), reused until shortly before it expires.

    azure-identity's async credentials belong to the event loop that made them, and each
    publication runs on a loop of its own, so on a miss the credential is made afresh, asked
    once and closed; the token is what is kept. Before, every publication fetched a token.
    """

    _tokens: ClassVar[dict[tuple[str, ...], AccessToken]] = {}
    _lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, make: Callable[[], Any], key: tuple[str, ...]) -> None:
        self._make = make
        self._key = key

    async def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        key = (*self._key, *scopes)
        with self._lock:
            cached = self._tokens.get(key)
        if cached is not None and cached.expires_on - TOKEN_REFRESH_MARGIN > time.time():
            return cached
        credential = self._make()
        try:
            claims = kwargs.get("claims")
            token: AccessToken = await (
                credential.get_token(*scopes, claims=claims)
                if claims
                else credential.get_token(*scopes)
            )
        finally:
            await credential.close()
        with self._lock:
            self._tokens[key] = token
        return token

    @classmethod
    def forget_all(cls) -> None:
        """Drop every cached token (tests; a rotated secret is keyed apart anyway)."""
        with cls._lock:
            cls._tokens.clear()

    async def close(self) -> None:  # nothing held between calls
        return None

    def __repr__(self) -> str:  # the key holds a hash of the secret, never the secret
        return f"CachedTokenCredential(authority={self._key[0]}, tenant={self._key[1]})"


def credential_for(settings: GraphSettings, token: str | None) -> Any:
    """The credential to use: an explicit token, else app-only from config (secret or cert),
    signing in at the cloud's authority (`graph.cloud` or `graph.authority`)."""
    if token:
        return StaticTokenCredential(token)
    if settings.base_url == "sandbox":
        raise ConfigError(
            "graph.base_url is 'sandbox': the sandbox's URL and token must be passed in"
        )
    if not (settings.tenant_id and settings.client_id):
        raise ConfigError("graph.tenant_id and graph.client_id are required for a real tenant")
    from azure.identity.aio import CertificateCredential, ClientSecretCredential

    tenant, client, authority = settings.tenant_id, settings.client_id, settings.token_authority
    options: dict[str, Any] = {"authority": authority}
    if settings.ca_bundle:
        options["connection_verify"] = settings.ca_bundle
    if settings.certificate_path:
        path = settings.certificate_path
        key = (authority, tenant, client, "cert:" + _fingerprint(path))
        return CachedTokenCredential(
            lambda: CertificateCredential(tenant, client, path, **options), key
        )
    if settings.client_secret is None:
        raise ConfigError(
            "graph.client_secret or graph.certificate_path is required for app-only access"
        )
    secret = settings.client_secret.resolve()
    key = (authority, tenant, client, "secret:" + _fingerprint(secret))
    return CachedTokenCredential(
        lambda: ClientSecretCredential(tenant, client, secret, **options), key
    )


def _fingerprint(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:16]


def connect(
    settings: GraphSettings,
    *,
    base_url: str | None = None,
    token: str | None = None,
    retry_delay: float = 0.5,
) -> GraphConnection:
    """A ready connection. `base_url`/`token` override config (the sandbox passes both)."""
    url = (
        base_url or (settings.graph_root if settings.base_url == "sandbox" else settings.base_url)
    ).rstrip("/")
    counters = GraphCounters()
    policy = RetryPolicy(
        max_retries=settings.max_retries,
        max_total_wait=settings.max_total_wait_seconds,
        base_delay=retry_delay,
    )
    middleware = [
        m
        for m in KiotaClientFactory.get_default_middleware(None)
        if not isinstance(m, RetryHandler)  # ours replaces it (one policy for all HTTP)
    ]
    middleware += [PolicyRetryHandler(counters, policy), CountingHandler(counters)]
    http = httpx.AsyncClient(timeout=settings.timeout_seconds, verify=settings.ca_bundle or True)
    http = GraphClientFactory.create_with_custom_middleware(middleware, client=http)
    credential = credential_for(settings, token)
    auth = AzureIdentityAuthenticationProvider(credential, scopes=[settings.token_scope])
    adapter = GraphRequestAdapter(auth, client=http)
    adapter.base_url = url
    limits = {name: asyncio.Semaphore(settings.concurrency) for name in SERVICES}
    client = GraphServiceClient(request_adapter=adapter)
    return GraphConnection(
        client, http, url, counters, limits, settings.max_retries, credential, policy
    )
