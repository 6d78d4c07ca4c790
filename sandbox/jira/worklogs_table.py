"""Worklogs held column-wise: ``worklog/updated`` pages by binary search, never a full scan.

Document worklogs are kept as records; bulk worklogs of a scale tenant are arrays, built
into records only when served.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from sandbox.timefmt import duration_text, from_ms, jira_ts, parse_iso, to_ms

PAGE_LIMIT = 1000


class WorklogTable:
    def __init__(self, doc: dict[str, Any], bulk_issue_ids: np.ndarray | None) -> None:
        self.records: list[dict[str, Any]] = list(doc["jira"].get("worklogs", []))
        self.people = doc["people"]
        self.bulk = doc["bulk"]["arrays"] if doc.get("bulk") else None
        self.bulk_issue_ids = bulk_issue_ids
        self._cols: dict[str, np.ndarray] | None = None

    def __len__(self) -> int:
        return len(self.records) + (len(self.bulk["wl_id"]) if self.bulk is not None else 0)

    def append(self, record: dict[str, Any]) -> None:
        self.records.append(record)
        self._cols = None

    def replace(self, pos: int, record: dict[str, Any]) -> None:
        self.records[pos] = record
        self._cols = None

    def cols(self) -> dict[str, np.ndarray]:
        if self._cols is None:
            self._cols = self._build()
        return self._cols

    def _build(self) -> dict[str, np.ndarray]:
        ids = np.array([int(r["id"]) for r in self.records], dtype=np.int64)
        issues = np.array([int(r["issueId"]) for r in self.records], dtype=np.int64)
        updated = np.array([to_ms(parse_iso(r["updated"])) for r in self.records], dtype=np.int64)
        if self.bulk is not None and self.bulk_issue_ids is not None:
            ids = np.concatenate([ids, self.bulk["wl_id"].astype(np.int64)])
            issues = np.concatenate([issues, self.bulk_issue_ids[self.bulk["wl_issue"]]])
            updated = np.concatenate([updated, self.bulk["wl_updated_ms"].astype(np.int64)])
        by_updated = np.lexsort((ids, updated))
        return {
            "id": ids,
            "issue": issues,
            "updated": updated,
            "by_id": np.argsort(ids, kind="stable"),
            "by_updated": by_updated,
            "updated_sorted": updated[by_updated],
            "by_issue": np.lexsort((ids, issues)),
        }

    def find(self, worklog_id: int) -> int | None:
        c = self.cols()
        at = int(np.searchsorted(c["id"], worklog_id, sorter=c["by_id"]))
        if at < len(c["id"]) and c["id"][c["by_id"][at]] == worklog_id:
            return int(c["by_id"][at])
        return None

    def find_many(self, worklog_ids: list[int]) -> list[int]:
        """Positions of the ids that exist, in the order asked (one binary search for all)."""
        c = self.cols()
        wanted = np.asarray(worklog_ids, dtype=np.int64)
        at = np.searchsorted(c["id"], wanted, sorter=c["by_id"])
        inside = at < len(c["id"])
        hits = np.zeros(len(wanted), dtype=bool)
        hits[inside] = c["id"][c["by_id"][at[inside]]] == wanted[inside]
        return [int(p) for p in c["by_id"][at[hits]]]

    def for_issue(self, issue_id: int) -> np.ndarray:
        c = self.cols()
        lo = int(np.searchsorted(c["issue"], issue_id, side="left", sorter=c["by_issue"]))
        hi = int(np.searchsorted(c["issue"], issue_id, side="right", sorter=c["by_issue"]))
        return c["by_issue"][lo:hi]

    def updated_page(self, since_ms: int, until_ms: int) -> tuple[list[int], bool]:
        """Positions updated in [since, until], oldest first, at most a page; and if more follow."""
        c = self.cols()
        return _page(c["updated_sorted"], c["by_updated"], since_ms, until_ms)

    def record(self, pos: int) -> dict[str, Any]:
        if pos < len(self.records):
            return self.records[pos]
        return self._bulk_record(pos - len(self.records))

    def _bulk_record(self, i: int) -> dict[str, Any]:
        b = self.bulk
        assert b is not None and self.bulk_issue_ids is not None
        person = self.people[int(b["wl_author"][i])]
        author = {"accountId": person["account_id"], "displayName": person["display_name"]}
        started = from_ms(int(b["wl_started_ms"][i]), ZoneInfo(person["time_zone"]))
        updated = jira_ts(from_ms(int(b["wl_updated_ms"][i])))
        seconds = int(b["wl_seconds"][i])
        return {
            "id": str(int(b["wl_id"][i])),
            "issueId": str(int(self.bulk_issue_ids[int(b["wl_issue"][i])])),
            "author": author,
            "updateAuthor": author,
            "comment": "",
            "created": updated,
            "updated": updated,
            "started": jira_ts(started),
            "timeSpent": duration_text(seconds),
            "timeSpentSeconds": seconds,
        }


def _page(
    sorted_times: np.ndarray, order: np.ndarray, since_ms: int, until_ms: int
) -> tuple[list[int], bool]:
    """Positions (via ``order``) with a time in [since, until]; ``sorted_times`` ascending."""
    lo = int(np.searchsorted(sorted_times, since_ms, side="left"))
    hi = int(np.searchsorted(sorted_times, until_ms, side="right"))
    end = min(hi, lo + PAGE_LIMIT)
    if end < hi and end > lo and sorted_times[end - 1] == sorted_times[end]:
        # Don't split a group of equal times across pages: the next page starts after it.
        cut = int(np.searchsorted(sorted_times[lo:end], sorted_times[end - 1], side="left")) + lo
        end = cut if cut > lo else end
    return [int(p) for p in order[lo:end]], end < hi


class DeletedWorklogs:
    def __init__(self, entries: list[dict[str, Any]]) -> None:
        self.entries = sorted(entries, key=lambda e: (e["updatedTime"], e["worklogId"]))
        self._times = np.array([e["updatedTime"] for e in self.entries], dtype=np.int64)

    def add(self, worklog_id: int, when_ms: int) -> None:
        self.entries.append({"worklogId": worklog_id, "updatedTime": when_ms, "properties": []})
        self.entries.sort(key=lambda e: (e["updatedTime"], e["worklogId"]))
        self._times = np.array([e["updatedTime"] for e in self.entries], dtype=np.int64)

    def page(self, since_ms: int, until_ms: int) -> tuple[list[dict[str, Any]], bool]:
        order = np.arange(len(self.entries))
        positions, more = _page(self._times, order, since_ms, until_ms)
        return [self.entries[p] for p in positions], more
