"""Issues held column-wise, so JQL filters and sorts 100k issues without building records.

Two kinds of rows share the columns: issues from the tenant document (kept as records)
and bulk issues of a scale tenant (numpy arrays; a record is built only when served).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sandbox.timefmt import from_ms, jira_ts, parse_iso, to_ms


class IssueTable:
    def __init__(self, doc: dict[str, Any]) -> None:
        jira = doc["jira"]
        self.statuses = {s["name"].lower(): s for s in jira.get("statuses", [])}
        self.records: list[dict[str, Any]] = list(jira.get("issues", []))
        self.bulk = _BulkIssues(doc) if doc.get("bulk") else None
        self.by_key: dict[str, int] = {}
        self.by_id: dict[str, int] = {}
        for pos, record in enumerate(self.records):
            self._index(pos, record["id"], record["key"])
        if self.bulk:
            for offset, (issue_id, key) in enumerate(self.bulk.ids_and_keys()):
                self._index(len(self.records) + offset, issue_id, key)
        self._columns: dict[str, Any] | None = None

    def __len__(self) -> int:
        return len(self.records) + (len(self.bulk) if self.bulk else 0)

    def _index(self, pos: int, issue_id: str, key: str) -> None:
        self.by_key[key.upper()] = pos
        self.by_id[str(issue_id)] = pos

    def find(self, id_or_key: str) -> int | None:
        return self.by_key.get(id_or_key.upper(), self.by_id.get(id_or_key))

    def issue_id(self, pos: int) -> str:
        """The id alone, without building a bulk record (ids-only search pages)."""
        if pos < len(self.records):
            return str(self.records[pos]["id"])
        assert self.bulk is not None
        return str(self.bulk.a["issue_id"][pos - len(self.records)])

    def record(self, pos: int) -> dict[str, Any]:
        if pos < len(self.records):
            return self.records[pos]
        assert self.bulk is not None
        return self.bulk.record(pos - len(self.records))

    def append(self, record: dict[str, Any]) -> int:
        """A new document issue; bulk rows stay last so positions of records never move."""
        if self.bulk:
            raise ValueError("creating issues in a bulk (scale) tenant is not supported")
        self.records.append(record)
        pos = len(self.records) - 1
        self._index(pos, record["id"], record["key"])
        self._columns = None
        return pos

    def set_updated(self, pos: int, moment: Any) -> None:
        """A write moved the issue's ``updated`` (document and bulk issues alike)."""
        if pos < len(self.records):
            self.records[pos]["fields"]["updated"] = jira_ts(moment)
        else:
            assert self.bulk is not None
            self.bulk.a["issue_updated_ms"][pos - len(self.records)] = to_ms(moment)
        self.touch()

    def touch(self) -> None:
        """A record changed (updated time, status): rebuild the columns on next use."""
        self._columns = None

    def columns(self) -> dict[str, Any]:
        if self._columns is None:
            self._columns = self._build_columns()
        return self._columns

    def _build_columns(self) -> dict[str, Any]:
        rows = [_row(r) for r in self.records]
        tail = self.bulk.columns() if self.bulk else None
        out: dict[str, Any] = {}
        for i, name in enumerate(COLUMN_NAMES):
            values = [row[i] for row in rows]
            if name == "labels":
                out[name] = values + (tail[name] if tail else [])
                continue
            dtype = np.int64 if name in INT_COLUMNS else object
            head = np.asarray(values, dtype=dtype)
            out[name] = np.concatenate([head, tail[name].astype(dtype)]) if tail else head
        for name in ("project", "issuetype", "status"):
            # sorted distinct values and each row's rank among them: JQL compares and sorts ints
            uniques, codes = np.unique(out[name], return_inverse=True)
            out[f"{name}#uniques"], out[f"{name}#codes"] = uniques, codes.astype(np.int32)
        return out


