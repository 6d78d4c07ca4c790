"""Jira write-back: comments, attachments, properties, issues, links and worklogs.

Every write lands in the outbox and is visible through the normal API afterwards.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.datastructures import UploadFile
from starlette.responses import JSONResponse, Response

from sandbox.call import Call
from sandbox.errors import JiraError
from sandbox.jira import render
from sandbox.jira.adf import body_text
from sandbox.jira.search import find_issue
from sandbox.router import Router
from sandbox.timefmt import jira_ts

API = "rest/api/{ver}"
PROPERTY_MAX_CHARS = 32768
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024


def _text(call: Call, value: Any, where: str) -> str:
    try:
        return body_text(value, call.version, where)
    except ValueError as exc:
        raise JiraError(400, "", field_errors={where: str(exc)}) from None


def touch(call: Call, pos: int) -> None:
    """A write moves the issue's ``updated``, as in Jira: a comment, an attachment, a
    worklog, a link (generated bulk issues too). Entity properties do not: they are not
    fields and leave no history."""
    with call.state.lock:
        call.state.issues.set_updated(pos, call.state.now())


def _entity_properties(value: Any) -> dict[str, Any]:
    """`properties` of a create body: a list of {key, value}, each as PUT would take it."""
    if value is None:
        return {}
    if not isinstance(value, list) or not all(isinstance(p, dict) for p in value):
        raise JiraError(400, "", field_errors={"properties": "must be a list of {key, value}"})
    out: dict[str, Any] = {}
    for prop in value:
        key = prop.get("key")
        if not isinstance(key, str) or not key or len(key) > 255:
            raise JiraError(400, "The property key must be 1 to 255 characters.")
        if len(json.dumps(prop.get("value"))) > PROPERTY_MAX_CHARS:
            raise JiraError(
                400, f"The property value must be at most {PROPERTY_MAX_CHARS} characters."
            )
        out[key] = prop.get("value")
    return out


async def add_comment(call: Call) -> Response:
    pos = find_issue(call)
    body = await call.json_object()
    text = _text(call, body.get("body"), "comment")
    if not text.strip():
        raise JiraError(400, "", field_errors={"comment": "Comment body can not be empty!"})
    properties = _entity_properties(body.get("properties"))
    record = call.state.issues.record(pos)
    now = jira_ts(call.state.now())
    bot = {"accountId": call.state.bot()["account_id"]}
    stored = {
        "id": str(call.state.new_id()),
        "issueId": str(record["id"]),
        "author": bot,
        "updateAuthor": bot,
        "body": text,
        "created": now,
        "updated": now,
        "jsdPublic": True,
        "properties": properties,  # shown only with expand=properties
    }
    with call.state.lock:
        call.state.comments.setdefault(str(record["id"]), []).append(stored)
        touch(call, pos)
    call.state.publish(
        "comment",
        "jira",
        record["key"],
        {"body": text, "raw": body.get("body"), "properties": properties},
    )
    return JSONResponse(render.comment(call.state, stored, call.version), status_code=201)


async def add_attachment(call: Call) -> Response:
    if call.request.headers.get("x-atlassian-token", "").lower() != "no-check":
        raise JiraError(403, "XSRF check failed: send the header 'X-Atlassian-Token: no-check'.")
    pos = find_issue(call)
    form = await call.request.form()
    uploads = [v for k, v in form.multi_items() if k == "file" and isinstance(v, UploadFile)]
    if not uploads:
        raise JiraError(400, "No attachment was sent: the multipart part must be named 'file'.")
    record = call.state.issues.record(pos)
    out = [await _store_attachment(call, record, upload) for upload in uploads]
    with call.state.lock:
        touch(call, pos)
    return JSONResponse(out)


async def _store_attachment(
    call: Call, record: dict[str, Any], upload: UploadFile
) -> dict[str, Any]:
    content = await upload.read()
    if len(content) > MAX_ATTACHMENT_BYTES:
        raise JiraError(413, f"The file '{upload.filename}' is too large.")
    attachment_id = str(call.state.new_id())
    base = call.state.jira_base
    bean = {
        "self": f"{base}/rest/api/{call.version}/attachment/{attachment_id}",
        "id": attachment_id,
        "filename": upload.filename or "upload",
        "author": render.bot_user(call.state),
        "created": jira_ts(call.state.now()),
        "size": len(content),
        "mimeType": upload.content_type or "application/octet-stream",
        "content": f"{base}/rest/api/{call.version}/attachment/content/{attachment_id}",
    }
    with call.state.lock:
        call.state.attachments.setdefault(str(record["id"]), []).append(bean)
        call.state.attachment_bytes[attachment_id] = content
    call.state.publish(
        "attachment",
        "jira",
        record["key"],
        {
            "filename": bean["filename"],
            "size": len(content),
            "mimeType": bean["mimeType"],
            "id": attachment_id,
        },
    )
    return bean


async def attachment_content(call: Call) -> Response:
    content = call.state.attachment_bytes.get(call.params["id"])
    if content is None:
        raise JiraError(404, f"The attachment with id '{call.params['id']}' does not exist.")
    return Response(content, media_type="application/octet-stream")


def _properties(call: Call, record: dict[str, Any]) -> dict[str, Any]:
    issue_id = str(record["id"])
    if "properties" in record:
        return record["properties"]
    return call.state.bulk_properties.setdefault(issue_id, {})


async def put_property(call: Call) -> Response:
    record = call.state.issues.record(find_issue(call))
    raw = (await call.request.body()).decode("utf-8", "replace")
    if not raw.strip() or len(raw) > PROPERTY_MAX_CHARS:
        raise JiraError(
            400,
            f"The property value must be non-empty JSON of at most {PROPERTY_MAX_CHARS} characters.",
        )
    value = await call.json()
    name = call.params["prop"]
    with call.state.lock:
        props = _properties(call, record)
        created = name not in props
        props[name] = value
    call.state.publish("property", "jira", record["key"], {"key": name, "value": value})
    return Response(status_code=201 if created else 200)


async def get_property(call: Call) -> Response:
    record = call.state.issues.record(find_issue(call))
    props = _properties(call, record)
    name = call.params["prop"]
    if name not in props:
        raise JiraError(404, f"The property with key '{name}' does not exist.")
    return JSONResponse({"key": name, "value": props[name]})


async def list_properties(call: Call) -> Response:
    record = call.state.issues.record(find_issue(call))
    base = f"{call.state.jira_base}/rest/api/{call.version}/issue/{record['id']}/properties"
    keys = [{"self": f"{base}/{k}", "key": k} for k in _properties(call, record)]
    return JSONResponse({"keys": keys})


# --- comments: read back, and their entity properties ------------------------------------


def _comment_by_id(call: Call, comment_id: str) -> dict[str, Any]:
    with call.state.lock:
        for comments in call.state.comments.values():
            for stored in comments:
                if stored["id"] == comment_id:
                    return stored
    raise JiraError(404, f"Can not find a comment for the id: {comment_id}.")


def _rendered(call: Call, stored: dict[str, Any], expand: set[str]) -> dict[str, Any]:
    out = render.comment(call.state, stored, call.version)
    props = stored.get("properties") or {}
    if "properties" in expand:
        out["properties"] = [{"key": k, "value": v} for k, v in props.items()]
    return out


async def list_comments(call: Call) -> Response:
    """GET issue/{key}/comment: a page of the issue's comments, oldest first."""
    record = call.state.issues.record(find_issue(call))
    start = call.query_int("startAt", 0)
    size = call.query_int("maxResults", 5000, low=1, high=5000)
    stored = list(call.state.comments.get(str(record["id"]), []))
    if (call.query("orderBy") or "").lstrip("+") == "-created":
        stored.reverse()
    page = stored[start : start + size]
    expand = set(call.query_list("expand"))
    return JSONResponse(
        {
            "startAt": start,
            "maxResults": size,
            "total": len(stored),
            "comments": [_rendered(call, c, expand) for c in page],
        }
    )


