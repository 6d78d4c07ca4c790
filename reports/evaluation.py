"""Renderings of one evaluation (the `Evaluation.to_dict()` document) for each audience.

- `evaluation_html`: the self-contained report (charts embedded), archived and attached;
- `evaluation_markdown`: Prefect artifacts and the status digest;
- `evaluation_adf` / `evaluation_wiki`: the Jira comment on REST v3 / v2;
- `evaluation_card`: the Adaptive Card for Teams;
- `closeout_email`: leadership's mail.
Chart data travels in ``doc["extra"]["charts"]`` (see docs/evaluation.md).
"""

from __future__ import annotations

import math
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from reports import charts as chart_lib
from reports.escape import adf_text, clean, html_text, markdown_text, wiki_text

TEMPLATES = Path(__file__).resolve().parent / "templates"
DECISION_COLOURS = {
    "Go": "Good",
    "Go with conditions": "Warning",
    "Hold": "Accent",
    "Recycle": "Attention",
}
RESULT_MARK = {"pass": "PASS", "fail": "FAIL", "missing": "MISSING"}


def fmt_number(value: Any) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:,.2f}".rstrip("0").rstrip(".")
    return str(value)


def fmt_pct(value: Any) -> str:
    return "–" if value is None else f"{100 * float(value):.0f} %"


@cache
def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "j2"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
        # Control characters from source text are removed before autoescaping.
        finalize=lambda value: clean(value) if isinstance(value, str) else value,
    )
    env.filters["num"] = fmt_number
    env.filters["pct"] = fmt_pct
    return env


def title_of(doc: dict[str, Any]) -> str:
    kind = "Closeout evaluation" if doc.get("kind") == "closeout" else "Phase-gate review"
    key, name = doc.get("project_key"), doc.get("project_name")
    return f"{kind}: {name} ({key})" if name and name != key else f"{kind}: {key}"


def chart_images(doc: dict[str, Any]) -> list[dict[str, str]]:
    """The report's charts as data URIs, skipping any without data."""
    data = (doc.get("extra") or {}).get("charts") or {}
    forecast = doc.get("forecast") or {}
    target = forecast.get("target_date")
    candidates = [
        ("Earned value S-curve", chart_lib.s_curve(data.get("evm_series") or [], target)),
        (
            "Completion forecast",
            chart_lib.forecast_histogram(
                data.get("forecast_histogram"), forecast.get("percentiles") or {}, target
            ),
        ),
        ("Risk heat map", chart_lib.risk_heatmap(data.get("risks") or [])),
        ("Resource load", chart_lib.resource_load(data.get("resource_load") or [])),
    ]
    return [{"title": title, "uri": chart_lib.data_uri(png)} for title, png in candidates if png]


def evaluation_html(doc: dict[str, Any]) -> str:
    template = _environment().get_template("evaluation.html.j2")
    dq = {
        "expectations": 0,
        "passed": 0,
        "critical_failures": 0,
        "warnings": 0,
        "trustworthy": True,
        "failures": [],
        **(doc.get("data_quality") or {}),
    }
    return template.render(doc=doc, title=title_of(doc), charts=chart_images(doc), dq=dq)


def _top_findings(doc: dict[str, Any], limit: int = 5) -> list[dict[str, Any]]:
    order = {"critical": 0, "warning": 1, "info": 2}
    findings = sorted(
        doc.get("findings") or [],
        key=lambda f: (order.get(f.get("severity"), 3), f.get("check", "")),
    )
    return findings[:limit]


