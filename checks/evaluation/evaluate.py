"""Evaluations: a project's gate review or closeout, assembled from every check and decided.

Pure: frames, settings, rules, the quality report and metric snapshots in; an `Evaluation`
out, whose `to_dict()` is the JSON documented in `docs/evaluation.md` (flows, reports and
`--json` share it). `evaluated_at` is the status date `as_of`, never the clock, so the same
input gives the same output, byte for byte.

- `evaluate_gate(...)`: the exit gate of the project's current (or a given) phase;
- `evaluate_closeout(...)`: the closeout gate plus KPIs, variances, forecast record, lessons;
- `evaluate_portfolio(...)`: quality gates once, then every project, frames grouped once;
- `PortfolioJob`: what every project's evaluation shares, with `assess` and `conclude_all`
  for a list of projects and `shard` to cut the frames a list of projects needs
  (`flows.evaluation` runs shards as Prefect tasks on the task runner chosen in settings);
- one project's steps (`evaluate_project`, `assess_project`, `conclude`) live in
  `checks.evaluation.project`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime

import pandas as pd

from checks.evaluation.as_of import project_as_of
from checks.evaluation.data_version import TableHashes
from checks.evaluation.frames import PortfolioSplit
from checks.evaluation.phase import PhaseChoice
from checks.evaluation.project import (
    Assessment,
    assess_project,
    conclude,
    evaluate_project,
    phase_of,
)
from checks.gates import LifecycleRules
from checks.model import Evaluation, ProjectFrames, QualityReport
from checks.quality import QualityContext, run_quality_gates
from config.settings import ChecksSettings, Settings

__all__ = [
    "Assessment",
    "PortfolioJob",
    "Shard",
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
    work is all done (or in closeout) is judged as of its finish (`checks.evaluation.as_of`)."""
    pf = PortfolioSplit(frames).project(project_id, as_of)
    pf, choice = settle_as_of(pf, settings, phase, default_as_of)
    return evaluate_project(pf, settings, rules, quality, snapshots, choice, "gate_review")


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
    pf, choice = settle_as_of(pf, settings, "closeout", default_as_of)
    return evaluate_project(pf, settings, rules, quality, snapshots, choice, "closeout")


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
    default_as_of: bool = False,
) -> list[Evaluation]:
    """Every project's gate review (closeout for projects in closeout), in project-id order.

    Closed projects are skipped unless named in `project_ids`. A project with no phase in
    config or charter is judged at the phase its evidence points to (`checks.evaluation.phase`), so
    every synced project is reported; any phase without a gate is a ConfigError naming the
    project.

    Unless a report is passed in, the quality gates run once for the whole portfolio with
    `quality_context` (the flow gathers last syncs and previous counts; default: only the
    status date). Frames are grouped by project once. `default_as_of`: as for
    `evaluate_gate`, per project (the quality gates run as of `as_of`). One process;
    `flows.evaluation` spreads the projects over Prefect tasks with the same result.
    """
    named = project_ids is not None
    job = PortfolioJob.build(
        frames, settings, rules, as_of, snapshots, named, default_as_of=default_as_of
    )
    ids = job.project_ids(project_ids)
    if quality is None:
        context = quality_context or QualityContext(as_of=as_of)
        quality = run_quality(frames, context, settings.checks)
    return job.run(ids, quality)


