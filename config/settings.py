"""Settings: one pydantic model, loaded once from YAML, with secrets resolved at the edge.

Where settings come from, in order:
1. ``--config PATH`` on any command, else the ``PMO_CONFIG`` environment variable,
   else ``config/pmo.yaml`` shipped with the project (sandbox + SQLite, nothing real);
2. ``${VAR}`` and ``${VAR:-default}`` in YAML values are expanded from the environment;
3. secrets are never literal: a `SecretRef` names an environment variable or a Prefect
   Secret block and is resolved only when a connector is built.

Every model forbids unknown keys, so a typo fails at start with the file and key named.
"""

from __future__ import annotations

import os
import re
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from config.redact import register_secret

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = Path(__file__).resolve().parent / "pmo.yaml"
_ENV_PATTERN = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


class ConfigError(Exception):
    """A configuration problem, with the file and key named so a person can fix it."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SecretRef(Strict):
    """Where a secret lives. Exactly one of `env` or `prefect_block`."""

    env: str | None = None
    prefect_block: str | None = None

    @model_validator(mode="after")
    def _one_place(self) -> SecretRef:
        if bool(self.env) == bool(self.prefect_block):
            raise ValueError(
                "give exactly one of 'env' (variable name) or 'prefect_block' (Secret block name)"
            )
        return self

    def describe(self) -> str:
        return f"env:{self.env}" if self.env else f"prefect-block:{self.prefect_block}"

    def resolve(self) -> str:
        """The secret's value. Raises ConfigError naming the *reference*, never the value."""
        if self.env:
            value = os.environ.get(self.env)
            if not value:
                raise ConfigError(f"secret environment variable {self.env} is not set")
            register_secret(value)
            return value
        from prefect.blocks.system import Secret  # imported lazily: Prefect is heavy

        try:
            value = Secret.load(self.prefect_block).get()
        except ValueError:
            raise ConfigError(f"Prefect Secret block {self.prefect_block!r} not found") from None
        register_secret(value)
        return value


class WarehouseSettings(Strict):
    url: str = Field(
        "sqlite:///.pmo/warehouse.db",
        description="SQLAlchemy URL. SQLite paths are relative to the working directory; "
        "PostgreSQL: postgresql+psycopg://user@host:5432/db",
    )
    password: SecretRef | None = Field(None, description="Injected into the URL when set.")
    batch_size: int = Field(20000, gt=0, description="Rows per upsert statement batch.")


class SandboxSettings(Strict):
    enabled: bool = Field(True, description="Start the local sandbox instead of real services.")
    tenant: str | None = Field(
        None, description="Tenant JSON file; default: generated demo tenant."
    )
    seed: int = 7
    port: int = Field(0, ge=0, le=65535, description="0 picks a free port.")
    info_file: str | None = Field(
        None,
        description="Join a sandbox already running (`pmo sandbox serve --info FILE`) instead of starting one.",
    )


class JiraFieldNames(Strict):
    """Custom fields are resolved by *name* at sync time, so renumbered ids don't matter."""

    story_points: list[str] = ["Story Points", "Story point estimate"]
    start_date: list[str] = ["Start date"]
    sprint: list[str] = ["Sprint"]
    risk_probability: list[str] = ["Risk Probability"]
    risk_impact: list[str] = ["Risk Impact"]
    mitigation: list[str] = ["Mitigation"]
    mitigation_due: list[str] = ["Mitigation Due"]
    severity: list[str] = ["Severity"]


# Jira link types that mean finish-to-start, and which side is the predecessor: "outward"
# when it is the issue the outward description is said of ("A blocks B": A must finish
# first), "inward" when it is the other one ("A depends on B": B must finish first).
# Jira's own "Blocks"; "Depends" (a common custom type); the Gantt apps' finish-to-start.
DEFAULT_DEPENDENCY_LINK_TYPES: dict[str, Literal["outward", "inward"]] = {
    "Blocks": "outward",  # outward "blocks"
    "Depends": "inward",  # outward "depends on"
    "Gantt: finish-start": "outward",  # outward "has to be done before"
    "Gantt End to Start": "outward",  # outward "has to be done before"
}
# Link types known not to order work (not reported as unknown in the sync summary).
DEFAULT_IGNORED_LINK_TYPES = ["Relates", "Duplicate", "Cloners", "Issue split"]


