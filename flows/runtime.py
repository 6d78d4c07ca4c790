"""What every flow starts with: settings, the warehouse, the sources' access and the status date.

`open_runtime(config_path)` is the one place that turns configuration into live access:
- a real Jira / Microsoft 365 (URLs and secret references from config), or
- the sandbox: started in this process from a tenant file or the generated demo tenant
  (``jira.url: sandbox``), or joined when it already runs (``sandbox.info_file``, written
  by ``pmo sandbox serve --info FILE``).
Nested flows (``pmo demo`` runs several) reuse the runtime that is already open, so one
sandbox serves the whole run.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from config.redact import install_log_redaction, register_secret
from config.settings import ConfigError, JiraIssueTarget, SecretRef, Settings, load_settings
from connectors.ports import JiraPublishing, M365Publishing, Store
from connectors.store import Warehouse

if TYPE_CHECKING:
    from connectors.jira.client import JiraApi
    from sandbox.server import SandboxServer

# Sandbox credentials travel to connectors as environment variables, like real secrets.
SANDBOX_WEBHOOK_ENV = "PMO_SANDBOX_TEAMS_WEBHOOK"
LEADERSHIP_DEMO_ADDRESS = "leadership@contoso.example"


@dataclass(frozen=True)
class Publishers:
    """Publishers to use instead of the real connectors (in-memory fakes in tests); None:
    the real one, built when a flow first publishes there."""

    jira: JiraPublishing | None = None
    m365: M365Publishing | None = None


@dataclass
class Runtime:
    settings: Settings
    warehouse: Store  # `Warehouse` in production; the syncs need it (`sql_warehouse`)
    sandbox_info: dict[str, Any] | None = None
    sandbox_server: SandboxServer | None = None  # a sandbox started in this process
    as_of_override: datetime | None = None
    reports_dir: Path = field(default_factory=lambda: Path(".pmo/reports"))
    memo: dict[Any, Any] = field(default_factory=dict)  # results reused by nested flows
    as_of_pinned: bool = False  # the status date was given (--as-of), not read from the clock
    publishers: Publishers = field(default_factory=Publishers)

    @property
    def uses_sandbox(self) -> bool:
        return self.sandbox_info is not None

    def as_of(self) -> datetime:
        """The status date of this run: the sandbox tenant's clock in a sandbox run, else now
        (UTC). Fixed at the first call, so every flow of one run judges the same moment."""
        if self.as_of_override is None:
            clock = (
                self.sandbox_server.state.now()
                if self.sandbox_server is not None
                else datetime.now(UTC)
            )
            self.as_of_override = clock.astimezone(UTC)
        return self.as_of_override

    def sql_warehouse(self) -> Warehouse:
        """The SQL warehouse itself: what the syncs write through (a fake store has none)."""
        if not isinstance(self.warehouse, Warehouse):
            raise TypeError(f"the syncs write to a SQL warehouse, not {self.warehouse!r}")
        return self.warehouse

    def jira(self) -> JiraApi:
        from connectors.jira.client import build_jira

        return build_jira(self.settings, self.sandbox_info)

    def graph_access(self) -> tuple[str | None, str | None]:
        """(base URL, static token) for `connectors.graph`; (None, None) = from config."""
        if self.sandbox_info is None:
            return None, None
        return self.sandbox_info["graph_base_url"], self.sandbox_info["graph_token"]


_ACTIVE: list[Runtime] = []


@contextmanager
def open_runtime(
    config_path: str | None = None, *, as_of: datetime | None = None
) -> Iterator[Runtime]:
    if _ACTIVE:
        # a flow called inside another one shares its runtime; an as-of it was given
        # explicitly still applies to it (and to the flows it calls in turn)
        active = _ACTIVE[-1]
        if as_of is None or (active.as_of_pinned and active.as_of_override == as_of):
            yield active
            return
        _ACTIVE.append(replace(active, as_of_override=as_of, as_of_pinned=True))
        try:
            yield _ACTIVE[-1]
        finally:
            _ACTIVE.pop()
        return
    settings = load_settings(config_path)
    install_log_redaction()
    with ExitStack() as stack:
        info, server, tenant = _sandbox_for(settings, stack)
        if info is not None:
            export_sandbox_secrets(info)
        if tenant is not None:
            settings = with_sandbox_scopes(settings, tenant)
        warehouse = Warehouse.from_settings(settings.warehouse)
        stack.callback(warehouse.dispose)
        warehouse.migrate()
        runtime = Runtime(
            settings, warehouse, info, server, as_of, Path(settings.publish.reports_dir),
            as_of_pinned=as_of is not None,
        )  # fmt: skip
        _ACTIVE.append(runtime)
        try:
            yield runtime
        finally:
            _ACTIVE.pop()


def _needs_sandbox(settings: Settings) -> bool:
    return (settings.jira.enabled and settings.jira.url == "sandbox") or (
        settings.graph.enabled and settings.graph.base_url == "sandbox"
    )


def _sandbox_for(
    settings: Settings, stack: ExitStack
) -> tuple[dict[str, Any] | None, SandboxServer | None, dict[str, Any] | None]:
    if not _needs_sandbox(settings):
        return None, None, None
    if not settings.sandbox.enabled:
        raise ConfigError("jira.url or graph.base_url is 'sandbox' but sandbox.enabled is false")
    if settings.sandbox.info_file:
        info = json.loads(Path(settings.sandbox.info_file).read_text(encoding="utf-8"))
        tenant = _load_tenant(settings.sandbox.tenant) if settings.sandbox.tenant else None
        return info, None, tenant
    from sandbox.server import start_sandbox

    tenant = (
        _load_tenant(settings.sandbox.tenant)
        if settings.sandbox.tenant
        else demo_tenant(settings.sandbox.seed)
    )
    server = stack.enter_context(start_sandbox(tenant, port=settings.sandbox.port))
    return server.info.as_dict(), server, tenant


def _load_tenant(path: str) -> dict[str, Any]:
    from sandbox.tenant import load_tenant

    return load_tenant(path)


def demo_tenant(seed: int) -> dict[str, Any]:
    from sandbox.generator import generate_tenant

    tenant, _manifest = generate_tenant(seed=seed, scale="demo")
    return tenant


def with_sandbox_scopes(settings: Settings, tenant: dict[str, Any]) -> Settings:
    """Fill what config left empty from the tenant: which plans, teams, lists and targets exist.

    A real tenant is configured explicitly; the sandbox's is known, so a first run needs no
    configuration at all.
    """
    graph = tenant.get("graph") or {}
    g = settings.graph
    sites = graph.get("sites") or []
    graph_update = {
        "plans": g.plans or [p["id"] for p in graph.get("plans") or []],
        "shifts_teams": g.shifts_teams or sorted((graph.get("time_cards") or {}).keys()),
        "timesheet_lists": g.timesheet_lists
        or [
            {
                "site": site["id"],
                "list": lst["id"],
                "columns": {
                    "person": "Person",
                    "date": "WorkDate",
                    "hours": "Hours",
                    "project": "Project",
                    "task": "Task",
                },
            }
            for site in sites
            for lst in site.get("lists") or []
            if not (lst.get("list") or {}).get("hidden")  # the user information list
        ],
    }
    people = tenant.get("people") or []
    aliases = dict(g.email_aliases)
    for person in people:
        for alias in person.get("aliases") or []:
            aliases.setdefault(alias.lower(), person["email"].lower())
    graph_update["email_aliases"] = aliases
    return settings.model_copy(
        update={
            "graph": g.model_copy(update=graph_update),
            "publish": _sandbox_targets(settings, graph, tenant.get("jira") or {}),
        }
    )


def _sandbox_targets(settings: Settings, graph: dict[str, Any], jira: dict[str, Any]) -> Any:
    """Publishing targets inside the sandbox for any target config leaves unset. Evaluations
    without a request issue go to one issue per project and gate created in the PMO project,
    when the tenant has one (the demo's); otherwise nowhere in Jira, which they report."""
    teams = graph.get("teams") or []
    channel = (teams[0].get("channels") or [{}])[0] if teams else {}
    drives = graph.get("drives") or []
    users = graph.get("users") or []
    plans = graph.get("plans") or []
    defaults = {
        "teams_webhook": SecretRef(env=SANDBOX_WEBHOOK_ENV),
        "teams_channel": {"team": teams[0]["id"], "channel": channel["id"]} if channel else None,
        "sharepoint_drive": drives[0]["id"] if drives else None,
        "mail_from": (users[0].get("mail") if users else None),
        "followup_plan": plans[0]["id"] if plans else None,
    }
    publish = settings.publish
    updates = {}
    for name in ("gate_review", "closeout", "status_report", "alerts"):
        target = getattr(publish, name)
        fill = {k: v for k, v in defaults.items() if getattr(target, k) in (None, [], "")}
        if name == "closeout" and not target.mail_to:
            fill["mail_to"] = [LEADERSHIP_DEMO_ADDRESS]
        has_pmo = any(p.get("key") == "PMO" for p in jira.get("projects") or [])
        if name in ("gate_review", "closeout") and target.jira_target is None and has_pmo:
            fill["jira_target"] = JiraIssueTarget(create_in="PMO")
        updates[name] = target.model_copy(update=fill)
    return publish.model_copy(update=updates)


def export_sandbox_secrets(info: dict[str, Any]) -> None:
    """Make the sandbox's webhook URL available the way a real secret would be, and treat
    its credentials as secrets (never logged)."""
    os.environ[SANDBOX_WEBHOOK_ENV] = info["webhook_url"]
    for name in ("jira_api_token", "jira_pat", "graph_token", "webhook_url"):
        register_secret(info.get(name))
