"""Renderings of one evaluation (the `Evaluation.to_dict()` document) for each audience.

- `evaluation_html`: the self-contained report (charts embedded), archived and attached;
- `evaluation_markdown`: Prefect artifacts and the status digest;
- `evaluation_adf`: the Jira comment (ADF; on Data Center the Jira publisher renders it
  as escaped wiki markup, `connectors.jira.wiki`);
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
from reports.escape import adf_text, card_text, clean, html_text, markdown_text
from reports.summary import (
    ReportContext,
    criterion_gap,
    executive_summary,
    failed,
    finding_text,
    is_finished,
    metric_label,
    other_findings,
    phase_name,
    shown_evidence,
    threshold_text,
    unit_text,
    value_text,
    why_null,
)

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


def chart_images(doc: dict[str, Any], ctx: ReportContext | None = None) -> list[dict[str, str]]:
    """The report's charts as data URIs with a text alternative, skipping any without data.

    A finished project gets no completion forecast: its actual finish is in the summary.
    """
    ctx = ctx or ReportContext()
    data = (doc.get("extra") or {}).get("charts") or {}
    forecast = doc.get("forecast") or {}
    target = forecast.get("target_date") or ctx.project.get("target_date")
    names = {str(k): str(v) for k, v in ctx.people.items()}
    candidates = [
        chart_lib.s_curve(data.get("evm_series") or [], target),
        None
        if is_finished(doc)
        else chart_lib.forecast_histogram(
            data.get("forecast_histogram"), forecast.get("percentiles") or {}, target
        ),
        chart_lib.risk_heatmap(data.get("risks") or []),
        chart_lib.resource_load(
            data.get("project_load") or [], names=names, project=str(doc.get("project_key") or "")
        ),
    ]
    return [
        {"title": chart.title, "alt": chart.alt, "uri": chart_lib.data_uri(chart.png)}
        for chart in candidates
        if chart is not None
    ]


def _evidence(ids: Any, ctx: ReportContext, limit: int) -> tuple[list[tuple[str, str | None]], int]:
    return shown_evidence(list(ids or []), ctx, limit)


def _criteria_rows(doc: dict[str, Any], ctx: ReportContext) -> list[dict[str, Any]]:
    rows = []
    for c in doc.get("criteria") or []:
        evidence, more = _evidence(c.get("evidence"), ctx, 8)
        rows.append(
            {
                **c,
                "result_label": {"pass": "MET", "fail": "NOT MET", "missing": "NO DATA"}.get(
                    c["result"], str(c["result"]).upper()
                ),
                "value_text": value_text(c["metric"], c.get("value"), doc, ctx, c),
                "needs": threshold_text(c["metric"], c["comparison"], c.get("threshold"), ctx),
                "evidence": evidence,
                "more": more,
            }
        )
    return rows


def variance_rows(doc: dict[str, Any], ctx: ReportContext) -> list[dict[str, str]]:
    """Schedule, effort, cost and scope: plan, actual, variance and variance %."""
    variances = (doc.get("closeout") or {}).get("variances") or {}
    metrics = doc.get("metrics") or {}
    schedule = variances.get("schedule") or {}
    rows: list[dict[str, str]] = []
    target = schedule.get("target_date") or ctx.project.get("target_date")
    finish = schedule.get("finish_date")
    days = schedule.get("variance_days")
    basis = "actual" if schedule.get("basis") == "actual" else "forecast"
    rows.append(
        {
            "name": f"Schedule (finish date, {basis})",
            "plan": ctx.day(target),
            "actual": ctx.day(finish)
            if finish
            else why_null(doc, "closeout.schedule_variance_days"),
            "variance": "–" if days is None else unit_text("days", days),
            "pct": "–",
        }
    )
    for name, key, unit, metric in (
        ("Effort", "effort", "h", "closeout.effort_variance_pct"),
        ("Cost", "cost", "", "closeout.cost_variance_pct"),
    ):
        block = variances.get(key) or {}
        if not block and key == "effort":
            block = {
                "budget": ctx.project.get("budget_hours"),
                "actual": metrics.get("evm.ac_hours"),
            }
        suffix = f" {unit}" if unit else ""
        budget, actual = block.get("budget"), block.get("actual")
        variance = block.get("variance")
        if variance is None and budget is not None and actual is not None:
            variance = float(actual) - float(budget)
        pct = block.get("variance_pct")
        if pct is None and variance is not None and budget:
            pct = 100 * float(variance) / float(budget)
        rows.append(
            {
                "name": name,
                "plan": f"{float(budget):,.0f}{suffix}" if budget is not None else "no budget set",
                "actual": f"{float(actual):,.0f}{suffix}"
                if actual is not None
                else why_null(doc, metric),
                "variance": f"{float(variance):+,.0f}{suffix}" if variance is not None else "–",
                "pct": f"{float(pct):+.0f} %" if pct is not None else "–",
            }
        )
    added = metrics.get("scope.added_items")
    change = metrics.get("scope.change_pct")
    rows.append(
        {
            "name": "Scope (items added after the baseline)",
            "plan": "baseline",
            "actual": value_text("scope.added_items", added, doc, ctx) + " added"
            if added is not None
            else why_null(doc, "scope.added_items"),
            "variance": "–",
            "pct": f"{float(change):+.0f} %" if change is not None else "–",
        }
    )
    return rows


def _lessons(doc: dict[str, Any], ctx: ReportContext) -> list[dict[str, Any]]:
    rows = []
    for lesson in (doc.get("closeout") or {}).get("lessons") or []:
        items, more = _evidence(lesson.get("item_ids") or lesson.get("evidence"), ctx, 6)
        rows.append(
            {
                "title": lesson.get("title") or lesson.get("lesson"),
                "detail": lesson.get("detail"),
                "owner": ctx.person(lesson.get("owner")),
                "action": lesson.get("action") or "–",
                "links": items,
                "more": more,
            }
        )
    return rows


def _followup_links(doc: dict[str, Any], ctx: ReportContext) -> list[dict[str, Any]]:
    """Follow-up issues the publication created (when the document says so)."""
    made = (
        (doc.get("published") or {}).get("followups")
        or (doc.get("extra") or {}).get("followups")
        or []
    )
    out = []
    for item in made:
        key = item.get("key") if isinstance(item, dict) else str(item)
        link = (item.get("url") if isinstance(item, dict) else None) or (
            f"{ctx.browse_url}{key}" if ctx.browse_url and key else None
        )
        title = item.get("title") if isinstance(item, dict) else None
        out.append({"label": f"{key}: {title}" if title else str(key), "link": link})
    return out


def _forecast_view(doc: dict[str, Any], ctx: ReportContext) -> dict[str, str]:
    forecast = doc.get("forecast") or {}
    pct = forecast.get("percentiles") or {}
    chance = forecast.get("on_time_probability")
    return {
        "p50": ctx.day(pct.get("p50")),
        "p85": ctx.day(pct.get("p85")),
        "p95": ctx.day(pct.get("p95")),
        "target": ctx.day(forecast.get("target_date")),
        "chance": "–" if chance is None else f"{100 * float(chance):.0f} %",
        "throughput": fmt_number(forecast.get("throughput_per_week")),
        "trust": f"{forecast.get('trust') or '–'}: {forecast.get('trust_note') or ''}".strip(": "),
    }


def _findings_view(doc: dict[str, Any], ctx: ReportContext) -> list[dict[str, Any]]:
    rows = []
    for f in other_findings(doc):
        items, more = _evidence(f.get("item_ids"), ctx, 10)
        rows.append(
            {
                "severity": f.get("severity"),
                "text": finding_text(f, doc, ctx),
                "links": items,
                "more": more,
            }
        )
    return rows


def _metrics_view(doc: dict[str, Any], ctx: ReportContext) -> list[dict[str, str]]:
    return [
        {"id": name, "label": metric_label(name), "value": value_text(name, value, doc, ctx)}
        for name, value in sorted((doc.get("metrics") or {}).items())
    ]


def evaluation_html(doc: dict[str, Any], ctx: ReportContext | None = None) -> str:
    ctx = ctx or ReportContext()
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
    dq["failures"] = [
        {**r, "examples": _evidence(r.get("example_keys"), ctx, 5)[0]} for r in dq["failures"]
    ]
    summary = executive_summary(doc, ctx)
    summary["kind_label"] = (
        "Closeout evaluation" if doc.get("kind") == "closeout" else "Phase-gate review"
    ) + f" · {phase_name(doc.get('phase'))}"
    return template.render(
        doc=doc,
        title=title_of(doc),
        summary=summary,
        phase=phase_name(doc.get("phase")),
        evaluated=ctx.moment(doc.get("evaluated_at")),
        criteria=_criteria_rows(doc, ctx),
        charts=chart_images(doc, ctx),
        forecast=_forecast_view(doc, ctx),
        variances=variance_rows(doc, ctx),
        findings=_findings_view(doc, ctx),
        lessons=_lessons(doc, ctx),
        followups=_followup_links(doc, ctx),
        metrics=_metrics_view(doc, ctx),
        dq=dq,
    )


def _md_link(label: str, link: str | None) -> str:
    text = markdown_text(label)
    return f"[{text}]({link})" if link and _safe_url(link) else text


def _safe_url(url: str) -> bool:
    return url.startswith(("https://", "http://")) and not any(c in url for c in " ()<>\n")


def evaluation_markdown(
    doc: dict[str, Any], report_link: str | None = None, ctx: ReportContext | None = None
) -> str:
    """Markdown for Prefect artifacts: the executive summary first, details after."""
    ctx = ctx or ReportContext()
    summary = executive_summary(doc, ctx)
    lines = [
        f"# {markdown_text(title_of(doc))}",
        "",
        f"**Decision: {markdown_text(doc['decision'])}**. {markdown_text(summary['headline'])}",
        "",
    ]
    if summary["to_pass"]:
        lines += [
            f"## {summary['to_pass_title']}",
            *[f"- {markdown_text(x)}" for x in summary["to_pass"]],
            "",
        ]
    lines += ["## Project", "", "| | |", "|---|---|"]
    lines += [
        f"| {markdown_text(k)} | {markdown_text(v)} |"
        for k, v in summary["facts"] + summary["budget"]
    ]
    if summary["kpis"]:
        lines += ["", "| KPI | target | actual | status |", "|---|---|---|---|"]
        lines += [
            f"| {markdown_text(k['name'])} | {markdown_text(k['target'])} | {markdown_text(k['actual'])} | {k['status']} |"
            for k in summary["kpis"]
        ]
    lines += [
        "",
        "## Criteria",
        "",
        "| result | criterion | value | needs | evidence |",
        "|---|---|---|---|---|",
    ]
    for c in doc.get("criteria") or []:
        shown, more = shown_evidence(list(c.get("evidence") or []), ctx, 5)
        evidence = ", ".join(_md_link(label, link) for label, link in shown)
        evidence += f" and {more} more" if more else ""
        lines.append(
            f"| {RESULT_MARK.get(c['result'], c['result'])} | {markdown_text(c['description'])} | "
            f"{markdown_text(value_text(c['metric'], c.get('value'), doc, ctx, c))} | "
            f"{markdown_text(threshold_text(c['metric'], c['comparison'], c.get('threshold'), ctx))} | {evidence} |"
        )
    findings = other_findings(doc)[:5]
    if findings:
        lines += ["", "## Other findings", ""]
        for f in findings:
            lines.append(f"- **{f['severity']}**: {markdown_text(finding_text(f, doc, ctx))}")
    dq = doc.get("data_quality") or {}
    lines += [
        "",
        f"Data quality: {dq.get('passed', 0)} of {dq.get('expectations', 0)} expectations passed, "
        f"{dq.get('critical_failures', 0)} critical failures.",
    ]
    if report_link:
        lines += ["", f"[Open the full report]({report_link})"]
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


def evaluation_adf(
    doc: dict[str, Any],
    *,
    marker: str | None = None,
    ctx: ReportContext | None = None,
    report_url: str | None = None,
) -> dict[str, Any]:
    """An ADF document for a Jira v3 comment: decision and why, gaps, other findings, link.
    `marker` (the idempotency key) ends the comment when given."""
    ctx = ctx or ReportContext()
    summary = executive_summary(doc, ctx)
    content: list[dict[str, Any]] = [
        {"type": "heading", "attrs": {"level": 3}, "content": [_adf_text(title_of(doc))]},
        _adf_paragraph(
            _adf_text("Decision: ", "strong"),
            _adf_text(doc["decision"], "strong"),
            _adf_text(f" ({phase_name(doc.get('phase'))})"),
        ),
        _adf_paragraph(_adf_text(summary["headline"])),
    ]
    misses = failed(doc)
    if misses:
        content += [
            _adf_paragraph(_adf_text("Criteria not met", "strong")),
            _adf_bullets(
                [
                    f"{criterion_gap(c, doc, ctx)} ({'must-meet' if c.get('must_meet') else 'should-meet'})"
                    for c in misses
                ]
            ),
        ]
    findings = other_findings(doc)[:5]
    if findings:
        content += [
            _adf_paragraph(_adf_text("Other findings", "strong")),
            _adf_bullets([f"{f['severity']}: {finding_text(f, doc, ctx)}" for f in findings]),
        ]
    link = report_url or ctx.report_url
    if link and _safe_url(link):
        node = _adf_text("Open the full report")
        node["marks"] = [{"type": "link", "attrs": {"href": link}}]
        content.append(_adf_paragraph(node))
    if marker:
        content.append(_adf_paragraph(_adf_text(f"pmo-lifecycle:{marker}", "code")))
    return {"type": "doc", "version": 1, "content": content}


def evaluation_card(
    doc: dict[str, Any],
    report_url: str | None = None,
    ctx: ReportContext | None = None,
    limit: int = 8,
) -> dict[str, Any]:
    """An Adaptive Card (1.4) for Teams: decision, why, every failed criterion (or the first
    `limit` and "and M more"), key facts and a link to the report.

    TextBlocks render a Markdown subset; Teams shows backslash escapes literally, so text is
    neutralised with `card_text` (only emphasis, links and list markers), not backslashes.
    """
    ctx = ctx or ReportContext()
    summary = executive_summary(doc, ctx)
    misses = failed(doc)
    facts = [{"title": card_text(k), "value": card_text(v)} for k, v in summary["facts"][:5]] + [
        {
            "title": "Data quality",
            "value": "trustworthy"
            if (doc.get("data_quality") or {}).get("trustworthy", True)
            else "NOT trustworthy",
        }
    ]
    body: list[dict[str, Any]] = [
        {
            "type": "TextBlock",
            "size": "Medium",
            "weight": "Bolder",
            "wrap": True,
            "text": card_text(title_of(doc)),
        },
        {
            "type": "TextBlock",
            "weight": "Bolder",
            "color": DECISION_COLOURS.get(doc["decision"], "Default"),
            "text": f"Decision: {doc['decision']}",
        },
        {"type": "TextBlock", "wrap": True, "text": card_text(summary["headline"])},
    ]
    if misses:
        body.append(
            {
                "type": "TextBlock",
                "weight": "Bolder",
                "spacing": "Medium",
                "text": f"Criteria not met ({len(misses)})",
            }
        )
        for c in misses[:limit]:
            kind = "must-meet" if c.get("must_meet") else "should-meet"
            body.append(
                {
                    "type": "TextBlock",
                    "wrap": True,
                    "spacing": "Small",
                    "text": f"• {card_text(criterion_gap(c, doc, ctx))} ({kind})",
                }
            )
        if len(misses) > limit:
            body.append(
                {
                    "type": "TextBlock",
                    "spacing": "Small",
                    "isSubtle": True,
                    "text": f"and {len(misses) - limit} more",
                }
            )
    body.append({"type": "FactSet", "facts": facts})
    card: dict[str, Any] = {
        "type": "AdaptiveCard",
        "version": "1.4",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "body": body,
    }
    link = report_url or ctx.report_url
    if link:
        card["actions"] = [{"type": "Action.OpenUrl", "title": "Open report", "url": link}]
    return card


def closeout_email(
    doc: dict[str, Any], report_url: str | None = None, ctx: ReportContext | None = None
) -> tuple[str, str]:
    """Subject and HTML body for leadership: summary, conditions, variances, KPIs, lessons and
    links; the full report goes along as an attachment."""
    ctx = ctx or ReportContext()
    summary = executive_summary(doc, ctx)
    subject = f"Closeout evaluation: {adf_text(doc.get('project_name') or doc.get('project_key'))} ({doc['decision']})"
    cell = 'style="border:1px solid #ccd;padding:4px 6px;text-align:left"'

    def table(head: list[str], rows: list[list[str]]) -> str:
        header = "".join(f"<th {cell}>{html_text(h)}</th>" for h in head)
        body = "".join(
            "<tr>" + "".join(f"<td {cell}>{value}</td>" for value in row) + "</tr>" for row in rows
        )
        return f'<table style="border-collapse:collapse">{"<tr>" + header + "</tr>"}{body}</table>'

    parts = [
        '<html><body style="font-family:Segoe UI,Arial,sans-serif">',
        f"<h2>{html_text(title_of(doc))}</h2>",
        f"<p><b>Decision: {html_text(doc['decision'])}</b>. {html_text(summary['headline'])}</p>",
    ]
    if summary["closeout_readiness"]:
        parts.append(
            f"<p><b>Closeout readiness, not a closeout</b>: the project is in the "
            f"{html_text(phase_name(doc.get('phase')))} phase.</p>"
        )
    if summary["to_pass"]:
        parts.append(f"<h3>{html_text(summary['to_pass_title'])}</h3><ul>")
        parts += [f"<li>{html_text(x)}</li>" for x in summary["to_pass"]]
        parts.append("</ul>")
    parts.append(
        table(
            ["", ""],
            [[html_text(k), html_text(v)] for k, v in summary["facts"] + summary["budget"]],
        )
    )
    parts.append("<h3>Final variances</h3>")
    parts.append(
        table(
            ["Measure", "Plan", "Actual", "Variance", "Variance %"],
            [
                [html_text(v[k]) for k in ("name", "plan", "actual", "variance", "pct")]
                for v in variance_rows(doc, ctx)
            ],
        )
    )
    if summary["kpis"]:
        parts.append("<h3>KPIs</h3>")
        parts.append(
            table(
                ["KPI", "Target", "Actual", "Status"],
                [
                    [html_text(k[c]) for c in ("name", "target", "actual", "status")]
                    for k in summary["kpis"]
                ],
            )
        )
    lessons = _lessons(doc, ctx)
    if lessons:
        parts.append("<h3>Lessons learned and follow-up actions</h3><ul>")
        for lesson in lessons:
            links = ", ".join(
                f'<a href="{html_text(link)}">{html_text(label)}</a>' if link else html_text(label)
                for label, link in lesson["links"]
            )
            parts.append(
                f"<li>{html_text(lesson['title'])}: <i>{html_text(lesson['action'])}</i> "
                f"(owner {html_text(lesson['owner'])}){'; evidence ' + links if links else ''}</li>"
            )
        parts.append("</ul>")
    followups = _followup_links(doc, ctx)
    if followups:
        parts.append("<h3>Follow-ups created</h3><ul>")
        parts += [
            f'<li><a href="{html_text(f["link"])}">{html_text(f["label"])}</a></li>'
            if f["link"] and _safe_url(f["link"])
            else f"<li>{html_text(f['label'])}</li>"
            for f in followups
        ]
        parts.append("</ul>")
    link = report_url or ctx.report_url
    if link:
        parts.append(
            f'<p><a href="{html_text(link)}">Open the full report</a> (also attached).</p>'
        )
    else:
        parts.append("<p>The full report is attached.</p>")
    parts.append(
        f'<p style="color:#777">Data version {html_text(doc.get("data_version"))}.</p></body></html>'
    )
    return subject, "".join(parts)


def followup_issue(
    doc: dict[str, Any],
    lesson: dict[str, Any],
    ctx: ReportContext | None = None,
    *,
    adf: bool = True,
) -> tuple[str, Any]:
    """Summary and description of the Jira issue a lesson's follow-up action becomes.

    Titles are distinct (the lesson names the issue; many lessons share an action), and the
    description (ADF) links every evidence issue; the Jira connector renders it as escaped
    wiki markup on Data Center.
    """
    ctx = ctx or ReportContext()
    title = str(lesson.get("title") or lesson.get("lesson") or "Lesson learned")
    summary = " ".join(f"Follow-up ({doc.get('project_key')}): {title}".split())[:250]
    evidence, more = shown_evidence(
        list(lesson.get("evidence") or lesson.get("item_ids") or []), ctx, 20
    )
    lines = [
        ("Lesson", title),
        ("What happened", lesson.get("detail") or "–"),
        ("Action", lesson.get("action") or "–"),
        ("Owner", ctx.person(lesson.get("owner"))),
        ("From", f"{title_of(doc)}, decision {doc['decision']}"),
    ]
    content: list[dict[str, Any]] = [
        _adf_paragraph(_adf_text(f"{name}: ", "strong"), _adf_text(value)) for name, value in lines
    ]
    if evidence:
        parts: list[dict[str, Any]] = [_adf_text("Evidence: ", "strong")]
        for i, (label, link) in enumerate(evidence):
            node = _adf_text(label)
            if link and _safe_url(link):
                node["marks"] = [{"type": "link", "attrs": {"href": link}}]
            parts += ([_adf_text(", ")] if i else []) + [node]
        if more:
            parts.append(_adf_text(f" and {more} more"))
        content.append({"type": "paragraph", "content": parts})
    return summary, {"type": "doc", "version": 1, "content": content}
