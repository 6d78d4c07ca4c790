"""Publishing evaluations and digests to the places people read them, at most once.

Each publication has a deterministic key, so a retried or re-run flow skips what is done and
completes what is not (the publishers claim keys in the ledger and look at the target before
posting). Every target is tried even when one fails; failures are collected and raised
together at the end, so the run shows as failed and a retry finishes the rest.

An evaluation belongs to a *stream* (a project's gate for a phase, its closeout, one gate
request). It is published again only when it differs from the stream's last publication
(`publish.republish_on`: its decision or a criterion's result by default, or any change of
evidence); otherwise its keys are the last publication's, which are done: nothing is posted.
The last publication is remembered in the ledger and, for a fresh warehouse, read back from
the Jira issue property the publication wrote (`pmo-evaluation`).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from checks.evaluation.own_posts import EVALUATION_LABEL, FOLLOWUP_LABEL
from config.redact import redact
from config.settings import PublishTarget
from connectors.ports import JSON, JiraPublishing, Ledger, M365Publishing
from connectors.resilience import OutcomeUnknownError
from connectors.store.ledger import PublicationSkipped
from flows.orchestration import run_logger, task
from flows.publish_target import JiraTargetChoice, choose_jira_target
from flows.runtime import Runtime
from flows.steps import Judged
from reports.evaluation import closeout_email, evaluation_adf, evaluation_card, followup_issue
from reports.portfolio import alert_card, digest_card, portfolio_markdown

if TYPE_CHECKING:
    from reports.summary import ReportContext

log = logging.getLogger(__name__)
PROPERTY_KEY = "pmo-evaluation"
MAX_PROPERTY_CHARS = 32_000  # Jira refuses entity properties over 32,768 characters


class PublishError(RuntimeError):
    """Some targets failed; the others were published. A re-run completes the rest."""


@dataclass
class Outcome:
    # every target this publication reached, with its id at the target ...
    done: dict[str, str] = field(default_factory=dict)
    # ... of which these were done before it started (ledger hits): nothing was sent now
    already: set[str] = field(default_factory=set)
    skipped: dict[str, str] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)
    # sent without a clear answer and not searchable (a webhook): warned, never re-sent
    unknown: dict[str, str] = field(default_factory=dict)
    report_url: str | None = None  # the report's SharePoint URL, when it was uploaded
    ledger: Ledger | None = field(default=None, repr=False, compare=False)

    def attempt(
        self, target: str, action: Callable[[], str | None], key: str | None = None
    ) -> None:
        """Publish one target; `key`, its publication key, tells a ledger hit (done before
        this publication started: "already published") from a publication made now."""
        earlier = self.ledger.get(key) if key is not None and self.ledger is not None else None
        try:
            result = action()
        except OutcomeUnknownError as exc:
            self.unknown[target] = redact(str(exc))
            return
        except PublicationSkipped as exc:  # another run has it, or its outcome is unknown
            self.skipped[target] = redact(exc.reason)
            return
        except Exception as exc:  # one target's failure must not stop the others
            self.failed[target] = redact(f"{type(exc).__name__}: {exc}")
            return
        self.done[target] = str(result)
        if earlier is not None and earlier.status == "done":
            self.already.add(target)

    @property
    def published_now(self) -> list[str]:
        return sorted(set(self.done) - self.already)

    def as_dict(self) -> dict[str, Any]:
        return {
            "done": self.done,
            "already_published": sorted(self.already),
            "skipped": self.skipped,
            "failed": self.failed,
            "unknown": self.unknown,
            "report_url": self.report_url,
        }

    def raise_if_failed(self) -> None:
        if self.failed:
            detail = "; ".join(f"{k}: {v}" for k, v in sorted(self.failed.items()))
            raise PublishError(
                f"{len(self.failed)} publication(s) failed (re-run to complete): {detail}"
            )


# --- connectors, built lazily: a run that publishes nothing opens no connection --------------


def jira_publisher(runtime: Runtime) -> JiraPublishing:
    if runtime.publishers.jira is not None:
        return runtime.publishers.jira
    from connectors.jira.publisher import JiraPublisher

    return JiraPublisher(runtime.jira(), runtime.warehouse.ledger())


def graph_publisher(runtime: Runtime) -> M365Publishing:
    if runtime.publishers.m365 is not None:
        return runtime.publishers.m365
    from connectors.graph.publisher import GraphPublisher

    url, token = runtime.graph_access()
    return GraphPublisher.from_settings(
        runtime.settings, runtime.warehouse.ledger(), base_url=url, token=token
    )


def _jira_body(runtime: Runtime, document: Mapping[str, Any]) -> JSON:
    """ADF for both deployments: on Data Center the Jira publisher turns it into wiki markup
    through its one escaping renderer (`connectors.jira.wiki`)."""
    return evaluation_adf(dict(document))


# --- streams: is this evaluation new, or the last publication again? -----------------------


@dataclass(frozen=True)
class Stream:
    """Where an evaluation's publications belong and under which key prefix they go."""

    name: str  # gate:ABC:planning, closeout:ABC, request:PMO-3
    fingerprint: str  # what must change for a new publication (see `fingerprint`)
    policy: str  # publish.republish_on when the fingerprint was taken
    base: str  # the key prefix of this publication's targets
    repeated: bool  # the stream's last publication had the same fingerprint
    # targets the last publication reported delivered (read from Jira by a fresh warehouse)
    delivered: frozenset[str] = frozenset()


