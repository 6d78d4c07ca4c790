"""The Graph calls behind `GraphPublisher`: one post and one look-up per kind of target."""

from __future__ import annotations

import asyncio
import base64
import html
import json
import mimetypes
import random
from typing import Any

import httpx
from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph.generated.drives.item.items.item.create_upload_session.create_upload_session_post_request_body import (
    CreateUploadSessionPostRequestBody,
)
from msgraph.generated.models.body_type import BodyType
from msgraph.generated.models.chat_message import ChatMessage
from msgraph.generated.models.chat_message_attachment import ChatMessageAttachment
from msgraph.generated.models.drive_item_uploadable_properties import DriveItemUploadableProperties
from msgraph.generated.models.email_address import EmailAddress
from msgraph.generated.models.file_attachment import FileAttachment
from msgraph.generated.models.internet_message_header import InternetMessageHeader
from msgraph.generated.models.item_body import ItemBody
from msgraph.generated.models.message import Message
from msgraph.generated.models.planner_task import PlannerTask
from msgraph.generated.models.recipient import Recipient
from msgraph.generated.users.item.send_mail.send_mail_post_request_body import (
    SendMailPostRequestBody,
)

from connectors.graph.client import GraphConnection
from connectors.graph.errors import GraphConnectorError, guarded
from connectors.graph.transport import get_json, read_pages
from connectors.graph.webhook import ADAPTIVE_CARD
from connectors.resilience import Attempts, RetryPolicy

SIMPLE_UPLOAD_LIMIT = 4 * 1024 * 1024  # Graph's limit for a single PUT of content
INLINE_ATTACHMENT_LIMIT = 3 * 1024 * 1024  # sendMail's limit for an attachment in the body
CHUNK = 10 * 320 * 1024  # upload-session chunks must be multiples of 320 KiB
MARKER_HEADER = "X-PMO-Publication"


# --- Teams channel ---------------------------------------------------------------------------


async def post_channel_message(
    conn: GraphConnection, team: str, channel: str, card: dict[str, Any]
) -> str:
    message = ChatMessage(
        body=ItemBody(content_type=BodyType.Html, content='<attachment id="card"></attachment>'),
        attachments=[
            ChatMessageAttachment(id="card", content_type=ADAPTIVE_CARD, content=json.dumps(card))
        ],
    )
    builder = conn.client.teams.by_team_id(team).channels.by_channel_id(channel).messages
    async with conn.limit("publish"):
        posted = await guarded(
            builder.post(message),
            f"a message in channel {channel} of team {team}",
            "channel_message",
        )
    return str(posted.id)


async def find_channel_message(
    conn: GraphConnection, team: str, channel: str, mark: str
) -> str | None:
    builder = conn.client.teams.by_team_id(team).channels.by_channel_id(channel).messages
    messages = await read_pages(
        conn, "publish", builder, f"messages of channel {channel}", "channel_message"
    )
    for message in messages:
        if any(mark in str(a.get("content") or "") for a in message.get("attachments") or []):
            return str(message["id"])
    return None


# --- files -----------------------------------------------------------------------------------


def _item(conn: GraphConnection, drive: str, path: str) -> Any:
    return conn.client.drives.by_drive_id(drive).items.by_drive_item_id(f"root:/{path.strip('/')}:")


async def existing_file(
    conn: GraphConnection, drive: str, path: str, size: int | None
) -> dict[str, Any] | None:
    """The driveItem at `path` if it is there (with the expected size, when one is given)."""
    info = _item(conn, drive, path).to_get_request_information()
    try:
        async with conn.limit("publish"):
            found = await get_json(conn, info, f"file {path} in drive {drive}", "drive_upload")
    except GraphConnectorError as exc:
        if exc.status == 404:
            return None
        raise
    return found if size is None or found.get("size") == size else None


async def find_file(
    conn: GraphConnection, drive: str, path: str, size: int | None = None
) -> str | None:
    """A report's path names its evaluation (kind, project, phase, data version), so a file
    there is that report: an upload is one request (or a session committed at its end), and
    a re-rendered copy may differ in size only by its timestamp."""
    found = await existing_file(conn, drive, path, size)
    return str(found["id"]) if found else None


