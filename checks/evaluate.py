"""Evaluations: a project's gate review or closeout, assembled from every check and decided.

Pure: frames, settings, rules, the quality report and metric snapshots in; an `Evaluation`
out, whose `to_dict()` is the JSON documented in `docs/evaluation.md` (flows, reports and
`--json` share it). `evaluated_at` is the status date `as_of`, never the clock, so the same
input gives the same output, byte for byte.

- `evaluate_gate(...)`: the exit gate of the project's current (or a given) phase;
- `evaluate_closeout(...)`: the closeout gate plus KPIs, variances, forecast record, lessons;
- `evaluate_portfolio(...)`: quality gates once, then every project, frames grouped once;
- one project's steps (`evaluate_project`, `assess_project`, `conclude`) live in
  `checks.evaluate_project`, the worker processes in `checks.evaluate_workers`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime

import pandas as pd

from checks.as_of import project_as_of
from checks.data_version import TableHashes
from checks.evaluate_project import Assessment, assess_project, conclude, evaluate_project, phase_of
from checks.evaluate_workers import run_overlapped
from checks.gates import LifecycleRules
from checks.model import Evaluation, ProjectFrames, QualityReport
from checks.quality import QualityContext, run_quality_gates
from checks.risk.frames import PortfolioSplit
from config.settings import ChecksSettings, Settings

__all__ = [
    "Assessment",
    "assess_project",
    "conclude",
    "evaluate_closeout",
    "evaluate_gate",
    "evaluate_portfolio",
    "evaluate_project",
]

QualityRunner = Callable[
    [Mapping[str, pd.DataFrame], QualityContext, ChecksSettings], QualityReport
]


def evaluate_gate(
    frames: Mapping[str, pd.DataFrame],
    project_id: str,
    settings: Settings,
    rules: LifecycleRules,
    as_of: datetime,
    quality: QualityReport,
    snapshots: pd.DataFrame | None = None,
    phase: str | None = None,
    *,
    default_as_of: bool = False,
) -> Evaluation:
    """The gate review of one project (`phase` defaults to the project's current phase).

    `default_as_of`: `as_of` is the run's clock, not a date someone chose, so a project whose
    work is all done (or in closeout) is judged as of its finish (`checks.as_of`)."""
    pf = PortfolioSplit(frames).project(project_id, as_of)
    pf = settle_as_of(pf, settings, phase, default_as_of)
    return evaluate_project(pf, settings, rules, quality, snapshots, phase, "gate_review")


def evaluate_closeout(
    frames: Mapping[str, pd.DataFrame],
    project_id: str,
    settings: Settings,
    rules: LifecycleRules,
    as_of: datetime,
    quality: QualityReport,
    snapshots: pd.DataFrame | None = None,
    *,
    default_as_of: bool = False,
) -> Evaluation:
    """The closeout evaluation of one project: the closeout gate plus the closeout report
    (`default_as_of` as for `evaluate_gate`: judged as of the project's finish)."""
    pf = PortfolioSplit(frames).project(project_id, as_of)
    pf = settle_as_of(pf, settings, "closeout", default_as_of)
    return evaluate_project(pf, settings, rules, quality, snapshots, "closeout", "closeout")


def evaluate_portfolio(
    frames: Mapping[str, pd.DataFrame],
    settings: Settings,
    rules: LifecycleRules,
    as_of: datetime,
    quality: QualityReport | None = None,
    snapshots: pd.DataFrame | None = None,
    project_ids: Iterable[str] | None = None,
    quality_context: QualityContext | None = None,
    run_quality: QualityRunner = run_quality_gates,
    workers: int = 1,
    default_as_of: bool = False,
) -> list[Evaluation]:
    """Every project's gate review (closeout for projects in closeout), in project-id order.

    Closed projects are skipped unless named in `project_ids`. A project with no phase in
    config or charter is judged at the phase its evidence points to (`checks.phase`), so
    every synced project is reported; any phase without a gate is a ConfigError naming the
    project.

    Unless a report is passed in, the quality gates run once for the whole portfolio with
    `quality_context` (the flow gathers last syncs and previous counts; default: only the
    status date). Frames are grouped by project once. `workers` > 1 evaluates the projects
    in that many forked processes (`checks.evaluate_workers`) while this process runs the
    quality gates: same list, same order, as one process. `default_as_of`: as for
    `evaluate_gate`, per project (the quality gates run as of `as_of`).
    """
    split = PortfolioSplit(frames)
    job = _PortfolioJob(
        split=split,
        hashes=TableHashes(split.tables),
        settings=settings,
        rules=rules,
        as_of=as_of,
        snapshots=_snapshots_by_project(snapshots),
        named=project_ids is not None,
        default_as_of=default_as_of,
    )
    ids = sorted(project_ids) if project_ids is not None else split.project_ids

    def quality_report() -> QualityReport:
        if quality is not None:
            return quality
        return run_quality(frames, quality_context or QualityContext(as_of=as_of), settings.checks)

    if workers <= 1 or len(ids) < 2:
        return job.run(ids, quality_report())
    return run_overlapped(job, ids, workers, quality_report)


@dataclass(frozen=True)
class _PortfolioJob:
    """What every project's evaluation shares, and the steps a worker process runs."""

    split: PortfolioSplit
    hashes: TableHashes
    settings: Settings
    rules: LifecycleRules
    as_of: datetime
    snapshots: Mapping[str, pd.DataFrame]
    named: bool  # ids given by the caller: evaluate them even if closed
    default_as_of: bool = False  # as_of is the clock: finished projects at their finish

    def run(self, project_ids: Iterable[str], quality: QualityReport) -> list[Evaluation]:
        """Project by project (one project's frames in memory at a time)."""
        return [conclude(a, quality) for pid in project_ids if (a := self.assess_one(pid))]

    def assess(self, project_ids: Iterable[str]) -> list[Assessment]:
        return [a for pid in project_ids if (a := self.assess_one(pid)) is not None]

    def conclude(self, assessed: list[Assessment], quality: QualityReport) -> list[Evaluation]:
        return [conclude(a, quality) for a in assessed]

    def assess_one(self, pid: str) -> Assessment | None:
        pf = self.split.project(pid, self.as_of)
        phase = phase_of(pf, self.settings).phase
        if phase == "closed" and not self.named:
            return None  # finished and closed: no gate to review
        if self.default_as_of:
            pf = replace(pf, as_of=project_as_of(pf, self.as_of, phase))
        kind = "closeout" if phase == "closeout" else "gate_review"
        mine = self.snapshots.get(pid)
        return assess_project(pf, self.settings, self.rules, mine, None, kind, self.hashes)


def settle_as_of(
    pf: ProjectFrames, settings: Settings, phase: str | None, default_as_of: bool
) -> ProjectFrames:
    """`pf` as of its default status date when `default_as_of` (see `checks.as_of`)."""
    if not default_as_of:
        return pf
    chosen = phase or phase_of(pf, settings).phase
    when = project_as_of(pf, pf.as_of, chosen)
    return pf if when == pf.as_of else replace(pf, as_of=when)


def _snapshots_by_project(snapshots: pd.DataFrame | None) -> dict[str, pd.DataFrame]:
    if snapshots is None or snapshots.empty:
        return {}
    return {str(k): v for k, v in snapshots.groupby("project_id", sort=False)}