def fingerprint(document: Mapping[str, Any], republish_on: str) -> str:
    """'criteria': the decision and each criterion's result (values may drift, results not);
    'data': the data version (any change of the evidence)."""
    if republish_on == "data":
        return str(document["data_version"])
    results = sorted(
        (str(c.get("id")), str(c.get("result"))) for c in document.get("criteria") or []
    )
    payload = json.dumps({"decision": document.get("decision"), "criteria": results})
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def _stream_key(name: str) -> str:
    return f"stream:{name}"


def open_stream(
    runtime: Runtime, name: str, document: Mapping[str, Any], issue: str | None
) -> Stream:
    """The stream's key prefix for this evaluation: the last publication's when nothing that
    matters changed, else a new one (recorded before posting, so a crash resumes it)."""
    policy = runtime.settings.publish.republish_on
    mark = fingerprint(document, policy)
    ledger = runtime.warehouse.ledger()
    last = ledger.get(_stream_key(name))
    delivered: frozenset[str] = frozenset()
    previous: tuple[str, str] | None
    if last is not None and last.external_id:
        previous = (str((last.detail or {}).get("fingerprint")), last.external_id)
    else:
        previous, delivered = _published_on_jira(runtime, name, issue, policy)
    if previous is not None and previous[0] == mark:
        stream = Stream(name, mark, policy, previous[1], repeated=True, delivered=delivered)
        # a fresh warehouse: what the last publication delivered is done, not posted again
        # (its report is found by name at the targets, and the name carries the data version)
        for done in sorted(delivered & ADOPTABLE):
            _adopt(runtime, f"{stream.base}:{done}", done)
    else:
        base = f"{name}:{document['data_version']}"
        stream = Stream(name, mark, policy, base, repeated=False)
    if last is None or last.external_id != stream.base:
        detail = {"fingerprint": mark, "decision": document.get("decision"),
                  "data_version": document.get("data_version")}  # fmt: skip
        ledger.mark_done(_stream_key(name), "stream", stream.base, detail)
    return stream


def _published_on_jira(
    runtime: Runtime, name: str, issue: str | None, policy: str
) -> tuple[tuple[str, str] | None, frozenset[str]]:
    """((fingerprint, key prefix), delivered targets) of the stream's last publication, from
    the evaluation property it left on the Jira issue: how a fresh warehouse learns what is
    already there."""
    nothing: tuple[tuple[str, str] | None, frozenset[str]] = (None, frozenset())
    if issue is None or not runtime.settings.jira.enabled:
        return nothing
    try:
        value = jira_publisher(runtime).read_property(issue, PROPERTY_KEY)
    except Exception:  # Jira unreadable: the per-target look-ups still apply
        return nothing
    if not isinstance(value, dict):
        return nothing
    published = value.get("publication")
    if not isinstance(published, str) or not published.startswith(name + ":"):
        return nothing
    mark = value.get("fingerprint") if value.get("republish_on") == policy else None
    delivered = frozenset(str(t) for t in value.get("delivered") or [])
    return (str(mark or fingerprint(value, policy)), published), delivered


