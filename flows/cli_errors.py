"""One error format for every `pmo` command: one line, one hint that fits the cause, one exit code.

Every message passes through `redact()`. `PMO_DEBUG=1` adds the traceback (on stderr) but
never changes the exit code: scripts see the same code with or without it.

What a person can fix in the settings names the setting: a missing secret
(``jira.api_token``), an unreachable host (``jira.url``), an unknown database driver
(``warehouse.url``) or a missing ``sandbox.info_file``.
"""

from __future__ import annotations

import os
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import typer

from flows.cli_options import EXIT_CONFIG, EXIT_FAILED, err_console

CONFIG_HINT = "fix the named setting in your config file (see README, 'Configuration')"
DEBUG_HINT = "PMO_DEBUG=1 shows the traceback"


@dataclass(frozen=True)
class CliError:
    message: str
    hint: str
    code: int


def fail(message: str, hint: str, code: int) -> typer.Exit:
    """Print the error line and its hint (secrets masked); return the Exit to raise."""
    from config.redact import redact

    console = err_console()
    console.print(f"[bold red]error:[/] {redact(message)}", highlight=False, soft_wrap=True)
    console.print(f"[dim]hint: {redact(hint)}[/]", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def guarded(action: Callable[[], Any], config: str | None) -> Any:
    """Run a command body, turning failures into one line, a hint and an exit code.

    The settings (and the secrets they name) are checked first, so a bad config fails in a
    moment, before Prefect starts.
    """
    settings = None
    try:
        from config.settings import load_settings

        settings = load_settings(config)
        preflight(settings)
        return action()
    except typer.Exit:
        raise
    except KeyboardInterrupt:
        raise fail(
            "interrupted", "run the command again; syncs resume where they stopped", 130
        ) from None
    except Exception as exc:  # every failure ends as one line; PMO_DEBUG adds the traceback
        problem = classify(exc, settings)
        if os.environ.get("PMO_DEBUG"):
            from config.redact import redact

            err_console().print(redact("".join(traceback.format_exception(exc))), markup=False)
        raise fail(problem.message, problem.hint, problem.code) from None


def preflight(settings: Any) -> None:
    """Fail fast, naming the setting, when an environment-variable secret the run needs is unset.

    Prefect Secret blocks are not looked up here (that needs Prefect's API); they fail later
    with the same exit code.
    """
    from config.settings import ConfigError

    for where, ref in needed_secrets(settings):
        if ref.env and not os.environ.get(ref.env):
            raise ConfigError(f"{where}: secret environment variable {ref.env} is not set")
    _check_driver(settings.warehouse.url)
    info = settings.sandbox.info_file
    uses_sandbox = (settings.jira.enabled and settings.jira.url == "sandbox") or (
        settings.graph.enabled and settings.graph.base_url == "sandbox"
    )
    if uses_sandbox and settings.sandbox.enabled and info and not Path(info).is_file():
        raise FileNotFoundError(2, "No such file or directory", info)


def _check_driver(url: str) -> None:
    """Load the warehouse URL's dialect (no connection): an unknown driver fails here."""
    from sqlalchemy.engine import make_url

    make_url(url).get_dialect()


def needed_secrets(settings: Any) -> Iterator[tuple[str, Any]]:
    """(setting name, SecretRef) for every secret an enabled, non-sandbox part of the config uses."""
    if settings.warehouse.password is not None:
        yield "warehouse.password", settings.warehouse.password
    jira = settings.jira
    if jira.enabled and jira.url != "sandbox":
        name = "personal_access_token" if jira.deployment == "datacenter" else "api_token"
        ref = getattr(jira, name)
        if ref is not None:
            yield f"jira.{name}", ref
    graph = settings.graph
    if graph.enabled and graph.base_url != "sandbox":
        for name in ("client_secret", "delegated_token"):
            if getattr(graph, name) is not None:
                yield f"graph.{name}", getattr(graph, name)
    if settings.publish.enabled:
        for target in ("gate_review", "closeout", "status_report", "alerts"):
            ref = getattr(settings.publish, target).teams_webhook
            if ref is not None:
                yield f"publish.{target}.teams_webhook", ref


def classify(exc: BaseException, settings: Any) -> CliError:
    """The line, hint and exit code for a failure: configuration (2) or a failed run (3)."""
    from config.settings import ConfigError

    for rule in (_unreachable, _unknown_driver, _missing_info_file, _unknown_phase):
        found = rule(exc, settings)
        if found is not None:
            return found
    if isinstance(exc, ConfigError):
        return CliError(str(exc), CONFIG_HINT, EXIT_CONFIG)
    if isinstance(exc, LookupError):
        text = str(exc.args[0] if exc.args else exc)
        return CliError(text, "check the project key; `pmo status` lists projects", EXIT_CONFIG)
    return CliError(
        f"{type(exc).__name__}: {exc}",
        f"see README 'Troubleshooting'; {DEBUG_HINT}",
        EXIT_FAILED,
    )


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _request_url(exc: BaseException) -> str | None:
    request = getattr(exc, "request", None)
    try:
        url = getattr(request, "url", None)
    except RuntimeError:  # httpx raises when an exception has no request attached
        return None
    return str(url) if url else None


def _is_connection_error(exc: BaseException) -> bool:
    names = {cls.__name__ for cls in type(exc).__mro__}
    return bool(names & {"ConnectError", "ConnectTimeout", "ConnectionError", "NewConnectionError"})


def _url_settings(settings: Any) -> list[tuple[str, str]]:
    if settings is None:
        return []
    pairs = [("jira.url", settings.jira.url), ("graph.base_url", settings.graph.base_url)]
    return [(name, url) for name, url in pairs if url and url != "sandbox"]


_SOURCE_SETTING = (
    ("jira", "jira.url"),
    ("graph", "graph.base_url"),
    ("microsoft", "graph.base_url"),
)


def _unreachable_by_text(exc: BaseException, settings: Any) -> CliError | None:
    """Connectors that give up after retries say "connection error" and name their source."""
    text = str(exc)
    if "connection error" not in text and "connection lost" not in text:
        return None
    lowered = text.lower()
    for prefix, name in _SOURCE_SETTING:
        if lowered.startswith(prefix) or f" {prefix}" in lowered[:40]:
            configured = dict(_url_settings(settings)).get(name, "")
            return CliError(
                f"{name} {configured} is unreachable: {text}".replace("  ", " "),
                f"check {name} and the network (VPN, proxy, firewall); then run again",
                EXIT_FAILED,
            )
    return None


def _unreachable(exc: BaseException, settings: Any) -> CliError | None:
    for link in _chain(exc):
        by_text = _unreachable_by_text(link, settings)
        if by_text is not None:
            return by_text
        if not _is_connection_error(link):
            continue
        url = _request_url(link)
        host = urlsplit(url).netloc if url else None
        for name, configured in _url_settings(settings):
            if host and urlsplit(configured).netloc == host:
                return CliError(
                    f"{name} {configured} is unreachable ({type(link).__name__})",
                    f"check {name} and the network (VPN, proxy, firewall); then run again",
                    EXIT_FAILED,
                )
        where = f" ({host})" if host else ""
        return CliError(
            f"a host could not be reached{where}: {type(link).__name__}",
            "check the URLs in your config (jira.url, graph.base_url) and the network",
            EXIT_FAILED,
        )
    return None


def _unknown_driver(exc: BaseException, settings: Any) -> CliError | None:
    for link in _chain(exc):
        if type(link).__name__ == "NoSuchModuleError" or (
            type(link).__name__ == "ArgumentError" and "URL" in str(link)
        ):
            scheme = urlsplit(settings.warehouse.url).scheme if settings is not None else "?"
            return CliError(
                f"warehouse.url: unknown database driver {scheme!r}",
                "use sqlite:///path.db or postgresql+psycopg://user@host:5432/db",
                EXIT_CONFIG,
            )
    return None


def _missing_info_file(exc: BaseException, settings: Any) -> CliError | None:
    info = getattr(getattr(settings, "sandbox", None), "info_file", None)
    for link in _chain(exc):
        if (
            isinstance(link, FileNotFoundError)
            and info
            and str(link.filename).endswith(Path(info).name)
        ):
            return CliError(
                f"sandbox.info_file: {info} does not exist",
                "start the sandbox with `pmo sandbox serve --tenant FILE --info "
                f"{info}` or remove sandbox.info_file",
                EXIT_CONFIG,
            )
    return None


def _unknown_phase(exc: BaseException, _settings: Any) -> CliError | None:
    text = str(exc.args[0]) if exc.args else str(exc)
    if "no gate for phase" in text:
        return CliError(text, "pass --phase with one of the gates listed", EXIT_CONFIG)
    return None
