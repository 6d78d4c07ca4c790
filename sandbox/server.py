"""Running the sandbox: a uvicorn server on 127.0.0.1 in a thread, or in the foreground.

`start_sandbox` is the in-process starter (a context manager); `SandboxInfo` is the one
JSON object that scripts and tests connect with (base URLs and working credentials).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from sandbox.app import CURRENT_TRANSPORT, SandboxApp
from sandbox.errors import webhook_signature
from sandbox.faults import FaultInjector, FaultRule
from sandbox.state import SandboxState
from sandbox.tenant import load_tenant

HOST = "127.0.0.1"  # the Graph SDK allows plain http only on loopback


@dataclass(frozen=True)
class SandboxInfo:
    jira_url: str
    jira_email: str
    jira_api_token: str
    jira_pat: str
    graph_base_url: str
    graph_token: str
    webhook_url: str
    control_url: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class _TransportAwareH11(H11Protocol):
    """Hands each request's transport to the app (for the ``drop`` faults), without Nagle."""

    def connection_made(self, transport: Any) -> None:  # type: ignore[override]
        # h11 writes the head and the body separately; with Nagle on, a keep-alive client's
        # delayed ACK holds the body back ~40 ms per request.
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)

    def data_received(self, data: bytes) -> None:
        CURRENT_TRANSPORT.set(self.transport)
        super().data_received(data)


class SandboxServer:
    """One server, one port, every service. ``start()`` returns once it accepts requests."""

    def __init__(
        self,
        state: SandboxState,
        *,
        port: int = 0,
        faults: list[FaultRule] | None = None,
        fault_seed: int = 0,
    ) -> None:
        self.state = state
        self.app = SandboxApp(state, FaultInjector(faults, seed=fault_seed))
        self._socket = _bind(port)
        self.port = self._socket.getsockname()[1]
        base = f"http://{HOST}:{self.port}"
        state.jira_base, state.graph_base = base, f"{base}/v1.0"
        state.webhook_base = f"{base}/webhooks"
        config = uvicorn.Config(
            self.app,
            http=_TransportAwareH11,
            log_level="warning",
            access_log=False,
            lifespan="off",
            timeout_keep_alive=30,
        )
        self._server = uvicorn.Server(config)
        self._thread: threading.Thread | None = None

    @property
    def info(self) -> SandboxInfo:
        creds = self.state.credentials
        base = self.state.jira_base
        return SandboxInfo(
            jira_url=base,
            jira_email=creds["jira"]["email"],
            jira_api_token=creds["jira"]["api_token"],
            jira_pat=creds["jira"]["pat"],
            graph_base_url=self.state.graph_base,
            graph_token=creds["graph"]["token"],
            webhook_url=f"{self.state.webhook_base}/teams/pmo?sig={webhook_signature(creds)}",
            control_url=f"{base}/_sandbox",
        )

    def serve_forever(self) -> None:
        self._server.run(sockets=[self._socket])

    def start(self, timeout_s: float = 10.0) -> None:
        self._thread = threading.Thread(target=self.serve_forever, name="sandbox", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout_s
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError(f"sandbox server did not start on {HOST}:{self.port}")
            time.sleep(0.01)

    def stop(self) -> None:
        self._server.should_exit = True
        if self._thread:
            self._thread.join(timeout=10)
        self._socket.close()


def _bind(port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((HOST, port))
    except OSError as exc:
        sock.close()
        raise RuntimeError(f"can't listen on {HOST}:{port}: {exc.strerror}") from exc
    sock.listen(128)
    return sock


@contextmanager
def start_sandbox(
    tenant: str | Path | dict[str, Any],
    *,
    port: int = 0,
    faults: list[FaultRule] | None = None,
    fault_seed: int = 0,
) -> Iterator[SandboxServer]:
    """Serve a tenant (a file or an already-loaded document) for the ``with`` block."""
    doc = load_tenant(tenant) if isinstance(tenant, str | Path) else tenant
    server = SandboxServer(SandboxState(doc), port=port, faults=faults, fault_seed=fault_seed)
    server.start()
    try:
        yield server
    finally:
        server.stop()
