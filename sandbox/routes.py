"""Every Jira (`sandbox.jira`) and control route the sandbox serves, in one router (Graph:
`sandbox.graph`)."""

from __future__ import annotations

from sandbox import control
from sandbox.jira import create, history, meta, search, write
from sandbox.router import Router


def build_router() -> Router:
    router = Router()
    for module in (control, meta, search, history, write, create):
        module.register(router)
    return router