def _property_value(
    document: Mapping[str, Any], stream: Stream | None = None, delivered: tuple[str, ...] = ()
) -> dict[str, Any]:
    """The machine-readable evaluation, trimmed to fit a Jira entity property."""
    value = {
        k: document[k]
        for k in ("kind", "project_key", "phase", "decision", "data_version", "evaluated_at")
    }
    if stream is not None:  # what a fresh warehouse needs to recognise this publication
        value["publication"] = stream.base
        value["fingerprint"] = stream.fingerprint
        value["republish_on"] = stream.policy
        value["delivered"] = sorted(delivered)
    value["criteria"] = [
        {k: c.get(k) for k in ("id", "metric", "value", "threshold", "result")}
        for c in document.get("criteria") or []
    ]
    value["conditions"] = list(document.get("conditions") or [])
    while len(json.dumps(value)) > MAX_PROPERTY_CHARS and value["criteria"]:
        value["criteria"].pop()
    return value


def _locate_jira_issue(
    runtime: Runtime, outcome: Outcome, choice: JiraTargetChoice, key: str
) -> tuple[str | None, str | None]:
    """The issue to post on and, when there is none, why (`flows.publish_target` decides;
    this carries it out: a JQL target is searched, a `create_in` issue created once per key)."""
    if choice.how in ("request", "issue") or choice.how == "none":
        return choice.value, choice.reason
    try:
        if choice.how == "jql":
            found = jira_publisher(runtime).first_issue(
                str(choice.value), context=f"finding the Jira target ({choice.origin})"
            )
            if found is None:
                return None, f"the query of {choice.origin} found no issue: {choice.value}"
            return found, None
        fields = {
            "summary": choice.summary,
            "issuetype": {"name": choice.issue_type},
            "labels": [EVALUATION_LABEL],
        }
        return jira_publisher(runtime).create_issue(str(choice.value), fields, key), None
    except Exception as exc:  # reported like any failed target; the others still publish
        outcome.failed["jira_target"] = redact(f"{type(exc).__name__}: {exc}")
        return None, "the Jira target could not be found or created"


def _jira_target_report(
    choice: JiraTargetChoice, issue: str | None, reason: str | None
) -> dict[str, Any]:
    """What `published.jira_target` says: how the issue was chosen, which, or why none."""
    out = choice.as_dict() | {"issue": issue}
    return out | ({"reason": reason} if issue is None and reason else {})


def _jira_targets(
    runtime: Runtime,
    outcome: Outcome,
    judged: Judged,
    issue: str | None,
    stream: Stream,
    target: PublishTarget,
    reason: str | None = None,
) -> None:
    if issue is None or not runtime.settings.jira.enabled:
        outcome.skipped["jira"] = reason or "no Jira issue to post on"
        return
    doc, base = judged.document, stream.base
    publisher = jira_publisher(runtime)
    if target.jira_comment:
        note = f"{base}:jira_comment"
        outcome.attempt(
            "jira_comment", lambda: publisher.comment(issue, _jira_body(runtime, doc), note), note
        )
    if target.jira_attachment:
        name, html = judged.report_path.name, judged.html.encode("utf-8")
        file = f"{base}:jira_attachment"
        outcome.attempt("jira_attachment", lambda: publisher.attach(issue, name, html, file), file)


def _jira_property(
    runtime: Runtime,
    outcome: Outcome,
    judged: Judged,
    issue: str | None,
    stream: Stream,
    target: PublishTarget,
) -> None:
    """The machine-readable evaluation on the issue, written last and only when every other
    target is done: it is the record a fresh warehouse trusts for what was delivered."""
    if issue is None or not runtime.settings.jira.enabled or not target.jira_property:
        return
    if outcome.failed:
        outcome.skipped["jira_property"] = "written once the failed targets are done"
        return
    value = _property_value(judged.document, stream, tuple(outcome.done))
    key = f"{stream.base}:jira_property"
    outcome.attempt(
        "jira_property",
        lambda: jira_publisher(runtime).set_property(issue, PROPERTY_KEY, value, key),
        key,
    )


