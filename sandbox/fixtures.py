"""Pytest fixtures for anyone testing against the sandbox.

Use them from a ``conftest.py``::

    from sandbox.fixtures import demo_tenant, sandbox_server  # noqa: F401

``sandbox_server`` serves a fresh copy of the demo tenant (the product generator's, see
`sandbox.generator.generate_tenant`) per test, so writes never leak between tests; override
``demo_tenant`` to serve another document.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from typing import Any

import pytest

from sandbox.generator import generate_tenant
from sandbox.server import SandboxServer, start_sandbox

# Generating the demo takes seconds, copying it a tenth of that: generate once per process
# and hand out unpickled copies (several times faster than `copy.deepcopy`).
_DEMO_CACHE: dict[int, bytes] = {}


def demo(seed: int = 7) -> tuple[dict[str, Any], dict[str, Any]]:
    """The demo tenant and manifest, generated once per process (callers get copies)."""
    if seed not in _DEMO_CACHE:
        _DEMO_CACHE[seed] = pickle.dumps(generate_tenant(seed, "demo"), pickle.HIGHEST_PROTOCOL)
    doc, manifest = pickle.loads(_DEMO_CACHE[seed])  # noqa: S301 (our own bytes, this process)
    return doc, manifest


@pytest.fixture
def demo_tenant() -> dict[str, Any]:
    return demo()[0]


@pytest.fixture
def sandbox_server(demo_tenant: dict[str, Any]) -> Iterator[SandboxServer]:
    with start_sandbox(demo_tenant) as server:
        yield server