async def comments_by_ids(call: Call) -> Response:
    """POST comment/list: comments by id (at most 1000), `expand=properties` supported."""
    body = await call.json_object()
    ids = body.get("ids")
    if not isinstance(ids, list) or not ids or len(ids) > 1000:
        raise JiraError(400, "The request must contain between 1 and 1000 comment IDs.")
    wanted = {str(i) for i in ids}
    expand = set(call.query_list("expand"))
    with call.state.lock:
        found = [c for cs in call.state.comments.values() for c in cs if c["id"] in wanted]
    values = [_rendered(call, c, expand) for c in sorted(found, key=lambda c: int(c["id"]))]
    return JSONResponse(
        {"startAt": 0, "maxResults": 1000, "total": len(values), "isLast": True, "values": values}
    )


async def comment_property_keys(call: Call) -> Response:
    stored = _comment_by_id(call, call.params["id"])
    base = f"{call.state.jira_base}/rest/api/{call.version}/comment/{stored['id']}/properties"
    keys = [{"self": f"{base}/{k}", "key": k} for k in stored.get("properties") or {}]
    return JSONResponse({"keys": keys})


async def get_comment_property(call: Call) -> Response:
    stored = _comment_by_id(call, call.params["id"])
    name = call.params["prop"]
    props = stored.get("properties") or {}
    if name not in props:
        raise JiraError(404, f"The property with key '{name}' does not exist.")
    return JSONResponse({"key": name, "value": props[name]})


