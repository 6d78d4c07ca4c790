"""`pmo demo`: the whole product on the sandbox's demo portfolio, in one command.

Starts the sandbox (unless config points at real services), runs the nightly sync (which
also answers gate-review requests filed in Jira), a gate review for every project waiting
at a gate, a closeout for the finished project and the weekly status report, then prints a
summary. A second run is incremental and publishes nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from prefect import flow
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from flows.runtime import open_runtime

if TYPE_CHECKING:
    from flows.runtime import Runtime

GATED_PHASES = ("initiation", "planning", "execution", "qa_uat", "training_documentation")


@dataclass
class DemoSummary:
    rows: list[dict[str, Any]] = field(default_factory=list)
    reports_dir: str = ""
    status_report: str = ""
    sync: list[dict[str, Any]] = field(default_factory=list)
    outbox: int | None = None
    ui_hint: str = ""


def _projects_by_phase(runtime: Runtime) -> list[tuple[str, str]]:
    projects = runtime.warehouse.read("projects")
    return [
        (str(r.key), str(r.phase))
        for r in projects.itertuples()
        if r.phase is not None and str(r.phase) != "nan"
    ]


def _row(document: dict[str, Any]) -> dict[str, Any]:
    """The demo table's row: the decision and its main reason in plain words."""
    from reports.summary import ReportContext, criterion_gap, failed

    misses = failed(document, True) or failed(document, False)
    reason = criterion_gap(misses[0], document, ReportContext()) if misses else "all criteria met"
    return {
        "project": document["project_key"],
        "phase": document["phase"],
        "kind": document["kind"],
        "decision": document["decision"],
        "findings": [reason],
        "report": document.get("report_path"),
    }


@flow(name="pmo-demo", log_prints=False)
def demo_flow(config_path: str | None = None) -> dict[str, Any]:
    """The demo as one Prefect flow run, with the others as its subflows."""
    return run_demo(config_path=config_path).__dict__


def run_demo(config_path: str | None = None, console: Console | None = None) -> DemoSummary:
    from flows.closeout import closeout_evaluation
    from flows.gate_review import phase_gate_review
    from flows.nightly_sync import nightly_sync
    from flows.status_report import status_report

    console = console or Console(stderr=True)
    summary = DemoSummary()
    progress = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )
    with open_runtime(config_path) as runtime, progress:
        info = runtime.sandbox_info
        if info is not None:
            console.print(f"sandbox: Jira {info['jira_url']}  Graph {info['graph_base_url']}")
        step = progress.add_task("nightly sync (Jira + Microsoft 365)", total=1)
        summary.sync = list(nightly_sync(config_path=config_path))
        progress.advance(step)
        projects = _projects_by_phase(runtime)
        gated = [(k, p) for k, p in projects if p in GATED_PHASES]
        finished = [k for k, p in projects if p == "closeout"]
        step = progress.add_task("gate reviews", total=len(gated))
        for key, phase in gated:
            progress.update(step, description=f"gate review {key} ({phase})")
            summary.rows.append(_row(phase_gate_review(key, config_path=config_path)))
            progress.advance(step)
        step = progress.add_task("closeout evaluations", total=len(finished))
        for key in finished:
            summary.rows.append(_row(closeout_evaluation(key, config_path=config_path)))
            progress.advance(step)
        step = progress.add_task("status report", total=1)
        summary.status_report = str(
            Path(status_report(config_path=config_path)["report_path"]).resolve()
        )
        progress.advance(step)
        summary.reports_dir = str(Path(runtime.reports_dir).resolve())
        if runtime.sandbox_server is not None:
            summary.outbox = len(runtime.sandbox_server.state.outbox_entries())
    summary.ui_hint = "Prefect UI: `uv run prefect server start`, then http://127.0.0.1:4200"
    return summary


def print_summary(summary: DemoSummary, console: Console) -> None:
    """One line per project, readable in an 80-column terminal; the reports hold the detail."""
    from rich import box

    table = Table(title="pmo demo", box=box.SIMPLE_HEAD, pad_edge=False)
    fixed = {"project": 7, "phase": 15, "decision": 18}
    for name, width in fixed.items():
        table.add_column(name, no_wrap=True, width=width)
    reason = max(20, console.width - sum(fixed.values()) - 3 * len(fixed) - 2)
    table.add_column("main reason", overflow="fold", width=reason)  # wraps, never cut
    colours = {"Go": "green", "Go with conditions": "yellow", "Hold": "blue", "Recycle": "red"}
    for row in summary.rows:
        decision = f"[{colours.get(row['decision'], 'white')}]{row['decision']}[/]"
        table.add_row(
            row["project"],
            PHASE_LABELS.get(row["phase"], str(row["phase"]).replace("_", " ")),
            decision,
            (row["findings"] or ["–"])[0],
        )
    console.print(table)
    console.print(f"reports:   {summary.reports_dir}", highlight=False, soft_wrap=True)
    console.print(f"status:    {summary.status_report}", highlight=False, soft_wrap=True)
    if summary.outbox is not None:
        console.print(
            f"published: {summary.outbox} item(s) to the sandbox (a second run adds none)",
            highlight=False,
        )
    console.print(summary.ui_hint, highlight=False, soft_wrap=True)


PHASE_LABELS = {
    "qa_uat": "QA / UAT",
    "training_documentation": "training & docs",
    "closeout": "closeout",
}
