"""The HTML report in a real headless browser: no console errors, decision and charts visible.

Needs Debian's `chromium` (scripts/test.sh installs it in CI). Outside CI the test skips
with that reason when the browser is missing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from reports.evaluation import evaluation_html
from tests.unit.reports.test_reports import HOSTILE, evaluation

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--enable-logging=stderr",
    "--v=0",
    "--hide-scrollbars",
]
DECISION_AMBER = (0xD6, 0x89, 0x10)  # the "Go with conditions" badge

pytestmark = pytest.mark.xdist_group("browser")


@pytest.fixture(scope="module")
def browser() -> str:
    if CHROMIUM is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but chromium is missing: scripts/test.sh installs it")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    return CHROMIUM


def screenshot(browser: str, page: Path, out: Path, profile: Path) -> str:
    result = subprocess.run(
        [
            browser,
            *FLAGS,
            f"--user-data-dir={profile}",
            f"--screenshot={out}",
            "--window-size=1100,2600",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert out.is_file(), result.stderr[-2000:]
    return result.stderr


def near(pixel: tuple[int, ...], colour: tuple[int, int, int], tolerance: int = 12) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel[:3], colour, strict=True))


def test_report_renders_without_console_errors_and_shows_decision_and_charts(
    browser: str, tmp_path: Path
) -> None:
    page = tmp_path / "report.html"
    page.write_text(evaluation_html(evaluation(HOSTILE)), encoding="utf-8")
    shot = tmp_path / "shot.png"
    log = screenshot(browser, page, shot, tmp_path / "profile")
    console = [line for line in log.splitlines() if "CONSOLE" in line or "Uncaught" in line]
    assert console == [], console

    image = Image.open(shot).convert("RGB")
    width, height = image.size
    pixels = image.load()
    badge = sum(
        near(pixels[x, y], DECISION_AMBER) for x in range(0, width, 2) for y in range(0, 600, 2)
    )
    assert badge > 200, "the decision badge is visible near the top"
    # Charts: the page below the criteria table holds four images; they must not be blank.
    colours = {pixels[x, y] for x in range(0, width, 3) for y in range(600, height, 3)}
    assert len(colours) > 200, "charts drawn (a blank page has a handful of colours)"