@dataclass(frozen=True)
class PortfolioJob:
    """What every project's evaluation shares; `assess` and `conclude_all` a list of projects.

    Built once per portfolio, or per shard (`shard`, then `Shard.job()` in a worker): a
    project's evaluation is the same either way.
    """

    split: PortfolioSplit
    hashes: TableHashes
    settings: Settings
    rules: LifecycleRules
    as_of: datetime
    snapshots: Mapping[str, pd.DataFrame]
    named: bool  # ids given by the caller: evaluate them even if closed
    default_as_of: bool = False  # as_of is the clock: finished projects at their finish

    @classmethod
    def build(
        cls,
        frames: Mapping[str, pd.DataFrame],
        settings: Settings,
        rules: LifecycleRules,
        as_of: datetime,
        snapshots: pd.DataFrame | None = None,
        named: bool = False,
        *,
        default_as_of: bool = False,
        hash_tables: bool = True,
    ) -> PortfolioJob:
        """Group the frames by project and hash every table once (unless this job only cuts
        shards: each shard's job hashes its own rows, and a row's hash is its own)."""
        split = PortfolioSplit(frames)
        return cls(
            split=split,
            hashes=TableHashes(split.tables if hash_tables else {}),
            settings=settings,
            rules=rules,
            as_of=as_of,
            snapshots=_snapshots_by_project(snapshots),
            named=named,
            default_as_of=default_as_of,
        )

    def project_ids(self, named: Iterable[str] | None = None) -> list[str]:
        """The ids to evaluate, sorted: the named ones, else every project."""
        return sorted(named) if named is not None else self.split.project_ids

    def shard(self, project_ids: Iterable[str]) -> Shard:
        """These projects with only the frames and snapshots their evaluations read."""
        ids = list(project_ids)
        mine = [self.snapshots[p] for p in ids if p in self.snapshots]
        return Shard(
            project_ids=ids,
            frames=self.split.shard(ids),
            snapshots=pd.concat(mine) if mine else None,
            settings=self.settings,
            rules=self.rules,
            as_of=self.as_of,
            named=self.named,
            default_as_of=self.default_as_of,
        )

    def run(self, project_ids: Iterable[str], quality: QualityReport) -> list[Evaluation]:
        """Project by project (one project's frames in memory at a time)."""
        return [conclude(a, quality) for pid in project_ids if (a := self.assess_one(pid))]

    def assess(self, project_ids: Iterable[str]) -> list[Assessment]:
        return [a for pid in project_ids if (a := self.assess_one(pid)) is not None]

    @staticmethod
    def conclude_all(assessed: list[Assessment], quality: QualityReport) -> list[Evaluation]:
        return [conclude(a, quality) for a in assessed]

    def assess_one(self, pid: str) -> Assessment | None:
        pf = self.split.project(pid, self.as_of)
        choice = phase_of(pf, self.settings)  # chosen as of the clock, kept thereafter
        phase = choice.phase
        if phase == "closed" and not self.named:
            return None  # finished and closed: no gate to review
        if self.default_as_of:
            pf = replace(pf, as_of=project_as_of(pf, self.as_of, phase))
        kind = "closeout" if phase == "closeout" else "gate_review"
        mine = self.snapshots.get(pid)
        return assess_project(pf, self.settings, self.rules, mine, choice, kind, self.hashes)


def settle_as_of(
    pf: ProjectFrames, settings: Settings, phase: str | None, default_as_of: bool
) -> tuple[ProjectFrames, PhaseChoice]:
    """The phase (asked for, else the project's, chosen as of the clock) and `pf` as of its
    default status date when `default_as_of` (see `checks.evaluation.as_of`)."""
    choice = PhaseChoice(phase, "requested") if phase else phase_of(pf, settings)
    if not default_as_of:
        return pf, choice
    when = project_as_of(pf, pf.as_of, choice.phase)
    return (pf if when == pf.as_of else replace(pf, as_of=when)), choice


@dataclass(frozen=True)
class Shard:
    """A list of projects and what their evaluation reads: sent to a worker, which `job()`s it."""

    project_ids: list[str]
    frames: dict[str, pd.DataFrame]
    snapshots: pd.DataFrame | None
    settings: Settings
    rules: LifecycleRules
    as_of: datetime
    named: bool
    default_as_of: bool = False

    def job(self) -> PortfolioJob:
        return PortfolioJob.build(
            self.frames,
            self.settings,
            self.rules,
            self.as_of,
            self.snapshots,
            self.named,
            default_as_of=self.default_as_of,
        )


def _snapshots_by_project(snapshots: pd.DataFrame | None) -> dict[str, pd.DataFrame]:
    if snapshots is None or snapshots.empty:
        return {}
    return {str(k): v for k, v in snapshots.groupby("project_id", sort=False)}
