"""Reports: every output escapes untrusted text, shows the decision, and embeds the charts."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from connectors.jira.wiki import render_wiki
from reports.escape import adf_text, html_text, markdown_text, wiki_text
from reports.evaluation import (
    closeout_email,
    evaluation_adf,
    evaluation_card,
    evaluation_html,
    evaluation_markdown,
)
from reports.portfolio import alert_card, digest_card, portfolio_html, portfolio_markdown

HOSTILE = (
    '<script>alert("x")</script> **bold** [link](http://evil) | ![i](x) {color:red} \x07 `code`'
)


def evaluation(
    title: str = "ERP migration", decision: str = "Go with conditions"
) -> dict[str, Any]:
    return {
        "kind": "gate_review",
        "project_id": "jira:10000",
        "project_key": "ERP",
        "project_name": title,
        "phase": "planning",
        "decision": decision,
        "rationale": f"Rationale mentioning {title}",
        "criteria": [
            {
                "id": "c1",
                "description": f"Estimates for {title}",
                "metric": "planning.missing_estimates_pct",
                "value": 12.5,
                "threshold": 5.0,
                "comparison": "<=",
                "must_meet": False,
                "weight": 1.0,
                "result": "fail",
                "evidence": ["jira:10001", title],
            },
            {
                "id": "c2",
                "description": "Schedule performance",
                "metric": "evm.spi",
                "value": 0.97,
                "threshold": 0.9,
                "comparison": ">=",
                "must_meet": True,
                "weight": 2.0,
                "result": "pass",
                "evidence": [],
            },
        ],
        "findings": [
            {
                "check": "planning.missing_estimates",
                "severity": "warning",
                "message": f"Missing estimate: {title}",
                "project_id": "jira:10000",
                "item_ids": ["jira:10001"],
                "value": 12.5,
                "threshold": 5.0,
                "phase": "planning",
            }
        ],
        "data_quality": {
            "expectations": 10,
            "passed": 10,
            "critical_failures": 0,
            "warnings": 0,
            "trustworthy": True,
            "failures": [],
        },
        "metrics": {"evm.spi": 0.97, "planning.missing_estimates_pct": 12.5},
        "forecast": {
            "percentiles": {
                "p50": "2027-01-10",
                "p70": "2027-01-20",
                "p85": "2027-02-01",
                "p95": "2027-02-20",
            },
            "target_date": "2027-01-31",
            "on_time_probability": 0.8,
            "throughput_per_week": 6.5,
            "trust": "medium",
            "trust_note": "12 weeks of history",
        },
        "data_version": "v1abc",
        "evaluated_at": "2026-11-27T06:00:00+00:00",
        "conditions": [f"Estimate the remaining items of {title}"],
        "closeout": {
            "kpis": [{"name": title, "target": 0.8, "actual": 0.7, "met": False}],
            "variances": {"schedule_days": 12.0},
            "lessons": [{"title": title, "action": f"Act on {title}"}],
        },
        "extra": {
            "charts": {
                "evm_series": [
                    {"date": "2026-10-01", "pv": 10, "ev": 8, "ac": 9},
                    {"date": "2026-10-08", "pv": 20, "ev": 15, "ac": 18},
                ],
                "forecast_histogram": {
                    "dates": ["2027-01-10", "2027-01-17", "2027-02-01"],
                    "counts": [10, 40, 20],
                },
                "risks": [{"probability": 4, "impact": 5}, {"probability": 2, "impact": 2}],
                "resource_load": [
                    {"person": "a@x.com", "week": "2026-W40", "hours": 50, "capacity": 40}
                ],
                "project_load": [
                    {"person": "a@x.com", "week": "2026-09-28", "hours": 30},
                    {"person": "b@x.com", "week": "2026-10-05", "hours": 12},
                ],
            }
        },
    }


@pytest.mark.parametrize(
    ("escape", "raw", "must_not_contain"),
    [
        (html_text, "<script>", "<script>"),  # tags become entities
        (markdown_text, "**bold**", "**"),  # emphasis loses its meaning
        (markdown_text, "[a](http://x)", "]("),  # no links
        (markdown_text, "a | b", " | "),  # no table cells
        (adf_text, "bell\x07", "\x07"),  # control characters removed
    ],
)
def test_escapers_neutralise_markup(escape: Any, raw: str, must_not_contain: str) -> None:
    assert must_not_contain not in escape(raw)


def test_wiki_markup_characters_are_backslash_escaped() -> None:
    assert wiki_text("{color:red}*x*") == "\\{color:red\\}\\*x\\*"


def _all_outputs(doc: dict[str, Any]) -> dict[str, str]:
    subject, mail = closeout_email(doc, "https://example.com/r.html")
    row = {
        "project_key": doc["project_name"],
        "project_name": doc["project_name"],
        "phase": "planning",
        "rag": "amber",
        "decision": "Go",
        "spi": 0.9,
        "cpi": 1.1,
        "findings": [doc["project_name"]],
    }
    return {
        "html": evaluation_html(doc),
        "markdown": evaluation_markdown(doc),
        "adf": json.dumps(evaluation_adf(doc, marker="k1")),
        # Data Center's comment: the ADF through the Jira publisher's escaping renderer
        "wiki": render_wiki(evaluation_adf(doc, marker="k1")),
        "card": json.dumps(evaluation_card(doc)),
        "mail": subject + mail,
        "portfolio_html": portfolio_html([row]),
        "portfolio_md": portfolio_markdown([row]),
        "digest": json.dumps(digest_card([row])),
        "alert": json.dumps(alert_card(doc["project_name"], doc["findings"])),
    }


def test_hostile_titles_are_escaped_in_every_output() -> None:
    outputs = _all_outputs(evaluation(HOSTILE))
    for name, text in outputs.items():
        assert "\x07" not in text, name
    # Markup outputs: no live tag anywhere. ADF and wiki carry text as data (Jira renders
    # it literally), so there the characters may stay; the mail subject is plain text.
    for name in ("html", "markdown", "portfolio_html", "portfolio_md"):
        assert "<script>" not in outputs[name], name
    # Adaptive Cards render no HTML but a Markdown subset, and Teams shows backslash escapes
    # literally: no emphasis, no live link, and no backslash in what people read.
    for name in ("card", "digest", "alert"):
        texts = _card_texts(json.loads(outputs[name]))
        assert texts, name
        for text in texts:
            assert "**" not in text and "](" not in text and "\\" not in text, (name, text)
    assert "<script>" not in outputs["mail"].split("<html>", 1)[1]
    for name in ("markdown", "portfolio_md"):
        assert "**bold**" not in outputs[name] and "](http://evil)" not in outputs[name], name
    assert "\\{color:red\\}" in outputs["wiki"]
    # ADF keeps the text as data: the literal characters survive inside a text node
    adf = json.loads(outputs["adf"])
    texts = [n["text"] for block in adf["content"] for n in _walk(block) if n.get("type") == "text"]
    assert any("<script>" in t for t in texts)


def _card_texts(card: dict[str, Any]) -> list[str]:
    texts = [b["text"] for b in card["body"] if b.get("type") == "TextBlock"]
    for block in card["body"]:
        for fact in block.get("facts") or []:
            texts += [fact["title"], fact["value"]]
    return texts


def _walk(node: dict[str, Any]) -> list[dict[str, Any]]:
    found = [node]
    for child in node.get("content", []):
        found += _walk(child)
    return found


def test_html_report_is_self_contained_with_decision_and_charts() -> None:
    html = evaluation_html(evaluation())
    assert 'id="decision"' in html and "Go with conditions" in html
    assert (
        len(re.findall(r'src="data:image/png;base64,', html)) == 4
    )  # S-curve, forecast, heat map, load
    assert not re.search(r"<(script|link)\b", html)  # nothing fetched, nothing executed


def test_charts_without_data_are_left_out_not_drawn_empty() -> None:
    doc = evaluation()
    doc["extra"] = {}
    html = evaluation_html(doc)
    assert "data:image/png" not in html
    assert "Not enough data for charts yet" in html


def test_adf_is_a_valid_document_with_the_marker_last() -> None:
    adf = evaluation_adf(evaluation(), marker="gate:ERP:planning:v1abc:jira_comment")
    assert adf["type"] == "doc" and adf["version"] == 1
    assert (
        adf["content"][-1]["content"][0]["text"]
        == "pmo-lifecycle:gate:ERP:planning:v1abc:jira_comment"
    )
    assert all(
        n["text"] for block in adf["content"] for n in _walk(block) if n.get("type") == "text"
    )


def test_card_colours_follow_the_decision() -> None:
    assert evaluation_card(evaluation(decision="Recycle"))["body"][1]["color"] == "Attention"
    assert evaluation_card(evaluation(decision="Go"))["body"][1]["color"] == "Good"