async def put_comment_property(call: Call) -> Response:
    stored = _comment_by_id(call, call.params["id"])
    raw = (await call.request.body()).decode("utf-8", "replace")
    if not raw.strip() or len(raw) > PROPERTY_MAX_CHARS:
        raise JiraError(
            400,
            f"The property value must be non-empty JSON of at most {PROPERTY_MAX_CHARS} characters.",
        )
    value = await call.json()
    name = call.params["prop"]
    with call.state.lock:
        props = stored.setdefault("properties", {})
        created = name not in props
        props[name] = value
    call.state.publish("comment_property", "jira", stored["id"], {"key": name, "value": value})
    return Response(status_code=201 if created else 200)


async def delete_comment_property(call: Call) -> Response:
    stored = _comment_by_id(call, call.params["id"])
    name = call.params["prop"]
    with call.state.lock:
        props = stored.get("properties") or {}
        if name not in props:
            raise JiraError(404, f"The property with key '{name}' does not exist.")
        del props[name]
    return Response(status_code=204)


def register(router: Router) -> None:
    router.add("POST", f"{API}/issue/{{key}}/comment", add_comment)
    router.add("GET", f"{API}/issue/{{key}}/comment", list_comments)
    router.add("POST", f"{API}/comment/list", comments_by_ids)
    router.add("GET", f"{API}/comment/{{id}}/properties", comment_property_keys)
    router.add("GET", f"{API}/comment/{{id}}/properties/{{prop}}", get_comment_property)
    router.add("PUT", f"{API}/comment/{{id}}/properties/{{prop}}", put_comment_property)
    router.add("DELETE", f"{API}/comment/{{id}}/properties/{{prop}}", delete_comment_property)
    router.add("POST", f"{API}/issue/{{key}}/attachments", add_attachment)
    router.add("GET", f"{API}/attachment/content/{{id}}", attachment_content)
    router.add("GET", f"{API}/issue/{{key}}/properties", list_properties)
    router.add("PUT", f"{API}/issue/{{key}}/properties/{{prop}}", put_property)
    router.add("GET", f"{API}/issue/{{key}}/properties/{{prop}}", get_property)
