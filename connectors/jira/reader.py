"""Jira streams as raw pages: each method is one endpoint, paged the endpoint's own way.

Records leave this module only towards `mapping` (in `connectors.jira.sync`); nothing
outside `connectors/jira/` sees raw JSON.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlparse

from connectors.jira.client import JiraApi
from connectors.jira.errors import JiraNotFoundError
from connectors.jira.http import current_label, set_label
from connectors.jira.paging import offset_pages, token_pages

BULK_CHANGELOG_IDS = 1000
WORKLOG_LIST_IDS = 1000
CENSUS_PAGE = 5000
OFFSET_IDS_PAGE = 1000  # Data Center's default cap on a search page


@dataclass(frozen=True)
class IssuePage:
    issues: list[dict[str, Any]]
    next_token: str | None  # Cloud: the search's token; Data Center: the next startAt
    total: int | None = None  # Data Center only: how many issues the query matched


@dataclass(frozen=True)
class SincePage:
    """A page of `worklog/updated` or `worklog/deleted`."""

    values: list[dict[str, Any]]
    next_since: int | None  # None on the last page
    until: int


class JiraReader:
    def __init__(self, api: JiraApi, *, page_size: int = 100, concurrency: int = 4) -> None:
        self.api = api
        self.client = api.client
        self.page_size = page_size
        self.concurrency = concurrency

    # --- metadata --------------------------------------------------------------------------

    def fields(self) -> list[dict[str, Any]]:
        return list(self.api.call(self.client.fields, context="reading field definitions") or [])

    def statuses(self) -> list[dict[str, Any]]:
        """Every status of the site with its category (`GET status`, Cloud and Data Center)."""
        statuses = self.api.call(self.client.statuses, context="reading the status list")
        return [status.raw for status in statuses]

    def project(self, key: str) -> dict[str, Any]:
        """One project (a 404 is `JiraNotFoundError` naming it)."""
        found = self.api.call(lambda: self.client.project(key), context=f"configured project {key}")
        return dict(found.raw)

    def projects(self, keys: Sequence[str]) -> list[dict[str, Any]]:
        """The configured projects (404 on one is an error naming it), or all visible ones."""
        if keys:
            return [self.project(key) for key in keys]
        if not self.api.is_cloud:  # Data Center lists every project at once, unpaged
            listed = self.api.call(
                lambda: self.client.projects(expand="lead,description"), context="listing projects"
            )
            return [project.raw for project in listed]
        # Cloud pages the listing (`project/search`); the client's `projects()` reads the
        # unpaged `GET project`, which Cloud keeps only for compatibility.
        out: list[dict[str, Any]] = []
        for page in offset_pages(
            lambda start: self.api.get(
                "project/search",
                # the listing leaves out the lead unless asked (the project row's lead_id)
                {"startAt": start, "maxResults": 50, "expand": "lead,description"},
                context="listing projects",
            )
        ):
            out += page
        return out

    def project_property(self, key: str, prop: str) -> dict[str, Any] | None:
        """An entity property's value; None when the project has none (a 404 here is normal)."""
        try:  # the client has no project-property method: its generic `find`
            body = self.api.find(
                "project/{0}/properties/{1}", (key, prop), context=f"project {key} property {prop}"
            )
        except JiraNotFoundError:
            return None
        return body.get("value")

    def versions(self, key: str) -> list[dict[str, Any]]:
        versions = self.api.call(
            lambda: self.client.project_versions(key), context=f"project {key} versions"
        )
        return [version.raw for version in versions]

    def boards(self) -> dict[str, list[dict[str, Any]]]:
        """Every board, by the key of the project it is located in (one listing for all
        projects instead of one per project)."""
        by_project: dict[str, list[dict[str, Any]]] = {}
        for page in offset_pages(
            lambda start: self._agile_page(
                lambda: self.client.boards(startAt=start, maxResults=50), "listing boards"
            )
        ):
            for board in page:
                key = str((board.get("location") or {}).get("projectKey") or "").upper()
                by_project.setdefault(key, []).append(board)
        return by_project

    def sprints(self, key: str, boards: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Sprints of the given boards (those located in the project)."""
        sprints: list[dict[str, Any]] = []
        for board in boards:
            for page in offset_pages(
                lambda start, b=board: self._agile_page(  # type: ignore[misc]  # (a lambda with a default)
                    lambda: self.client.sprints(b["id"], startAt=start, maxResults=50),
                    f"project {key} board {b['id']} sprints",
                )
            ):
                sprints += page
        return sprints

    def _agile_page(self, fetch: Callable[[], Any], context: str) -> dict[str, Any]:
        """One page of an agile listing read by the client (one request: it is given
        `maxResults`), as the page body the offset paginator reads."""
        page = self.api.call(fetch, context=context)
        # no `total`: the client fills a missing one with the page's length
        return {
            "values": [item.raw for item in page],
            "isLast": page.isLast,
            "maxResults": page.maxResults,
        }

    # --- issues ----------------------------------------------------------------------------

    def issue_page(
        self, jql: str, fields: list[str], token: str | None, *, context: str
    ) -> IssuePage:
        """One page of the enhanced search, with the (possibly truncated) changelog."""
        if not self.api.is_cloud:
            return self._offset_issue_page(jql, fields, token, context=context)
        body: dict[str, Any] = {
            "jql": jql,
            "fields": fields,
            "expand": "changelog",
            "maxResults": self.page_size,
        }
        answer = self.api.post("search/jql", _with_token(body, token), context=context) or {}
        return IssuePage(list(answer.get("issues") or []), answer.get("nextPageToken") or None)

    def _offset_issue_page(
        self, jql: str, fields: list[str], token: str | None, *, context: str
    ) -> IssuePage:
        """Data Center has no `search/jql`: its `search` pages by `startAt` and says `total`."""
        answer = self._offset_search(jql, fields, int(token or 0), self.page_size, context)
        issues = list(answer.get("issues") or [])
        total = int(answer.get("total") or 0)
        following = int(answer.get("startAt") or 0) + len(issues)
        more = bool(issues) and following < total
        return IssuePage(issues, str(following) if more else None, total)

    def _post(self, path: str, body: dict[str, Any], context: str) -> dict[str, Any]:
        return self.api.post(path, body, context=context) or {}

    def _offset_search(
        self, jql: str, fields: list[str], start: int, size: int, context: str
    ) -> dict[str, Any]:
        body = {"jql": jql, "fields": fields, "startAt": start, "maxResults": size}
        if fields != ["id"]:
            body["expand"] = ["changelog"]
        return self.api.post("search", body, context=context) or {}

    def issue_ids(self, jql: str, *, context: str) -> list[str]:
        """Ids only (the search's cheapest form: up to 5000 a page, 1000 on Data Center)."""
        if self.api.is_cloud:
            body = {"jql": jql, "fields": ["id"], "maxResults": CENSUS_PAGE}
            pages = token_pages(
                lambda token: self._post("search/jql", _with_token(body, token), context),
                key="issues",
            )
        else:
            pages = offset_pages(
                lambda start: self._offset_search(jql, ["id"], start, OFFSET_IDS_PAGE, context),
                key="issues",
            )
        return [str(issue["id"]) for page in pages for issue in page]

    def issue_count(self, jql: str, *, context: str) -> int:
        """How many issues a query matches: Cloud's approximate count, or on Data Center the
        exact `total` of an offset search asked for no issues."""
        unordered = jql.split(" ORDER BY")[0]
        if not self.api.is_cloud:
            return int(self._offset_search(unordered, ["id"], 0, 0, context).get("total", -1))
        answer = self.api.call(
            lambda: self.client.approximate_issue_count(unordered, json_result=True),
            context=context,
        )
        return int((answer or {}).get("count", -1))

    def full_changelogs(
        self, issue_ids: Sequence[str], *, context: str
    ) -> dict[str, list[dict[str, Any]]]:
        """Complete histories, oldest first: bulk on Cloud, paged per issue elsewhere."""
        if not issue_ids:
            return {}
        if not self.api.is_cloud:
            run = _labelled(lambda i: (i, self._issue_changelog(i, context)))
            with ThreadPoolExecutor(self.concurrency) as pool:
                return dict(pool.map(run, issue_ids))
        out: dict[str, list[dict[str, Any]]] = {str(i): [] for i in issue_ids}
        for start in range(0, len(issue_ids), BULK_CHANGELOG_IDS):
            chunk = [str(i) for i in issue_ids[start : start + BULK_CHANGELOG_IDS]]
            body = {"issueIdsOrKeys": chunk, "maxResults": 10000}
            pages = token_pages(
                lambda token, body=body: self._post(  # type: ignore[misc]  # (a lambda with a default)
                    "changelog/bulkfetch", _with_token(body, token), context
                ),
                key="issueChangeLogs",
            )
            for page in pages:
                for entry in page:
                    out.setdefault(str(entry["issueId"]), []).extend(
                        entry.get("changeHistories") or []
                    )
        return out

    def _issue_changelog(self, issue_id: str, context: str) -> list[dict[str, Any]]:
        histories: list[dict[str, Any]] = []
        for page in offset_pages(
            lambda start: self.api.get(
                f"issue/{issue_id}/changelog",
                {"startAt": start, "maxResults": 100},
                context=context,
            )
        ):
            histories += page
        return histories

    # --- worklogs --------------------------------------------------------------------------

    def since_page(self, stream: str, since: int) -> SincePage:
        """`worklog/updated` or `worklog/deleted` from `since` (epoch ms)."""
        body = (
            self.api.get(f"worklog/{stream}", {"since": since}, context=f"worklog {stream}") or {}
        )
        values = list(body.get("values") or [])
        until = int(body.get("until") or since)
        if body.get("lastPage", True) or not values:
            return SincePage(values, None, until)
        return SincePage(values, _next_since(body.get("nextPage"), until), until)

    def worklogs(self, ids: Sequence[int]) -> list[dict[str, Any]]:
        """Worklog details by id, at most 1000 a request, requests in parallel."""
        chunks = [list(ids[i : i + WORKLOG_LIST_IDS]) for i in range(0, len(ids), WORKLOG_LIST_IDS)]
        if not chunks:
            return []
        with ThreadPoolExecutor(min(self.concurrency, len(chunks))) as pool:
            answers = pool.map(
                lambda c: self.api.post("worklog/list", {"ids": c}, context="worklog details"),
                chunks,
            )
            return [w for answer in answers for w in answer or []]


T = TypeVar("T")


class Lookahead:
    """Fetches the next page of a stream while the current one is mapped and written.

    Pages that follow each other by a cursor (search tokens, `worklog/updated`'s `since`)
    cannot be fetched in parallel, but the next one can be on its way while this one is
    stored: with real network latency that hides one round trip per page. Only a page the
    sync asks for next anyway is fetched ahead, so the requests made stay the same; an error
    of a page fetched ahead is raised when that page is asked for.
    """

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="jira-lookahead")
        self._pending: dict[Hashable, Future[Any]] = {}

    def get(self, key: Hashable, fetch: Callable[[], T]) -> T:
        """The page for `key`: the one fetched ahead if there is one, else fetched now."""
        ahead = self._pending.pop(key, None)
        return ahead.result() if ahead is not None else fetch()

    def ahead(self, key: Hashable, fetch: Callable[[], Any]) -> None:
        if key not in self._pending:
            self._pending[key] = self._pool.submit(_labelled(lambda _: fetch()), None)

    def close(self) -> None:
        for future in self._pending.values():
            future.cancel()
        self._pending.clear()
        self._pool.shutdown(wait=True)


def _next_since(next_page: Any, until: int) -> int:
    """The `since` of the server's nextPage link (it knows whether `until` is inclusive)."""
    if next_page:
        values = parse_qs(urlparse(str(next_page)).query).get("since")
        if values and values[0].lstrip("-").isdigit():
            return int(values[0])
    return until + 1


def _with_token(body: dict[str, Any], token: str | None) -> dict[str, Any]:
    """A token-paged request body: the first page has no `nextPageToken`."""
    return {**body, "nextPageToken": token} if token else body


def _labelled(fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """`fn` for a worker thread, counting its requests under the caller's label."""
    label = current_label()

    def run(arg: Any) -> Any:
        set_label(label)
        return fn(arg)

    return run
