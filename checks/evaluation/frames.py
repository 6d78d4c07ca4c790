"""Cut a portfolio's canonical frames down to one project (`ProjectFrames`), fast.

Tombstoned rows (`is_deleted`) are dropped: checks judge what the sources hold now. So are
the product's own follow-up tasks (`checks.evaluation.own_posts`): actions after a project, not its work.
`people` covers everyone assigned to, logging time on, owning a risk in or leading the project;
`portfolio_time_entries` holds those people's hours on *every* project, so a person's load
counts across the portfolio.

For many projects use `PortfolioSplit` once (it groups every table a single time) and call
`.project(project_id, as_of)` per project; `project_frames` is the one-off convenience.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd

from checks.evaluation.own_posts import product_followups
from checks.model import ProjectFrames
from checks.schema import empty_frame
from checks.schema import table as table_schema

_PROJECT_TABLES = ("tasks", "milestones", "sprints", "risks")


def project_frames(
    frames: Mapping[str, pd.DataFrame], project_id: str, as_of: datetime
) -> ProjectFrames:
    """One project's frames out of a portfolio's canonical frames (keyed by table name)."""
    return PortfolioSplit(frames).project(project_id, as_of)


class PortfolioSplit:
    """Groups a portfolio's frames by project once; hands out `ProjectFrames` per project."""

    def __init__(self, frames: Mapping[str, pd.DataFrame]):
        self.tables = {name: _live(frames.get(name), name) for name in _ALL_TABLES}
        self._rank = {name: key_rank(self.tables[name], name) for name in _ALL_TABLES}
        tasks = self.tables["tasks"]
        self._task_project = pd.Series(
            tasks["project_id"].to_numpy(), index=tasks["task_id"].to_numpy()
        )
        self._by_project = {t: _groups(self.tables[t]["project_id"]) for t in _PROJECT_TABLES}
        self._changes = _groups(self._project_of_task(self.tables["status_changes"]["task_id"]))
        entries = self.tables["time_entries"]
        entry_project = entries["project_id"].fillna(self._project_of_task(entries["task_id"]))
        self._entries = _groups(entry_project)
        self._entries_by_person = _groups(entries["person_id"])
        deps = self.tables["dependencies"]
        self._deps = _union_groups(
            _groups(self._project_of_task(deps["from_task_id"])),
            _groups(self._project_of_task(deps["to_task_id"])),
        )
        self._people = {p: i for i, p in enumerate(_values(self.tables["people"]["person_id"]))}
        projects = self.tables["projects"]
        self._projects = dict(zip(projects["project_id"], range(len(projects)), strict=True))

    @property
    def project_ids(self) -> list[str]:
        return sorted(self._projects)

    def project(self, project_id: str, as_of: datetime) -> ProjectFrames:
        if project_id not in self._projects:
            raise KeyError(f"project {project_id!r} is not in the projects table")
        row: pd.Series = self.tables["projects"].iloc[int(self._projects[project_id])]
        part = {t: self._take(t, self._by_project[t].get(project_id)) for t in _PROJECT_TABLES}
        entries = self._take("time_entries", self._entries.get(project_id))
        people_ids = self._people_of(row, part, entries)
        portfolio_rows = [
            self._entries_by_person[p] for p in people_ids if p in self._entries_by_person
        ]
        return ProjectFrames(
            project=_row_dict(row),
            tasks=part["tasks"],
            dependencies=self._take("dependencies", self._deps.get(project_id)),
            status_changes=self._take("status_changes", self._changes.get(project_id)),
            time_entries=entries,
            milestones=part["milestones"],
            sprints=part["sprints"],
            risks=part["risks"],
            people=self._take(
                "people",
                np.array(
                    [self._people[p] for p in people_ids if p in self._people], dtype=np.int64
                ),
            ),
            portfolio_time_entries=self._take(
                "time_entries",
                np.sort(np.concatenate(portfolio_rows)) if portfolio_rows else None,
            ),
            as_of=as_of,
        )

    def shard(self, project_ids: Iterable[str]) -> dict[str, pd.DataFrame]:
        """The rows `project()` reads for these projects, as a portfolio of their own.

        `PortfolioSplit(split.shard(ids)).project(pid, as_of)` equals `split.project(pid,
        as_of)` for every `pid` in `ids`: the shard keeps each table's row order, and holds
        every time entry of the people involved (their load counts across the portfolio).
        So a worker evaluates a shard of projects without the rest of the portfolio.
        """
        ids = list(dict.fromkeys(project_ids))
        unknown = [p for p in ids if p not in self._projects]
        if unknown:
            raise KeyError(f"projects {unknown!r} are not in the projects table")
        part = {t: _take(self.tables[t], _rows(self._by_project[t], ids)) for t in _PROJECT_TABLES}
        entries = _rows(self._entries, ids)
        projects = _take(self.tables["projects"], np.sort([self._projects[p] for p in ids]))
        people = set(_values(part["tasks"]["assignee_id"])) | set(
            _values(part["risks"]["owner_id"])
        )
        people |= set(_values(self.tables["time_entries"]["person_id"].take(entries)))
        people |= set(_values(projects["lead_id"]))
        people.discard(None)
        own_time = [self._entries_by_person[p] for p in people if p in self._entries_by_person]
        return {
            **part,
            "projects": projects,
            "people": _take(
                self.tables["people"],
                np.sort(np.array([self._people[p] for p in people if p in self._people], int)),
            ),
            "dependencies": _take(self.tables["dependencies"], _rows(self._deps, ids)),
            "status_changes": _take(self.tables["status_changes"], _rows(self._changes, ids)),
            "time_entries": _take(
                self.tables["time_entries"], np.unique(np.concatenate([entries, *own_time]))
            ),
        }

    def _take(self, name: str, rows: np.ndarray | None) -> pd.DataFrame:
        """Rows of table `name` in key order (see `key_rank`)."""
        rank = self._rank[name]
        if rows is not None and rank is not None and len(rows) > 1:
            rows = rows[np.argsort(rank[rows], kind="stable")]
        return _take(self.tables[name], rows)

    def _project_of_task(self, task_ids: pd.Series) -> pd.Series:
        mapped = self._task_project.reindex(task_ids.to_numpy()).to_numpy()
        return pd.Series(mapped, index=task_ids.index, dtype="string")

    @staticmethod
    def _people_of(
        row: pd.Series, part: dict[str, pd.DataFrame], entries: pd.DataFrame
    ) -> list[str]:
        found = set(_values(part["tasks"]["assignee_id"])) | set(_values(entries["person_id"]))
        found |= set(_values(part["risks"]["owner_id"]))
        if pd.notna(row["lead_id"]):
            found.add(row["lead_id"])
        found.discard(None)
        return sorted(found)


