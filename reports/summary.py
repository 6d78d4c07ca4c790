"""What every rendering of an evaluation says first, in plain words and real identifiers.

`ReportContext` carries what the evaluation document does not: the Jira site to link issue
keys to, display names, the configured time zone and the project's charter. Flows build it
from the warehouse (`flows.artifacts.report_context`); it is plain data, so this module stays
pure.

`executive_summary(doc, ctx)` is the one-screen summary that HTML, Markdown, the Teams card
and the mail all lead with: the decision and why, what it takes to pass (each failed
criterion with its gap), lead, phase and dates, budget vs actual, and KPIs met or not.
Values are formatted by the metric catalogue's unit; a metric that could not be computed
reads "not computable — <reason>", never 0.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from checks.gates.metrics import known_metrics

NOT_COMPUTABLE = "not computable"
COMPARISON_WORDS = {
    ">=": "at least",
    "<=": "at most",
    "==": "exactly",
    ">": "more than",
    "<": "less than",
}
# The metrics a gate review shows as its key indicators, in this order.
KEY_INDICATORS = (
    "evm.percent_complete",
    "evm.spi",
    "evm.cpi",
    "forecast.on_time_probability",
)
PHASE_NAMES = {
    "initiation": "Initiation",
    "planning": "Planning",
    "execution": "Execution",
    "qa_uat": "QA / UAT",
    "training_documentation": "Training & documentation",
    "closeout": "Closeout",
    "closed": "Closed",
}


@dataclass(frozen=True)
class ReportContext:
    """What a report needs besides the evaluation: links, names, time zone, charter."""

    time_zone: str = "UTC"
    browse_url: str | None = None  # "https://example.atlassian.net/browse/" (ends with "/")
    issue_keys: Mapping[str, str] = field(default_factory=dict)  # item id -> issue key
    people: Mapping[str, str] = field(default_factory=dict)  # person id -> display name
    project: Mapping[str, Any] = field(default_factory=dict)  # the `projects` row
    report_url: str | None = None  # where people open the report (SharePoint when uploaded)

    def zone(self) -> ZoneInfo:
        return _zone(self.time_zone)

    def key(self, item_id: object) -> str:
        """An evidence id as people know it: issue key, display name, or the id itself."""
        text = str(item_id)
        return self.issue_keys.get(text) or self.people.get(text) or text

    def href(self, item_id: object) -> str | None:
        key = self.issue_keys.get(str(item_id))
        return f"{self.browse_url}{key}" if key and self.browse_url else None

    def person(self, person_id: object) -> str:
        if person_id is None or person_id == "":
            return "not named"
        return self.people.get(str(person_id), str(person_id))

    def day(self, value: object) -> str:
        """A date as a date ("27 Nov 2026"), in the configured zone for moments."""
        parsed = _parse(value, self.zone())
        return parsed.strftime("%d %b %Y").lstrip("0") if parsed else "–"

    def moment(self, value: object) -> str:
        """A moment to the minute, in the configured zone ("27 Nov 2026, 07:00 CET")."""
        if not value:
            return "–"
        try:
            stamp = datetime.fromisoformat(str(value))
        except ValueError:
            return str(value)
        if stamp.tzinfo is None:
            stamp = stamp.replace(tzinfo=UTC)
        local = stamp.astimezone(self.zone())
        return f"{local.strftime('%d %b %Y, %H:%M').lstrip('0')} {local.tzname()}"


@cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def _parse(value: object, zone: ZoneInfo) -> date | None:
    if value is None or value == "" or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, datetime):
        stamp = value if value.tzinfo else value.replace(tzinfo=UTC)
        return stamp.astimezone(zone).date()
    if isinstance(value, date):
        return value
    text = str(value)
    if len(text) > 10:
        try:
            stamp = datetime.fromisoformat(text)
        except ValueError:
            return None
        return (stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)).astimezone(zone).date()
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


# --- values ----------------------------------------------------------------------------------


def metric_info(metric: str) -> Any:
    return known_metrics().get(metric)


def metric_label(metric: str) -> str:
    info = metric_info(metric)
    return info.description if info else metric


def why_null(
    doc: Mapping[str, Any], metric: str, criterion: Mapping[str, Any] | None = None
) -> str:
    reason = (criterion or {}).get("reason") or (doc.get("not_computable") or {}).get(metric)
    return f"{NOT_COMPUTABLE} — {reason}" if reason else f"{NOT_COMPUTABLE} — no data for it yet"


def number(value: float, digits: int = 2) -> str:
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    text = f"{value:,.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def value_text(
    metric: str,
    value: Any,
    doc: Mapping[str, Any] | None = None,
    ctx: ReportContext | None = None,
    criterion: Mapping[str, Any] | None = None,
) -> str:
    """A metric's value in its unit ("34 %", "0.47", "516 h", "12 days", "yes")."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return why_null(doc or {}, metric, criterion)
    info = metric_info(metric)
    unit = info.unit if info else ""
    return unit_text(unit, value, metric, ctx)


