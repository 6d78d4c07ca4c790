"""The portfolio overview and weekly status digest: one row per project.

A row is a plain dict: project_key, project_name, phase, decision (or None), rag, spi, cpi,
p85 (date), target_date, findings (list of short strings), report (relative link or None).
RAG is the project's health, as the evaluation judged it (`checks.evaluation.health`);
`decision` is what the phase's exit gate would decide today.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from checks.evaluation.health import rag_legend
from reports.escape import card_text, html_text, markdown_text
from reports.evaluation import fmt_number
from reports.summary import ReportContext, finding_text, is_finished, phase_name

RAG_HTML = {"red": "#c0392b", "amber": "#d68910", "green": "#2e8540"}


EXIT_GATE_NOTE = (
    "Exit gate today: what the gate at the end of the project's current phase would decide if "
    "the project asked to leave the phase now; mid-phase, Recycle usually means 'not done yet'."
)


def trend_arrow(values: list[float]) -> str:
    """↑ / ↓ / → from the first to the last of the recent values (within 0.02 is flat)."""
    if len(values) < 2:
        return "–"
    change = values[-1] - values[0]
    return "→" if abs(change) < 0.02 else ("↑" if change > 0 else "↓")


def sparkline_svg(values: list[float], width: int = 80, height: int = 18) -> str:
    """A tiny inline SVG line of recent values, with 1.0 as a dashed reference."""
    if len(values) < 2:
        return ""
    low, high = min([*values, 0.8]), max([*values, 1.1])
    span = (high - low) or 1.0

    def y(v: float) -> float:
        return round(height - 2 - (v - low) / span * (height - 4), 1)

    step = (width - 4) / (len(values) - 1)
    points = " ".join(f"{round(2 + i * step, 1)},{y(v)}" for i, v in enumerate(values))
    return (
        f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{len(values)} values from {values[0]:.2f} to {values[-1]:.2f}">'
        f'<line x1="0" x2="{width}" y1="{y(1.0)}" y2="{y(1.0)}" stroke="#bbb" stroke-dasharray="2,2"/>'
        f'<polyline fill="none" stroke="#1f5fa8" stroke-width="1.5" points="{points}"/></svg>'
    )


def _trend_text(row: dict[str, Any], metric: str) -> str:
    values = (row.get("trend") or {}).get(metric) or []
    return f"{trend_arrow(values)} {fmt_number(values[-1])}" if values else "–"


def portfolio_markdown(
    rows: list[dict[str, Any]],
    title: str = "Portfolio status",
    thresholds: Mapping[str, float] | None = None,
) -> str:
    """The portfolio table; `thresholds` (the settings' overrides) name the RAG limits in force."""
    lines = [
        f"# {markdown_text(title)}",
        "",
        "| project | phase | RAG | exit gate today | SPI | CPI | SPI trend | P85 | target | top finding |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        finding = markdown_text((row.get("findings") or ["–"])[0])
        lines.append(
            f"| {markdown_text(row['project_key'])} {markdown_text(row.get('project_name'))} | {markdown_text(row.get('phase'))} | "
            f"{row.get('rag', '').upper()} | {row.get('decision') or '–'} | {fmt_number(row.get('spi'))} | "
            f"{fmt_number(row.get('cpi'))} | {_trend_text(row, 'evm.spi')} | {row.get('p85') or '–'} | "
            f"{row.get('target_date') or '–'} | {finding} |"
        )
    lines += [
        "",
        "RAG: " + "; ".join(f"{c.upper()} {text}" for c, text in rag_legend(thresholds)),
        "",
        EXIT_GATE_NOTE,
    ]
    return "\n".join(lines) + "\n"


_STYLE = (
    'body{font-family:-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;margin:2rem auto;'
    "max-width:1100px;color:#1d2330;line-height:1.45;padding:0 1rem}"
    "h1{font-size:1.6rem;margin-bottom:.2rem}.meta{color:#5a6475;font-size:.9rem}"
    "table{border-collapse:collapse;width:100%;font-size:.88rem;margin-top:.6rem}"
    "th,td{border:1px solid #dde2ea;padding:.35rem .5rem;text-align:left;vertical-align:top}"
    "th{background:#f3f5f9}.rag{font-weight:700;color:#fff;border-radius:4px;padding:.05rem .45rem}"
    ".legend{margin:.6rem 0;font-size:.85rem}.legend span{margin-right:1rem}a{color:#1f5fa8}"
    "@page{size:A4 landscape;margin:12mm}"
    "@media print{body{margin:0;max-width:none;font-size:9pt}tr,td,th{break-inside:avoid;"
    "page-break-inside:avoid}thead{display:table-header-group}a{color:inherit}}"
)


def portfolio_html(
    rows: list[dict[str, Any]],
    title: str = "Portfolio status",
    thresholds: Mapping[str, float] | None = None,
) -> str:
    """The portfolio page; `thresholds` (the settings' overrides) name the RAG limits in force."""
    body = "".join(_html_row(r) for r in rows)
    legend = "".join(
        f'<span><b class="rag" style="background:{RAG_HTML[c]}">{c.upper()}</b> {html_text(text)}</span>'
        for c, text in rag_legend(thresholds)
    )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>'
        + html_text(title)
        + f"</title><style>{_STYLE}</style></head><body>"
        f"<h1>{html_text(title)}</h1>"
        f'<div class="legend">{legend}</div>'
        f'<p class="meta">{html_text(EXIT_GATE_NOTE)}</p>'
        "<table><thead><tr><th>Project</th><th>Phase</th><th>RAG</th><th>Exit gate today</th>"
        "<th>SPI</th><th>CPI</th><th>Trend (SPI, recent weeks)</th><th>P85 finish</th><th>Target</th>"
        "<th>Top findings</th><th>Report</th></tr></thead>"
        f"{body}</table></body></html>"
    )


def _html_row(r: dict[str, Any]) -> str:
    spi_trend = (r.get("trend") or {}).get("evm.spi") or []
    trend = f"{sparkline_svg(spi_trend)} {trend_arrow(spi_trend)}" if len(spi_trend) > 1 else "–"
    report = (
        f'<a href="{html_text(r["report"])}">latest report</a>'
        if r.get("report")
        else "not evaluated yet"
    )
    return (
        "<tr>"
        f"<td><b>{html_text(r['project_key'])}</b> {html_text(r.get('project_name'))}</td><td>{html_text(r.get('phase'))}</td>"
        f'<td><b class="rag" style="background:{RAG_HTML.get(r.get("rag"), "#999")}">{html_text(r.get("rag", "").upper())}</b></td>'
        f"<td>{html_text(r.get('decision') or '–')}</td><td>{fmt_number(r.get('spi'))}</td><td>{fmt_number(r.get('cpi'))}</td>"
        f"<td>{trend}</td>"
        f"<td>{html_text(r.get('p85') or '–')}</td><td>{html_text(r.get('target_date') or '–')}</td>"
        f"<td>{'<br>'.join(html_text(f) for f in (r.get('findings') or [])[:3])}</td>"
        f"<td>{report}</td></tr>"
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
    """A portfolio row from an evaluation document, in the reports' plain words."""
    metrics = doc.get("metrics") or {}
    findings = [f for f in doc.get("findings") or [] if f.get("severity") == "critical"]
    findings += [f for f in doc.get("findings") or [] if f.get("severity") == "warning"]
    forecast = doc.get("forecast") or {}
    ctx = ReportContext()
    return {
        "project_id": doc["project_id"],
        "project_key": doc["project_key"],
        "project_name": doc.get("project_name"),
        "phase": phase_name(doc.get("phase")),
        "decision": doc.get("decision"),
        "rag": (doc.get("extra") or {}).get("rag") or "",
        "spi": metrics.get("evm.spi"),
        "cpi": metrics.get("evm.cpi"),
        # a finished project has a finish, not a forecast of one
        "p85": "finished"
        if is_finished(doc)
        else ctx.day((forecast.get("percentiles") or {}).get("p85")),
        "target_date": ctx.day(forecast.get("target_date")),
        "findings": [finding_text(f, doc, ctx) for f in findings[:3]],
        "report": report,
    }
