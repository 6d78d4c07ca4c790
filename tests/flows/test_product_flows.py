"""The PMO's flows end to end on the sandbox: sync, requested gate review, gate review,
closeout and status report, each publishing exactly once, also across a failed attempt."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from flows.runtime import LEADERSHIP_DEMO_ADDRESS, Runtime, open_runtime
from tests.flows.conftest import write_config

pytestmark = [pytest.mark.xdist_group("prefect"), pytest.mark.slow]


@pytest.fixture(scope="module")
def product(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runtime]:
    """One sandbox and warehouse for the module, synced once."""
    from flows.nightly_sync import nightly_sync

    config = write_config(tmp_path_factory.mktemp("product"))
    with open_runtime(str(config)) as runtime:
        nightly_sync(config_path=str(config))
        yield runtime


def outbox(runtime: Runtime, kind: str | None = None) -> list[dict[str, Any]]:
    return runtime.sandbox_server.state.outbox_entries(kind)


def kinds(runtime: Runtime) -> Counter:
    """Writes per kind and target (and property name: each property is its own record)."""
    return Counter((e["kind"], e["target"] + _property_name(e["payload"])) for e in outbox(runtime))


def _property_name(payload: Any) -> str:
    name = payload.get("key") if isinstance(payload, dict) else None
    return f"/{name}" if isinstance(name, str) and "value" in payload else ""


def set_faults(runtime: Runtime, rules: list[dict[str, Any]]) -> None:
    url = runtime.sandbox_info["control_url"] + "/faults"
    httpx.put(url, json={"rules": rules}, timeout=10).raise_for_status()


def test_the_gate_review_request_filed_in_jira_is_answered_on_that_issue(product: Runtime) -> None:
    comments = [e for e in outbox(product, "comment") if e["target"] == "PMO-3"]
    assert len(comments) == 1, (
        "the nightly run answers the open request PMO-3 (Gate review: NET planning)"
    )
    text = str(comments[0]["payload"])
    assert "Decision" in text and "NET" in text
    # the decided requests (PMO-1, PMO-2) are not answered again
    assert not [e for e in outbox(product, "comment") if e["target"] in {"PMO-1", "PMO-2"}]


def test_a_gate_review_publishes_every_target_once_even_when_run_twice(product: Runtime) -> None:
    from flows.gate_review import phase_gate_review

    first = phase_gate_review("ERP")
    before = kinds(product)
    second = phase_gate_review("ERP")
    assert kinds(product) == before, "the second run must publish nothing"
    assert first["data_version"] == second["data_version"]
    assert set(first["published"]["done"]) >= {
        "jira_comment",
        "jira_attachment",
        "jira_property",
        "teams_card",
        "sharepoint_file",
    }
    assert first["decision"] in {"Go", "Go with conditions", "Hold", "Recycle"}


def test_closeout_mails_leadership_with_the_report_and_files_follow_ups(product: Runtime) -> None:
    from flows.closeout import closeout_evaluation

    document = closeout_evaluation("BKP")
    mails = outbox(product, "mail")
    assert len(mails) == 1
    mail = str(mails[0]["payload"])
    assert LEADERSHIP_DEMO_ADDRESS in mail
    assert ".html" in mail, "the HTML report travels as an attachment"
    followups = [k for k in document["published"]["done"] if k.startswith("followup_")]
    assert followups, "every lesson with an action becomes a follow-up item"
    closeout_evaluation("BKP")
    assert len(outbox(product, "mail")) == 1


def test_a_run_killed_half_way_through_publishing_completes_on_re_run(product: Runtime) -> None:
    from flows.gate_review import phase_gate_review
    from flows.publishing import PublishError

    set_faults(product, [{"route": "/v1.0/drives/*", "kind": "500"}])
    try:
        with pytest.raises(PublishError, match="sharepoint_file"):
            phase_gate_review.fn("CRM")  # the flow function itself: no flow-level retries
    finally:
        set_faults(product, [])
    posted = kinds(product)
    assert not any(kind == "drive_file" and "CRM" in target for kind, target in posted)
    phase_gate_review("CRM")
    after = kinds(product)
    jira = [
        (k, t)
        for (k, t), n in after.items()
        if k in {"comment", "attachment", "property"} and n != 1
    ]
    assert jira == [], "targets published before the failure are not published again"
    assert sum(n for (k, t), n in after.items() if k == "drive_file" and "CRM" in t) == 1


def test_status_report_posts_one_digest_per_week(product: Runtime) -> None:
    from flows.status_report import status_report

    result = status_report()
    assert {row["project_key"] for row in result["projects"]} >= {"ERP", "NET", "BKP"}
    assert Path(result["report_path"]).is_file()
    cards = len(outbox(product, "teams_webhook_card"))
    status_report()
    assert len(outbox(product, "teams_webhook_card")) == cards


def test_the_teams_card_links_the_report_where_it_was_uploaded(product: Runtime) -> None:
    from flows.gate_review import phase_gate_review

    document = phase_gate_review("DCM")
    url = document["published"]["report_url"]
    assert url and url.startswith(("http://", "https://")), url  # SharePoint, not file://
    cards = [
        e["payload"] for e in outbox(product, "teams_webhook_card") if "(DCM)" in str(e["payload"])
    ]
    assert cards, "the gate review posts a card"
    card = cards[-1].get("card", cards[-1]) if isinstance(cards[-1], dict) else cards[-1]
    assert url in str(card) and "Open report" in str(card)
    assert "\\\\" not in str(card)  # Teams shows backslash escapes literally


def test_a_review_without_request_goes_to_its_own_issue_in_the_pmo_project(
    product: Runtime,
) -> None:
    """Not to the project's first epic (issue 11, point 8): the sandbox's default target is
    one issue per project and gate, created once in PMO, and the result says so."""
    from flows.gate_review import phase_gate_review

    first = phase_gate_review("SEC")["published"]["jira_target"]
    again = phase_gate_review("SEC")["published"]["jira_target"]
    assert first["how"] == "create" and first["from"] == "publish.gate_review.jira_target"
    assert first["issue"].startswith("PMO-") and again["issue"] == first["issue"]
    created = [e for e in outbox(product, "issue") if "SEC" in str(e["payload"])]
    assert len(created) == 1, "created once, reused by the second review"
    epics = {
        row.key
        for row in product.warehouse.read("tasks").itertuples()
        if row.task_type == "epic" and str(row.key).startswith("SEC-")
    }
    posted = {e["target"] for e in outbox(product, "comment")}
    assert first["issue"] in posted and not (posted & epics)


def test_leadership_mail_links_the_follow_ups_and_attaches_the_report_as_html(
    product: Runtime,
) -> None:
    from flows.closeout import closeout_evaluation

    closeout_evaluation("BKP")  # idempotent: one mail however often it runs
    mails = outbox(product, "mail")
    assert len(mails) == 1
    mail = str(mails[0]["payload"])
    assert "Follow-ups created" in mail and "/browse/BKP-" in mail
    assert "Final variances" in mail
    assert "text/html" in mail, "the report is attached as text/html"


def test_gate_review_takes_an_as_of_date_and_reviews_a_phaseless_project(product: Runtime) -> None:
    # Issue 11, points 2 and 5: `pmo gate KEY --as-of DATE` (the flow's `as_of` parameter)
    # judges as of that date, even inside a runtime with its own clock; the PMO project has
    # no phase in config or charter: it is reviewed at its inferred phase, not a traceback.
    from flows.gate_review import phase_gate_review

    pinned = phase_gate_review("ERP", publish=False, as_of="2026-01-15")
    assert pinned["evaluated_at"] == "2026-01-15T23:59:59+00:00"
    phaseless = phase_gate_review("PMO", publish=False)
    assert phaseless["phase_source"]["source"] == "inferred"
    assert phaseless["phase"] in {"initiation", "planning", "execution", "closeout"}
    assert phaseless["evaluated_at"] != pinned["evaluated_at"]  # the pin did not leak


def _flow_runs_recorded() -> int:
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        return client.count_flow_runs()


@pytest.fixture
def prefect_calls(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Counter:
    """Counts calls into Prefect's flow and task engines, as on a PMO's laptop: no
    PREFECT_API_URL and no Prefect profile naming a server."""
    from prefect.flows import Flow
    from prefect.tasks import Task

    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    monkeypatch.setenv("PREFECT_PROFILES_PATH", str(tmp_path / "no-profiles.toml"))
    calls: Counter = Counter()
    for cls, name in ((Flow, "flow"), (Task, "task")):
        original = cls.__call__

        def counted(self: Any, *args: Any, __o: Any = original, __n: str = name, **kw: Any) -> Any:
            calls[__n] += 1
            return __o(self, *args, **kw)

        monkeypatch.setattr(cls, "__call__", counted)
    return calls


def test_the_cli_runs_the_gate_in_process_without_prefect_and_decides_the_same(
    product: Runtime, prefect_calls: Counter
) -> None:
    from flows.gate_review import phase_gate_review
    from flows.orchestration import run_for_cli

    recorded = _flow_runs_recorded()
    direct = run_for_cli(phase_gate_review, project="ERP", publish=False)
    assert prefect_calls == Counter(), "in-process: no Prefect flow or task ran"
    assert _flow_runs_recorded() == recorded
    through_prefect = phase_gate_review("ERP", publish=False)
    assert (
        prefect_calls["flow"] == 1 and prefect_calls["task"] >= 4
    )  # read, gates, evaluate, archive
    assert _flow_runs_recorded() == recorded + 1
    assert direct == through_prefect


def test_the_cli_sync_in_process_runs_no_prefect_task_and_judges(
    product: Runtime, prefect_calls: Counter
) -> None:
    from flows.nightly_sync import nightly_sync
    from flows.orchestration import run_for_cli

    # Earlier tests of this module published (e.g. created a gate review issue in PMO): a
    # first run takes those in, so the measured run is the nothing-changed sync.
    run_for_cli(nightly_sync, judge=False)
    summaries = run_for_cli(nightly_sync, judge=True)
    assert prefect_calls == Counter(), "in-process: no Prefect flow or task ran"
    jira = [s for s in summaries if s["source"] == "jira"]
    assert jira and all(c.get("inserted", 0) == 0 for s in jira for c in s["streams"].values())


def test_a_configured_prefect_server_keeps_prefect_the_orchestrator(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from flows.orchestration import prefect_server_configured

    profiles = tmp_path / "profiles.toml"
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    monkeypatch.delenv("PREFECT_PROFILE", raising=False)
    monkeypatch.setenv("PREFECT_PROFILES_PATH", str(profiles))
    assert not prefect_server_configured()
    profiles.write_text(
        'active = "team"\n[profiles.team]\nPREFECT_API_URL = "http://prefect:4200/api"\n'
    )
    assert prefect_server_configured()
    profiles.write_text('active = "local"\n[profiles.local]\n')
    assert not prefect_server_configured()
    monkeypatch.setenv("PREFECT_API_URL", "http://prefect:4200/api")
    assert prefect_server_configured()


def test_a_publication_done_before_is_reported_as_already_published(
    product: Runtime,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A second publication of the same evaluation posts nothing: its summary line says
    "already published" for every target (ledger hits), the result lists them, and the CLI
    prints them as such, not as "published"."""
    from flows.commands import _print_published
    from flows.gate_review import phase_gate_review
    from flows.orchestration import direct

    monkeypatch.setenv("PMO_VERBOSE", "1")  # the in-process run's INFO lines
    phase_gate_review("ERP")  # published now, or by an earlier test of this module
    before = kinds(product)
    caplog.clear()
    with direct(), caplog.at_level(logging.INFO):
        again = phase_gate_review.fn("ERP")["published"]
    assert kinds(product) == before  # nothing was sent
    targets = sorted(again["done"])
    assert {"jira_comment", "jira_attachment", "teams_card"} <= set(targets)
    assert again["already_published"] == targets
    summaries = [
        r.getMessage()
        for r in caplog.records
        if r.name == "pmo.flows" and "already published" in r.getMessage()
    ]
    assert summaries == [f"published []; already published {targets}; skipped []; failed []"]
    capsys.readouterr()
    _print_published(again)
    printed = " ".join(capsys.readouterr().out.split())  # the console wraps at its width
    assert "published: nothing new already published: " + ", ".join(targets) in printed
