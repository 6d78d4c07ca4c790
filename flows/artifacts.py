"""Prefect artifacts for a run: the Markdown report, the criteria table and the report link."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from prefect.artifacts import create_link_artifact, create_markdown_artifact, create_table_artifact
from prefect.context import get_run_context

from flows.steps import Judged
from reports.evaluation import evaluation_markdown, fmt_number


def artifact_key(*parts: str) -> str:
    """Prefect artifact keys allow lower-case letters, digits and dashes only."""
    return re.sub(r"[^a-z0-9-]+", "-", "-".join(parts).lower()).strip("-")[:100]


def in_a_run() -> bool:
    try:
        get_run_context()
    except RuntimeError:
        return False
    return True


def evaluation_artifacts(judged: Judged) -> None:
    if not in_a_run():
        return
    doc = judged.document
    key = artifact_key(doc["kind"], doc["project_key"])
    create_markdown_artifact(
        evaluation_markdown(doc, judged.report_path.resolve().as_uri()),
        key=key,
        description=f"{doc['decision']}: {doc['project_key']} {doc.get('phase')}",
    )
    rows = [
        {
            "result": c["result"],
            "criterion": c["description"],
            "metric": c["metric"],
            "value": fmt_number(c.get("value")),
            "threshold": f"{c['comparison']} {fmt_number(c.get('threshold'))}",
            "must_meet": c["must_meet"],
            "evidence": ", ".join(c.get("evidence") or [])[:200],
        }
        for c in doc.get("criteria") or []
    ]
    if rows:
        create_table_artifact(rows, key=artifact_key(key, "criteria"), description="Gate criteria")
    create_link_artifact(
        judged.report_path.resolve().as_uri(),
        link_text="HTML report",
        key=artifact_key(key, "report"),
    )


def table_artifact(rows: Sequence[dict[str, Any]], key: str, description: str) -> None:
    if in_a_run() and rows:
        create_table_artifact(list(rows), key=artifact_key(key), description=description)


def markdown_artifact(markdown: str, key: str, description: str) -> None:
    if in_a_run():
        create_markdown_artifact(markdown, key=artifact_key(key), description=description)