def _graph_targets(
    runtime: Runtime,
    outcome: Outcome,
    judged: Judged,
    base: str,
    target: PublishTarget,
    *,
    mail: bool,
    delivered: frozenset[str] = frozenset(),
) -> None:
    if not runtime.settings.graph.enabled:
        outcome.skipped["microsoft365"] = "graph.enabled is false"
        return
    doc = judged.document
    publisher = graph_publisher(runtime)
    # The report goes to SharePoint first, so the card and the mail can link to it there.
    report_url = None
    drive = target.sharepoint_drive
    if drive:
        path = f"{target.sharepoint_folder}/{doc['project_key']}/{judged.report_path.name}"
        html, upload = judged.html.encode("utf-8"), f"{base}:sharepoint_file"
        outcome.attempt(
            "sharepoint_file",
            lambda: publisher.upload_file(drive, path, html, upload),
            upload,
        )
        if "sharepoint_file" in outcome.done:
            report_url = _web_url(publisher, drive, path)
    outcome.report_url = report_url
    ctx = judged.context
    if "teams_card" in delivered and target.teams_webhook is not None:
        _adopt(runtime, f"{base}:teams_card", "teams_webhook")
    _teams_card(
        publisher, outcome, target, evaluation_card(doc, report_url, ctx), f"{base}:teams_card"
    )
    sender = target.mail_from
    if mail and sender and target.mail_to:
        subject, body = closeout_email(_with_followups(doc, outcome, target), report_url, ctx)
        attachment = (judged.report_path.name, judged.html.encode("utf-8"))
        mail_key = f"{base}:mail"
        outcome.attempt(
            "mail",
            lambda: publisher.send_mail(
                sender, list(target.mail_to), subject, body, [attachment], mail_key
            ),
            mail_key,
        )


def _with_followups(
    doc: Mapping[str, Any], outcome: Outcome, target: PublishTarget
) -> dict[str, Any]:
    """The document plus the follow-up issues this publication created (their Jira keys)."""
    if target.followups != "jira":
        return dict(doc)
    lessons = [x for x in (doc.get("closeout") or {}).get("lessons") or [] if x.get("action")]
    made = [
        {"key": outcome.done[f"followup_{i}"], "title": lesson.get("title")}
        for i, lesson in enumerate(lessons)
        if outcome.done.get(f"followup_{i}")
    ]
    return {**doc, "extra": {**(doc.get("extra") or {}), "followups": made}}


def _web_url(publisher: M365Publishing, drive: str, path: str) -> str | None:
    """The uploaded report's SharePoint URL; a failed look-up only costs the link."""
    try:
        return publisher.file_url(drive, path)
    except Exception as exc:  # the upload is done; a card without a link beats no card
        logging.getLogger(__name__).warning("no web URL for %s: %s", path, redact(str(exc)))
        return None


# targets a publication's Jira record lists as delivered that a fresh warehouse adopts
ADOPTABLE = frozenset({"jira_comment", "jira_attachment", "sharepoint_file", "teams_card", "mail"})


def _adopt(runtime: Runtime, key: str, target: str) -> None:
    """When the last publication's Jira record says a target was delivered and this warehouse
    has never heard of it, it is recorded, not sent again (a webhook card can't be looked up;
    a report attached or uploaded under an earlier data version's name is not found)."""
    ledger = runtime.warehouse.ledger()
    if ledger.get(key) is None:
        ledger.mark_done(key, target, "adopted", {"adopted_from": "jira property"})


@task(name="publish-gate-review", retries=1, retry_delay_seconds=5)
def publish_gate_review(
    runtime: Runtime, judged: Judged, request_issue: str | None
) -> dict[str, Any]:
    doc = judged.document
    target = runtime.settings.publish.gate_review
    outcome = Outcome(ledger=runtime.warehouse.ledger())
    choice = choose_jira_target(
        runtime.settings, doc["project_key"], doc.get("phase"), "gate_review", request_issue
    )
    where = f"gate-issue:{doc['project_key']}:{doc.get('phase')}"  # one created issue per gate
    issue, reason = _locate_jira_issue(runtime, outcome, choice, where)
    if request_issue:  # one answer per request issue, whatever it says
        name = f"request:{request_issue}"
        stream = Stream(name, "", runtime.settings.publish.republish_on, name, repeated=False)
    else:  # one post per distinct evaluation of the project's gate
        stream = open_stream(runtime, f"gate:{doc['project_key']}:{doc['phase']}", doc, issue)
    _jira_targets(runtime, outcome, judged, issue, stream, target, reason)
    _graph_targets(
        runtime, outcome, judged, stream.base, target, mail=False, delivered=stream.delivered
    )
    _jira_property(runtime, outcome, judged, issue, stream, target)
    _log(outcome, stream)
    outcome.raise_if_failed()
    return outcome.as_dict() | {"jira_target": _jira_target_report(choice, issue, reason)}