class JiraSettings(Strict):
    enabled: bool = True
    url: str = Field("sandbox", description="Jira base URL, or 'sandbox' for the local one.")
    deployment: Literal["cloud", "datacenter"] = "cloud"
    email: str | None = Field(None, description="Cloud: the account e-mail for basic auth.")
    api_token: SecretRef | None = Field(None, description="Cloud: API token.")
    personal_access_token: SecretRef | None = Field(None, description="Data Center: PAT (bearer).")
    projects: list[str] = Field(
        default_factory=list, description="Project keys; empty = all visible."
    )
    fields: JiraFieldNames = JiraFieldNames()
    type_map: dict[str, str] = Field(
        default_factory=lambda: {
            "Epic": "epic",
            "Story": "story",
            "Task": "task",
            "Sub-task": "subtask",
            "Subtask": "subtask",
            "Bug": "defect",
            "Defect": "defect",
            "Risk": "risk",
            "UAT": "uat",
            "Test": "uat",
            "Training": "training",
            "Documentation": "documentation",
            "Milestone": "milestone",
            "Lesson": "lesson",
            "Gate Review": "gate_request",
        },
        description="Jira issue type name -> canonical task_type.",
    )
    risk_types: list[str] = ["Risk"]
    dependency_link_types: dict[str, Literal["outward", "inward"]] = Field(
        default_factory=lambda: dict(DEFAULT_DEPENDENCY_LINK_TYPES),
        description="Link type name -> the side that must finish first: 'outward' when the "
        "predecessor is the issue the outward description is said of ('A blocks B': A), "
        "'inward' when it is the other ('A depends on B': B). These links (and only these) "
        "are finish-to-start dependencies: the dependency graph, critical path and DCMA logic "
        "checks. Replaces the default; a change applies to issues synced after it (--full).",
    )
    ignored_link_types: list[str] = Field(
        default_factory=lambda: list(DEFAULT_IGNORED_LINK_TYPES),
        description="Link types that do not order work; any other type that is not a "
        "dependency is listed once in the sync summary as unknown.",
    )
    account_aliases: dict[str, str] = Field(
        default_factory=dict,
        description="Jira accountId -> canonical e-mail, for people whose e-mail Jira hides "
        "(most Cloud accounts): matches them with Microsoft 365. Without an entry such a "
        "person is kept under 'jira:user:<accountId>'. Takes effect for issues and worklogs "
        "synced after the change (a --full sync re-maps everything).",
    )
    charter_property: str = Field(
        "pmo-charter", description="Project entity property with phase, dates, budget, KPIs."
    )
    lookback_minutes: int = Field(
        5, ge=1, description="Incremental cursor overlap, for JQL minute precision."
    )
    page_size: int = Field(100, ge=1, le=5000)
    concurrency: int = Field(4, ge=1, le=32)
    timeout_seconds: float = Field(30, gt=0)
    max_retries: int = Field(5, ge=0, le=20)
    max_total_wait_seconds: float = Field(120, gt=0)
    max_worklog_hours_per_day: float = Field(
        24,
        gt=0,
        description="A worklog longer than this per calendar day from its start to when it "
        "was logged (negative ones too) is quarantined with the reason, not stored: a "
        "multi-day worklog within its span is kept.",
    )
    metadata_refresh_hours: float = Field(
        24,
        ge=0,
        description="Re-read fields, projects, boards, charters and versions (no change cursor "
        "in Jira) at most this often, and on every --full run; 0 = every run.",
    )


