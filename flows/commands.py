"""`pmo gate`, `pmo closeout`, `pmo status`, `pmo demo`: the PMO's commands.

Exit codes (scripts rely on them): 0 done, and for `gate`/`closeout` the decision was Go or
Go with conditions; 1 done, but the decision was Hold or Recycle; 2 bad usage or
configuration; 3 a source, target or the run itself failed. Errors are one readable line
plus a hint; `PMO_DEBUG=1` shows the traceback too.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from config.redact import redact
from config.settings import ConfigError, load_settings
from flows.cli_options import EXIT_CONFIG, EXIT_FAILED, EXIT_FINDINGS, EXIT_OK, ConfigOption

PASSING = {"Go", "Go with conditions"}

out = Console()  # results (stdout)
err = Console(stderr=True)  # progress, hints and errors


def fail(message: str, hint: str, code: int) -> typer.Exit:
    err.print(f"[bold red]error:[/] {redact(message)}")
    err.print(f"[dim]hint: {hint}[/]")
    return typer.Exit(code)


def guarded(action: Callable[[], Any], config: str | None) -> Any:
    """Run a command body, turning known failures into one line, a hint and an exit code.

    The settings are checked first, so a bad config fails in a moment, before Prefect starts.
    """
    try:
        load_settings(config)
        return action()
    except typer.Exit:
        raise
    except ConfigError as exc:
        raise fail(
            str(exc),
            "fix the named key in your config file (see README, 'Configuration')",
            EXIT_CONFIG,
        ) from None
    except LookupError as exc:
        raise fail(
            str(exc.args[0] if exc.args else exc),
            "check the project key; `pmo status` lists projects",
            EXIT_CONFIG,
        ) from None
    except Exception as exc:
        if os.environ.get("PMO_DEBUG"):
            raise
        raise fail(
            f"{type(exc).__name__}: {exc}",
            "see README 'Troubleshooting'; PMO_DEBUG=1 shows the traceback",
            EXIT_FAILED,
        ) from None


def _print_evaluation(document: dict[str, Any], as_json: bool) -> None:
    if as_json:
        payload = {k: v for k, v in document.items() if k not in {"published"}}
        sys.stdout.write(json.dumps(payload, indent=2, default=str) + "\n")
        return
    colour = {"Go": "green", "Go with conditions": "yellow", "Hold": "blue", "Recycle": "red"}[
        document["decision"]
    ]
    out.print(
        f"[bold]{document['project_key']}[/] ({document['phase']}): [bold {colour}]{document['decision']}[/]"
    )
    out.print(document["rationale"], markup=False)
    table = Table("result", "criterion", "value", "threshold")
    for c in document.get("criteria") or []:
        table.add_row(
            c["result"],
            c["description"],
            str(c.get("value")),
            f"{c['comparison']} {c.get('threshold')}",
        )
    out.print(table)
    out.print(f"report: {document.get('report_path')}")
    published = document.get("published") or {}
    if published.get("failed"):
        err.print(f"[red]publishing failed for: {', '.join(published['failed'])}[/]")


def _exit_for(document: dict[str, Any]) -> int:
    return EXIT_OK if document["decision"] in PASSING else EXIT_FINDINGS


def gate(
    project: Annotated[str, typer.Argument(help="Project key (ABC) or id (jira:10000).")],
    phase: Annotated[
        str | None, typer.Option(help="Gate to review (default: the project's current phase).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the evaluation as JSON.")] = False,
    no_publish: Annotated[
        bool, typer.Option("--no-publish", help="Evaluate and store only; post nothing.")
    ] = False,
    config: ConfigOption = None,
) -> None:
    """Phase-gate review of one project: Go / Go with conditions / Hold / Recycle, with evidence."""
    from flows.gate_review import phase_gate_review

    document = guarded(
        lambda: phase_gate_review(project, phase=phase, publish=not no_publish, config_path=config),
        config,
    )
    _print_evaluation(document, as_json)
    raise typer.Exit(_exit_for(document))


def closeout(
    project: Annotated[str, typer.Argument(help="Project key or id.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the evaluation as JSON.")] = False,
    no_publish: Annotated[
        bool, typer.Option("--no-publish", help="Evaluate and store only.")
    ] = False,
    config: ConfigOption = None,
) -> None:
    """Closeout evaluation for leadership: KPIs, variances, forecast record, lessons learned."""
    from flows.closeout import closeout_evaluation

    document = guarded(
        lambda: closeout_evaluation(project, publish=not no_publish, config_path=config),
        config,
    )
    _print_evaluation(document, as_json)
    raise typer.Exit(_exit_for(document))


def status(
    project: Annotated[
        list[str] | None, typer.Option("--project", "-p", help="Only these projects.")
    ] = None,
    no_publish: Annotated[
        bool, typer.Option("--no-publish", help="Report only; post nothing.")
    ] = False,
    config: ConfigOption = None,
) -> None:
    """The portfolio status digest: phase, RAG, SPI/CPI, forecast vs target per project."""
    from flows.status_report import status_report

    result = guarded(
        lambda: status_report(projects=project or None, publish=not no_publish, config_path=config),
        config,
    )
    table = Table(
        "project",
        "phase",
        "RAG",
        "exit gate today",
        "SPI",
        "CPI",
        "P85",
        "target",
        title=f"Status {result['as_of'][:10]}",
    )
    for row in result["projects"]:
        table.add_row(
            row["project_key"],
            str(row["phase"]),
            row["rag"].upper(),
            str(row["decision"]),
            _num(row["spi"]),
            _num(row["cpi"]),
            str(row["p85"] or "–"),
            str(row["target_date"] or "–"),
        )
    out.print(table)
    out.print(f"report: {result['report_path']}")


def demo(config: ConfigOption = None) -> None:
    """Start the sandbox with the demo portfolio and run everything: sync, gates, closeout, status."""
    from flows.demo import print_summary, run_demo

    summary = guarded(lambda: run_demo(config_path=config, console=err), config)
    print_summary(summary, out)


def _num(value: Any) -> str:
    return "–" if value is None else f"{value:.2f}"


def register(app: typer.Typer) -> None:
    app.command()(gate)
    app.command()(closeout)
    app.command()(status)
    app.command()(demo)