def evaluation_markdown(doc: dict[str, Any], report_link: str | None = None) -> str:
    lines = [
        f"# {markdown_text(title_of(doc))}",
        "",
        f"**Decision: {doc['decision']}** · phase `{doc.get('phase')}` · data version `{doc.get('data_version')}`",
        "",
        markdown_text(doc.get("rationale", "")),
        "",
    ]
    if doc.get("conditions"):
        lines += ["## Conditions", *[f"- {markdown_text(c)}" for c in doc["conditions"]], ""]
    lines += [
        "## Criteria",
        "",
        "| result | criterion | metric | value | threshold | evidence |",
        "|---|---|---|---|---|---|",
    ]
    for c in doc.get("criteria") or []:
        evidence = ", ".join(markdown_text(e) for e in (c.get("evidence") or [])[:5])
        lines.append(
            f"| {RESULT_MARK.get(c['result'], c['result'])} | {markdown_text(c['description'])} | `{c['metric']}` | "
            f"{fmt_number(c.get('value'))} | {c['comparison']} {fmt_number(c.get('threshold'))} | {evidence} |"
        )
    lines += ["", "## Top findings", ""]
    for f in _top_findings(doc):
        items = ", ".join(markdown_text(i) for i in (f.get("item_ids") or [])[:5])
        lines.append(
            f"- **{f['severity']}** `{f['check']}`: {markdown_text(f['message'])} ({items})"
        )
    dq = doc.get("data_quality") or {}
    lines += [
        "",
        f"Data quality: {dq.get('passed', 0)}/{dq.get('expectations', 0)} expectations passed, "
        f"{dq.get('critical_failures', 0)} critical failures.",
    ]
    if report_link:
        lines += ["", f"[Full report]({report_link})"]
    return "\n".join(lines) + "\n"


def _adf_paragraph(*parts: dict[str, Any]) -> dict[str, Any]:
    return {"type": "paragraph", "content": list(parts)}


def _adf_text(text: object, *marks: str) -> dict[str, Any]:
    node: dict[str, Any] = {"type": "text", "text": adf_text(text)}
    if marks:
        node["marks"] = [{"type": m} for m in marks]
    return node


def _adf_bullets(items: list[str]) -> dict[str, Any]:
    return {
        "type": "bulletList",
        "content": [
            {"type": "listItem", "content": [_adf_paragraph(_adf_text(item))]} for item in items
        ],
    }


def evaluation_adf(doc: dict[str, Any], *, marker: str | None = None) -> dict[str, Any]:
    """An ADF document for a Jira v3 comment. `marker` (the idempotency key) ends the comment."""
    content: list[dict[str, Any]] = [
        {"type": "heading", "attrs": {"level": 3}, "content": [_adf_text(title_of(doc))]},
        _adf_paragraph(
            _adf_text("Decision: ", "strong"),
            _adf_text(doc["decision"], "strong"),
            _adf_text(f" (phase {doc.get('phase')})"),
        ),
        _adf_paragraph(_adf_text(doc.get("rationale", ""))),
    ]
    if doc.get("conditions"):
        content += [
            _adf_paragraph(_adf_text("Conditions", "strong")),
            _adf_bullets(list(doc["conditions"])),
        ]
    failed = [c for c in doc.get("criteria") or [] if c.get("result") != "pass"]
    if failed:
        content += [
            _adf_paragraph(_adf_text("Criteria not met", "strong")),
            _adf_bullets(
                [
                    f"{c['description']}: {fmt_number(c.get('value'))} (needs {c['comparison']} {fmt_number(c.get('threshold'))})"
                    for c in failed
                ]
            ),
        ]
    findings = _top_findings(doc)
    if findings:
        content += [
            _adf_paragraph(_adf_text("Top findings", "strong")),
            _adf_bullets([f"[{f['severity']}] {f['message']}" for f in findings]),
        ]
    if marker:
        content.append(_adf_paragraph(_adf_text(f"pmo-lifecycle:{marker}", "code")))
    return {"type": "doc", "version": 1, "content": content}


def evaluation_wiki(doc: dict[str, Any], *, marker: str | None = None) -> str:
    """Jira wiki markup for a REST v2 comment (Data Center)."""
    lines = [
        f"h3. {wiki_text(title_of(doc))}",
        f"*Decision: {wiki_text(doc['decision'])}* (phase {wiki_text(doc.get('phase'))})",
        wiki_text(doc.get("rationale", "")),
    ]
    lines += [f"* {wiki_text(c)}" for c in doc.get("conditions") or []]
    lines += [f"* [{f['severity']}] {wiki_text(f['message'])}" for f in _top_findings(doc)]
    if marker:
        lines.append(f"{{{{pmo-lifecycle:{wiki_text(marker)}}}}}")
    return "\n".join(lines)


