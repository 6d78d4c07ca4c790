"""Tenant generators: a demo portfolio with planted problems, and benchmark-scale tenants."""
