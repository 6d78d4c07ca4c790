"""Microsoft Graph v1.0 emulator of the sandbox: Planner, Shifts, SharePoint, Teams, mail."""

from sandbox.graph.asgi import handle, routes, webhook_routes
from sandbox.graph.state import GraphState

__all__ = ["GraphState", "handle", "routes", "webhook_routes"]
