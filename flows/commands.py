"""`pmo gate`, `pmo closeout`, `pmo status`, `pmo demo`: the PMO's commands.

Exit codes (scripts rely on them): 0 done, and for `gate`/`closeout` the decision was Go or
Go with conditions; 1 done, but the decision was Hold or Recycle; 2 bad usage or
configuration; 3 a source, target or the run itself failed. Errors are one readable line
plus a hint; `PMO_DEBUG=1` shows the traceback too.
"""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer

from flows.cli_errors import guarded
from flows.cli_options import (
    EXIT_FAILED,
    EXIT_FINDINGS,
    EXIT_OK,
    AsOfOption,
    ConfigOption,
    err_console,
    out_console,
)

PASSING = {"Go", "Go with conditions"}


def _print_evaluation(document: dict[str, Any], as_json: bool) -> None:
    from reports.evaluation import fmt_number

    if as_json:  # with `published`: what went where, or why nothing did
        sys.stdout.write(json.dumps(document, indent=2, default=str) + "\n")
        return
    colour = {"Go": "green", "Go with conditions": "yellow", "Hold": "blue", "Recycle": "red"}[
        document["decision"]
    ]
    out_console().print(
        f"[bold]{document['project_key']}[/] ({document['phase']}): [bold {colour}]{document['decision']}[/]"
    )
    if document.get("kind") == "closeout" and document.get("phase") not in ("closeout", "closed"):
        out_console().print(
            f"[bold yellow]closeout readiness, not a closeout:[/] {document['project_key']} is "
            f"in the {document.get('phase')} phase; this shows what a closeout would find today"
        )
    out_console().print(document["rationale"], markup=False)
    from rich.table import Table

    table = Table("result", "criterion", "value", "threshold")
    for c in document.get("criteria") or []:
        table.add_row(
            c["result"],
            c["description"],
            fmt_number(c.get("value")),
            f"{c['comparison']} {fmt_number(c.get('threshold'))}",
        )
    out_console().print(table)
    out_console().print(f"report: {document.get('report_path')}", highlight=False)
    _print_published(document.get("published"))
    failed = (document.get("published") or {}).get("failed")
    if failed:
        err_console().print(f"[bold red]error:[/] publishing failed for: {', '.join(failed)}")
        err_console().print(
            "[dim]hint: the evaluation is stored; run the command again to retry[/]"
        )


def _print_published(published: dict[str, Any] | None) -> None:
    """One line on where the evaluation went in Jira (or why nowhere), one on the rest."""
    if not published:
        out_console().print("published: nothing (--no-publish or publish.enabled: false)")
        return
    jira = published.get("jira_target") or {}
    if jira.get("issue"):
        line = f"jira: {jira['issue']} ({jira.get('how')}, from {jira.get('from')})"
    else:
        line = f"jira: nothing posted: {jira.get('reason') or published.get('skipped', {}).get('jira')}"
    out_console().print(line, markup=False, highlight=False)
    already = set(published.get("already_published") or [])
    done = ", ".join(sorted(set(published.get("done") or {}) - already))
    out_console().print(f"published: {done or 'nothing new'}", markup=False, highlight=False)
    if already:  # ledger hits: done by an earlier run, nothing sent now
        listed = ", ".join(sorted(already))
        out_console().print(f"already published: {listed}", markup=False, highlight=False)


def _exit_for(document: dict[str, Any]) -> int:
    """A target that failed outranks the decision: exit 3, as for any failed target."""
    if (document.get("published") or {}).get("failed"):
        return EXIT_FAILED
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
    as_of: AsOfOption = None,
) -> None:
    """Phase-gate review of one project: Go / Go with conditions / Hold / Recycle, with evidence."""
    from flows.gate_review import phase_gate_review
    from flows.orchestration import run_for_cli

    document = guarded(
        lambda: run_for_cli(
            phase_gate_review,
            project=project,
            phase=phase,
            publish=not no_publish,
            config_path=config,
            as_of=as_of,
        ),
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
    as_of: AsOfOption = None,
) -> None:
    """Closeout evaluation for leadership: KPIs, variances, forecast record, lessons learned."""
    from flows.closeout import closeout_evaluation
    from flows.orchestration import run_for_cli

    document = guarded(
        lambda: run_for_cli(
            closeout_evaluation,
            project=project,
            publish=not no_publish,
            config_path=config,
            as_of=as_of,
        ),
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
    as_of: AsOfOption = None,
) -> None:
    """The portfolio status digest: phase, RAG, SPI/CPI, forecast vs target per project."""
    from flows.orchestration import run_for_cli
    from flows.status_report import status_report

    result = guarded(
        lambda: run_for_cli(
            status_report,
            projects=project or None,
            publish=not no_publish,
            config_path=config,
            as_of=as_of,
        ),
        config,
    )
    from rich.table import Table

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
    out_console().print(table)
    out_console().print(f"report: {result['report_path']}")


def demo(config: ConfigOption = None) -> None:
    """Start the sandbox with the demo portfolio and run everything: sync, gates, closeout, status."""
    from flows.demo import print_summary, run_demo

    summary = guarded(lambda: run_demo(config_path=config, console=err_console()), config)
    print_summary(summary, out_console())


def _num(value: Any) -> str:
    return "–" if value is None else f"{value:.2f}"


def register(app: typer.Typer) -> None:
    app.command()(gate)
    app.command()(closeout)
    app.command()(status)
    app.command()(demo)