def attachment_type(name: str) -> str:
    """The MIME type a mail client needs to open an attachment (the report is HTML)."""
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


async def file_web_url(conn: GraphConnection, drive: str, path: str) -> str | None:
    """The `webUrl` of the driveItem at `path` (where people open it), None when absent."""
    found = await existing_file(conn, drive, path, None)
    url = (found or {}).get("webUrl")
    return str(url) if url else None


async def upload_file(conn: GraphConnection, drive: str, path: str, content: bytes) -> str:
    item_id, _ = await upload(conn, drive, path, content)
    return item_id


async def upload(
    conn: GraphConnection, drive: str, path: str, content: bytes
) -> tuple[str, str | None]:
    """(item id, web URL) of the uploaded file."""
    if len(content) > SIMPLE_UPLOAD_LIMIT:
        return await _upload_in_chunks(conn, drive, path, content)
    # one call: the connection's retry policy repeats a PUT of content (safe to repeat)
    async with conn.limit("publish"):
        item = await guarded(
            _item(conn, drive, path).content.put(content),
            f"upload of {path}",
            "drive_upload",
        )
    return str(item.id), item.web_url


async def _upload_in_chunks(
    conn: GraphConnection, drive: str, path: str, content: bytes
) -> tuple[str, str | None]:
    """createUploadSession, then PUT ranges to the (pre-authenticated) upload URL."""
    body = CreateUploadSessionPostRequestBody(
        item=DriveItemUploadableProperties(
            additional_data={"@microsoft.graph.conflictBehavior": "replace"}
        )
    )
    async with conn.limit("publish"):
        session = await guarded(
            _item(conn, drive, path).create_upload_session.post(body),
            f"upload session for {path}",
            "drive_upload",
        )
    start, total = 0, len(content)
    async with httpx.AsyncClient(timeout=conn.http.timeout) as http:
        while True:
            end = min(start + CHUNK, total) - 1
            reply = await _put_chunk(
                http, session.upload_url, content[start : end + 1], start, end, total, conn.policy
            )
            if reply.status_code in (200, 201):
                item = reply.json()
                return str(item["id"]), item.get("webUrl")
            start = next_range_start(reply.json(), end + 1)


def next_range_start(reply: dict[str, Any], default: int) -> int:
    """Where the next chunk starts: the first missing range of a 202 reply, in the open
    (`"26-"`) or closed (`"12345-55232"`) form; `default` when the reply names none."""
    ranges = reply.get("nextExpectedRanges") or []
    return int(str(ranges[0]).split("-", 1)[0]) if ranges else default


async def _put_chunk(
    http: httpx.AsyncClient,
    url: str,
    chunk: bytes,
    start: int,
    end: int,
    total: int,
    policy: RetryPolicy | None = None,
) -> httpx.Response:
    """One range under the shared retry policy; a PUT of a range is safe to repeat, so
    throttling, 5xx and drops are retried within the policy's count and wait budget."""
    headers = {"Content-Range": f"bytes {start}-{end}/{total}", "Content-Length": str(len(chunk))}
    attempts = Attempts(policy or RetryPolicy(), repeatable=True, rng=random.Random())
    while True:
        reply: httpx.Response | None = None
        try:
            reply = await http.put(url, content=chunk, headers=headers)
        except httpx.TransportError as exc:
            verdict = attempts.after_error(exc)
        else:
            verdict = attempts.after_status(reply.status_code, reply.headers.get("retry-after"))
        if verdict.action == "retry":
            await asyncio.sleep(verdict.delay)
            continue
        if reply is None:
            raise GraphConnectorError(
                f"upload chunk {start}-{end}: no answer after {attempts.retries + 1} attempts"
            )
        if reply.status_code >= 400:
            raise GraphConnectorError(
                f"upload chunk {start}-{end} refused: {reply.status_code} {reply.text[:200]}",
                status=reply.status_code,
            )
        return reply


# --- mail ------------------------------------------------------------------------------------