def unit_text(unit: str, value: Any, metric: str = "", ctx: ReportContext | None = None) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    try:
        amount = float(value)
    except (TypeError, ValueError):
        return str(value)
    if unit == "percent":
        return f"{number(amount, 0 if abs(amount) >= 100 else 1)} %"
    if unit == "ratio" and ("probability" in metric or "share" in metric or "rate" in metric):
        return f"{100 * amount:.0f} %"
    if unit == "share":
        return f"{100 * amount:.0f} %"
    if unit == "hours":
        return f"{number(amount, 0 if abs(amount) >= 100 else 1)} h"
    if unit == "days":
        whole = round(amount)
        return f"{whole} day" if abs(whole) == 1 else f"{whole} days"
    if unit == "bool":
        return "yes" if amount >= 0.5 else "no"
    if unit == "epoch_days":
        day = date.fromordinal(date(1970, 1, 1).toordinal() + int(amount))
        return (ctx or ReportContext()).day(day)
    if unit in ("count", "items"):
        return f"{amount:,.0f}"
    if unit == "currency":
        return f"{amount:,.0f}"
    if unit == "items/week":
        return f"{number(amount, 1)} items/week"
    return number(amount)


def threshold_text(
    metric: str, comparison: str, threshold: Any, ctx: ReportContext | None = None
) -> str:
    if threshold is None:
        return "–"
    info = metric_info(metric)
    if info is not None and info.unit == "bool":
        return "yes" if float(threshold) >= 0.5 else "no"
    word = COMPARISON_WORDS.get(comparison, comparison)
    return f"{word} {value_text(metric, threshold, ctx=ctx)}"


def criterion_gap(c: Mapping[str, Any], doc: Mapping[str, Any], ctx: ReportContext) -> str:
    """'Planned work is (nearly) done: 34 % — needs at least 90 %'."""
    value = value_text(c["metric"], c.get("value"), doc, ctx, c)
    needs = threshold_text(c["metric"], c["comparison"], c.get("threshold"), ctx)
    return f"{c['description']}: {value} — needs {needs}"


def phase_name(phase: object) -> str:
    return PHASE_NAMES.get(str(phase), str(phase).replace("_", " ").capitalize())


# --- the summary -----------------------------------------------------------------------------


def failed(doc: Mapping[str, Any], must_meet: bool | None = None) -> list[Mapping[str, Any]]:
    return [
        c
        for c in doc.get("criteria") or []
        if c.get("result") != "pass"
        and (must_meet is None or bool(c.get("must_meet")) == must_meet)
    ]


def headline(doc: Mapping[str, Any]) -> str:
    """The decision and why, in one plain sentence."""
    decision = doc["decision"]
    must, should = failed(doc, True), failed(doc, False)
    dq = doc.get("data_quality") or {}
    gate = (
        "closeout" if doc.get("kind") == "closeout" else f"{phase_name(doc.get('phase'))} exit gate"
    )
    if decision == "Hold" and not dq.get("trustworthy", True):
        return (
            f"Hold at the {gate}: the data behind this evaluation failed "
            f"{dq.get('critical_failures', 0)} critical quality check(s), so no decision is "
            "safe until it is fixed."
        )
    if decision == "Hold":
        return f"Hold at the {gate}: evidence for {len(must)} must-meet criteria is missing."
    if decision == "Recycle":
        return (
            f"Recycle at the {gate}: {_count(len(must), 'must-meet criterion', 'must-meet criteria')} "
            f"not met; the project should rework them before asking again."
        )
    if decision == "Go with conditions":
        return (
            f"Go with conditions at the {gate}: every must-meet criterion is met; "
            f"{_count(len(should), 'should-meet criterion', 'should-meet criteria')} "
            "not met and become conditions."
        )
    return f"Go at the {gate}: every criterion is met."