_ALL_TABLES = (
    "projects", "people", "tasks", "dependencies", "status_changes", "time_entries",
    "milestones", "sprints", "risks",
)  # fmt: skip


def _live(frame: pd.DataFrame | None, name: str) -> pd.DataFrame:
    if frame is None:
        return empty_frame(name)
    if "is_deleted" in frame and frame["is_deleted"].any():
        frame = frame[~frame["is_deleted"].fillna(False).astype(bool)]
    if name == "tasks" and len(frame):  # the product's own follow-ups are not project work
        own = product_followups(frame)
        frame = frame[~own] if own.any() else frame
    if frame.index.equals(pd.RangeIndex(len(frame))):
        return frame  # read, never written: no copy of a million rows needed
    return frame.reset_index(drop=True)


def key_rank(frame: pd.DataFrame, name: str) -> np.ndarray | None:
    """A per-row rank that depends only on the row's primary key (None: nothing to order). Each project's rows are handed out in this order, so every sum, tie and
    list downstream follows the data, never the order the warehouse returned rows in
    (PostgreSQL's changes after updates). A hash of the key, not a sort of 1M strings: any
    fixed order will do, and hashing is ~5x cheaper (pandas' hash has a fixed key)."""
    keys = [k for k in table_schema(name).primary_key if k in frame.columns]
    if not keys or len(frame) < 2:
        return None
    # always the hash, even when rows come in key order: a shard of the portfolio (a subset
    # of the rows) must hand out each project's rows in the same order as the whole
    return pd.util.hash_pandas_object(frame[keys], index=False).to_numpy()


def _groups(keys: pd.Series) -> dict[Any, np.ndarray]:
    """Row positions per key (nulls dropped), computed once with one groupby."""
    positions = pd.Series(np.arange(len(keys)), index=keys.index)
    valid = keys.notna().to_numpy()
    return {
        k: v.to_numpy() for k, v in positions[valid].groupby(keys[valid].to_numpy(), sort=False)
    }


def _union_groups(a: dict[Any, np.ndarray], b: dict[Any, np.ndarray]) -> dict[Any, np.ndarray]:
    out = dict(a)
    for key, rows in b.items():
        out[key] = np.union1d(out[key], rows) if key in out else rows
    return out


def _rows(groups: dict[Any, np.ndarray], keys: list[str]) -> np.ndarray:
    """The row positions of these keys' groups, in table order (each row once)."""
    found = [groups[k] for k in keys if k in groups]
    return np.unique(np.concatenate(found)) if found else np.array([], dtype=np.int64)


def _take(frame: pd.DataFrame, rows: np.ndarray | None) -> pd.DataFrame:
    part = frame.take(rows if rows is not None else np.array([], dtype=np.int64))
    part.index = pd.RangeIndex(len(part))  # `take` made a new frame: no second copy needed
    return part


def _row_dict(row: pd.Series) -> dict[str, Any]:
    """The project row with nulls as None (not NaT/NA) so checks can test `is None`."""
    return {str(k): (None if _is_null(v) else v) for k, v in row.items()}


def _is_null(value: Any) -> bool:
    if isinstance(value, list | dict | tuple):
        return False
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _values(column: pd.Series) -> np.ndarray:
    # pandas-stubs does not allow na_value=None (pandas does, and documents it)
    values: np.ndarray = column.to_numpy(dtype=object, na_value=None)  # type: ignore[call-overload]
    return values
