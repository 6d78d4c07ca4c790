"""Publishing to Jira, idempotently: comment, attachment, issue property, issue creation.

Content arrives as ADF (or plain text); on Data Center (v2) every body and rendered field is
turned into wiki markup by `connectors.jira.wiki.render_wiki`, which escapes all text. Each
publication has a deterministic key (from the caller) recorded in the warehouse's ledger:
*done* -> skipped; *pending* (we crashed between the post and the ledger write) -> we look
for the post at the target before posting again. The key is embedded in what we post (a
marker line in comments, a label on created issues) so that look-up is exact.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from connectors.jira.client import JiraApi
from connectors.jira.errors import JiraConnectionLostError, JiraError
from connectors.jira.jql import project_clause, quote
from connectors.jira.wiki import escape_wiki, render_wiki
from connectors.store import PublicationLedger


def marker(key: str) -> str:
    """The line embedded in a comment that identifies its publication."""
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


def with_marker(body: Any, key: str, cloud: bool) -> Any:
    """The body with the marker appended, in the body's own format."""
    if cloud:
        doc = text_to_adf(body) if isinstance(body, str) else json.loads(json.dumps(body))
        if doc.get("type") != "doc":
            raise ValueError("a Cloud (v3) comment must be an ADF document or plain text")
        doc.setdefault("content", []).append(
            {
                "type": "paragraph",
                "content": [
                    {
                        "type": "text",
                        "text": marker(key),
                        "marks": [{"type": "subsup", "attrs": {"type": "sub"}}],
                    }
                ],
            }
        )
        return doc
    # Data Center: every body goes through the one escaping renderer (ADF or plain text)
    return f"{render_wiki(body)}\n\n{{color:#999999}}{escape_wiki(marker(key))}{{color}}"


Finder = Callable[[], "str | None"]
# Issue fields Jira renders (wiki markup on Data Center, ADF on Cloud); the summary is not.
RENDERED_FIELDS = ("description", "environment")


class JiraPublisher:
    def __init__(self, api: JiraApi, ledger: PublicationLedger, *, attempts: int = 3) -> None:
        self.api = api
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
        """Ledger done -> skip; ledger pending -> look first; else post; then record done."""
        known = self.ledger.get(key)
        if known is not None and known.status == "done" and known.external_id is not None:
            return known.external_id
        found = find() if known is not None else None
        if found is None:
            self.ledger.mark_pending(key, target, detail)
            found = self._post_checked(find, post, target)
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
        """Post a comment once per key; returns the comment id."""
        body = with_marker(adf_or_text, key, self.api.is_cloud)

        def post() -> str:
            answer = self.api.post(
                f"issue/{issue_key}/comment",
                {"body": body},
                context=f"commenting on {issue_key}",
                idempotent=False,
            )
            return str(answer["id"])

        return self._publish(
            key, f"jira:{issue_key}:comment", lambda: self._find_comment(issue_key, key), post
        )

    def _find_comment(self, issue_key: str, key: str) -> str | None:
        issue = self.api.get(
            f"issue/{issue_key}",
            {"fields": "comment"},
            context=f"looking for an earlier comment on {issue_key}",
        )
        needles = (marker(key), escape_wiki(marker(key)))  # Cloud ADF, Data Center wiki
        for comment in ((issue.get("fields") or {}).get("comment") or {}).get("comments") or []:
            body = comment.get("body")
            text = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
            if any(needle in text for needle in needles):
                return str(comment["id"])
        return None

    def attach(self, issue_key: str, filename: str, data: bytes, key: str) -> str:
        """Attach a file once per key (an earlier upload is recognised by name and size)."""

        def post() -> str:
            answer = self.api.request(
                "POST",
                f"issue/{issue_key}/attachments",
                files={"file": (filename, data, "application/octet-stream")},
                headers={"X-Atlassian-Token": "no-check", "Content-Type": None},  # type: ignore[dict-item]
                context=f"attaching {filename} to {issue_key}",
                idempotent=False,
            )
            return str((answer[0] if isinstance(answer, list) else answer)["id"])

        return self._publish(
            key,
            f"jira:{issue_key}:attachment",
            lambda: self._find_attachment(issue_key, filename, len(data)),
            post,
            {"filename": filename},
        )

    def _find_attachment(self, issue_key: str, filename: str, size: int) -> str | None:
        issue = self.api.get(
            f"issue/{issue_key}",
            {"fields": "attachment"},
            context=f"looking for an earlier attachment on {issue_key}",
        )
        for item in (issue.get("fields") or {}).get("attachment") or []:
            if item.get("filename") == filename and int(item.get("size") or -1) == size:
                return str(item["id"])
        return None

    def set_property(self, issue_key: str, prop: str, value: Any, key: str) -> str:
        """PUT replaces, so a repeat is harmless and needs no look-up."""
        ref = f"{issue_key}/{prop}"

        def put() -> str:
            self.api.put(
                f"issue/{issue_key}/properties/{prop}",
                value,
                context=f"property {prop} of {issue_key}",
            )
            return ref

        return self._publish(key, f"jira:{issue_key}:property:{prop}", lambda: None, put)

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
            answer = self.api.post(
                "issue", body, context=f"creating an issue in {project_key}", idempotent=False
            )
            return str(answer["key"])

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
        answer = self.api.post(
            "search/jql",
            {"jql": jql, "fields": ["key"], "maxResults": 1},
            context=f"looking for an earlier issue in {project_key}",
        )
        issues = answer.get("issues") or []
        return str(issues[0]["key"]) if issues else None
