"""The tenant generator (public entry point: `sandbox.gen.api.generate_tenant`)."""
