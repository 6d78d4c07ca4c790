"""Publishing to Jira, at most once: comment, attachment, issue property, issue creation.

Content arrives as ADF (or plain text); on Data Center (v2) every body and rendered field is
turned into wiki markup by `connectors.jira.wiki.render_wiki`, which escapes all text. Each
publication has a deterministic key (from the caller) that is claimed in the warehouse's
ledger before anything is posted (`PublicationLedger.claim`): *done* -> skipped; another run
holds it -> skipped; ours to post -> we first look for it at the target, so a retry after a
crash, or a fresh warehouse, adopts what is already there instead of posting it again.

The target carries the key, invisibly: a comment gets the entity property
``pmo-publication`` (set in the same request that creates it); a created issue gets a label
derived from the key; an attachment is recognised by its name. Comments posted by
older versions carry a visible ``pmo-publication: <key>`` line; those are still recognised.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

from connectors.jira.client import JiraApi
from connectors.jira.errors import JiraConnectionLostError, JiraError, JiraNotFoundError
from connectors.jira.jql import project_clause, quote
from connectors.jira.wiki import escape_wiki, render_wiki
from connectors.ports import Ledger
from connectors.store.ledger import PublicationSkipped

COMMENT_PROPERTY = "pmo-publication"  # the comment entity property naming its publication
COMMENT_PAGE = 100
COMMENT_LIST_MAX = 1000  # POST comment/list takes at most 1000 ids


def marker(key: str) -> str:
    """The visible line older versions appended to comments (still recognised, never written)."""
    return f"pmo-publication: {key}"


def key_label(key: str) -> str:
    """A label carrying the publication key (labels can't hold spaces or colons)."""
    return "pmo-" + hashlib.sha256(key.encode()).hexdigest()[:16]


def text_to_adf(text: str) -> dict[str, Any]:
    """Plain text as an ADF doc: text nodes are never interpreted, so this escapes by design."""
    paragraphs = [
        {"type": "paragraph", "content": [{"type": "text", "text": line}] if line else []}
        for line in text.split("\n")
    ]
    return {"type": "doc", "version": 1, "content": paragraphs}


def comment_body(body: Any, cloud: bool) -> Any:
    """The body in the deployment's format: ADF for Cloud; for Data Center, wiki markup
    through the one escaping renderer (from ADF or plain text)."""
    if cloud:
        doc = text_to_adf(body) if isinstance(body, str) else body
        if not isinstance(doc, dict) or doc.get("type") != "doc":
            raise ValueError("a Cloud (v3) comment must be an ADF document or plain text")
        return doc
    return render_wiki(body)


Finder = Callable[[], "str | None"]
# Issue fields Jira renders (wiki markup on Data Center, ADF on Cloud); the summary is not.
RENDERED_FIELDS = ("description", "environment")


def _same_publication(current: Any, value: Any) -> bool:
    if current is None:
        return False
    if current == value:
        return True
    mine = value.get("publication") if isinstance(value, dict) else None
    return mine is not None and isinstance(current, dict) and current.get("publication") == mine


def _why_not(state: str) -> str:
    if state == "busy":
        return "another run holds the claim and is publishing it now"
    return "an earlier post got no clear answer; not sent again automatically (check the target)"


class JiraPublisher:
    def __init__(self, api: JiraApi, ledger: Ledger, *, attempts: int = 3) -> None:
        self.api = api
        self.client = api.client
        self.ledger = ledger
        self.attempts = attempts

    def _publish(
        self,
        key: str,
        target: str,
        find: Finder,
        post: Callable[[], str],
        detail: dict[str, Any] | None = None,
    ) -> str:
        """Claim the key; done -> its id; held elsewhere -> skipped; ours -> look, else post."""
        claim = self.ledger.claim(key, target, detail)
        if claim.state == "done" and claim.earlier is not None:
            return claim.earlier.external_id or ""
        if not claim.mine:
            raise PublicationSkipped(target, _why_not(claim.state))
        found = find()  # a retry after a crash, or a fresh warehouse: adopt what is there
        if found is None:
            try:
                found = self._post_checked(find, post, target)
            except JiraError as exc:
                if not isinstance(exc, JiraConnectionLostError):  # refused: nothing made
                    self.ledger.mark_failed(key, target, str(exc), detail)
                raise
        self.ledger.mark_done(key, target, found, detail)
        return found

    def _post_checked(self, find: Finder, post: Callable[[], str], target: str) -> str:
        """Post; if the connection drops mid-request, look before posting again."""
        for _ in range(self.attempts):
            try:
                return post()
            except JiraConnectionLostError:
                found = find()
                if found is not None:
                    return found
        raise JiraError(f"publishing to {target}: the connection dropped {self.attempts} times")

    def comment(self, issue_key: str, adf_or_text: Any, key: str) -> str:
        """Post a comment once per key; returns the comment id. The key travels in the
        comment's entity property, not in its text."""
        body = comment_body(adf_or_text, self.api.is_cloud)

        mark = {"key": key}

        def post() -> str:
            # the client's `add_comment` cannot send entity properties: the generic path
            answer = self.api.post(
                f"issue/{issue_key}/comment",
                {"body": body, "properties": [{"key": COMMENT_PROPERTY, "value": mark}]},
                context=f"commenting on {issue_key}",
            )
            comment_id = str(answer["id"])
            if not self.api.is_cloud:  # Cloud documents `properties` on create; DC: set it too
                self.api.put(
                    f"comment/{comment_id}/properties/{COMMENT_PROPERTY}",
                    mark,
                    context=f"marking comment {comment_id}",
                )
            return comment_id

        return self._publish(
            key, f"jira:{issue_key}:comment", lambda: self.find_comment(issue_key, key), post
        )

    def find_comment(self, issue_key: str, key: str) -> str | None:
        """The id of the comment on `issue_key` published under `key`, if there is one."""
        ids: list[str] = []
        legacy = (marker(key), escape_wiki(marker(key)))  # older versions: ADF, wiki
        for comment in self._comments(issue_key):
            body = comment.get("body")
            text = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
            if any(needle in text for needle in legacy):
                return str(comment["id"])
            ids.append(str(comment["id"]))
        for comment_id, value in self._publication_properties(ids):
            if isinstance(value, dict) and value.get("key") == key:
                return comment_id
        return None

    def _comments(self, issue_key: str) -> Iterator[dict[str, Any]]:
        """Every comment of the issue, a page at a time (the client's `comments` returns a
        page without its total: a short page is the last)."""
        start = 0
        while True:
            page = self.api.call(
                partial(self.client.comments, issue_key, start_at=start, max_results=COMMENT_PAGE),
                context=f"looking for an earlier comment on {issue_key}",
            )
            yield from (comment.raw for comment in page)
            start += len(page)
            if len(page) < COMMENT_PAGE:
                return

    def _publication_properties(self, ids: list[str]) -> Iterator[tuple[str, Any]]:
        """(comment id, value of its publication property) for the comments that have one.
        Cloud reads them in bulk (`comment/list?expand=properties`); Data Center per comment."""
        if self.api.is_cloud:
            for at in range(0, len(ids), COMMENT_LIST_MAX):
                chunk = [int(i) for i in ids[at : at + COMMENT_LIST_MAX]]
                page = self.api.post(
                    "comment/list",
                    {"ids": chunk},
                    params={"expand": "properties"},
                    context="reading comment properties",
                )
                for comment in page.get("values") or []:
                    for prop in comment.get("properties") or []:
                        if prop.get("key") == COMMENT_PROPERTY:
                            yield str(comment["id"]), prop.get("value")
            return
        for comment_id in ids:
            try:  # no comment-property method in the client: its generic `find`
                prop = self.api.find(
                    "comment/{0}/properties/{1}",
                    (comment_id, COMMENT_PROPERTY),
                    context=f"reading the properties of comment {comment_id}",
                )
            except JiraNotFoundError:
                continue
            yield comment_id, prop.get("value")

    def attach(self, issue_key: str, filename: str, data: bytes, key: str) -> str:
        """Attach a file once per key. An earlier upload is recognised by its name, which
        names the evaluation (a re-rendered report may differ in size by its timestamp)."""

        def post() -> str:
            attachment = self.api.call(
                lambda: self.client.add_attachment(issue_key, io.BytesIO(data), filename),
                context=f"attaching {filename} to {issue_key}",
            )
            return str(attachment.id)

        return self._publish(
            key,
            f"jira:{issue_key}:attachment",
            lambda: self._find_attachment(issue_key, filename),
            post,
            {"filename": filename},
        )

    def _find_attachment(self, issue_key: str, filename: str) -> str | None:
        issue = self.api.call(
            lambda: self.client.issue(issue_key, fields="attachment"),
            context=f"looking for an earlier attachment on {issue_key}",
        )
        for item in (issue.raw.get("fields") or {}).get("attachment") or []:
            if item.get("filename") == filename:
                return str(item["id"])
        return None

    def read_property(self, issue_key: str, prop: str) -> object:
        """An issue property's value, or None when the issue has no such property."""
        try:
            found = self.api.call(
                lambda: self.client.issue_property(issue_key, prop),
                context=f"property {prop} of {issue_key}",
            )
        except JiraNotFoundError:
            return None
        return found.raw.get("value") if isinstance(found.raw, dict) else None

    def replace_property(self, issue_key: str, prop: str, value: Any) -> None:
        """Write an issue property, outside the ledger (PUT replaces: a repeat is harmless)."""
        self.api.call(
            lambda: self.client.add_issue_property(issue_key, prop, value),
            context=f"property {prop} of {issue_key}",
        )

    def set_property(self, issue_key: str, prop: str, value: Any, key: str) -> str:
        """PUT replaces, so a repeat is harmless; still, a property already holding this
        publication (same value, or the same `publication` key) is adopted, not rewritten."""
        ref = f"{issue_key}/{prop}"

        def find() -> str | None:
            current = self.read_property(issue_key, prop)
            return ref if _same_publication(current, value) else None

        def put() -> str:
            self.replace_property(issue_key, prop, value)
            return ref

        return self._publish(key, f"jira:{issue_key}:property:{prop}", find, put)

    def create_issue(self, project_key: str, fields: dict[str, Any], key: str) -> str:
        """Create a follow-up issue once per key; returns its key. The issue carries a label
        derived from the publication key, which is how a retry finds it."""
        label = key_label(key)
        body = {
            "fields": {
                **self._rendered_fields(fields),
                "project": {"key": project_key},
                "labels": [*fields.get("labels", []), label],
            }
        }

        def post() -> str:
            created = self.api.call(  # no prefetch: the key is all we need, one request
                lambda: self.client.create_issue(fields=body["fields"], prefetch=False),
                context=f"creating an issue in {project_key}",
            )
            return str(created.key)

        return self._publish(
            key, f"jira:{project_key}:issue", lambda: self._find_issue(project_key, label), post
        )

    def _rendered_fields(self, fields: dict[str, Any]) -> dict[str, Any]:
        """Rendered text fields in the deployment's format: ADF on Cloud (plain text becomes
        text nodes), wiki markup through the escaping renderer on Data Center."""
        out = dict(fields)
        for name in RENDERED_FIELDS:
            value = out.get(name)
            if value is None:
                continue
            if self.api.is_cloud:
                out[name] = text_to_adf(value) if isinstance(value, str) else value
            else:
                out[name] = render_wiki(value)
        return out

    def _find_issue(self, project_key: str, label: str) -> str | None:
        jql = f"{project_clause(project_key)} AND labels = {quote(label)}"
        return self.first_issue(jql, context=f"looking for an earlier issue in {project_key}")

    def first_issue(self, jql: str, *, context: str) -> str | None:
        """The key of the first issue `jql` finds, None when it finds none. Cloud's
        `search/jql`; Data Center has only the offset-paged `search`."""
        answer = self.api.post(  # not the client's search: see `JiraApi.request`
            "search/jql" if self.api.is_cloud else "search",
            {"jql": jql, "fields": ["key"], "maxResults": 1},
            context=context,
        )
        issues = (answer or {}).get("issues") or []
        return str(issues[0]["key"]) if issues else None
