"""The executive summary and plain language: real identifiers, dates as dates, no Python
reprs, "not computable — reason" for null metrics, charts that are right, cards without
backslashes and with every failed criterion (or the first N and "and M more")."""

from __future__ import annotations

import copy
import io
import re
from typing import Any

import pytest
from PIL import Image

from reports import charts
from reports.escape import card_text
from reports.evaluation import closeout_email, evaluation_card, evaluation_html, evaluation_markdown
from reports.summary import ReportContext, executive_summary, other_findings, value_text
from tests.unit.reports.test_reports import evaluation

CTX = ReportContext(
    time_zone="Europe/Berlin",
    browse_url="https://example.atlassian.net/browse/",
    issue_keys={"jira:10001": "ERP-1", "jira:worklog:5": "ERP-1", "jira:10002": "ERP-2"},
    people={"ana.lima@example.com": "Ana Lima"},
    project={
        "lead_id": "ana.lima@example.com",
        "start_date": "2026-06-30",
        "target_date": "2027-01-31",
        "budget_hours": 940.0,
    },
)
REPR = re.compile(
    r"\{'|\bNone\b|\bTrue\b|\bFalse\b|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+|\b2\d,\d{3}\b"
)


def visible_text(html: str) -> str:
    """The text a reader sees (tags, attributes and the analysts' appendix left out)."""
    body = html.split('id="appendix"')[0]
    body = re.sub(r"<(style|svg)\b.*?</\1>", " ", body, flags=re.S)
    return re.sub(r"<[^>]+>", " ", body)


def doc_with(**changes: Any) -> dict[str, Any]:
    doc = copy.deepcopy(evaluation())
    doc.update(changes)
    return doc


def test_summary_leads_with_decision_why_and_gaps_in_plain_words() -> None:
    doc = doc_with(decision="Recycle")
    doc["criteria"][0]["must_meet"] = True
    summary = executive_summary(doc, CTX)
    assert summary["headline"].startswith("Recycle at the Planning exit gate: 1 must-meet")
    assert summary["to_pass"] == ["Estimates for ERP migration: 12.5 % — needs at most 5 %"]
    facts = dict(summary["facts"])
    assert facts["Project lead"] == "Ana Lima"
    assert facts["Start"] == "30 Jun 2026" and facts["Target date"] == "31 Jan 2027"
    assert dict(summary["budget"])["Effort"].startswith("budget 940 h")


def test_html_links_issue_keys_names_people_and_shows_no_reprs_or_raw_timestamps() -> None:
    doc = doc_with()
    doc["criteria"][0]["evidence"] = ["jira:10001", "jira:worklog:5", "ana.lima@example.com"]
    html = evaluation_html(doc, CTX)
    assert '<a href="https://example.atlassian.net/browse/ERP-1">ERP-1</a>' in html
    assert "jira:10001" not in visible_text(html) and "jira:worklog:5" not in visible_text(html)
    assert "Ana Lima" in visible_text(html)
    assert "27 Nov 2026, 07:00 CET" in html  # 06:00 UTC in the configured zone
    assert not REPR.search(visible_text(html)), REPR.search(visible_text(html))
    # metric ids and the data version live in the appendix only
    summary_part = html.split('id="appendix"')[0]
    assert "evm.spi" not in visible_text(summary_part) and "v1abc" not in visible_text(summary_part)
    assert "evm.spi" in html.split('id="appendix"')[1]


def test_a_null_metric_reads_not_computable_with_its_reason_never_zero() -> None:
    doc = doc_with(not_computable={"evm.spi": "no task has an estimate and a due date"})
    doc["criteria"][1]["value"] = None
    doc["criteria"][1]["result"] = "missing"
    doc["metrics"]["evm.spi"] = None
    html = evaluation_html(doc, CTX)
    assert "not computable — no task has an estimate and a due date" in html
    assert (
        value_text("evm.spi", None, doc)
        == "not computable — no task has an estimate and a due date"
    )
    assert "not computable" in evaluation_markdown(doc, None, CTX)


def test_epoch_day_metrics_read_as_dates() -> None:
    assert value_text("forecast.p85_date", 20784.0, {}, CTX) == "27 Nov 2026"


