"""Every demo report: no contradictions, plain identifiers, a screenshot, and a clean A4 PDF.

Consistency (issue 14, point 4), asserted on each report of the demo portfolio:
- a finished project shows actual vs plan, never a Monte Carlo forecast of a past date;
- one metric, one threshold: no finding repeats a metric a gate criterion judges (with the
  catalogue's other limit), and a criterion's metric has one threshold per kind;
- one count, one source: the scope additions shown are `scope.added_items`; the heat map
  counts exactly the risks the risk check calls open;
- no Python reprs, epoch-day numbers or raw timestamps; issue keys are linked;
- no two projects show the same resource-load chart.
Printing (point 7): Chromium prints each report to A4; the page count is sane and no
criterion or finding is split across two pages.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections import defaultdict
from pathlib import Path

import pytest

from checks.risk.register import CLOSED_ROAM
from reports.summary import is_finished, other_findings
from tests.browser.conftest import DemoReport, artefact_dir

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("browser")]

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]
REPR = re.compile(r"\{'|\bNone\b|\bTrue\b|\bFalse\b|\bnan\b|\d{4}-\d\d-\d\dT\d\d:\d\d")
A4_POINTS = (595, 842)


def visible(html: str) -> str:
    body = html.split('id="appendix"')[0]
    body = re.sub(r"<(style|svg|title)\b.*?</\1>", " ", body, flags=re.S)
    body = re.sub(r'<img [^>]*src="data:[^"]*"[^>]*>', " ", body)
    return " ".join(re.sub(r"<[^>]+>", " ", body).split())


def evaluations(reports: list[DemoReport]) -> list[DemoReport]:
    return [r for r in reports if r.document]


def test_the_demo_has_gate_reviews_a_closeout_and_a_digest(demo_reports: list[DemoReport]) -> None:
    kinds = {r.document.get("kind") for r in evaluations(demo_reports)}
    assert kinds == {"gate_review", "closeout"}
    assert len(evaluations(demo_reports)) >= 6


def test_no_contradictions_on_any_demo_report(demo_reports: list[DemoReport]) -> None:
    load_alts = []
    linked = 0
    for report in evaluations(demo_reports):
        doc, html, text = report.document, report.html, visible(report.html)
        name = report.name
        # a finished project: actual vs plan, no forecast of a date already past
        if is_finished(doc):
            assert 'id="actual-vs-plan"' in html or 'id="variances"' in html, name
            assert "Completion forecast" not in html and 'id="forecast"' not in html, name
        # one metric, one threshold
        judged = {c["metric"] for c in doc["criteria"]}
        assert not [f for f in other_findings(doc) if f.get("check") in judged], name
        limits = defaultdict(set)
        for c in doc["criteria"]:
            limits[(c["metric"], c["must_meet"])].add(c["threshold"])
        assert all(len(v) == 1 for v in limits.values()), (name, dict(limits))
        # one count, one source: scope additions
        added = doc["metrics"].get("scope.added_items")
        for shown in re.findall(r"(\d+) added", text):
            assert added is not None and int(shown) == int(added), (name, shown, added)
        # the heat map counts what the risk check calls open
        risks = report.frames["risks"]
        mine = risks[risks["project_id"] == doc["project_id"]]
        open_rated = mine[
            ~mine["roam_status"].astype(str).str.lower().isin(CLOSED_ROAM)
            & mine["probability"].notna()
            & mine["impact"].notna()
        ]
        heat = re.search(r"(\d+) open risks by probability", html)
        assert (int(heat.group(1)) if heat else 0) == len(open_rated), name
        assert len(open_rated) <= (doc["metrics"].get("risk.open") or 0), name
        # plain language: no reprs, no epoch days, no raw timestamps; keys are links
        assert not REPR.search(text), (name, REPR.search(text))
        for metric, value in doc["metrics"].items():
            if metric.endswith("_date") and value is not None:  # epoch days read as dates
                assert f"{value:,.0f}" not in text and f"{value:.0f}" not in text, (name, metric)
        assert not re.search(r"\bjira:\d+", text), name
        keys = set(re.findall(rf"\b{re.escape(doc['project_key'])}-\d+\b", text))
        assert all(f'/browse/{key}">{key}</a>' in html for key in keys), name
        linked += len(keys)
        alt = re.search(r'alt="(\d[^"]* hours by [^"]*)"', html)
        if alt:
            load_alts.append(alt.group(1))
    assert len(load_alts) == len(set(load_alts)) and len(load_alts) >= 3, load_alts
    assert linked >= 10, "the demo's evidence shows linked issue keys"


def run_chromium(chromium: str, args: list[str], profile: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [chromium, *FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def test_every_demo_report_is_screenshotted_and_prints_to_clean_a4(
    chromium: str, demo_reports: list[DemoReport], tmp_path: Path
) -> None:
    if shutil.which("pdftotext") is None or shutil.which("pdfinfo") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but poppler-utils is missing: scripts/test.sh installs it")
        pytest.skip("poppler-utils (pdftotext, pdfinfo) is not installed")
    shots = artefact_dir() / "screenshots"
    pdfs = artefact_dir() / "pdf"
    shots.mkdir(exist_ok=True)
    pdfs.mkdir(exist_ok=True)
    for report in demo_reports:
        shot = shots / f"{report.name}.png"
        pdf = pdfs / f"{report.name}.pdf"
        profile = tmp_path / f"profile-{report.name}"
        run_chromium(
            chromium,
            [f"--screenshot={shot}", "--window-size=1100,1800", report.path.as_uri()],
            profile,
        )
        assert shot.is_file() and shot.stat().st_size > 10_000, report.name
        result = run_chromium(
            chromium,
            ["--no-pdf-header-footer", f"--print-to-pdf={pdf}", report.path.as_uri()],
            profile,
        )
        assert pdf.is_file(), result.stderr[-2000:]
        pages = page_texts(pdf)
        assert 1 <= len(pages) <= 12, (report.name, len(pages))
        assert page_size(pdf) == A4_POINTS if report.name != "status" else True
        for cell in unsplittable_cells(report):
            words = _words(cell)
            assert any(words <= _words(page) for page in pages), (report.name, cell)


def page_texts(pdf: Path) -> list[str]:
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [" ".join(page.split()) for page in text.split("\f") if page.strip()]


def page_size(pdf: Path) -> tuple[int, int]:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    found = re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info)
    assert found, info
    return round(float(found.group(1))), round(float(found.group(2)))


def unsplittable_cells(report: DemoReport) -> list[str]:
    """Text of table rows that must sit on one page: each criterion's name and the
    executive summary's gaps (a row cut across pages breaks them)."""
    if not report.document:
        return []
    cells = [" ".join(str(c["description"]).split()) for c in report.document["criteria"]]
    return [c for c in cells if len(c) > 12]


def _words(text: str) -> set[str]:
    # pdftotext joins a word wrapped at its hyphen ("person-" / "weeks" -> "personweeks",
    # "must-" / "meet" -> "mustmeet"): compare words without their hyphens.
    return set(re.sub("[-\u2010]", "", text).split())