def evaluation_card(doc: dict[str, Any], report_url: str | None = None) -> dict[str, Any]:
    """An Adaptive Card (1.4) for Teams. TextBlocks render Markdown, so all data is escaped."""
    facts = [
        {"title": "Phase", "value": markdown_text(doc.get("phase"))},
        {
            "title": "Data quality",
            "value": "trustworthy"
            if (doc.get("data_quality") or {}).get("trustworthy", True)
            else "NOT trustworthy",
        },
    ]
    for c in (doc.get("criteria") or [])[:8]:
        facts.append(
            {
                "title": markdown_text(c["description"])[:60],
                "value": f"{RESULT_MARK.get(c['result'], c['result'])} {fmt_number(c.get('value'))}",
            }
        )
    body: list[dict[str, Any]] = [
        {
            "type": "TextBlock",
            "size": "Medium",
            "weight": "Bolder",
            "wrap": True,
            "text": markdown_text(title_of(doc)),
        },
        {
            "type": "TextBlock",
            "weight": "Bolder",
            "color": DECISION_COLOURS.get(doc["decision"], "Default"),
            "text": f"Decision: {doc['decision']}",
        },
        {"type": "TextBlock", "wrap": True, "text": markdown_text(doc.get("rationale", ""))},
        {"type": "FactSet", "facts": facts},
    ]
    for f in _top_findings(doc, 3):
        body.append(
            {
                "type": "TextBlock",
                "wrap": True,
                "spacing": "Small",
                "text": f"• {f['severity']}: {markdown_text(f['message'])}",
            }
        )
    card: dict[str, Any] = {
        "type": "AdaptiveCard",
        "version": "1.4",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "body": body,
    }
    if report_url:
        card["actions"] = [{"type": "Action.OpenUrl", "title": "Open report", "url": report_url}]
    return card


def closeout_email(doc: dict[str, Any], report_url: str | None = None) -> tuple[str, str]:
    """Subject and HTML body for leadership; the full report goes along as an attachment or link."""
    subject = f"Closeout evaluation: {adf_text(doc.get('project_name') or doc.get('project_key'))} ({doc['decision']})"
    closeout = doc.get("closeout") or {}
    kpis = "".join(
        f"<tr><td>{html_text(k.get('name'))}</td><td>{fmt_number(k.get('target'))}</td>"
        f"<td>{fmt_number(k.get('actual'))}</td><td>{html_text(k.get('met'))}</td></tr>"
        for k in closeout.get("kpis") or []
    )
    lessons = "".join(
        f"<li>{html_text(lesson.get('title') or lesson.get('lesson'))}: <i>{html_text(lesson.get('action'))}</i></li>"
        for lesson in closeout.get("lessons") or []
    )
    link = (
        f'<p><a href="{html_text(report_url)}">Open the full report</a></p>' if report_url else ""
    )
    body = (
        f'<html><body style="font-family:Segoe UI,Arial,sans-serif"><h2>{html_text(title_of(doc))}</h2>'
        f"<p><b>Decision: {html_text(doc['decision'])}</b></p><p>{html_text(doc.get('rationale'))}</p>"
        + (
            f"<h3>Objectives and KPIs</h3><table border=1 cellpadding=4><tr><th>KPI</th><th>Target</th><th>Actual</th><th>Met</th></tr>{kpis}</table>"
            if kpis
            else ""
        )
        + (f"<h3>Lessons learned and follow-up actions</h3><ul>{lessons}</ul>" if lessons else "")
        + f'{link}<p style="color:#777">Data version {html_text(doc.get("data_version"))}.</p></body></html>'
    )
    return subject, body