def test_one_metric_one_threshold_findings_judged_by_a_criterion_are_not_repeated() -> None:
    doc = doc_with()
    spi = {"check": "evm.spi", "severity": "warning", "message": "SPI 0.97 (threshold 0.99)"}
    unowned = {"check": "risk.unowned", "severity": "warning", "message": "2 unowned risks"}
    doc["findings"] = [
        {**spi, "item_ids": [], "value": 0.97, "threshold": 0.99},
        {**unowned, "item_ids": ["jira:10002"], "value": 2.0, "threshold": 0.0},
    ]
    # evm.spi is judged by a criterion (at 0.9): its finding (at 0.99) is not shown again
    assert [f["check"] for f in other_findings(doc)] == ["risk.unowned"]
    html = evaluation_html(doc, CTX)
    assert "0.99" not in html
    assert '<a href="https://example.atlassian.net/browse/ERP-2">ERP-2</a>' in html


def test_a_finished_project_shows_actual_vs_plan_not_a_forecast() -> None:
    doc = doc_with(kind="closeout", phase="closeout")
    doc["forecast"]["remaining_items"] = 0
    doc["closeout"]["variances"] = {
        "schedule": {"target_date": "2026-11-02", "finish_date": "2026-10-28", "basis": "actual",
                     "variance_days": -5.0},
        "effort": {"budget": 600.0, "actual": 516.25, "variance": -83.75, "variance_pct": -13.96},
    }  # fmt: skip
    html = evaluation_html(doc, CTX)
    assert 'id="variances"' in html and 'id="forecast"' not in html
    assert "Completion forecast" not in html
    assert "28 Oct 2026 (5 days early)" in html
    assert "-14 %" in html or "−14 %" in html


def test_closeout_of_a_project_not_in_closeout_says_readiness() -> None:
    doc = doc_with(kind="closeout", phase="execution")
    assert "Closeout readiness, not a closeout" in evaluation_html(doc, CTX)
    assert "Closeout readiness, not a closeout" in closeout_email(doc, None, CTX)[1]


def test_card_lists_every_failed_criterion_or_the_first_n_and_more_and_links_the_report() -> None:
    doc = doc_with(decision="Recycle")
    failing = doc["criteria"][0]
    doc["criteria"] = [dict(failing, id=f"c{i}", description=f"Criterion {i}") for i in range(11)]
    card = evaluation_card(doc, "https://contoso.sharepoint.com/r.html", CTX, limit=8)
    texts = [b.get("text", "") for b in card["body"]]
    assert sum(t.startswith("• Criterion") for t in texts) == 8
    assert "and 3 more" in texts
    assert card["actions"][0]["url"] == "https://contoso.sharepoint.com/r.html"
    few = evaluation_card(doc_with(decision="Recycle"), None, CTX)
    assert not any("more" in b.get("text", "") for b in few["body"])
    assert all("\\" not in t for t in texts)


def test_card_text_neutralises_only_markdown_that_cards_render() -> None:
    text = card_text("Closeout evaluation: title-value **bold** _it_ [x](http://evil) 1. a")
    assert "\\" not in text
    assert "Closeout evaluation: title-value" in text  # colon and dash untouched
    assert "**" not in text and "](" not in text and " _it_ " not in text


def test_mail_carries_conditions_variances_kpis_lessons_and_the_link() -> None:
    doc = doc_with(kind="closeout", phase="closeout")
    doc["closeout"]["lessons"][0].update(
        {"owner": "ana.lima@example.com", "evidence": ["jira:10002"]}
    )
    _, body = closeout_email(doc, "https://contoso.sharepoint.com/r.html", CTX)
    assert "Conditions to meet" in body and "Final variances" in body and "KPIs" in body
    assert "owner Ana Lima" in body
    assert 'href="https://example.atlassian.net/browse/ERP-2"' in body
    assert 'href="https://contoso.sharepoint.com/r.html"' in body


def png_size(chart: charts.Chart) -> tuple[int, int]:
    return Image.open(io.BytesIO(chart.png)).size