# Microsoft's national clouds: (sign-in authority, Graph endpoint). The token's scope is the
# Graph endpoint + "/.default"; `graph.base_url` must point at the same Graph.
GRAPH_CLOUDS: dict[str, tuple[str, str]] = {
    "global": ("https://login.microsoftonline.com", "https://graph.microsoft.com"),
    "usgov": ("https://login.microsoftonline.us", "https://graph.microsoft.us"),
    "usgov-dod": ("https://login.microsoftonline.us", "https://dod-graph.microsoft.us"),
    "china": ("https://login.chinacloudapi.cn", "https://microsoftgraph.chinacloudapi.cn"),
}


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


class GraphSettings(Strict):
    enabled: bool = True
    base_url: str = Field(
        "sandbox",
        description="Graph base URL (e.g. https://graph.microsoft.us/v1.0), or 'sandbox'. "
        "Must be the Graph of graph.cloud (or of graph.scope).",
    )
    cloud: Literal["global", "usgov", "usgov-dod", "china"] = Field(
        "global", description="The tenant's cloud: sets the sign-in authority and token scope."
    )
    authority: str | None = Field(
        None, description="Sign-in authority, overriding graph.cloud's (an https URL)."
    )
    scope: str | None = Field(
        None,
        description="Token scope, overriding graph.cloud's (e.g. https://graph.microsoft.us/.default).",
    )
    tenant_id: str | None = None
    client_id: str | None = None
    client_secret: SecretRef | None = None
    certificate_path: str | None = None
    ca_bundle: str | None = Field(
        None,
        description="CA file to trust for Graph and sign-in (a TLS-inspecting proxy's root).",
    )
    delegated_token: SecretRef | None = Field(
        None, description="For Teams channel posts (delegated)."
    )
    plans: list[str] = Field(default_factory=list, description="Planner plan ids to read.")
    groups: list[str] = Field(default_factory=list, description="Groups whose plans are read.")
    shifts_teams: list[str] = Field(
        default_factory=list, description="Teams whose time cards are read."
    )
    timesheet_lists: list[dict[str, Any]] = Field(
        default_factory=list,
        description="SharePoint timesheet lists: {site, list, columns: {person, date, hours, project, task}, "
        "time_zone (optional: the zone date-time columns are read in; default time_zone)}.",
    )
    bucket_phase_map: dict[str, str] = Field(
        default_factory=dict, description="Bucket name -> phase."
    )
    read_task_details: bool = False
    max_row_hours: float = Field(
        24,
        gt=0,
        description="A SharePoint timesheet row (one day) with more hours than this, or with "
        "negative hours, is quarantined with the reason instead of stored.",
    )
    email_aliases: dict[str, str] = Field(
        default_factory=dict, description="alias e-mail -> canonical e-mail."
    )
    concurrency: int = Field(4, ge=1, le=32)
    timeout_seconds: float = Field(30, gt=0)
    max_retries: int = Field(5, ge=0, le=10)
    max_total_wait_seconds: float = Field(120, gt=0)

    @property
    def token_authority(self) -> str:
        return (self.authority or GRAPH_CLOUDS[self.cloud][0]).rstrip("/")

    @property
    def token_scope(self) -> str:
        return self.scope or GRAPH_CLOUDS[self.cloud][1] + "/.default"

    @property
    def graph_root(self) -> str:
        """The base URL of this cloud's Graph v1.0 (used when base_url is 'sandbox')."""
        return GRAPH_CLOUDS[self.cloud][1] + "/v1.0"

    @model_validator(mode="after")
    def _cloud_matches_base_url(self) -> GraphSettings:
        """A token for one cloud's Graph is refused by another's: say so at load time. (A
        base URL of no known cloud, e.g. a proxy, is taken as configured.)"""
        known = {_host(graph) for _, graph in GRAPH_CLOUDS.values()}
        host = _host(self.base_url)
        if self.base_url != "sandbox" and host in known and host != _host(self.token_scope):
            raise ValueError(
                f"graph.base_url {self.base_url} is not the Graph the token is for "
                f"({self.token_scope}): set graph.base_url to {self.graph_root}, or choose "
                "graph.cloud (global, usgov, usgov-dod, china), or set graph.scope"
            )
        if self.authority and not self.authority.startswith("https://"):
            raise ValueError(f"graph.authority {self.authority} must be an https URL")
        return self


