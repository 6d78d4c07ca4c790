"""Fixtures for the sandbox core tests: the demo tenant served per test."""

from sandbox.fixtures import demo_tenant, sandbox_server

__all__ = ["demo_tenant", "sandbox_server"]
