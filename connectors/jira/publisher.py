"""Publishing to Jira, idempotently: comment, attachment, issue property, issue creation.

Content arrives already rendered (ADF for Cloud v3, wiki text for Data Center v2). Each
publication has a deterministic key (from the caller) recorded in the warehouse's ledger:
*done* -> skipped; *pending* (we crashed between the post and the ledger write) -> we look
for the post at the target before posting again. The key is embedded in what we post (a
marker line in comments, a label on created issues) so that look-up is exact.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from connectors.jira.client import JiraApi
from connectors.jira.jql import project_clause, quote
from connectors.store import PublicationLedger

_WIKI_SPECIAL = re.compile(r"([\\{}\[\]|*_+\-^~?#!])")


def escape_wiki(text: str) -> str:
    """Untrusted text made inert in Jira wiki markup (v2 comments)."""
    return _WIKI_SPECIAL.sub(r"\\\1", text)


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
    if not isinstance(body, str):
        raise ValueError("a Data Center (v2) comment must be wiki text")
    return f"{body}\n\n{{color:#999999}}{escape_wiki(marker(key))}{{color}}"


class JiraPublisher:
    def __init__(self, api: JiraApi, ledger: PublicationLedger) -> None:
        self.api = api
        self.ledger = ledger

    def _done(self, key: str) -> str | None:
        found = self.ledger.get(key)
        return found.external_id if found and found.status == "done" else None

    def comment(self, issue_key: str, adf_or_text: Any, key: str) -> str:
        """Post a comment once per key; returns the comment id."""
        if (done := self._done(key)) is not None:
            return done
        target = f"jira:{issue_key}:comment"
        comment_id = self._find_comment(issue_key, key) if self.ledger.get(key) else None
        if comment_id is None:
            self.ledger.mark_pending(key, target)
            body = with_marker(adf_or_text, key, self.api.is_cloud)
            posted = self.api.post(
                f"issue/{issue_key}/comment", {"body": body}, context=f"commenting on {issue_key}"
            )
            comment_id = str(posted["id"])
        self.ledger.mark_done(key, target, comment_id)
        return comment_id

    def _find_comment(self, issue_key: str, key: str) -> str | None:
        issue = self.api.get(
            f"issue/{issue_key}",
            {"fields": "comment"},
            context=f"looking for an earlier comment on {issue_key}",
        )
        needle = marker(key)
        for comment in ((issue.get("fields") or {}).get("comment") or {}).get("comments") or []:
            if needle in json.dumps(comment.get("body"), ensure_ascii=False):
                return str(comment["id"])
        return None

    def attach(self, issue_key: str, filename: str, data: bytes, key: str) -> str:
        """Attach a file once per key (an earlier upload is recognised by name and size)."""
        if (done := self._done(key)) is not None:
            return done
        target = f"jira:{issue_key}:attachment"
        found = (
            self._find_attachment(issue_key, filename, len(data)) if self.ledger.get(key) else None
        )
        if found is None:
            self.ledger.mark_pending(key, target, {"filename": filename})
            answer = self.api.request(
                "POST",
                f"issue/{issue_key}/attachments",
                files={"file": (filename, data, "application/octet-stream")},
                headers={"X-Atlassian-Token": "no-check", "Content-Type": None},  # type: ignore[dict-item]
                context=f"attaching {filename} to {issue_key}",
            )
            first = answer[0] if isinstance(answer, list) else answer
            found = str(first["id"])
        self.ledger.mark_done(key, target, found, {"filename": filename})
        return found

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
        """PUT replaces, so a repeat is harmless; the ledger still saves the request."""
        if (done := self._done(key)) is not None:
            return done
        target = f"jira:{issue_key}:property:{prop}"
        self.ledger.mark_pending(key, target)
        self.api.put(
            f"issue/{issue_key}/properties/{prop}", value, context=f"property {prop} of {issue_key}"
        )
        self.ledger.mark_done(key, target, f"{issue_key}/{prop}")
        return f"{issue_key}/{prop}"

    def create_issue(self, project_key: str, fields: dict[str, Any], key: str) -> str:
        """Create a follow-up issue once per key; returns its key. The issue carries a label
        derived from the publication key, which is how a retry finds it."""
        if (done := self._done(key)) is not None:
            return done
        label = key_label(key)
        target = f"jira:{project_key}:issue"
        found = self._find_issue(project_key, label) if self.ledger.get(key) else None
        if found is None:
            self.ledger.mark_pending(key, target)
            body = {
                "fields": {
                    **fields,
                    "project": {"key": project_key},
                    "labels": [*fields.get("labels", []), label],
                }
            }
            found = str(
                self.api.post("issue", body, context=f"creating an issue in {project_key}")["key"]
            )
        self.ledger.mark_done(key, target, found)
        return found

    def _find_issue(self, project_key: str, label: str) -> str | None:
        jql = f"{project_clause(project_key)} AND labels = {quote(label)}"
        answer = self.api.post(
            "search/jql",
            {"jql": jql, "fields": ["key"], "maxResults": 1},
            context=f"looking for an earlier issue in {project_key}",
        )
        issues = answer.get("issues") or []
        return str(issues[0]["key"]) if issues else None
