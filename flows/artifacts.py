"""Prefect artifacts for a run: the Markdown report, the criteria table and the report link."""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flows.steps import Judged


def artifact_key(*parts: str) -> str:
    """Prefect artifact keys allow lower-case letters, digits and dashes only."""
    return re.sub(r"[^a-z0-9-]+", "-", "-".join(parts).lower()).strip("-")[:100]


def in_a_run() -> bool:
    """Inside a Prefect flow or task run? Never when Prefect was not even imported (an
    in-process CLI run, `flows.orchestration`), which this answers without importing it."""
    if "prefect.context" not in sys.modules:
        return False
    from prefect.context import get_run_context

    try:
        get_run_context()
    except RuntimeError:
        return False
    return True


def shareable(url: str | None) -> str | None:
    """A link people can open (http/https); a path on the worker is not one."""
    return url if url and url.startswith(("https://", "http://")) else None


def evaluation_artifacts(judged: Judged, report_url: str | None = None) -> None:
    """The summary as Markdown and the criteria as a table; the report link once known."""
    if not in_a_run():
        return
    from prefect.artifacts import create_markdown_artifact, create_table_artifact

    from reports.evaluation import RESULT_MARK, evaluation_markdown
    from reports.summary import threshold_text, value_text

    doc = judged.document
    ctx = judged.context
    key = artifact_key(doc["kind"], doc["project_key"])
    create_markdown_artifact(
        evaluation_markdown(doc, shareable(report_url), ctx),
        key=key,
        description=f"{doc['decision']}: {doc['project_key']} {doc.get('phase')}",
    )
    rows = [
        {
            "result": RESULT_MARK.get(c["result"], c["result"]),
            "criterion": c["description"],
            "value": value_text(c["metric"], c.get("value"), doc, ctx, c),
            "needs": threshold_text(c["metric"], c["comparison"], c.get("threshold"), ctx),
            "type": "must-meet" if c["must_meet"] else "should-meet",
            "evidence": ", ".join(ctx.key(e) if ctx else str(e) for e in c.get("evidence") or [])[
                :200
            ],
        }
        for c in doc.get("criteria") or []
    ]
    if rows:
        create_table_artifact(rows, key=artifact_key(key, "criteria"), description="Gate criteria")


def report_link_artifact(judged: Judged, published: dict[str, Any] | None) -> str | None:
    """Link the report where people can open it: the SharePoint copy when it was uploaded.

    A `file://` path on the worker opens for nobody, so without an upload there is no link
    artifact; the Markdown artifact names the report file instead.
    """
    url = report_url_of(published)
    if url and in_a_run():
        from prefect.artifacts import create_link_artifact

        doc = judged.document
        create_link_artifact(
            url,
            link_text=f"Report: {doc['project_key']} {doc['decision']}",
            key=artifact_key(doc["kind"], doc["project_key"], "report"),
        )
    return url


def report_url_of(published: dict[str, Any] | None) -> str | None:
    """The report's SharePoint URL from a publication outcome, when it has one."""
    done = (published or {}).get("done") or {}
    return shareable((published or {}).get("report_url") or done.get("sharepoint_url"))


def table_artifact(rows: Sequence[dict[str, Any]], key: str, description: str) -> None:
    if in_a_run() and rows:
        from prefect.artifacts import create_table_artifact

        create_table_artifact(list(rows), key=artifact_key(key), description=description)


def markdown_artifact(markdown: str, key: str, description: str) -> None:
    if in_a_run():
        from prefect.artifacts import create_markdown_artifact

        create_markdown_artifact(markdown, key=artifact_key(key), description=description)
