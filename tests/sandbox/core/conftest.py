"""Fixtures for the sandbox core tests: the demo tenant served per test, and a plain HTTP
session on its Jira API."""

import requests

from sandbox.fixtures import demo_tenant, sandbox_server
from sandbox.server import SandboxServer

__all__ = ["demo_tenant", "jira_session", "sandbox_server"]


def jira_session(server: SandboxServer, version: str = "3") -> tuple[requests.Session, str]:
    """A session authenticated with the API token, and the base URL of the REST API."""
    session = requests.Session()
    session.auth = (server.info.jira_email, server.info.jira_api_token)
    return session, f"{server.info.jira_url}/rest/api/{version}"
