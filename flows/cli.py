"""The `pmo` command line: thin wrappers that load settings and call flows.

Every command takes `--config PATH` (else PMO_CONFIG, else config/pmo.yaml). Errors are
printed as one readable line plus a hint (`flows.cli_errors`), with exit codes scripts can
trust (`flows.cli_options.EXIT_CODES_HELP`): 0 done, 1 the decision was Hold or Recycle,
2 bad usage or configuration, 3 a source, target or the run failed.

The terminal is quiet by default: Prefect's console handler is replaced by
`flows.cli_logging.TerminalHandler` (warnings and errors only, no tracebacks); `--verbose`
shows Prefect's run logs. Only the terminal changes: Prefect's API handler still gets every
record. Heavy modules (Prefect, pandas, pydantic) load only when a command runs, so
`pmo --help` answers at once.
"""

from __future__ import annotations

import importlib
import os
from typing import Annotated

import typer
import typer.core

from flows.cli_options import EXIT_CODES_HELP

# Quiet by default: no analytics from Prefect or Great Expectations, ever.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
# The embedded server gets more than Prefect's 20 s to start: a busy 2-core machine needs it.
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
# The terminal shows progress and results; Prefect's run logs only with --verbose.
os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_CLASS", "flows.cli_logging.TerminalHandler")

app = typer.Typer(
    name="pmo",
    help="Run a PMO's project lifecycle on data: sync Jira and Microsoft 365, check, decide gates, report.",
    epilog=EXIT_CODES_HELP,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    # Plain help: Rich's help renderer costs ~0.5 s of imports (markdown, tracebacks).
    rich_markup_mode=None,
)


def _version_callback(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

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
    verbose: Annotated[
        bool,
        typer.Option("--verbose", "-v", help="Show Prefect's run logs on the terminal."),
    ] = False,
) -> None:
    """pmo-lifecycle."""
    if verbose:
        os.environ["PMO_VERBOSE"] = "1"


# Command groups and commands live next to what they drive; each module registers itself
# here. A module that does not import is a packaging error and fails loudly.
_COMMAND_MODULES = (
    "flows.commands",
    "flows.sync_cmd",
    "sandbox.cli",
)


def _plain_type(self: typer.core.TyperOption, ctx: object) -> str | None:
    """Help shows no `<bool>` or `<list[str]>` noise: flags show nothing, values a word."""
    if self.metavar is not None:
        return self.metavar
    if self.is_flag:
        return None
    words = {"int": "INTEGER", "float": "NUMBER", "Path": "PATH"}
    label = self.bare_type()
    word = words.get(label, "TEXT")
    return f"{word} (repeatable)" if label.startswith("list[") else word


def _argument_usage(self: typer.core.TyperArgument) -> str:
    """`pmo gate PROJECT`, not `pmo gate {project}`."""
    name = self.display_name_raw.upper()
    name = name if self.required else f"[{name}]"
    return name + ("..." if self.nargs != 1 else "")


typer.core.TyperOption.display_type_rich = _plain_type  # type: ignore[method-assign]
typer.core.TyperArgument.display_type_rich = lambda self, ctx: None  # type: ignore[method-assign]
typer.core.TyperArgument._usage_display_name = _argument_usage  # type: ignore[method-assign]


def _register() -> None:
    for module_name in _COMMAND_MODULES:
        module = importlib.import_module(module_name)
        if hasattr(module, "register"):
            module.register(app)
        elif module_name == "sandbox.cli":
            module.app.rich_markup_mode = None
            app.add_typer(
                module.app, name="sandbox", help="The local Jira + Microsoft 365 sandbox."
            )


_register()
for _command in app.registered_commands:
    _command.epilog = _command.epilog or EXIT_CODES_HELP