def _count(n: int, one: str, many: str) -> str:
    return f"1 {one} is" if n == 1 else f"{n} {many} are"


def is_finished(doc: Mapping[str, Any]) -> bool:
    """Work is done: actual dates replace a forecast (a Monte Carlo of a past date says nothing)."""
    schedule = ((doc.get("closeout") or {}).get("variances") or {}).get("schedule") or {}
    if schedule.get("basis") == "actual":
        return True
    forecast = doc.get("forecast") or {}
    return forecast.get("remaining_items") == 0


def finish_fact(doc: Mapping[str, Any], ctx: ReportContext) -> tuple[str, str]:
    variances = (doc.get("closeout") or {}).get("variances") or {}
    schedule = variances.get("schedule") or {}
    forecast = doc.get("forecast") or {}
    if is_finished(doc):
        finish = schedule.get("finish_date") or (forecast.get("record") or {}).get("actual_finish")
        days = schedule.get("variance_days")
        late = ""
        if days is not None:
            late = (
                "on the target date"
                if round(days) == 0
                else f"{abs(round(days))} days {'late' if days > 0 else 'early'}"
            )
        return "Finished", f"{ctx.day(finish)}" + (f" ({late})" if late else "")
    p85 = (forecast.get("percentiles") or {}).get("p85")
    if p85:
        chance = forecast.get("on_time_probability")
        on_time = (
            f"; {100 * chance:.0f} % chance of meeting the target" if chance is not None else ""
        )
        return "Forecast finish (85 % confidence)", f"{ctx.day(p85)}{on_time}"
    return "Forecast finish", why_null(doc, "forecast.p85_date")


def project_facts(doc: Mapping[str, Any], ctx: ReportContext) -> list[tuple[str, str]]:
    project = ctx.project
    target = project.get("target_date") or (doc.get("forecast") or {}).get("target_date")
    facts = [
        ("Project lead", ctx.person(project.get("lead_id"))),
        ("Phase", phase_name(doc.get("phase"))),
        ("Start", ctx.day(project.get("start_date"))),
        ("Target date", ctx.day(target)),
        finish_fact(doc, ctx),
    ]
    return facts


def budget_facts(doc: Mapping[str, Any], ctx: ReportContext) -> list[tuple[str, str]]:
    """Budget vs actual: hours always (as far as known), cost where a budget and rates exist."""
    metrics = doc.get("metrics") or {}
    variances = (doc.get("closeout") or {}).get("variances") or {}
    effort = variances.get("effort") or {}
    budget_hours = effort.get("budget") or ctx.project.get("budget_hours")
    actual_hours = (
        effort.get("actual") if effort.get("actual") is not None else metrics.get("evm.ac_hours")
    )
    rows = [("Effort", _vs(budget_hours, actual_hours, "h", "hours logged"))]
    cost = variances.get("cost") or {}
    budget_cost = cost.get("budget") or ctx.project.get("budget_cost")
    if budget_cost:
        plan = f"budget {float(budget_cost):,.0f}"
        actual = cost.get("actual")
        if actual is None:
            reason = (doc.get("not_computable") or {}).get(
                "closeout.cost_variance_pct"
            ) or "needs an hourly rate for everyone logging hours (checks.hourly_rates)"
            rows.append(("Cost", f"{plan} · actual {NOT_COMPUTABLE} — {reason}"))
        else:
            rows.append(("Cost", _vs(budget_cost, actual, "", "cost")))
    return rows


def _vs(
    budget: Any,
    actual: Any,
    unit: str,
    what: str,
    doc: Mapping[str, Any] | None = None,
    metric: str = "",
) -> str:
    suffix = f" {unit}" if unit else ""
    plan = f"budget {float(budget):,.0f}{suffix}" if budget else "no budget set"
    if actual is None:
        reason = why_null(doc or {}, metric) if metric else f"{NOT_COMPUTABLE} — no {what} yet"
        return f"{plan} · actual {reason}"
    used = f" ({100 * float(actual) / float(budget):.0f} % of budget)" if budget else ""
    return f"{plan} · actual {float(actual):,.0f}{suffix}{used}"