def test_resource_load_sorts_weeks_in_time_names_people_and_groups_the_rest() -> None:
    load = [
        {"person": f"p{i}@x.com", "week": week, "hours": 10 + i}
        for i in range(9)
        for week in ("2026-11-02", "2026-10-05", "2026-10-19")  # out of order on purpose
    ]
    names = {f"p{i}@x.com": f"Person {i}" for i in range(9)}
    chart = charts.resource_load(load, top=6, names=names, project="ERP")
    assert chart is not None and chart.title == "Hours logged on ERP per week"
    assert "Person 8" in chart.alt and "@" not in chart.alt
    assert "from 2026-10-05 to 2026-11-02" in chart.alt
    fig_texts = list(chart.legend)
    assert fig_texts[:6] == [f"Person {i}" for i in (8, 7, 6, 5, 4, 3)]
    assert fig_texts[-1] == "3 others"


@pytest.mark.parametrize("draw", ["s_curve", "resource_load", "forecast_histogram"])
def test_legends_sit_below_the_plot_not_on_the_data(draw: str) -> None:
    if draw == "s_curve":
        chart = charts.s_curve(evaluation()["extra"]["charts"]["evm_series"], "2027-01-31")
    elif draw == "resource_load":
        chart = charts.resource_load(evaluation()["extra"]["charts"]["project_load"])
    else:
        data = evaluation()["extra"]["charts"]
        chart = charts.forecast_histogram(data["forecast_histogram"], {"p50": "2027-01-17"})
    assert chart is not None and chart.alt and chart.legend
    assert not chart.legend_on_data


def test_heat_map_counts_what_it_is_given_and_says_so() -> None:
    chart = charts.risk_heatmap([{"probability": 4, "impact": 5}, {"probability": 1, "impact": 1}])
    assert chart is not None and chart.alt.startswith("2 open risks")


def test_the_report_goes_to_leadership_as_text_html() -> None:
    from connectors.graph.publish_ops import attachment_type

    assert attachment_type("closeout-BKP-closeout-56efcfd89fda.html") == "text/html"
    assert attachment_type("data.unknownext") == "application/octet-stream"


def test_follow_up_issues_have_distinct_titles_and_link_their_evidence() -> None:
    from reports.evaluation import followup_issue

    doc = doc_with(kind="closeout", phase="closeout")
    action = "Review at the PMO retrospective; turn it into a checklist item or standard."
    lessons = [
        {
            "title": "Vendor lead times were twice the quote",
            "action": action,
            "evidence": ["jira:10001"],
        },
        {"title": "Restore tests found gaps early", "action": action, "evidence": ["jira:10002"]},
    ]
    issues = [followup_issue(doc, lesson, CTX) for lesson in lessons]
    titles = [summary for summary, _ in issues]
    assert len(set(titles)) == 2 and all(t.startswith("Follow-up (ERP): ") for t in titles)
    marks = [
        mark["attrs"]["href"]
        for block in issues[1][1]["content"]
        for node in block["content"]
        for mark in node.get("marks") or []
        if mark["type"] == "link"
    ]
    assert marks == ["https://example.atlassian.net/browse/ERP-2"]


def test_status_digest_explains_rag_and_exit_gate_links_reports_and_shows_trends() -> None:
    from reports.portfolio import portfolio_html, portfolio_markdown, row_from_evaluation

    row = row_from_evaluation(evaluation(), "gate_review-ERP-planning-v1abc.html")
    row["trend"] = {"evm.spi": [0.9, 0.95, 0.97], "evm.cpi": [1.0]}
    html = portfolio_html([row])
    assert "on track" in html and "at risk" in html  # the RAG legend
    assert "Exit gate today: what the gate at the end of the project" in html
    assert '<a href="gate_review-ERP-planning-v1abc.html">latest report</a>' in html
    assert "<svg" in html and "↑" in html
    assert row["phase"] == "Planning" and row["target_date"] == "31 Jan 2027"
    assert "↑ 0.97" in portfolio_markdown([row])
    finished = evaluation()
    finished["forecast"]["remaining_items"] = 0
    assert row_from_evaluation(finished)["p85"] == "finished"


def test_mail_links_the_follow_up_issues_created() -> None:
    doc = doc_with(kind="closeout", phase="closeout")
    doc["extra"]["followups"] = [{"key": "ERP-101", "title": "Vendor lead times"}]
    _, body = closeout_email(doc, None, CTX)
    assert "Follow-ups created" in body
    assert (
        '<a href="https://example.atlassian.net/browse/ERP-101">ERP-101: Vendor lead times</a>'
        in body
    )
