"""Publishing already-rendered content to Microsoft 365, exactly once per publication key.

Every call takes a deterministic key from the flow and claims it in the ledger first (one
run posts, an overlapping one skips). What the claim finds:
- *done*: skipped, the earlier external id is returned;
- nothing (a new key): the target is searched for the post's marker all the same, so a
  fresh or rebuilt warehouse adopts what an earlier one published instead of posting again;
- *pending* after a crash between the post and the ledger write: the target is searched for
  the post's marker (a short hash of the key carried by the post): the file at its path with
  the same size, a Planner task whose title carries the marker, a sent mail with the marker
  header, a channel message whose card shows it. Found -> recorded done, not posted again;
- a post the service refused (an HTTP error) is recorded as failed and is safe to repeat;
- a post with no clear answer (`OutcomeUnknownError`: a timeout or a dropped connection after
  sending, a 5xx) is looked up at the target at once; not there -> failed, safe to repeat;
- a Workflows webhook can't be searched: a card the webhook refused (4xx) or that never
  left (connection refused) is recorded as failed and sent again later; a card that may
  have arrived is recorded `unknown`, warned about and never sent again automatically; a
  pending card without such a record (the process died after posting) is taken as
  delivered ("unverified") rather than risk a second card.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from kiota_abstractions.api_error import APIError

from config.settings import GraphSettings, Settings
from connectors.graph import webhook
from connectors.graph.client import GraphConnection, connect, run_blocking
from connectors.graph.errors import GraphConnectorError
from connectors.graph.publish_ops import (
    create_planner_task,
    file_web_url,
    find_channel_message,
    find_file,
    find_planner_task,
    find_sent_mail,
    post_channel_message,
    send_mail,
    upload_file,
)
from connectors.ports import Ledger
from connectors.resilience import UNKNOWN, OutcomeUnknownError
from connectors.store.ledger import PublicationSkipped

log = logging.getLogger(__name__)
UNVERIFIED = "unverified"


def marker(key: str) -> str:
    """A short, stable stand-in for a publication key, safe to show in titles and cards."""
    return "pmo-" + hashlib.sha256(key.encode()).hexdigest()[:12]


def with_marker(card: dict[str, Any], mark: str) -> dict[str, Any]:
    """The card plus a small footer naming its publication marker (the dedupe handle)."""
    footer = {"type": "TextBlock", "text": f"ref {mark}", "isSubtle": True, "size": "Small"}
    return {**card, "body": [*(card.get("body") or []), footer]}


# Look for a publication at its target (its id, or None) / post it (its id). The connection
# is None only for a Teams webhook, which needs no Graph credentials and can't be searched.
Finder = Callable[[GraphConnection | None], Awaitable[str | None]]
Poster = Callable[[GraphConnection | None], Awaitable[str]]


def _graph(conn: GraphConnection | None) -> GraphConnection:
    if conn is None:
        raise GraphConnectorError("a Graph target was called without a Graph connection")
    return conn


class GraphPublisher:
    """Teams (webhook or channel), SharePoint/OneDrive files, mail and Planner tasks."""

    def __init__(
        self,
        settings: GraphSettings,
        ledger: Ledger,
        *,
        base_url: str | None = None,
        token: str | None = None,
        attachment_drive: str | None = None,
        attachment_folder: str = "PMO Reports/attachments",
    ) -> None:
        self.settings = settings
        self.ledger = ledger
        self.base_url = base_url
        self.token = token
        self.attachment_drive = attachment_drive
        self.attachment_folder = attachment_folder

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        ledger: Ledger,
        *,
        base_url: str | None = None,
        token: str | None = None,
    ) -> GraphPublisher:
        targets = settings.publish
        drives = [
            t.sharepoint_drive
            for t in (targets.closeout, targets.gate_review, targets.status_report, targets.alerts)
            if t.sharepoint_drive
        ]
        folder = f"{targets.closeout.sharepoint_folder}/attachments"
        return cls(
            settings.graph,
            ledger,
            base_url=base_url,
            token=token,
            attachment_drive=drives[0] if drives else None,
            attachment_folder=folder,
        )

    # --- the ledger protocol ------------------------------------------------------------------

    def _once(
        self,
        key: str,
        target: str,
        detail: dict[str, Any],
        find: Finder | None,
        post: Poster,
        *,
        token: str | None = None,
        graph: bool = True,
    ) -> str:
        return run_blocking(self._once_async(key, target, detail, find, post, token, graph))

    async def _once_async(
        self,
        key: str,
        target: str,
        detail: dict[str, Any],
        find: Finder | None,
        post: Poster,
        token: str | None,
        graph: bool,
    ) -> str:
        claim = self.ledger.claim(key, target, detail)
        earlier = claim.earlier
        if claim.state == "done" and earlier is not None:
            return earlier.external_id or ""
        if claim.state == UNKNOWN:
            _warn_unknown(key, target)
            raise PublicationUnknownError(key, target, "an earlier run got no clear answer")
        if not claim.mine:
            raise PublicationSkipped(target, "another run holds the claim and is publishing it now")
        # a webhook needs no Graph credentials: a tenant may have only the webhook configured
        conn = (
            connect(self.settings, base_url=self.base_url, token=token or self.token)
            if graph
            else None
        )
        try:
            refused = earlier is not None and (
                earlier.status == "failed" or bool((earlier.detail or {}).get("failed"))
            )
            if not refused:  # a new claim looks too: a fresh warehouse adopts what is there
                found = await find(conn) if find else (UNVERIFIED if earlier else None)
                if found:
                    log.warning(
                        "publication %s was already at %s; recording it, not posting again",
                        key,
                        target,
                    )
                    self.ledger.mark_done(key, target, found, detail)
                    return found
            try:
                external_id = await post(conn)
            except OutcomeUnknownError as exc:
                return await self._resolve_unknown(key, target, detail, find, conn, exc)
            except (APIError, webhook.WebhookRejectedError, GraphConnectorError) as exc:
                if _refused(exc):  # the service said no: nothing was made, safe to repeat
                    self.ledger.mark_pending(key, target, {**detail, "failed": str(exc)[:300]})
                raise
            self.ledger.mark_done(key, target, external_id, detail)
            return str(external_id)
        finally:
            if conn is not None:
                await conn.aclose()

    async def _resolve_unknown(
        self,
        key: str,
        target: str,
        detail: dict[str, Any],
        find: Finder | None,
        conn: GraphConnection | None,
        exc: OutcomeUnknownError,
    ) -> str:
        """A post that may have arrived: look at the target where it can be searched; where
        it can't (a webhook), record `unknown`, warn, and never send it again by itself."""
        if find is not None:
            found = await find(conn)
            if found:
                self.ledger.mark_done(key, target, found, detail)
                return str(found)
            # the target says it is not there: nothing was made, a later run may post it
            self.ledger.mark_pending(key, target, {**detail, "failed": str(exc)[:300]})
            raise GraphConnectorError(
                f"{exc}; not found at {target}, so it was not made: a re-run posts it"
            ) from None
        self.ledger.mark_unknown(key, target, {**detail, "outcome": UNKNOWN, "why": str(exc)[:300]})
        _warn_unknown(key, target)
        raise PublicationUnknownError(key, target, str(exc)) from None

    # --- targets ------------------------------------------------------------------------------

    def post_card_webhook(self, url: str, card: dict[str, Any], key: str) -> str:
        """An Adaptive Card through a Teams Workflows webhook (the unattended path)."""
        mark = marker(key)

        async def post(_: GraphConnection | None) -> str:  # a webhook needs no Graph connection
            await webhook.post_card(
                url,
                with_marker(card, mark),
                timeout=self.settings.timeout_seconds,
                retries=self.settings.max_retries,
                max_total_wait=self.settings.max_total_wait_seconds,
            )
            return mark

        return self._once(key, "teams_webhook", {"marker": mark}, None, post, graph=False)

    def post_channel_message(self, team: str, channel: str, card: dict[str, Any], key: str) -> str:
        """A card in a channel through Graph: needs a delegated token (ChannelMessage.Send)."""
        mark = marker(key)
        token = self._delegated_token()
        target = f"teams/{team}/channels/{channel}"
        return self._once(
            key,
            target,
            {"marker": mark},
            lambda conn: find_channel_message(_graph(conn), team, channel, mark),
            lambda conn: post_channel_message(_graph(conn), team, channel, with_marker(card, mark)),
            token=token,
        )

    def upload_file(self, drive: str, path: str, content: bytes, key: str) -> str:
        """A file at `path` in the drive: one PUT up to 4 MB, an upload session above."""
        target = f"drives/{drive}/root:/{path}"
        return self._once(
            key,
            target,
            {"path": path, "size": len(content)},
            lambda conn: find_file(_graph(conn), drive, path),
            lambda conn: upload_file(_graph(conn), drive, path, content),
        )

    def file_url(self, drive: str, path: str) -> str | None:
        """Where people open an uploaded file (its SharePoint web URL), or None."""

        async def look() -> str | None:
            conn = connect(self.settings, base_url=self.base_url, token=self.token)
            try:
                return await file_web_url(conn, drive, path)
            finally:
                await conn.aclose()

        return run_blocking(look())

    def send_mail(
        self,
        sender: str,
        to: list[str],
        subject: str,
        html_body: str,
        attachments: list[tuple[str, bytes]],
        key: str,
    ) -> str:
        """An HTML mail; attachments up to 3 MB inline, larger ones as a link to an uploaded copy."""
        mark = marker(key)
        drive, folder = self.attachment_drive, f"{self.attachment_folder}/{mark}"
        return self._once(
            key,
            f"users/{sender}/sendMail",
            {"marker": mark, "to": len(to)},
            lambda conn: find_sent_mail(_graph(conn), sender, mark),
            lambda conn: send_mail(
                _graph(conn),
                sender,
                to,
                subject,
                html_body,
                attachments,
                mark,
                link_drive=drive,
                link_folder=folder,
            ),
        )

    def create_planner_task(self, plan_id: str, title: str, key: str) -> str:
        """A follow-up task in a plan; its title carries the marker so a retry can find it."""
        mark = marker(key)
        return self._once(
            key,
            f"planner/plans/{plan_id}",
            {"marker": mark},
            lambda conn: find_planner_task(_graph(conn), plan_id, mark),
            lambda conn: create_planner_task(_graph(conn), plan_id, f"{title[:230]} [{mark}]"),
        )

    def _delegated_token(self) -> str | None:
        if self.token:  # the sandbox's token stands for a user too
            return self.token
        if self.settings.delegated_token is None:
            raise GraphConnectorError(
                "Posting to a Teams channel through Graph needs a delegated token with "
                "ChannelMessage.Send (graph.delegated_token); for unattended posting configure "
                "publish.<target>.teams_webhook with a Teams Workflows webhook URL instead"
            )
        return self.settings.delegated_token.resolve()


class PublicationUnknownError(OutcomeUnknownError):
    """A publication that may or may not be at its target; recorded as `unknown` in the
    ledger and not sent again automatically (see the README's reliability section)."""

    def __init__(self, key: str, target: str, why: str) -> None:
        super().__init__(
            f"publication {key} to {target}: outcome unknown ({why}); not sent again - check "
            "the target, and delete the ledger row to send it again",
            what=target,
        )
        self.key = key
        self.target = target


def _warn_unknown(key: str, target: str) -> None:
    log.warning(
        "publication %s to %s may or may not have arrived (no clear answer); it is not sent "
        "again automatically",
        key,
        target,
    )


def _refused(exc: BaseException) -> bool:
    """Nothing was made: the service answered with an error, or a webhook could not be
    reached at all (the card never left)."""
    if isinstance(exc, webhook.WebhookUnreachableError):
        return True
    status = getattr(exc, "response_status_code", None) or getattr(exc, "status", None)
    return isinstance(status, int) and status >= 400
