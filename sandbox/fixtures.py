"""Pytest fixtures for anyone testing against the sandbox.

Use them from a ``conftest.py``::

    from sandbox.fixtures import demo_tenant, sandbox_server  # noqa: F401

``sandbox_server`` serves a fresh copy of the demo tenant per test (writes never leak
between tests); override ``demo_tenant`` to serve another document.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest

from sandbox.generator.demo import generate_demo
from sandbox.server import SandboxServer, start_sandbox

_DEMO_CACHE: dict[int, tuple[dict[str, Any], dict[str, Any]]] = {}


def demo(seed: int = 7) -> tuple[dict[str, Any], dict[str, Any]]:
    """The demo tenant and manifest, generated once per process (callers get copies)."""
    if seed not in _DEMO_CACHE:
        _DEMO_CACHE[seed] = generate_demo(seed)
    doc, manifest = _DEMO_CACHE[seed]
    return copy.deepcopy(doc), copy.deepcopy(manifest)


@pytest.fixture
def demo_tenant() -> dict[str, Any]:
    return demo()[0]


@pytest.fixture
def sandbox_server(demo_tenant: dict[str, Any]) -> Iterator[SandboxServer]:
    with start_sandbox(demo_tenant) as server:
        yield server
