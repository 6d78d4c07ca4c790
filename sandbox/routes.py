"""Every Jira and control route the sandbox serves, in one router (Graph: `sandbox.graph`)."""

from __future__ import annotations

from sandbox import control, jira_create, jira_history, jira_meta, jira_search, jira_write
from sandbox.router import Router


def build_router() -> Router:
    router = Router()
    for module in (control, jira_meta, jira_search, jira_history, jira_write, jira_create):
        module.register(router)
    return router
