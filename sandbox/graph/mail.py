"""`users/{id}/sendMail`: 202 with no body; saved copies are readable under the sender."""

from __future__ import annotations

import base64
import binascii
import copy
import secrets
from typing import Any

from sandbox.graph.clock import graph_time
from sandbox.graph.errors import bad_request
from sandbox.graph.http import GraphRequest, GraphResponse, empty, json_response
from sandbox.graph.paging import paged_collection
from sandbox.graph.state import GraphState

MESSAGE_KEYS = (
    "subject", "body", "toRecipients", "ccRecipients", "bccRecipients", "replyTo",
    "importance", "internetMessageHeaders",
)  # fmt: skip


def _either(body: dict[str, Any], *names: str) -> Any:
    """The SDK sends `Message`/`SaveToSentItems`, the docs `message`/`saveToSentItems`."""
    for name in names:
        if name in body:
            return body[name]
    return None


def _check_recipients(message: dict[str, Any]) -> None:
    recipients = [
        *(message.get("toRecipients") or []),
        *(message.get("ccRecipients") or []),
        *(message.get("bccRecipients") or []),
    ]
    if not recipients:
        raise bad_request("sendMail: the message needs at least one recipient.")
    for index, recipient in enumerate(recipients):
        address = ((recipient or {}).get("emailAddress") or {}).get("address")
        if not isinstance(address, str) or "@" not in address:
            raise bad_request(f"sendMail: recipient {index} has no valid emailAddress.address.")


def _attachments(message: dict[str, Any]) -> list[dict[str, Any]]:
    attachments = message.get("attachments") or []
    for index, attachment in enumerate(attachments):
        where = f"sendMail: attachments[{index}]"
        if attachment.get("@odata.type") != "#microsoft.graph.fileAttachment":
            raise bad_request(f"{where} must be a #microsoft.graph.fileAttachment.")
        if not attachment.get("name"):
            raise bad_request(f"{where} needs a 'name'.")
        try:
            base64.b64decode(attachment.get("contentBytes") or "", validate=True)
        except (binascii.Error, ValueError) as exc:
            raise bad_request(f"{where}: contentBytes is not base64.") from exc
    return attachments


def send_mail(graph: GraphState, req: GraphRequest, user: str) -> GraphResponse:
    sender = graph.user(user)
    body = req.json()
    message = _either(body, "Message", "message")
    if not isinstance(message, dict):
        raise bad_request("sendMail: the body needs a 'message' object.")
    _check_recipients(message)
    attachments = _attachments(message)
    now = graph_time(graph.now())
    address = {"emailAddress": {"name": sender.get("displayName"), "address": sender.get("mail")}}
    sent = {key: copy.deepcopy(message[key]) for key in MESSAGE_KEYS if key in message}
    sent.update({
        "id": secrets.token_urlsafe(24), "createdDateTime": now, "sentDateTime": now,
        "lastModifiedDateTime": now, "isDraft": False, "hasAttachments": bool(attachments),
        "from": address, "sender": address,
    })  # fmt: skip
    graph.publish("mail", f"users/{sender['id']}", {**sent, "attachments": attachments})
    if _either(body, "SaveToSentItems", "saveToSentItems") is not False:
        graph.sent_mail.setdefault(sender["id"], []).append(sent)
    return empty(202)


def list_sent(graph: GraphState, req: GraphRequest, user: str, folder: str = "") -> GraphResponse:
    if folder and folder.casefold() != "sentitems":
        raise bad_request(f"Only the 'sentitems' mail folder is served, not '{folder}'.")
    sender = graph.user(user)
    messages = list(reversed(graph.sent_mail.get(sender["id"], [])))
    return json_response(paged_collection(req, messages, 10, maximum=1000))
