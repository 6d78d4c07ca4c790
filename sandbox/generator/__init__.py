"""Tenant generators: a demo portfolio with planted problems, and benchmark-scale tenants."""


def __getattr__(name: str) -> object:
    # The full tenant generator (sandbox/gen/) is reachable as sandbox.generator.generate_tenant;
    # imported lazily so the modules of this package stay cheap to import.
    if name == "generate_tenant":
        from sandbox.gen.api import generate_tenant

        return generate_tenant
    raise AttributeError(f"module 'sandbox.generator' has no attribute {name!r}")
