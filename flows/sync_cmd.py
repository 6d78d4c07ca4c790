"""`pmo sync [--full] [--project KEY ...] [--config PATH]`: the nightly sync, by hand, with a
live progress display and a summary table."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from flows.cli_errors import guarded
from flows.cli_options import AsOfOption, ConfigOption

ProjectOption = Annotated[
    list[str] | None, typer.Option("--project", "-p", help="Only this project key (repeatable).")
]
FullOption = Annotated[
    bool, typer.Option("--full", help="Re-read everything, ignoring watermarks.")
]

JudgeOption = Annotated[
    bool, typer.Option("--judge/--no-judge", help="Run quality gates and checks after the sync.")
]


def _listener(progress: Any, task_id: Any, judgement: dict[str, Any]) -> Any:
    counts = {"issues": 0, "worklogs": 0}

    def on_event(event: str, data: dict[str, Any]) -> None:
        if event == "judgement":
            judgement.update(data)
        elif event == "projects":
            progress.update(task_id, total=len(data["keys"]) + 1)
        elif event == "issues":
            counts["issues"] += data["count"]
            progress.update(
                task_id, description=f"Jira {data['project']}: {counts['issues']} issues"
            )
        elif event == "project_done":
            progress.advance(task_id)
        elif event == "worklogs":
            counts["worklogs"] += data["count"]
            progress.update(
                task_id, description=f"Jira worklogs {data['stream']}: {counts['worklogs']}"
            )

    return on_event


def summary_table(summaries: list[dict[str, Any]]) -> Any:
    from rich.table import Table

    table = Table(title="Sync summary")
    for column in (
        "source",
        "scope",
        "stream",
        "fetched",
        "inserted",
        "updated",
        "deleted",
        "quarantined",
    ):
        table.add_column(
            column, justify="right" if column not in ("source", "scope", "stream") else "left"
        )
    for summary in summaries:
        if summary.get("errors") and not summary["streams"]:  # failed before any stream
            table.add_row(summary["source"], summary["scope"], "[red]failed[/]", *["-"] * 5)
        for stream, counts in sorted(summary["streams"].items()):
            table.add_row(
                summary["source"],
                summary["scope"],
                stream,
                *(
                    str(counts.get(k, 0))
                    for k in ("fetched", "inserted", "updated", "deleted", "quarantined")
                ),
            )
    total_requests = sum(s["requests"] for s in summaries)
    total_retries = sum(s["retries"] for s in summaries)
    table.caption = f"{total_requests} requests, {total_retries} retries"
    return table


def judgement_line(judgement: dict[str, Any]) -> str:
    """What the sync's judgement did, in one line."""
    if judgement.get("judged"):
        return f"judged {judgement.get('projects')} project(s): quality gates and checks"
    return (
        f"nothing changed since the judgement of {judgement.get('judged_at')}: "
        "evaluations unchanged, not judged again"
    )


def register(app: typer.Typer) -> None:
    @app.command("sync")
    def sync(
        full: FullOption = False,
        project: ProjectOption = None,
        config: ConfigOption = None,
        judge: JudgeOption = True,
        as_of: AsOfOption = None,
    ) -> None:
        """Sync Jira (and Microsoft 365) into the warehouse, incrementally."""
        from rich.markup import escape
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            SpinnerColumn,
            TextColumn,
        )

        from flows.cli_options import err_console

        console = err_console()
        columns = (
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
        )

        def run() -> list[dict[str, Any]]:
            from flows.nightly_sync import SyncFailedError, add_progress_listener, nightly_sync
            from flows.orchestration import run_for_cli

            with Progress(*columns, console=console, transient=True) as progress:
                remove = add_progress_listener(
                    _listener(progress, progress.add_task("Jira", total=None), judgement)
                )
                try:
                    rows: list[dict[str, Any]] = run_for_cli(
                        nightly_sync,
                        config_path=config,
                        full=full,
                        projects=project or None,
                        judge=judge,
                        as_of=as_of,
                    )
                    return rows
                except SyncFailedError as exc:  # what landed is shown, then the one-line error
                    progress.stop()
                    console.print(summary_table(exc.summaries))
                    raise
                finally:
                    remove()

        judgement: dict[str, Any] = {}
        summaries = guarded(run, config)  # a bad config fails in a moment, before Prefect starts
        console.print(summary_table(summaries))
        if judgement:
            console.print(judgement_line(judgement), highlight=False)
        for summary in summaries:  # it worked, but someone should look (text from sources)
            for warning in summary.get("warnings") or []:
                console.print(f"[yellow]warning[/yellow] {summary['source']}: {escape(warning)}")
