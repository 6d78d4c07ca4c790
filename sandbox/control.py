"""The sandbox's own API under ``/_sandbox``: outbox, faults and request counters."""

from __future__ import annotations

from starlette.responses import JSONResponse, Response

from sandbox.call import Call
from sandbox.errors import JiraError
from sandbox.faults import FaultConfigError, rule_from_dict
from sandbox.graph.asgi import to_starlette
from sandbox.graph.webhook import serve as serve_webhook
from sandbox.router import Router


def _app(call: Call):
    return call.request.scope["sandbox.app"]


async def outbox(call: Call) -> Response:
    return JSONResponse({"entries": call.state.outbox_entries(call.query("kind"))})


async def stats(call: Call) -> Response:
    return JSONResponse(_app(call).stats.snapshot())


async def reset_stats(call: Call) -> Response:
    _app(call).stats.reset()
    return Response(status_code=204)


async def get_faults(call: Call) -> Response:
    return JSONResponse({"rules": _app(call).faults.rules()})


async def set_faults(call: Call) -> Response:
    body = await call.json_object()
    raw_rules = body.get("rules", [])
    if not isinstance(raw_rules, list):
        raise JiraError(400, "'rules' must be a list of fault rules.")
    try:
        rules = [rule_from_dict(r, f"rules[{i}]") for i, r in enumerate(raw_rules)]
    except (FaultConfigError, TypeError) as exc:
        raise JiraError(400, str(exc)) from None
    seed = body.get("seed")
    _app(call).faults.set_rules(rules, seed=int(seed) if seed is not None else None)
    return JSONResponse({"rules": _app(call).faults.rules()})


async def webhook(call: Call) -> Response:
    """The Teams Workflows webhook without its signature, for scripts (served by sandbox.graph)."""
    body = await call.request.body()
    return to_starlette(
        serve_webhook(call.state.graph, call.params["hook"], call.request.method, body)
    )


def register(router: Router) -> None:
    router.add("GET", "_sandbox/outbox", outbox)
    router.add("GET", "_sandbox/stats", stats)
    router.add("DELETE", "_sandbox/stats", reset_stats)
    router.add("GET", "_sandbox/faults", get_faults)
    router.add("PUT", "_sandbox/faults", set_faults)
    router.add("POST", "_sandbox/faults", set_faults)
    router.add("GET", "_sandbox/webhooks/teams/{hook}", webhook)
    router.add("POST", "_sandbox/webhooks/teams/{hook}", webhook)
