"""Jira write-back: comments, attachments, properties, issues, links and worklogs.

Every write lands in the outbox and is visible through the normal API afterwards.
"""

from __future__ import annotations

from typing import Any

from starlette.datastructures import UploadFile
from starlette.responses import JSONResponse, Response

from sandbox import jira_render as render
from sandbox.adf import body_text
from sandbox.call import Call
from sandbox.errors import JiraError
from sandbox.jira_search import find_issue
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


async def add_comment(call: Call) -> Response:
    pos = find_issue(call)
    body = await call.json_object()
    text = _text(call, body.get("body"), "comment")
    if not text.strip():
        raise JiraError(400, "", field_errors={"comment": "Comment body can not be empty!"})
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
    }
    with call.state.lock:
        call.state.comments.setdefault(str(record["id"]), []).append(stored)
        touch(call, pos)
    call.state.publish("comment", "jira", record["key"], {"body": text, "raw": body.get("body")})
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


def register(router: Router) -> None:
    router.add("POST", f"{API}/issue/{{key}}/comment", add_comment)
    router.add("POST", f"{API}/issue/{{key}}/attachments", add_attachment)
    router.add("GET", f"{API}/attachment/content/{{id}}", attachment_content)
    router.add("GET", f"{API}/issue/{{key}}/properties", list_properties)
    router.add("PUT", f"{API}/issue/{{key}}/properties/{{prop}}", put_property)
    router.add("GET", f"{API}/issue/{{key}}/properties/{{prop}}", get_property)