class JiraIssueTarget(Strict):
    """Which Jira issue an evaluation is posted on when no request issue asked for it.
    Exactly one of: `issue` (a named issue), `jql` (the first issue the query returns,
    e.g. "project = {project} AND labels = pmo-gate ORDER BY created DESC"), or `create_in`
    (a project key: one issue per project and phase is created there, then reused).
    `{project}` and `{phase}` are replaced in `issue`, `jql` and `summary`."""

    issue: str | None = None
    jql: str | None = None
    create_in: str | None = None
    issue_type: str = Field(
        "Task",
        description="Type of a created issue. Not 'Gate Review': an open issue of that type "
        "is read as a new gate-review request.",
    )
    summary: str = "PMO evaluation: {project} {phase}"

    @model_validator(mode="after")
    def _exactly_one(self) -> JiraIssueTarget:
        given = [n for n in ("issue", "jql", "create_in") if getattr(self, n)]
        if len(given) != 1:
            raise ValueError(f"give exactly one of issue, jql, create_in (got {given or 'none'})")
        return self


class PublishTarget(Strict):
    jira_comment: bool = True
    jira_attachment: bool = True
    jira_property: bool = True
    jira_target: JiraIssueTarget | None = Field(
        None,
        description="Where to post in Jira without a request issue (projects.<KEY>.jira_target "
        "overrides it per project); none = post nothing to Jira, and say so.",
    )
    teams_webhook: SecretRef | None = None
    teams_channel: dict[str, str] | None = Field(
        None, description="{team, channel} for Graph posts."
    )
    sharepoint_drive: str | None = None
    sharepoint_folder: str = "PMO Reports"
    mail_from: str | None = None
    mail_to: list[str] = Field(default_factory=list)
    followups: Literal["jira", "planner", "none"] = "jira"
    followup_plan: str | None = None


class PublishSettings(Strict):
    enabled: bool = True
    republish_on: Literal["criteria", "data"] = Field(
        "criteria",
        description="When an evaluation is published again: 'criteria' when its decision or "
        "a criterion's result changed since the last publication (the default), 'data' on "
        "any change of the evidence it read (its data version).",
    )
    gate_review: PublishTarget = PublishTarget()
    closeout: PublishTarget = PublishTarget()
    status_report: PublishTarget = PublishTarget()
    alerts: PublishTarget = PublishTarget()
    reports_dir: str = ".pmo/reports"


class ChecksSettings(Strict):
    lifecycle_file: str = Field(
        "lifecycle.yaml", description="Gate rules, relative to this config's folder."
    )
    freshness_hours: float = 36
    census_drop_share: float = Field(0.2, ge=0, le=1)
    reconciliation_tolerance_hours: float = 1.0
    max_hours_per_day: float = 12
    forecast_trials: int = Field(10000, ge=100)
    forecast_seed: int = 42
    hourly_rates: dict[str, float] = Field(
        default_factory=dict, description="person or '*' -> rate."
    )
    thresholds: dict[str, float] = Field(
        default_factory=dict, description="Overrides of metric thresholds."
    )
    quality_critical_share: dict[str, Annotated[float, Field(ge=0, le=1)]] = Field(
        default_factory=dict,
        description="Data-quality rule (name or glob, e.g. 'integrity.*') -> share of a "
        "project's rows or hours a failure must taint to be critical (hold the gate); at or "
        "below it, a warning. Over the defaults in checks/quality/severity.py.",
    )


class OrchestrationSettings(Strict):
    gate_review_deployment: str | None = Field(
        None,
        description="Run requested gate reviews as this deployment (e.g. 'phase-gate-review/gate-review') "
        "instead of as subflows of the nightly run.",
    )