def kpis(doc: Mapping[str, Any], ctx: ReportContext) -> list[dict[str, str]]:
    """KPIs by their names with Met / Not met (closeout); a gate review's key indicators."""
    closeout = doc.get("closeout") or {}
    if closeout.get("kpis"):
        return [
            {
                "name": str(k.get("name", "")).replace("_", " ").capitalize(),
                "target": unit_text(str(k.get("unit") or ""), k.get("target"))
                if k.get("target") is not None
                else "–",
                "actual": unit_text(str(k.get("unit") or ""), k.get("actual"))
                if k.get("actual") is not None
                else f"{NOT_COMPUTABLE} — {k.get('note') or 'no measured value'}",
                "status": "Met"
                if k.get("met")
                else ("Not met" if k.get("met") is False else "Not measured"),
            }
            for k in closeout["kpis"]
        ]
    metrics = doc.get("metrics") or {}
    by_metric: dict[str, Mapping[str, Any]] = {}
    for c in sorted(doc.get("criteria") or [], key=lambda c: not c.get("must_meet")):
        by_metric.setdefault(c["metric"], c)
    rows = []
    for metric in KEY_INDICATORS:
        if metric not in metrics and metric not in by_metric:
            continue
        c = by_metric.get(metric)
        value = metrics.get(metric, c.get("value") if c else None)
        status = "–"
        if c is not None:
            status = {"pass": "Met", "fail": "Not met"}.get(c.get("result"), "Not measured")
        rows.append(
            {
                "name": str(c["description"]) if c else metric_label(metric).split(":")[0],
                "target": threshold_text(metric, c["comparison"], c.get("threshold"), ctx)
                if c
                else "–",
                "actual": value_text(metric, value, doc, ctx, c),
                "status": status,
            }
        )
    return rows


def executive_summary(doc: Mapping[str, Any], ctx: ReportContext) -> dict[str, Any]:
    must, should = failed(doc, True), failed(doc, False)
    to_pass = must if doc["decision"] in ("Recycle", "Hold") else should
    return {
        "decision": doc["decision"],
        "headline": headline(doc),
        "to_pass_title": "What it takes to pass"
        if doc["decision"] in ("Recycle", "Hold")
        else "Conditions to meet",
        "to_pass": [criterion_gap(c, doc, ctx) for c in to_pass],
        "facts": project_facts(doc, ctx),
        "budget": budget_facts(doc, ctx),
        "kpis": kpis(doc, ctx),
        "finished": is_finished(doc),
        "closeout_readiness": doc.get("kind") == "closeout"
        and doc.get("phase") not in ("closeout", "closed"),
    }


# --- findings without contradictions ---------------------------------------------------------


@cache
def _metric_of_check() -> dict[str, str]:
    return {info.finding_check(metric): metric for metric, info in known_metrics().items()}


def finding_metric(finding: Mapping[str, Any]) -> str | None:
    check = str(finding.get("check") or "")
    return _metric_of_check().get(check) or (check if check in known_metrics() else None)


def finding_text(finding: Mapping[str, Any], doc: Mapping[str, Any], ctx: ReportContext) -> str:
    """A finding in the catalogue's words and units: "<description>: 0.58 (limit 0.8)"."""
    metric = finding_metric(finding)
    if metric is None or finding.get("value") is None:
        return str(finding.get("message") or "")
    text = f"{metric_label(metric)}: {value_text(metric, finding['value'], doc, ctx)}"
    if finding.get("threshold") is not None:
        text += f" (limit {value_text(metric, finding['threshold'], doc, ctx)})"
    return text


def other_findings(doc: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """Findings whose metric no gate criterion already judges: one metric, one threshold.

    A criterion and a risk finding on the same metric used to show two different limits (the
    gate's and the catalogue's warning level); the criterion is the one the decision used.
    """
    judged = {c["metric"] for c in doc.get("criteria") or []}
    order = {"critical": 0, "warning": 1, "info": 2}
    kept = [f for f in doc.get("findings") or [] if finding_metric(f) not in judged]
    return sorted(kept, key=lambda f: (order.get(str(f.get("severity")), 3), str(f.get("check"))))


def shown_evidence(
    ids: Iterable[Any], ctx: ReportContext, limit: int
) -> tuple[list[tuple[str, str | None]], int]:
    """(label, link) pairs for the first `limit` evidence ids, and how many more there are."""
    seen: list[str] = []
    for item in ids:
        label = ctx.key(item)
        if label not in seen:
            seen.append(label)
    ids_by_label = {ctx.key(i): i for i in ids}
    shown = [(label, ctx.href(ids_by_label[label])) for label in seen[:limit]]
    return shown, max(0, len(seen) - limit)
