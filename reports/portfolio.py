"""The portfolio overview and weekly status digest: one row per project.

A row is a plain dict: project_key, project_name, phase, decision (or None), rag, spi, cpi,
p85 (date), target_date, findings (list of short strings), report (relative link or None).
RAG is the project's health; `decision` is what the phase's exit gate would decide today.
"""

from __future__ import annotations

from typing import Any

from reports.escape import card_text, html_text, markdown_text
from reports.evaluation import fmt_number

RAG_HTML = {"red": "#c0392b", "amber": "#d68910", "green": "#2e8540"}


def rag_of(
    spi: float | None,
    critical_findings: int,
    decision: str | None = None,
    cpi: float | None = None,
    warning_findings: int = 0,
) -> str:
    """Red / amber / green: the project's health, after Smartsheet's default rule (red beyond
    10 % behind, amber when behind at all), applied to schedule (SPI) and cost (CPI), plus
    findings (critical: red; warning: amber) and evidence too poor to judge (Hold: red).

    The exit gate's other decisions stay out of it: a healthy project half-way through its
    phase fails "work complete" and would recycle if it asked to leave now, which says it is
    not done, not that it is in trouble. The digest shows that decision in its own column.
    """
    indices = [i for i in (spi, cpi) if i is not None]
    if decision == "Hold" or critical_findings > 0 or any(i < 0.9 for i in indices):
        return "red"
    if decision == "Go with conditions" or warning_findings > 0 or any(i < 1.0 for i in indices):
        return "amber"
    return "green"


def portfolio_markdown(rows: list[dict[str, Any]], title: str = "Portfolio status") -> str:
    lines = [
        f"# {markdown_text(title)}",
        "",
        "| project | phase | RAG | exit gate today | SPI | CPI | P85 | target | top finding |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        finding = markdown_text((row.get("findings") or ["–"])[0])
        lines.append(
            f"| {markdown_text(row['project_key'])} {markdown_text(row.get('project_name'))} | {row.get('phase')} | "
            f"{row.get('rag', '').upper()} | {row.get('decision') or '–'} | {fmt_number(row.get('spi'))} | "
            f"{fmt_number(row.get('cpi'))} | {row.get('p85') or '–'} | {row.get('target_date') or '–'} | {finding} |"
        )
    return "\n".join(lines) + "\n"


def portfolio_html(rows: list[dict[str, Any]], title: str = "Portfolio status") -> str:
    body = "".join(
        "<tr>"
        f"<td><b>{html_text(r['project_key'])}</b> {html_text(r.get('project_name'))}</td><td>{html_text(r.get('phase'))}</td>"
        f'<td style="background:{RAG_HTML.get(r.get("rag"), "#999")};color:#fff;font-weight:700">{html_text(r.get("rag", "").upper())}</td>'
        f"<td>{html_text(r.get('decision') or '–')}</td><td>{fmt_number(r.get('spi'))}</td><td>{fmt_number(r.get('cpi'))}</td>"
        f"<td>{html_text(r.get('p85') or '–')}</td><td>{html_text(r.get('target_date') or '–')}</td>"
        f"<td>{'<br>'.join(html_text(f) for f in (r.get('findings') or [])[:3])}</td>"
        + (
            f'<td><a href="{html_text(r["report"])}">report</a></td>'
            if r.get("report")
            else "<td></td>"
        )
        + "</tr>"
        for r in rows
    )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>'
        + html_text(title)
        + "</title>"
        "<style>body{font-family:Segoe UI,Arial,sans-serif;margin:2rem}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccd;padding:.3rem .5rem;font-size:.9rem}th{background:#f3f5f9}</style></head><body>"
        f"<h1>{html_text(title)}</h1><table><tr><th>Project</th><th>Phase</th><th>RAG</th><th title='what the exit gate of the phase would decide today'>Exit gate today</th>"
        "<th>SPI</th><th>CPI</th><th>P85</th><th>Target</th><th>Top findings</th><th></th></tr>"
        f"{body}</table></body></html>"
    )


def digest_card(rows: list[dict[str, Any]], title: str = "Weekly status digest") -> dict[str, Any]:
    facts = [
        {
            "title": card_text(r["project_key"]),
            "value": f"{r.get('rag', '').upper()} · {card_text(r.get('phase'))} · SPI {fmt_number(r.get('spi'))}",
        }
        for r in rows
    ]
    return {
        "type": "AdaptiveCard",
        "version": "1.4",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "body": [
            {
                "type": "TextBlock",
                "size": "Medium",
                "weight": "Bolder",
                "text": card_text(title),
            },
            {"type": "FactSet", "facts": facts},
        ],
    }


def alert_card(project_key: str, findings: list[dict[str, Any]]) -> dict[str, Any]:
    """New red findings since the last run, for the PMO channel."""
    body: list[dict[str, Any]] = [
        {
            "type": "TextBlock",
            "size": "Medium",
            "weight": "Bolder",
            "color": "Attention",
            "text": f"New red flags: {card_text(project_key)}",
        }
    ]
    body += [
        {"type": "TextBlock", "wrap": True, "text": f"• {card_text(f.get('message'))}"}
        for f in findings[:10]
    ]
    return {
        "type": "AdaptiveCard",
        "version": "1.4",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "body": body,
    }


def row_from_evaluation(doc: dict[str, Any], report: str | None = None) -> dict[str, Any]:
    """A portfolio row from an evaluation document."""
    metrics = doc.get("metrics") or {}
    findings = [f for f in doc.get("findings") or [] if f.get("severity") == "critical"]
    findings += [f for f in doc.get("findings") or [] if f.get("severity") == "warning"]
    forecast = doc.get("forecast") or {}
    return {
        "project_id": doc["project_id"],
        "project_key": doc["project_key"],
        "project_name": doc.get("project_name"),
        "phase": doc.get("phase"),
        "decision": doc.get("decision"),
        "rag": rag_of(
            metrics.get("evm.spi"),
            sum(f.get("severity") == "critical" for f in findings),
            doc.get("decision"),
            metrics.get("evm.cpi"),
            sum(f.get("severity") == "warning" for f in findings),
        ),
        "spi": metrics.get("evm.spi"),
        "cpi": metrics.get("evm.cpi"),
        "p85": (forecast.get("percentiles") or {}).get("p85"),
        "target_date": forecast.get("target_date"),
        "findings": [str(f.get("message")) for f in findings[:3]],
        "report": report,
    }