class EvaluationSettings(Strict):
    """Where a portfolio's projects are evaluated: Prefect tasks, one per shard of projects."""

    task_runner: Literal["thread", "process", "dask"] = Field(
        "thread",
        description="thread: in the flow's process; process: a pool of processes on this "
        "machine (ProcessPoolTaskRunner, workers forked where the platform forks: they inherit "
        "the grouped portfolio); dask: a Dask cluster (DaskTaskRunner, prefect-dask).",
    )
    workers: int | None = Field(
        None,
        ge=1,
        description="Threads or processes; dask without an address: workers of a local "
        "cluster started for the run. Default: the machine's CPU count.",
    )
    shard_size: int = Field(
        50,
        ge=1,
        description="Projects per Prefect task (a task costs ~20 ms of orchestration, a "
        "project ~80 ms of work; smaller shards balance workers better).",
    )
    dask_address: str | None = Field(
        None, description="Scheduler of a running Dask cluster, e.g. tcp://10.0.0.5:8786."
    )


class Settings(Strict):
    """The whole configuration. `source_path` is where it was loaded from (for error messages)."""

    time_zone: str = "UTC"
    warehouse: WarehouseSettings = WarehouseSettings()
    sandbox: SandboxSettings = SandboxSettings()
    jira: JiraSettings = JiraSettings()
    graph: GraphSettings = GraphSettings()
    checks: ChecksSettings = ChecksSettings()
    publish: PublishSettings = PublishSettings()
    orchestration: OrchestrationSettings = OrchestrationSettings()
    evaluation: EvaluationSettings = EvaluationSettings()
    projects: dict[str, dict[str, Any]] = Field(
        default_factory=dict,
        description="Per-project overrides: phase, target_date, gate thresholds.",
    )
    source_path: str | None = None

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown IANA time zone {value!r}") from None
        return value

    @cached_property
    def config_dir(self) -> Path:
        return Path(self.source_path).parent if self.source_path else DEFAULT_CONFIG.parent


def _expand_env(node: Any) -> Any:
    if isinstance(node, str):
        return _ENV_PATTERN.sub(lambda m: os.environ.get(m.group(1), m.group(2) or ""), node)
    if isinstance(node, dict):
        return {k: _expand_env(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_expand_env(v) for v in node]
    return node


_SECRET_KEY = re.compile(r"token|secret|password|credential|webhook", re.IGNORECASE)


def _format_errors(path: Path, exc: ValidationError) -> str:
    lines = [f"invalid configuration in {path}:"]
    for err in exc.errors():
        key = ".".join(str(p) for p in err["loc"]) or "(top level)"
        if err["type"] == "extra_forbidden":
            lines.append(f"  - {key}: unknown key (check the spelling; see config/pmo.yaml)")
        elif _SECRET_KEY.search(key):
            # Never echo what was given for a secret: it may be the secret itself.
            lines.append(
                f"  - {key}: {err['msg']} (secrets are references: {{env: NAME}} or {{prefect_block: NAME}})"
            )
        else:
            lines.append(f"  - {key}: {err['msg']} (got {err.get('input')!r:.60})")
    return "\n".join(lines)


def config_path(explicit: str | Path | None = None) -> Path:
    chosen = explicit or os.environ.get("PMO_CONFIG") or DEFAULT_CONFIG
    return Path(chosen).expanduser().resolve()


def load_settings(path: str | Path | None = None) -> Settings:
    """Load and validate settings; raise ConfigError naming the file and the bad keys."""
    resolved = config_path(path)
    if not resolved.is_file():
        raise ConfigError(f"configuration file {resolved} does not exist")
    try:
        raw = yaml.safe_load(resolved.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"configuration file {resolved} is not valid YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"configuration file {resolved} must hold a mapping at the top level")
    raw = _expand_env(raw)
    raw["source_path"] = str(resolved)
    try:
        return Settings.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(_format_errors(resolved, exc)) from None


def jira_part(settings: Settings | JiraSettings) -> JiraSettings:
    """The Jira settings of the whole `Settings`, or the `JiraSettings` given (the Jira
    connector takes either)."""
    return settings.jira if isinstance(settings, Settings) else settings
