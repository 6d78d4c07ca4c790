"""The seams between the flows and the outside world, as `typing.Protocol`s.

The flows (`flows/`) talk to Jira, Microsoft 365 and the warehouse only through these
shapes. The real implementations are in `connectors/`; in-memory fakes for fast tests of
the flows' logic are in `tests/fakes/` (mypy checks both against these Protocols):

| seam            | what the flows do with it                        | real                          |
| --------------- | ------------------------------------------------ | ----------------------------- |
| `IssueSource`   | read what earlier publications left in Jira      | `connectors.jira.publisher`   |
| `JiraPublishing`| comment, attach, set properties, create issues   | `connectors.jira.publisher`   |
| `M365Publishing`| Teams cards, SharePoint files, mail, Planner     | `connectors.graph.publisher`  |
| `Ledger`        | claim and record publication keys (at most once) | `connectors.store.ledger`     |
| `Store`         | read canonical frames, snapshot metrics, archive | `connectors.store.warehouse`  |

The syncs (`connectors.jira.sync`, `connectors.graph.sync`) read Jira and Graph themselves
and write through the SQL warehouse: they are connectors, not flows, and sit behind the
nightly sync flow, not behind these seams.

Every publishing method takes a deterministic publication `key` and is at most once per
key: a key already done returns its earlier external id without posting; a key whose
earlier post got no clear answer is not sent again (`PublicationSkipped` or an
`OutcomeUnknownError`); a refused post raises and may be repeated by a later run.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias, runtime_checkable

if TYPE_CHECKING:  # the Protocols only name these types; importing ports costs nothing
    import pandas as pd

    from connectors.store.ledger import Claim, Publication

# A JSON payload we send (comment bodies in ADF, cards, issue fields, property values): any
# value `json.dumps` takes. `Any`, as typeshed types `json`: a recursive JSON union does not
# fit dicts built in code (dict is invariant). What we *read* back is typed `object` and
# narrowed with isinstance where it is used.
JSON: TypeAlias = Any
JSONObject: TypeAlias = dict[str, Any]


@runtime_checkable
class IssueSource(Protocol):
    """What the flows read from Jira besides the sync: the records earlier publications left
    (entity properties, marked comments) and the first issue a JQL query finds."""

    def read_property(self, issue_key: str, prop: str) -> object:
        """An issue property's value; None when the issue has no such property."""
        ...

    def find_comment(self, issue_key: str, key: str) -> str | None:
        """The id of the comment on the issue published under `key`, if there is one."""
        ...

    def first_issue(self, jql: str, *, context: str) -> str | None:
        """The key of the first issue the query finds, None when it finds none."""
        ...


@runtime_checkable
class JiraPublishing(IssueSource, Protocol):
    """Posting to Jira at most once per publication key; each returns the external id."""

    def comment(self, issue_key: str, adf_or_text: JSON, key: str) -> str: ...

    def attach(self, issue_key: str, filename: str, data: bytes, key: str) -> str: ...

    def set_property(self, issue_key: str, prop: str, value: JSON, key: str) -> str: ...

    def replace_property(self, issue_key: str, prop: str, value: JSON) -> None:
        """PUT an issue property outside the ledger (a record that is replaced whole)."""
        ...

    def create_issue(self, project_key: str, fields: JSONObject, key: str) -> str:
        """Create an issue once per key; returns its key."""
        ...


@runtime_checkable
class M365Publishing(Protocol):
    """Posting to Microsoft 365 at most once per publication key."""

    def upload_file(self, drive: str, path: str, content: bytes, key: str) -> str: ...

    def file_url(self, drive: str, path: str) -> str | None:
        """Where people open an uploaded file (its web URL), or None."""
        ...

    def post_card_webhook(self, url: str, card: JSONObject, key: str) -> str: ...

    def post_channel_message(self, team: str, channel: str, card: JSONObject, key: str) -> str: ...

    def send_mail(
        self,
        sender: str,
        to: list[str],
        subject: str,
        html_body: str,
        attachments: list[tuple[str, bytes]],
        key: str,
    ) -> str: ...

    def create_planner_task(self, plan_id: str, title: str, key: str) -> str: ...


@runtime_checkable
class Ledger(Protocol):
    """The publication ledger (see `connectors.store.ledger` for the claim states)."""

    def get(self, key: str) -> Publication | None: ...

    def claim(self, key: str, target: str, detail: JSONObject | None = None) -> Claim:
        """Take the right to post `key`, atomically: new, resume, done, busy or unknown."""
        ...

    def mark_pending(self, key: str, target: str, detail: JSONObject | None = None) -> None: ...

    def mark_done(
        self, key: str, target: str, external_id: str | None, detail: JSONObject | None = None
    ) -> None: ...

    def mark_failed(
        self, key: str, target: str, error: str, detail: JSONObject | None = None
    ) -> None: ...

    def mark_unknown(self, key: str, target: str, detail: JSONObject | None = None) -> None: ...


class StoreTransaction(Protocol):
    """Writes the flows make inside one warehouse transaction."""

    def snapshot_metrics(
        self, project_id: str, day: date, metrics: Mapping[str, float | None]
    ) -> None: ...

    def set_watermark(
        self, source: str, stream: str, scope: str, watermark: Mapping[str, Any]
    ) -> None:
        """Where a stream got to (the syncs' cursors; the last judgement's record)."""
        ...


@runtime_checkable
class Store(Protocol):
    """The warehouse as the flows use it: canonical frames, metric snapshots, the
    evaluation archive and the publication ledger."""

    def read(
        self,
        table: str,
        *,
        project_ids: Sequence[str] | None = None,
        include_deleted: bool = False,
        where: Mapping[str, object] | None = None,
    ) -> pd.DataFrame: ...

    def read_all(self, *, include_deleted: bool = False) -> dict[str, pd.DataFrame]: ...

    def metric_snapshots(self, project_ids: Sequence[str] | None = None) -> pd.DataFrame: ...

    def content_marks(self) -> dict[str, list[Any]]:
        """Per canonical table, marks that move with every write (row count, last write)."""
        ...

    def get_watermark(self, source: str, stream: str, scope: str = "*") -> JSONObject | None: ...

    def transaction(self) -> AbstractContextManager[StoreTransaction]: ...

    def ledger(self) -> Ledger: ...

    def save_evaluation(self, document: JSONObject) -> str:
        """Archive an evaluation document; returns its id."""
        ...

    def latest_evaluations(self, project_id: str | None = None) -> list[JSONObject]:
        """Archived evaluation documents, newest first."""
        ...

    def last_successful_sync(self) -> dict[str, datetime]:
        """Per source, when its last successful sync finished."""
        ...
