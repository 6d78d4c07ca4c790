"""Teams channel messages (`POST` answers 201 chatMessage; posted messages can be listed)."""

from __future__ import annotations

import copy
from typing import Any

from sandbox.graph.cards import ADAPTIVE_CARD, card_from_string
from sandbox.graph.clock import graph_time
from sandbox.graph.errors import bad_request, not_found
from sandbox.graph.http import GraphRequest, GraphResponse, json_response
from sandbox.graph.paging import paged_collection
from sandbox.graph.state import GraphState

ATTACHMENT_KEYS = ("id", "contentType", "contentUrl", "content", "name", "thumbnailUrl")


def _attachments(raw: Any) -> list[dict[str, Any]]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise bad_request("chatMessage.attachments must be an array.")
    attachments = []
    for index, attachment in enumerate(raw):
        where = f"chatMessage.attachments[{index}]"
        if not isinstance(attachment, dict) or not attachment.get("contentType"):
            raise bad_request(f"{where} needs a 'contentType'.")
        if attachment["contentType"] == ADAPTIVE_CARD:
            card_from_string(attachment.get("content"), where)
        attachments.append({key: attachment.get(key) for key in ATTACHMENT_KEYS})
    return attachments


def _body(raw: Any) -> dict[str, Any]:
    if not isinstance(raw, dict) or not isinstance(raw.get("content"), str):
        raise bad_request("chatMessage.body with a 'content' string is required.")
    content_type = raw.get("contentType", "text")
    if content_type not in {"text", "html"}:
        raise bad_request(
            f"chatMessage.body.contentType must be 'text' or 'html', not {content_type!r}."
        )
    return {"contentType": content_type, "content": raw["content"]}


def _sender(graph: GraphState) -> dict[str, Any]:
    user = graph.actor()["user"]
    return {
        "application": None,
        "device": None,
        "user": {
            "@odata.type": "#microsoft.graph.teamworkUserIdentity",
            "id": user["id"],
            "displayName": user["displayName"],
            "userIdentityType": "aadUser",
        },
    }


def post_message(graph: GraphState, req: GraphRequest, team: str, channel: str) -> GraphResponse:
    graph.channel(team, channel)
    payload = req.json()
    body, attachments = _body(payload.get("body")), _attachments(payload.get("attachments"))
    now = graph.now()
    # Teams message ids are epoch milliseconds; keep them unique when posts share a tick.
    graph.last_message_id = max(int(now.timestamp() * 1000), graph.last_message_id + 1)
    message_id = str(graph.last_message_id)
    message = {
        "id": message_id, "etag": message_id, "messageType": "message", "replyToId": None,
        "createdDateTime": graph_time(now), "lastModifiedDateTime": graph_time(now),
        "lastEditedDateTime": None, "deletedDateTime": None, "subject": payload.get("subject"),
        "summary": None, "chatId": None, "importance": payload.get("importance", "normal"),
        "locale": "en-us", "webUrl": f"{req.base_url}/teams/{team}/channels/{channel}/messages/{message_id}",
        "policyViolation": None, "eventDetail": None, "from": _sender(graph), "body": body,
        "channelIdentity": {"teamId": team, "channelId": channel},
        "attachments": attachments, "mentions": payload.get("mentions") or [], "reactions": [],
    }  # fmt: skip
    graph.messages.setdefault((team, channel), []).append(message)
    graph.publish("channel_message", f"teams/{team}/channels/{channel}", copy.deepcopy(message))
    return json_response(message, status=201)


def list_messages(graph: GraphState, req: GraphRequest, team: str, channel: str) -> GraphResponse:
    graph.channel(team, channel)
    messages = list(reversed(graph.messages.get((team, channel), [])))  # newest first, as Teams
    return json_response(paged_collection(req, messages, 20, maximum=50))


def get_message(
    graph: GraphState, req: GraphRequest, team: str, channel: str, message: str
) -> GraphResponse:
    graph.channel(team, channel)
    for found in graph.messages.get((team, channel), []):
        if found["id"] == message:
            return json_response(found)
    raise not_found("chatMessage", message)


def get_team(graph: GraphState, req: GraphRequest, team: str) -> GraphResponse:
    return json_response({k: v for k, v in graph.team(team).items() if k != "channels"})


def list_channels(graph: GraphState, req: GraphRequest, team: str) -> GraphResponse:
    return json_response(paged_collection(req, graph.team(team).get("channels") or [], 100))


def get_channel(graph: GraphState, req: GraphRequest, team: str, channel: str) -> GraphResponse:
    return json_response(graph.channel(team, channel))
