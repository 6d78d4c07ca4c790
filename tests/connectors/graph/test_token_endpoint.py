"""App-only sign-in for real (issue 13 point 6): azure-identity's `ClientSecretCredential`
against a token endpoint on 127.0.0.1 (TLS with a throw-away CA), national clouds, and one
token per run however many connections (sync, each publication) the run opens."""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import ssl
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pydantic import ValidationError

from config.settings import GraphSettings
from connectors.graph.client import CachedTokenCredential
from connectors.graph.sync import sync_graph
from tests.connectors.graph.conftest import graph_settings
from tests.connectors.graph.tenant import TOKEN


def _self_signed(tmp: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp / "cert.pem", tmp / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


class TokenEndpoint:
    """Entra ID's v2.0 token endpoint, as far as the client-credentials grant goes."""

    def __init__(self, tmp: Path) -> None:
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.cert, key = _self_signed(tmp)
        seen = self.requests

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"])).decode()
                form = {k: v[0] for k, v in parse_qs(body).items()}
                seen.append((self.path, form))
                reply = {"token_type": "Bearer", "expires_in": 3600, "access_token": TOKEN}
                data = json.dumps(reply).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert, key)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.url = f"https://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def endpoint(tmp_path: Path) -> Iterator[TokenEndpoint]:
    CachedTokenCredential.forget_all()
    found = TokenEndpoint(tmp_path)
    yield found
    found.close()
    CachedTokenCredential.forget_all()


def test_client_secret_signs_in_once_per_run(endpoint, sandbox, warehouse, monkeypatch):
    monkeypatch.setenv("PMO_TEST_GRAPH_SECRET", "s3cret-value")
    settings = graph_settings(
        base_url=sandbox.info.graph_base_url,
        tenant_id="tenant-1",
        client_id="app-1",
        client_secret={"env": "PMO_TEST_GRAPH_SECRET"},
        authority=endpoint.url,
        ca_bundle=str(endpoint.cert),
    )
    first = sync_graph(settings, warehouse)  # no token passed in: app-only sign-in
    second = sync_graph(settings, warehouse)  # a second connection in the same run
    assert all(s.ok for s in first + second), [s.errors for s in first + second]
    assert len(endpoint.requests) == 1  # one token, cached until it expires
    path, form = endpoint.requests[0]
    assert path == "/tenant-1/oauth2/v2.0/token"
    assert form["grant_type"] == "client_credentials" and form["client_id"] == "app-1"
    assert form["client_secret"] == "s3cret-value"
    assert form["scope"] == "https://graph.microsoft.com/.default"  # graph.cloud global


@pytest.mark.parametrize(
    ("graph", "authority", "scope"),
    [
        ({}, "https://login.microsoftonline.com", "https://graph.microsoft.com/.default"),
        (
            {"cloud": "usgov", "base_url": "https://graph.microsoft.us/v1.0"},
            "https://login.microsoftonline.us",
            "https://graph.microsoft.us/.default",
        ),
        (
            {"cloud": "usgov-dod", "base_url": "https://dod-graph.microsoft.us/v1.0"},
            "https://login.microsoftonline.us",
            "https://dod-graph.microsoft.us/.default",
        ),
        (
            {"cloud": "china", "base_url": "https://microsoftgraph.chinacloudapi.cn/v1.0"},
            "https://login.chinacloudapi.cn",
            "https://microsoftgraph.chinacloudapi.cn/.default",
        ),
        (  # explicit authority and scope, consistent with the base URL
            {
                "base_url": "https://graph.microsoft.us/v1.0",
                "authority": "https://login.microsoftonline.us/",
                "scope": "https://graph.microsoft.us/.default",
            },
            "https://login.microsoftonline.us",
            "https://graph.microsoft.us/.default",
        ),
    ],
)
def test_each_cloud_has_its_authority_and_scope(graph, authority, scope):
    settings = GraphSettings(**graph)
    assert (settings.token_authority, settings.token_scope) == (authority, scope)


@pytest.mark.parametrize(
    ("graph", "message"),
    [
        ({"cloud": "usgov", "base_url": "https://graph.microsoft.com/v1.0"}, "graph.microsoft.us"),
        ({"cloud": "china", "base_url": "https://graph.microsoft.us/v1.0"}, "graph.cloud"),
        ({"authority": "http://login.example"}, "must be an https URL"),
    ],
)
def test_a_base_url_of_another_cloud_is_a_configuration_error(graph, message):
    with pytest.raises(ValidationError, match=message):
        GraphSettings(**graph)