@task(name="publish-closeout", retries=1, retry_delay_seconds=5)
def publish_closeout(runtime: Runtime, judged: Judged) -> dict[str, Any]:
    doc = judged.document
    target = runtime.settings.publish.closeout
    outcome = Outcome(ledger=runtime.warehouse.ledger())
    choice = choose_jira_target(runtime.settings, doc["project_key"], "closeout", "closeout")
    issue, reason = _locate_jira_issue(
        runtime, outcome, choice, f"closeout-issue:{doc['project_key']}"
    )
    stream = open_stream(runtime, f"closeout:{doc['project_key']}", doc, issue)
    _jira_targets(runtime, outcome, judged, issue, stream, target, reason)
    # follow-ups first, so leadership's mail can link the issues they became; their keys are
    # per lesson, so a repeated publication finds them done (or, fresh, at the target)
    _followups(runtime, outcome, doc, target, judged.context)
    _graph_targets(
        runtime, outcome, judged, stream.base, target, mail=True, delivered=stream.delivered
    )
    _jira_property(runtime, outcome, judged, issue, stream, target)
    _log(outcome, stream)
    outcome.raise_if_failed()
    return outcome.as_dict() | {"jira_target": _jira_target_report(choice, issue, reason)}


_NUMBER = re.compile(r"(?<![\w-])\d+(?:[.,]\d+)?%?")


def followup_key(project_key: str, lesson: Mapping[str, Any]) -> str:
    """One follow-up per lesson and project, whichever evaluation found it: the lesson's
    category and title with its measurements taken out ("slipped 12 days" and "slipped 14
    days" are one lesson; issue keys like ABC-12 stay)."""
    title = _NUMBER.sub("#", str(lesson.get("title") or lesson.get("action") or ""))
    digest = hashlib.sha256(f"{lesson.get('category')}|{title}".encode()).hexdigest()[:16]
    return f"followup:{project_key}:{digest}"


def _followups(
    runtime: Runtime,
    outcome: Outcome,
    doc: Mapping[str, Any],
    target: PublishTarget,
    ctx: ReportContext | None = None,
) -> None:
    """One Jira issue or Planner task per lesson's follow-up action."""
    lessons = [x for x in (doc.get("closeout") or {}).get("lessons") or [] if x.get("action")]
    plan = target.followup_plan
    create: Callable[[str, Mapping[str, Any], str], str]
    if target.followups == "planner" and plan and lessons:
        planner = graph_publisher(runtime)

        def create(title: str, lesson: Mapping[str, Any], key: str) -> str:
            return planner.create_planner_task(plan, title, key)

    elif target.followups == "jira" and runtime.settings.jira.enabled and lessons:
        jira = jira_publisher(runtime)

        def create(title: str, lesson: Mapping[str, Any], key: str) -> str:
            summary, description = followup_issue(dict(doc), dict(lesson), ctx)
            fields = {
                "summary": summary,
                "issuetype": {"name": "Task"},
                "labels": [FOLLOWUP_LABEL],
                "description": description,
            }
            return jira.create_issue(str(doc["project_key"]), fields, key)
    else:
        return
    for index, lesson in enumerate(lessons):
        title = followup_issue(dict(doc), dict(lesson), ctx)[0]  # distinct: named by the lesson
        key = followup_key(str(doc["project_key"]), lesson)
        outcome.attempt(f"followup_{index}", partial(create, title, lesson, key), key)


@task(name="publish-status", retries=1, retry_delay_seconds=5)
def publish_status(
    runtime: Runtime, rows: list[dict[str, Any]], report: Path, as_of: datetime
) -> dict[str, Any]:
    base = f"status:{as_of:%G-W%V}"  # one digest per ISO week
    target = runtime.settings.publish.status_report
    outcome = Outcome(ledger=runtime.warehouse.ledger())
    if runtime.settings.graph.enabled:
        publisher = graph_publisher(runtime)
        card = digest_card(rows, f"Status digest {as_of:%Y-%m-%d}")
        _teams_card(publisher, outcome, target, card, f"{base}:teams_card")
        drive = target.sharepoint_drive
        if drive:
            key = f"{base}:sharepoint_file"
            outcome.attempt(
                "sharepoint_file",
                lambda: publisher.upload_file(
                    drive,
                    f"{target.sharepoint_folder}/status/{report.name}",
                    report.read_bytes(),
                    key,
                ),
                key,
            )
    _log(outcome)
    outcome.raise_if_failed()
    return {
        **outcome.as_dict(),
        "markdown": portfolio_markdown(rows, thresholds=runtime.settings.checks.thresholds),
    }


