"""In-memory Jira and Microsoft 365 publishing targets (`connectors.ports`).

Each keeps what was posted where, counts every post (`posts`: what a real target would have
received) and can be told to fail: `fail[kind]` is raised by the next post of that kind
(then removed), e.g. `fail["teams_card"] = OutcomeUnknownError("timeout")`.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from connectors.ports import JSON, JSONObject, Ledger
from tests.fakes.ledger import publish_once


@dataclass
class Posted:
    kind: str  # comment, attachment, property, issue, file, teams_card, mail, planner_task
    where: str
    key: str
    content: object


@dataclass
class _Target:
    ledger: Ledger
    posts: list[Posted] = field(default_factory=list)
    fail: dict[str, Exception] = field(default_factory=dict)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def _post(self, kind: str, where: str, key: str, content: object) -> str:
        error = self.fail.pop(kind, None)
        if error is not None:
            raise error
        self.posts.append(Posted(kind, where, key, content))
        return f"{kind}-{next(self._ids)}"

    def kinds(self) -> list[str]:
        return [p.kind for p in self.posts]


@dataclass
class FakeJira(_Target):
    """Issues with comments (marked with their key), attachments, properties; created issues
    carry their key as a label, as the real publisher's do."""

    comments: dict[str, dict[str, str]] = field(default_factory=dict)  # issue -> key -> id
    attachments: dict[str, dict[str, str]] = field(default_factory=dict)  # issue -> name -> id
    properties: dict[tuple[str, str], JSON] = field(default_factory=dict)
    created: dict[str, str] = field(default_factory=dict)  # publication key -> issue key
    issue_fields: dict[str, JSONObject] = field(default_factory=dict)
    jql_hits: dict[str, str] = field(default_factory=dict)  # query -> first issue key

    # --- IssueSource --------------------------------------------------------------------------

    def read_property(self, issue_key: str, prop: str) -> object:
        return self.properties.get((issue_key, prop))

    def find_comment(self, issue_key: str, key: str) -> str | None:
        return self.comments.get(issue_key, {}).get(key)

    def first_issue(self, jql: str, *, context: str) -> str | None:
        return self.jql_hits.get(jql)

    # --- JiraPublishing -----------------------------------------------------------------------

    def comment(self, issue_key: str, adf_or_text: JSON, key: str) -> str:
        def post() -> str:
            comment_id = self._post("comment", issue_key, key, adf_or_text)
            self.comments.setdefault(issue_key, {})[key] = comment_id
            return comment_id

        return publish_once(
            self.ledger,
            key,
            f"jira:{issue_key}:comment",
            lambda: self.find_comment(issue_key, key),
            post,
        )

    def attach(self, issue_key: str, filename: str, data: bytes, key: str) -> str:
        def post() -> str:
            attachment_id = self._post("attachment", issue_key, key, filename)
            self.attachments.setdefault(issue_key, {})[filename] = attachment_id
            return attachment_id

        return publish_once(
            self.ledger,
            key,
            f"jira:{issue_key}:attachment",
            lambda: self.attachments.get(issue_key, {}).get(filename),
            post,
        )

    def set_property(self, issue_key: str, prop: str, value: JSON, key: str) -> str:
        ref = f"{issue_key}/{prop}"

        def post() -> str:
            self._post("property", issue_key, key, value)
            self.properties[(issue_key, prop)] = value
            return ref

        def find() -> str | None:  # as the real one: the same value or the same publication
            current = self.properties.get((issue_key, prop))
            same = current == value or (
                isinstance(current, dict)
                and isinstance(value, dict)
                and value.get("publication") is not None
                and current.get("publication") == value.get("publication")
            )
            return ref if same else None

        return publish_once(self.ledger, key, f"jira:{issue_key}:property:{prop}", find, post)

    def replace_property(self, issue_key: str, prop: str, value: JSON) -> None:
        self._post("property", issue_key, "", value)
        self.properties[(issue_key, prop)] = value

    def create_issue(self, project_key: str, fields: JSONObject, key: str) -> str:
        def post() -> str:
            self._post("issue", project_key, key, fields)
            issue_key = f"{project_key}-{100 + len(self.created) + 1}"
            self.created[key] = issue_key
            self.issue_fields[issue_key] = dict(fields)
            return issue_key

        return publish_once(
            self.ledger, key, f"jira:{project_key}:issue", lambda: self.created.get(key), post
        )


@dataclass
class FakeM365(_Target):
    """SharePoint files by path, Teams cards, sent mail and Planner tasks. A webhook card
    can't be looked up (as in Teams): its outcome, when unclear, stays unknown."""

    files: dict[tuple[str, str], bytes] = field(default_factory=dict)
    sent_mail: dict[str, str] = field(default_factory=dict)  # key -> id
    tasks: dict[str, str] = field(default_factory=dict)  # key -> id
    channel: dict[str, str] = field(default_factory=dict)  # key -> id

    def upload_file(self, drive: str, path: str, content: bytes, key: str) -> str:
        def post() -> str:
            file_id = self._post("file", f"{drive}:{path}", key, path)
            self.files[(drive, path)] = content
            return file_id

        def find() -> str | None:
            return f"{drive}:{path}" if self.files.get((drive, path)) == content else None

        return publish_once(self.ledger, key, f"drives/{drive}/root:/{path}", find, post)

    def file_url(self, drive: str, path: str) -> str | None:
        return f"https://sharepoint.test/{drive}/{path}" if (drive, path) in self.files else None

    def post_card_webhook(self, url: str, card: JSONObject, key: str) -> str:
        return publish_once(
            self.ledger,
            key,
            "teams_webhook",
            None,
            lambda: self._post("teams_card", url, key, card),
        )

    def post_channel_message(self, team: str, channel: str, card: JSONObject, key: str) -> str:
        def post() -> str:
            self.channel[key] = self._post("teams_card", f"{team}/{channel}", key, card)
            return self.channel[key]

        return publish_once(
            self.ledger,
            key,
            f"teams/{team}/channels/{channel}",
            lambda: self.channel.get(key),
            post,
        )

    def send_mail(
        self,
        sender: str,
        to: list[str],
        subject: str,
        html_body: str,
        attachments: list[tuple[str, bytes]],
        key: str,
    ) -> str:
        def post() -> str:
            self.sent_mail[key] = self._post("mail", ",".join(to), key, subject)
            return self.sent_mail[key]

        return publish_once(
            self.ledger, key, f"users/{sender}/sendMail", lambda: self.sent_mail.get(key), post
        )

    def create_planner_task(self, plan_id: str, title: str, key: str) -> str:
        def post() -> str:
            self.tasks[key] = self._post("planner_task", plan_id, key, title)
            return self.tasks[key]

        return publish_once(
            self.ledger, key, f"planner/plans/{plan_id}", lambda: self.tasks.get(key), post
        )