async def send_mail(
    conn: GraphConnection,
    sender: str,
    to: list[str],
    subject: str,
    html_body: str,
    attachments: list[tuple[str, bytes]],
    mark: str,
    *,
    link_drive: str | None,
    link_folder: str,
) -> str:
    inline, links = [], []
    for name, data in attachments:
        if len(data) <= INLINE_ATTACHMENT_LIMIT:
            inline.append(
                FileAttachment(name=name, content_bytes=data, content_type=attachment_type(name))
            )
            continue
        if not link_drive:
            raise GraphConnectorError(
                f"attachment {name!r} is {len(data)} bytes, above the 3 MB inline limit; configure "
                "publish.<target>.sharepoint_drive so it can be uploaded and linked"
            )
        path = f"{link_folder}/{name}"
        found = await existing_file(conn, link_drive, path, len(data))  # a retry reuses it
        if found:
            item_id, web_url = str(found["id"]), found.get("webUrl")
        else:
            item_id, web_url = await upload(conn, link_drive, path, data)
        url = web_url or await item_web_url(conn, link_drive, item_id)
        links.append(_link_html(url, name))
    message = Message(
        subject=subject,
        body=ItemBody(content_type=BodyType.Html, content=html_body + "".join(links)),
        to_recipients=[Recipient(email_address=EmailAddress(address=a)) for a in to],
        attachments=inline or None,
        internet_message_headers=[InternetMessageHeader(name=MARKER_HEADER, value=mark)],
    )
    body = SendMailPostRequestBody(message=message, save_to_sent_items=True)
    async with conn.limit("publish"):
        await guarded(
            conn.client.users.by_user_id(sender).send_mail.post(body),
            f"mail from {sender}",
            "send_mail",
        )
    return mark


async def item_web_url(conn: GraphConnection, drive: str, item_id: str) -> str:
    """The address a person opens the file at. Upload replies may omit `webUrl` (the
    documented put-content reply does); the item's own URL under `/content` would need a
    bearer token, so the item is read for its `webUrl`."""
    builder = conn.client.drives.by_drive_id(drive).items.by_drive_item_id(item_id)
    query = builder.DriveItemItemRequestBuilderGetQueryParameters(select=["id", "webUrl"])
    info = builder.to_get_request_information(RequestConfiguration(query_parameters=query))
    async with conn.limit("publish"):
        found = await get_json(conn, info, f"file {item_id} in drive {drive}", "drive_upload")
    if not found.get("webUrl"):
        raise GraphConnectorError(
            f"Graph gave no webUrl for file {item_id} in drive {drive}: no link people can open"
        )
    return str(found["webUrl"])


def _link_html(url: str, name: str) -> str:
    return f'<p>Attachment (too large to include): <a href="{html.escape(url)}">{html.escape(name)}</a></p>'


async def find_sent_mail(conn: GraphConnection, sender: str, mark: str) -> str | None:
    """Looks at the newest sent items for the marker header (sendMail returns no id)."""
    builder = (
        conn.client.users.by_user_id(sender).mail_folders.by_mail_folder_id("sentitems").messages
    )
    query = builder.MessagesRequestBuilderGetQueryParameters(
        top=100, select=["internetMessageHeaders", "subject"]
    )
    info = builder.to_get_request_information(RequestConfiguration(query_parameters=query))
    async with conn.limit("publish"):
        page = await get_json(conn, info, f"sent items of {sender}", "send_mail")
    for message in page.get("value") or []:
        headers = message.get("internetMessageHeaders") or []
        if any(
            h.get("name", "").lower() == MARKER_HEADER.lower() and h.get("value") == mark
            for h in headers
        ):
            return mark
    return None


def attachment_bytes(attachment: dict[str, Any]) -> bytes:
    return base64.b64decode(attachment.get("contentBytes") or "")


# --- Planner ---------------------------------------------------------------------------------


async def create_planner_task(conn: GraphConnection, plan_id: str, title: str) -> str:
    async with conn.limit("publish"):
        task = await guarded(
            conn.client.planner.tasks.post(PlannerTask(plan_id=plan_id, title=title)),
            f"a task in plan {plan_id}",
            "planner_write",
        )
    return str(task.id)


async def find_planner_task(conn: GraphConnection, plan_id: str, mark: str) -> str | None:
    builder = conn.client.planner.plans.by_planner_plan_id(plan_id).tasks
    for task in await read_pages(
        conn, "publish", builder, f"tasks of plan {plan_id}", "planner_write"
    ):
        if mark in str(task.get("title") or ""):
            return str(task["id"])
    return None
