"""The `pmo` command line: thin wrappers that load settings and call flows.

Every command takes `--config PATH` (else PMO_CONFIG, else config/pmo.yaml). Errors are
printed as one readable line plus a hint, with exit codes scripts can trust:
0 success, 1 the job ran but found blocking problems (e.g. a gate decision of Recycle
or Hold with --fail-on), 2 bad usage or configuration, 3 a source or target failed.
"""

from __future__ import annotations

import importlib
import os
from importlib.metadata import PackageNotFoundError, version
from typing import Annotated

import typer

# Quiet by default: no analytics from Prefect or Great Expectations, ever.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
# The embedded server gets more than Prefect's 20 s to start: a busy 2-core machine needs it.
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")

app = typer.Typer(
    name="pmo",
    help="Run a PMO's project lifecycle on data: sync Jira and Microsoft 365, check, decide gates, report.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _version_callback(value: bool) -> None:
    if value:
        try:
            typer.echo(f"pmo-lifecycle {version('pmo-lifecycle')}")
        except PackageNotFoundError:
            typer.echo("pmo-lifecycle (not installed)")
        raise typer.Exit()


@app.callback()
def main(
    _version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version_callback, is_eager=True, help="Show the version."
        ),
    ] = False,
) -> None:
    """pmo-lifecycle."""


# Command groups and commands live next to what they drive; each module registers itself
# here. Modules still being built are skipped so `pmo --help` always works.
_COMMAND_MODULES = (
    "flows.commands",
    "flows.sync_cmd",
    "sandbox.cli",
)


def _register() -> None:
    for module_name in _COMMAND_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                continue
            raise
        if hasattr(module, "register"):
            module.register(app)
        elif module_name == "sandbox.cli":
            app.add_typer(
                module.app, name="sandbox", help="The local Jira + Microsoft 365 sandbox."
            )


_register()