COLUMN_NAMES = (
    "id",
    "key",
    "project",
    "issuetype",
    "status",
    "labels",
    "created",
    "updated",
    "key_number",
)
INT_COLUMNS = {"id", "created", "updated", "key_number"}


def _row(record: dict[str, Any]) -> tuple[Any, ...]:
    fields = record["fields"]
    return (
        int(record["id"]),
        record["key"].upper(),
        fields["project"]["key"].lower(),
        fields["issuetype"]["name"].lower(),
        fields["status"]["name"].lower(),
        frozenset(label.lower() for label in fields.get("labels") or []),
        to_ms(parse_iso(fields["created"])),
        to_ms(parse_iso(fields["updated"])),
        int(record["key"].rsplit("-", 1)[1]),
    )


class _BulkIssues:
    """Scale-tenant issues: arrays in, records out (built per request, never all at once)."""

    def __init__(self, doc: dict[str, Any]) -> None:
        bulk = doc["bulk"]
        self.a = bulk["arrays"]
        jira = doc["jira"]
        self.projects = jira["projects"]
        self.types = jira["issue_types"]
        self.statuses = jira["statuses"]
        self.people = doc["people"]

    def __len__(self) -> int:
        return int(self.a["issue_id"].shape[0])

    def key(self, i: int) -> str:
        return f"{self.projects[self.a['issue_project'][i]]['key']}-{self.a['issue_number'][i]}"

    def ids_and_keys(self) -> list[tuple[str, str]]:
        keys = [p["key"] for p in self.projects]
        return [
            (str(issue_id), f"{keys[proj]}-{num}")
            for issue_id, proj, num in zip(
                self.a["issue_id"].tolist(),
                self.a["issue_project"].tolist(),
                self.a["issue_number"].tolist(),
                strict=True,
            )
        ]

    def columns(self) -> dict[str, Any]:
        keys = np.array([p["key"] for p in self.projects], dtype=object)
        types = np.array([t["name"].lower() for t in self.types], dtype=object)
        statuses = np.array([s["name"].lower() for s in self.statuses], dtype=object)
        numbers = self.a["issue_number"].astype(str).astype(object)
        return {
            "id": self.a["issue_id"].astype(np.int64),
            "key": keys[self.a["issue_project"]] + "-" + numbers,
            "project": np.char.lower(keys[self.a["issue_project"]].astype(str)).astype(object),
            "issuetype": types[self.a["issue_type"]],
            "status": statuses[self.a["issue_status"]],
            "labels": [frozenset()] * len(self),
            "created": self.a["issue_created_ms"].astype(np.int64),
            "updated": self.a["issue_updated_ms"].astype(np.int64),
            "key_number": self.a["issue_number"].astype(np.int64),
        }

    def record(self, i: int) -> dict[str, Any]:
        a = self.a
        project = self.projects[a["issue_project"][i]]
        issue_type = self.types[a["issue_type"][i]]
        status = self.statuses[a["issue_status"][i]]
        person = self.people[a["issue_assignee"][i]]
        estimate = int(a["issue_estimate_s"][i])
        return {
            "id": str(a["issue_id"][i]),
            "key": self.key(i),
            "fields": {
                "summary": f"{issue_type['name']} {a['issue_number'][i]} of {project['name']}",
                "description": None,
                "issuetype": issue_type,
                "project": {"id": project["id"], "key": project["key"], "name": project["name"]},
                "status": status,
                "priority": {"id": "3", "name": "Medium"},
                "assignee": {
                    "accountId": person["account_id"],
                    "displayName": person["display_name"],
                },
                "labels": [],
                "created": jira_ts(from_ms(int(a["issue_created_ms"][i]))),
                "updated": jira_ts(from_ms(int(a["issue_updated_ms"][i]))),
                "resolutiondate": None,
                "duedate": None,
                "timeoriginalestimate": estimate or None,
                "issuelinks": [],
            },
            "changelog": [],
        }
