"""A seeded, vectorised generator of canonical frames for a whole portfolio (tests, benchmarks).

Pure: no I/O, no clock. The same arguments give the same frames. A clean portfolio is "on
plan": every task's percent complete follows its time-phased plan, hours follow earned value,
loads stay under capacity, so the risk checks raise no critical finding on it. `Problems`
plants known problems in chosen projects; `synthetic_portfolio_with_manifest` says where.

Layout of a project: `streams` chains of sequential tasks (each blocks the next), start dates
spread back from `as_of`, one team of exclusive members sized to use about half its capacity.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd

from checks.schema import PANDAS_DTYPES, table

DAY = np.timedelta64(1, "D")
HOUR = np.timedelta64(1, "h")
_TYPES = np.array(["story", "task", "defect", "uat", "training", "documentation"])
_TYPE_P = np.array([0.45, 0.30, 0.12, 0.05, 0.04, 0.04])
_SEVERITIES = np.array(["major", "minor", "trivial"])
_STATUS = {"todo": "To Do", "in_progress": "In Progress", "done": "Done"}


@dataclass(frozen=True)
class Problems:
    """How many projects get each planted problem (projects chosen by the seed, disjoint)."""

    late: int = 0  # done work lags the plan: SPI ~0.5
    cycle: int = 0  # three open tasks block each other in a ring
    long_day: int = 0  # one 14-hour worklog
    missing_estimates: int = 0  # 60 % of tasks without estimate
    stale_in_progress: int = 0  # two in-progress items untouched for 45 days
    unowned_risk: int = 0  # an open risk without owner
    overdue_mitigation: int = 0  # an open risk whose mitigation was due 20 days ago
    critical_defects: int = 0  # two open critical defects
    over_allocation: int = 0  # a team member logs +30 h/week for 4 weeks


def synthetic_portfolio(
    n_projects: int,
    tasks_per_project: int,
    entries_per_task: float,
    seed: int,
    as_of: datetime,
    problems: Problems | None = None,
) -> dict[str, pd.DataFrame]:
    """Canonical frames (keyed by table name) for `n_projects` projects."""
    frames, _ = synthetic_portfolio_with_manifest(
        n_projects, tasks_per_project, entries_per_task, seed, as_of, problems
    )
    return frames


def synthetic_portfolio_with_manifest(
    n_projects: int,
    tasks_per_project: int,
    entries_per_task: float,
    seed: int,
    as_of: datetime,
    problems: Problems | None = None,
) -> tuple[dict[str, pd.DataFrame], list[dict[str, object]]]:
    """Frames plus the manifest of planted problems: {id, check, project, ids}."""
    rng = np.random.default_rng(seed)
    gen = _Generator(rng, n_projects, tasks_per_project, pd.Timestamp(as_of))
    plan = _choose_projects(rng, n_projects, problems or Problems())
    gen.layout_tasks(late_projects=plan.get("late", []))
    gen.build_entries(entries_per_task)
    gen.status_times()
    manifest = gen.plant(plan)
    return gen.frames(), manifest


def _choose_projects(rng: np.random.Generator, n: int, problems: Problems) -> dict[str, list[int]]:
    wanted = {k: v for k, v in problems.__dict__.items() if v}
    order = rng.permutation(n)
    chosen: dict[str, list[int]] = {}
    cursor = 0
    for name, count in wanted.items():
        take = order[cursor : cursor + count] if cursor + count <= n else order[:count]
        chosen[name] = sorted(int(p) for p in take)
        cursor += count
    return chosen


def canonical(name: str, columns: dict[str, object], n: int) -> pd.DataFrame:
    """A canonical frame from column arrays; absent columns are null, lineage is filled in."""
    out: dict[str, pd.Series] = {}
    for col in table(name).columns:
        values = columns.get(col.name)
        dtype = PANDAS_DTYPES[col.dtype]
        if values is None:
            values = _lineage_default(col.name, n)
        if col.dtype == "datetime":
            series = pd.Series(pd.DatetimeIndex(values))
            out[col.name] = series.dt.tz_localize("UTC") if series.dt.tz is None else series
        elif col.dtype == "json":
            out[col.name] = pd.Series(values, dtype="object")
        elif col.dtype == "string":
            out[col.name] = pd.Series(_string_array(values))
        else:
            out[col.name] = pd.Series(values).astype(dtype)
    return pd.DataFrame(out)


def _string_array(values: object) -> pd.arrays.StringArray:
    """A string column that shares the given str objects (astype would copy each one)."""
    array = np.asarray(values, dtype=object)
    missing = pd.isna(array)
    if missing.any():
        array = np.where(missing, pd.NA, array)
    return pd.arrays.StringArray(array)


def _lineage_default(name: str, n: int) -> object:
    if name == "source":
        return np.full(n, "jira", dtype=object)
    if name == "is_deleted":
        return np.zeros(n, dtype=bool)
    if name in ("deleted_at", "synced_at") or name.endswith(("_at", "_date")):
        return np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    return np.full(n, None, dtype=object)


def _ids(prefix: str, numbers: np.ndarray) -> np.ndarray:
    return (prefix + pd.Series(numbers).astype(str)).to_numpy(dtype=object)


class _Generator:
    """Holds the arrays while building; one method per table family."""

    def __init__(
        self, rng: np.random.Generator, n_projects: int, per_project: int, as_of: pd.Timestamp
    ):
        self.rng, self.np_, self.per = rng, n_projects, per_project
        self.as_of = as_of.tz_convert("UTC").tz_localize(None).to_datetime64()
        self.today = self.as_of.astype("datetime64[D]")
        self.extra_changes: list[dict[str, np.ndarray]] = []

    # --- tasks -------------------------------------------------------------------------
    def layout_tasks(self, late_projects: list[int]) -> None:
        rng, n = self.rng, self.np_ * self.per
        self.project_of = np.repeat(np.arange(self.np_), self.per)
        streams = max(1, self.per // 25)
        self.stream = np.tile(np.arange(self.per) % streams, self.np_)
        order = np.lexsort((np.arange(n), self.stream, self.project_of))  # group by stream
        self.duration = rng.integers(3, 16, n)
        gap = rng.integers(0, 3, n)
        step = (self.duration + gap)[order]
        group = (self.project_of * streams + self.stream)[order]
        cum = np.cumsum(step)
        first = np.r_[True, group[1:] != group[:-1]]
        base = np.maximum.accumulate(np.where(first, cum - step, 0))
        offset = np.empty(n, dtype=np.int64)
        offset[order] = cum - step - base
        self.order, self.first_in_stream = order, first
        self.project_start = self.today - rng.integers(30, 300, self.np_).astype("timedelta64[D]")
        self.start = self.project_start[self.project_of] + offset.astype("timedelta64[D]")
        self.due = self.start + (self.duration - 1).astype("timedelta64[D]")
        elapsed = (self.as_of - self.start.astype("datetime64[ns]")) / DAY
        factor = np.ones(self.np_)
        factor[late_projects] = 0.5
        self.factor = factor[self.project_of]
        # A late project runs on a slowed clock: its work is where the plan was at origin + f x t.
        origin = self.project_start[self.project_of].astype("datetime64[ns]")
        self.since_origin = (self.start.astype("datetime64[ns]") - origin) / DAY
        effective = (self.as_of - origin) / DAY * self.factor - self.since_origin
        self.pct = np.clip(effective / self.duration, 0, 1) * 100
        self.elapsed = elapsed
        self.estimate = np.round(self.duration * rng.uniform(1, 4, n))  # <= 4 h per plan day
        self.task_type = _TYPES[rng.choice(len(_TYPES), n, p=_TYPE_P)]
        self.team_layout()

    def team_layout(self) -> None:
        plan_days = np.bincount(self.project_of, weights=self.duration + 1.0) / max(
            1, self.per // 25
        )
        hours = np.bincount(self.project_of, weights=self.estimate)
        team = np.ceil(hours / np.maximum(plan_days / 7, 1) / 9).astype(int)  # ~25 % of 40 h
        self.team_size = np.maximum(team, 2)
        self.team_offset = np.r_[0, np.cumsum(self.team_size)[:-1]]
        member = (
            self.rng.integers(0, 1 << 30, self.np_ * self.per) % self.team_size[self.project_of]
        )
        self.assignee_no = self.team_offset[self.project_of] + member

    # --- time entries -------------------------------------------------------------------
    def build_entries(self, entries_per_task: float) -> None:
        earned = self.estimate * self.pct / 100
        earned[self.elapsed < 1] = 0.0  # started today: nothing logged yet
        base = np.ceil(earned / 4).astype(np.int64)  # at most 4 h per entry
        target = round(len(earned) * entries_per_task)
        count = base.copy()
        if target > base.sum() and earned.sum() > 0:
            count += self.rng.multinomial(target - base.sum(), earned / earned.sum())
        task = np.repeat(np.arange(len(earned)), count)
        hours = np.repeat(np.divide(earned, np.maximum(count, 1)), count)
        window = np.minimum(np.floor(self.elapsed), self.duration)[task].astype(np.int64)
        first = self.start[task]
        # Work happens on business days of the task's window (Monday-Friday).
        business = np.busday_count(first, first + window.astype("timedelta64[D]"))
        step = np.floor(self.rng.random(len(task)) * np.maximum(business, 1)).astype(np.int64)
        on_business = np.busday_offset(first, step, roll="forward")
        last = first + np.maximum(window - 1, 0).astype("timedelta64[D]")
        self.entry_date = np.where((business > 0) & (on_business <= last), on_business, first)
        self.entry_task, self.entry_hours = task, hours
        self.entry_person = self.assignee_no[task]
        self.cap_loads()

    def cap_loads(self) -> None:
        """Scale hours so no person-day exceeds 8 h and no person-week 90 % of capacity."""
        person, hours = self.entry_person, self.entry_hours
        for bucket, limit in (
            (self.entry_date.astype(np.int64), 8.0),
            ((self.entry_date.astype(np.int64) + 3) // 7, 38.0),
        ):
            key = person.astype(np.int64) * 1_000_000 + bucket
            uniq, inverse = np.unique(key, return_inverse=True)
            total = np.bincount(inverse, weights=hours, minlength=len(uniq))
            hours = hours * np.minimum(1.0, limit / np.maximum(total, 1e-9))[inverse]
        self.entry_hours = np.round(np.maximum(hours, 0.01), 4)

    # --- status history and register -----------------------------------------------------
    def status_times(self) -> None:
        start = self.start.astype("datetime64[ns]")
        started = self.pct > 0
        done = self.pct >= 100
        origin = start - np.round(self.since_origin * 24).astype("timedelta64[h]")
        began = origin + np.round(self.since_origin / self.factor * 24).astype("timedelta64[h]")
        self.inprog_at = np.where(
            started, np.minimum(began + HOUR, self.as_of), np.datetime64("NaT")
        )
        finish_hours = (self.since_origin + self.duration) / self.factor * 24
        finish = origin + np.round(finish_hours).astype("timedelta64[h]") - 2 * HOUR
        self.done_at = np.where(done, np.minimum(finish, self.as_of), np.datetime64("NaT"))
        self.category = np.where(done, "done", np.where(started, "in_progress", "todo"))
        baseline = self.project_start.astype("datetime64[ns]") + 10 * DAY
        late_add = (self.rng.random(len(start)) < 0.05) & (start > baseline[self.project_of] + DAY)
        created = self.project_start[self.project_of].astype("datetime64[ns]") - 5 * DAY
        self.created = np.where(late_add, baseline[self.project_of] + HOUR, created)
        self.severity = np.where(
            self.task_type == "defect", _SEVERITIES[self.rng.integers(0, 3, len(start))], None
        )
        self.extra_links: list[tuple[int, int]] = []
        self.extra_entries: list[tuple[int, np.datetime64, float]] = []  # task, day, hours
        self.build_risks()

    def build_risks(self, per_project: int = 4) -> None:
        n = self.np_ * per_project
        self.risk_project = np.repeat(np.arange(self.np_), per_project)
        self.risk_prob = self.rng.integers(1, 4, n)
        self.risk_impact = self.rng.integers(1, 5, n)
        self.risk_status = np.array(["open", "owned", "accepted", "mitigated"])[
            self.rng.integers(0, 4, n)
        ]
        member = self.rng.integers(0, 1 << 30, n) % self.team_size[self.risk_project]
        self.risk_owner = (self.team_offset[self.risk_project] + member).astype(object)
        self.risk_due = self.today + self.rng.integers(10, 60, n).astype("timedelta64[D]")

    # --- planting -----------------------------------------------------------------------
    def tasks_of(self, project: int, category: str | None = None, k: int = 2) -> np.ndarray:
        """Up to `k` tasks of the project in a category; others are forced into it if short."""
        ids = np.arange(project * self.per, (project + 1) * self.per)
        pick = ids[self.category[ids] == category] if category else ids
        if len(pick) < k:
            extra = ids[~np.isin(ids, pick)][: k - len(pick)]
            self.category[extra] = category or self.category[extra]
            if category == "todo":
                self.inprog_at[extra] = self.done_at[extra] = np.datetime64("NaT")
            if category == "in_progress":
                self.done_at[extra] = np.datetime64("NaT")
                self.inprog_at[extra] = self.as_of - 40 * DAY
            pick = np.r_[pick, extra]
        return pick[:k]

    def plant(self, plan: dict[str, list[int]]) -> list[dict[str, object]]:
        manifest: list[dict[str, object]] = []
        for name, projects in plan.items():
            for p in projects:
                check, ids = getattr(self, f"_plant_{name}")(p)
                manifest.append({"id": name, "check": check, "project": _pid(p), "ids": ids})
        return manifest

    def _plant_late(self, p: int) -> tuple[str, list[str]]:
        return "evm.spi", [_pid(p)]

    def _plant_cycle(self, p: int) -> tuple[str, list[str]]:
        a, b, c = self.tasks_of(p, "todo", 3)
        self.extra_links += [(a, b), (b, c), (c, a)]
        return "dependencies.cycle", [_tid(t) for t in (a, b, c)]

    def _plant_long_day(self, p: int) -> tuple[str, list[str]]:
        task = p * self.per
        self.extra_entries.append((task, self.today - 3 * DAY, 14.0))
        entry = len(self.entry_task) + len(self.extra_entries) - 1
        return "timesheet.long_day", [f"jira:worklog:{entry}", _person(self.assignee_no[task])]

    def _plant_missing_estimates(self, p: int) -> tuple[str, list[str]]:
        tasks = np.arange(p * self.per, p * self.per + int(self.per * 0.6))
        self.estimate[tasks] = np.nan
        return "planning.missing_estimates", [_tid(t) for t in tasks]

    def _plant_stale_in_progress(self, p: int) -> tuple[str, list[str]]:
        tasks = self.tasks_of(p, "in_progress", 2)
        self.inprog_at[tasks] = self.as_of - 45 * DAY
        self.created[tasks] = np.minimum(self.created[tasks], self.as_of - 50 * DAY)
        return "flow.stale_in_progress", [_tid(t) for t in tasks]

    def _plant_unowned_risk(self, p: int) -> tuple[str, list[str]]:
        r = p * 4
        self.risk_owner[r], self.risk_status[r] = None, "open"
        return "risk.unowned", [_rid(r)]

    def _plant_overdue_mitigation(self, p: int) -> tuple[str, list[str]]:
        r = p * 4 + 1
        self.risk_due[r], self.risk_status[r] = self.today - 20 * DAY, "open"
        return "risk.overdue_mitigation", [_rid(r)]

    def _plant_critical_defects(self, p: int) -> tuple[str, list[str]]:
        tasks = self.tasks_of(p, "todo", 2)
        self.task_type[tasks], self.severity[tasks] = "defect", "critical"
        return "qa.open_critical_defects", [_tid(t) for t in tasks]

    def _plant_over_allocation(self, p: int) -> tuple[str, list[str]]:
        task = p * self.per
        first_monday = self.today - ((self.today.astype(np.int64) + 3) % 7) * DAY - 5 * 7 * DAY
        for week in range(4):
            for weekday in range(5):
                day = first_monday + (week * 7 + weekday) * DAY
                self.extra_entries.append((task, day, 9.5))
        return "resources.over_allocation", [_person(self.assignee_no[task])]

    # --- frames -------------------------------------------------------------------------
    # One Python string per id, indexed by number: a million rows then hold references to a
    # few thousand strings instead of a million copies (a large share of peak memory).
    def task_ids(self) -> np.ndarray:
        if not hasattr(self, "_task_ids"):
            self._task_ids = _ids("jira:", 100000 + np.arange(len(self.start)))
        return self._task_ids

    def project_ids(self) -> np.ndarray:
        return _ids("jira:", 10000 + np.arange(self.np_))

    def person_ids(self) -> np.ndarray:
        return _people(np.arange(int(self.team_size.sum())))

    def frames(self) -> dict[str, pd.DataFrame]:
        return {
            "projects": self.projects_frame(),
            "people": self.people_frame(),
            "tasks": self.tasks_frame(),
            "dependencies": self.dependencies_frame(),
            "status_changes": self.changes_frame(),
            "time_entries": self.entries_frame(),
            "milestones": self.milestones_frame(),
            "sprints": canonical("sprints", {}, 0),
            "risks": self.risks_frame(),
        }

    def projects_frame(self) -> pd.DataFrame:
        n, p = self.np_, np.arange(self.np_)
        last_due = np.zeros(n, dtype="datetime64[D]")
        np.maximum.at(last_due, self.project_of, self.due)
        progress = np.bincount(self.project_of, weights=self.pct) / self.per
        phase = np.select(
            [progress < 5, progress < 85, progress < 95, progress < 100],
            ["planning", "execution", "qa_uat", "training_documentation"],
            "closeout",
        )
        cols = {
            "project_id": _ids("jira:", 10000 + p),
            "key": _ids("P", p),
            "name": _ids("Project ", p),
            "phase": phase,
            "lead_id": [_person(o) for o in self.team_offset],
            "start_date": self.project_start,
            "target_date": last_due + 7 * DAY,
            "baseline_date": self.project_start.astype("datetime64[ns]") + 10 * DAY,
            "budget_hours": np.bincount(self.project_of, weights=np.nan_to_num(self.estimate)),
            "objectives": [["Deliver the planned scope"]] * n,
            "kpi_targets": [{}] * n,
            "kpi_actuals": [{}] * n,
            "updated_at": np.full(n, self.as_of),
            "synced_at": np.full(n, self.as_of),
        }
        return canonical("projects", cols, n)

    def people_frame(self) -> pd.DataFrame:
        n = int(self.team_size.sum())
        cols = {
            "person_id": [_person(i) for i in range(n)],
            "display_name": _ids("Person ", np.arange(n)),
            "time_zone": np.full(n, "UTC"),
            "weekly_capacity_hours": np.full(n, 40.0),
            "source_ids": [{}] * n,
            "synced_at": np.full(n, self.as_of),
        }
        return canonical("people", cols, n)

    def tasks_frame(self) -> pd.DataFrame:
        n = len(self.start)
        nums = np.arange(n)
        category = self.category
        done = category == "done"
        updated = np.fmax(np.fmax(self.created, self.inprog_at), self.done_at)
        cols = {
            "task_id": self.task_ids(),
            "project_id": self.project_ids()[self.project_of],
            "key": _ids("P", self.project_of)
            + "-"
            + pd.Series(nums % self.per + 1).astype(str).to_numpy(),
            "title": _ids("Work item ", nums),
            "task_type": self.task_type,
            "source_type": self.task_type,
            "status": pd.Series(category).map(_STATUS).to_numpy(),
            "status_category": category,
            "priority": np.full(n, "Medium"),
            "severity": self.severity,
            "assignee_id": self.person_ids()[self.assignee_no],
            "estimate_hours": self.estimate,
            "remaining_hours": self.estimate * (1 - self.pct / 100),
            "percent_complete": np.where(done, 100.0, np.where(category == "todo", 0.0, self.pct)),
            "start_date": self.start,
            "due_date": self.due,
            "created_at": self.created,
            "updated_at": updated,
            "resolved_at": np.where(done, self.done_at, np.datetime64("NaT")),
            "labels": [[]] * n,
            "synced_at": np.full(n, self.as_of),
        }
        return canonical("tasks", cols, n)

    def dependencies_frame(self) -> pd.DataFrame:
        order = self.order
        group = (self.project_of * 1_000 + self.stream)[order]
        same = group[1:] == group[:-1]
        src = np.r_[order[:-1][same], [a for a, _ in self.extra_links]].astype(np.int64)
        dst = np.r_[order[1:][same], [b for _, b in self.extra_links]].astype(np.int64)
        n = len(src)
        cols = {
            "dependency_id": _ids("jira:link:", np.arange(n)),
            "from_task_id": self.task_ids()[src],
            "to_task_id": self.task_ids()[dst],
            "link_type": np.full(n, "Blocks"),
            "is_blocking": np.ones(n, dtype=bool),
            "synced_at": np.full(n, self.as_of),
        }
        return canonical("dependencies", cols, n)

    def changes_frame(self) -> pd.DataFrame:
        started = np.flatnonzero(~np.isnat(self.inprog_at))
        done = np.flatnonzero(~np.isnat(self.done_at))
        task = np.r_[started, done]
        to_cat = np.r_[np.full(len(started), "in_progress"), np.full(len(done), "done")]
        from_cat = np.r_[np.full(len(started), "todo"), np.full(len(done), "in_progress")]
        n = len(task)
        cols = {
            "change_id": _ids("jira:history:", np.arange(n)),
            "task_id": self.task_ids()[task],
            "changed_at": np.r_[self.inprog_at[started], self.done_at[done]],
            "author_id": self.person_ids()[self.assignee_no[task]],
            "from_status": pd.Series(from_cat).map(_STATUS).to_numpy(),
            "to_status": pd.Series(to_cat).map(_STATUS).to_numpy(),
            "from_category": from_cat,
            "to_category": to_cat,
            "synced_at": np.full(n, self.as_of),
        }
        return canonical("status_changes", cols, n)

    def entries_frame(self) -> pd.DataFrame:
        extra = self.extra_entries
        task = np.r_[self.entry_task, [t for t, _, _ in extra]].astype(np.int64)
        day = np.r_[self.entry_date, np.array([d for _, d, _ in extra], dtype="datetime64[D]")]
        hours = np.r_[self.entry_hours, [h for _, _, h in extra]]
        n = len(task)
        started = day.astype("datetime64[ns]") + 9 * HOUR
        cols = {
            "entry_id": _ids("jira:worklog:", np.arange(n)),
            "kind": np.full(n, "worklog"),
            "person_id": self.person_ids()[self.assignee_no[task]],
            "project_id": self.project_ids()[self.project_of[task]],
            "task_id": self.task_ids()[task],
            "started_at": started,
            "work_date": day.astype("datetime64[ns]"),
            "hours": hours,
            "is_confirmed": np.ones(n, dtype=bool),
            "updated_at": started + np.round(hours * 60).astype("timedelta64[m]"),
            "synced_at": np.full(n, self.as_of),
        }
        return canonical("time_entries", cols, n)

    def milestones_frame(self) -> pd.DataFrame:
        p = np.repeat(np.arange(self.np_), 3)
        part = np.tile(np.arange(1, 4), self.np_)
        n = len(p)
        cols = {
            "milestone_id": _ids("jira:version:", np.arange(n)),
            "project_id": _ids("jira:", 10000 + p),
            "name": _ids("Release ", part),
            "due_date": self.project_start[p] + (part * 80).astype("timedelta64[D]"),
            "released": (self.project_start[p] + (part * 80).astype("timedelta64[D]")) < self.today,
            "synced_at": np.full(n, self.as_of),
        }
        return canonical("milestones", cols, n)

    def risks_frame(self) -> pd.DataFrame:
        n = len(self.risk_project)
        owners = np.array(
            [None if o is None else _person(o) for o in self.risk_owner], dtype=object
        )
        cols = {
            "risk_id": [_rid(r) for r in range(n)],
            "project_id": self.project_ids()[self.risk_project],
            "title": _ids("Risk ", np.arange(n)),
            "probability": self.risk_prob,
            "impact": self.risk_impact,
            "roam_status": self.risk_status,
            "owner_id": owners,
            "mitigation": np.full(n, "Mitigation plan"),
            "mitigation_due": self.risk_due,
            "materialised": np.zeros(n, dtype=bool),
            "created_at": self.project_start[self.risk_project].astype("datetime64[ns]"),
            "updated_at": np.full(n, self.as_of),
            "synced_at": np.full(n, self.as_of),
        }
        return canonical("risks", cols, n)


def _pid(p: int) -> str:
    return f"jira:{10000 + p}"


def _tid(t: int) -> str:
    return f"jira:{100000 + t}"


def _rid(r: int) -> str:
    return f"jira:risk:{r}"


def _person(n: int) -> str:
    return f"person{n}@example.com"


def _people(numbers: np.ndarray) -> np.ndarray:
    return ("person" + pd.Series(numbers).astype(str) + "@example.com").to_numpy(dtype=object)