ALERTS_PROPERTY = "pmo-alerts"  # on the project's epic: the alert keys already sent
MAX_ALERT_KEYS = 400  # the newest ones; a Jira entity property holds at most 32 KB


def alert_epic(runtime: Runtime, project_id: str) -> str | None:
    """The Jira epic a project's alert record lives on (None: not a Jira project). The record
    is an invisible entity property, not a post: any stable issue of the project will do, so
    the one with the lowest key."""
    if not runtime.settings.jira.enabled:
        return None
    epics = runtime.warehouse.read("tasks", project_ids=[project_id], where={"task_type": "epic"})
    epics = epics[epics["source"] == "jira"]
    return None if epics.empty else str(epics.sort_values("key")["key"].iloc[0])


def alerts_sent_before(runtime: Runtime, epic: str | None) -> set[str]:
    """Alert keys the project's epic says were sent: a fresh warehouse adopts them."""
    if epic is None:
        return set()
    try:
        value = jira_publisher(runtime).read_property(epic, ALERTS_PROPERTY)
    except Exception:  # Jira unreadable: the alert goes out (a late card beats none)
        return set()
    return {str(k) for k in value.get("keys") or []} if isinstance(value, dict) else set()


def record_alerts(runtime: Runtime, epic: str | None, keys: list[str]) -> None:
    """Add `keys` to the epic's alert record (PUT replaces: a repeat is harmless)."""
    if epic is None or not keys:
        return
    known = sorted(alerts_sent_before(runtime, epic) - set(keys))
    value: JSON = {"keys": [*known, *keys][-MAX_ALERT_KEYS:]}
    try:
        jira_publisher(runtime).replace_property(epic, ALERTS_PROPERTY, value)
    except Exception as exc:  # the card went out and the ledger knows: only adoption suffers
        log.warning("could not record the alerts on %s: %s", epic, redact(str(exc)))


def publish_alert(
    runtime: Runtime, project_key: str, findings: list[dict[str, Any]], key: str
) -> dict[str, Any]:
    """A card about new red findings (called by the nightly flow)."""
    target = runtime.settings.publish.alerts
    outcome = Outcome(ledger=runtime.warehouse.ledger())
    if runtime.settings.graph.enabled:
        _teams_card(
            graph_publisher(runtime), outcome, target, alert_card(project_key, findings), key
        )
    outcome.raise_if_failed()
    return outcome.as_dict()


def _teams_card(
    publisher: M365Publishing,
    outcome: Outcome,
    target: PublishTarget,
    card: dict[str, Any],
    key: str,
) -> None:
    """A card through the Workflows webhook (unattended), else through Graph to a channel."""
    if target.teams_webhook is not None:
        webhook = target.teams_webhook
        outcome.attempt(
            "teams_card", lambda: publisher.post_card_webhook(webhook.resolve(), card, key), key
        )
    elif target.teams_channel:
        team, channel = target.teams_channel["team"], target.teams_channel["channel"]
        outcome.attempt(
            "teams_card", lambda: publisher.post_channel_message(team, channel, card, key), key
        )


def _log(outcome: Outcome, stream: Stream | None = None) -> None:
    try:
        # the flow run's logger under Prefect, `pmo.flows` in an in-process CLI run (where
        # Prefect's run logger does not exist and the `unknown` warnings would be lost)
        logger = run_logger()
    except Exception:  # outside any run (unit tests): nothing to log to
        return
    if stream is not None and stream.repeated:
        logger.info(
            "%s: unchanged since its last publication (%s); nothing new to publish",
            stream.name,
            stream.base,
        )
    logger.info(
        "published %s; already published %s; skipped %s; failed %s",
        outcome.published_now,
        sorted(outcome.already),
        sorted(outcome.skipped),
        sorted(outcome.failed),
    )
    for target, why in sorted(outcome.unknown.items()):
        logger.warning("%s: outcome unknown, not sent again: %s", target, why)
