"""What the pipeline publishes: channel messages, files, mail, webhook cards, `$batch`."""

from __future__ import annotations

import base64
import json
from urllib.parse import quote

import pytest
from starlette.testclient import TestClient

from tests.sandbox.graph.conftest import CHANNEL, SITE, USERS, LocalCore, card_message

BASE = "http://127.0.0.1:8081/v1.0"
MESSAGES = f"{BASE}/teams/team-1/channels/{quote(CHANNEL, safe='')}/messages"
CARD = {"type": "AdaptiveCard", "version": "1.4", "body": [{"type": "TextBlock", "text": "Go"}]}


def _message(content: object) -> dict:
    return {
        "body": {"contentType": "html", "content": '<attachment id="a1"></attachment>'},
        "attachments": [
            {
                "id": "a1",
                "contentType": "application/vnd.microsoft.card.adaptive",
                "content": content,
            }
        ],
    }


def test_channel_message_with_card_is_201_listed_and_in_the_outbox(
    client: TestClient, core: LocalCore
) -> None:
    response = client.post(MESSAGES, json=_message(json.dumps(CARD)))
    posted = response.json()
    listed = client.get(MESSAGES).json()["value"]
    assert response.status_code == 201 and posted["messageType"] == "message"
    assert posted["channelIdentity"] == {"teamId": "team-1", "channelId": CHANNEL}
    assert [m["id"] for m in listed] == [posted["id"]]
    assert core.outbox.entries[-1]["kind"] == "channel_message"


def test_channels_of_a_team_are_listed(client: TestClient) -> None:
    channels = client.get(f"{BASE}/teams/team-1/channels").json()["value"]
    one = client.get(f"{BASE}/teams/team-1/channels/{quote(CHANNEL, safe='')}").json()
    assert [c["id"] for c in channels] == [CHANNEL] and one["displayName"] == "PMO"
    assert client.get(f"{BASE}/teams/team-1/channels/19%3Anope").status_code == 404


@pytest.mark.parametrize(
    "content",
    [
        CARD,  # the card as an object: Graph wants a JSON string
        "{not json",  # not JSON at all
        json.dumps({"type": "Hero", "version": "1.4"}),  # not an Adaptive Card
    ],
)
def test_invalid_card_attachments_answer_400(client: TestClient, content: object) -> None:
    assert client.post(MESSAGES, json=_message(content)).status_code == 400


@pytest.mark.parametrize(
    "path",
    [
        "drives/drive-1/items/root%3A%2Freports%2Fweek%2048.csv%3A/content",  # SDK encoding
        "drives/drive-1/items/root:/reports/week%2048.csv:/content",  # raw slashes
        f"sites/{quote(SITE, safe='')}/drive/root:/reports/week%2048.csv:/content",  # site drive
    ],
)
def test_upload_by_path_creates_then_replaces_and_reads_back(
    client: TestClient, core: LocalCore, path: str
) -> None:
    first = client.put(f"{BASE}/{path}", content=b"a,b\n1,2\n")
    second = client.put(f"{BASE}/{path}", content=b"a,b\n3,4\n")
    read = client.get(f"{BASE}/{path}")
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert second.json()["name"] == "week 48.csv" and second.json()["size"] == 8
    assert second.json()["parentReference"]["path"] == "/drive/root:/reports"
    assert read.content == b"a,b\n3,4\n"
    assert core.outbox.entries[-1]["payload"]["text"] == "a,b\n3,4\n"


@pytest.mark.parametrize(
    "name",
    ["..", "bad%3Fname.csv", "trailing.", "a%22b.md"],  # `..`, `?`, a final dot, `"`
)
def test_invalid_file_names_are_refused(client: TestClient, name: str) -> None:
    response = client.put(f"{BASE}/drives/drive-1/root:/reports/{name}:/content", content=b"x")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalidRequest"


def test_a_sites_library_can_be_found(client: TestClient) -> None:
    drive = client.get(f"{BASE}/sites/{quote(SITE, safe='')}/drive").json()
    assert (drive["id"], drive["driveType"]) == ("drive-1", "documentLibrary")
    assert client.get(f"{BASE}/drives/nope").status_code == 404


def test_chunked_upload_session_with_duplicate_final_put(client: TestClient) -> None:
    data = bytes(range(256)) * 40  # 10,240 bytes in three chunks
    session = client.post(
        f"{BASE}/drives/drive-1/items/root%3A%2Fbig.bin%3A/createUploadSession",
        json={"item": {"@microsoft.graph.conflictBehavior": "replace"}},
    ).json()
    url, statuses, ranges = session["uploadUrl"], [], []
    for start, end in [(0, 4095), (4096, 8191), (8192, 10239), (8192, 10239)]:
        response = client.put(
            url,
            content=data[start : end + 1],
            headers={"Content-Range": f"bytes {start}-{end}/{len(data)}"},
        )
        statuses.append(response.status_code)
        ranges.append(response.json().get("nextExpectedRanges"))
    assert url.startswith(f"{BASE}/")
    assert statuses == [202, 202, 201, 201]
    assert ranges[:2] == [["4096-"], ["8192-"]]  # the documented open form
    assert client.get(f"{BASE}/drives/drive-1/root:/big.bin:/content").content == data


def test_upload_chunk_out_of_order_is_416(client: TestClient) -> None:
    url = client.post(
        f"{BASE}/drives/drive-1/items/root%3A%2Fx.bin%3A/createUploadSession", json={}
    ).json()["uploadUrl"]
    response = client.put(url, content=b"ab", headers={"Content-Range": "bytes 5-6/10"})
    assert response.status_code == 416


@pytest.mark.parametrize(
    ("message_key", "save_key"), [("Message", "SaveToSentItems"), ("message", "saveToSentItems")]
)
def test_send_mail_accepts_both_spellings_and_answers_202(
    client: TestClient, core: LocalCore, message_key: str, save_key: str
) -> None:
    body = {
        message_key: {
            "subject": "Gate review: Go",
            "body": {"contentType": "html", "content": "<p>Go</p>"},
            "toRecipients": [{"emailAddress": {"address": "lead@example.com"}}],
            "attachments": [
                {
                    "@odata.type": "#microsoft.graph.fileAttachment",
                    "name": "r.md",
                    "contentBytes": base64.b64encode(b"# report").decode(),
                }
            ],
        },
        save_key: True,
    }
    response = client.post(f"{BASE}/users/{quote(USERS[0]['mail'])}/sendMail", json=body)
    sent = client.get(f"{BASE}/users/{USERS[0]['id']}/mailFolders/sentItems/messages").json()
    assert (response.status_code, response.content) == (202, b"")
    assert [m["subject"] for m in sent["value"]] == ["Gate review: Go"]
    assert core.outbox.entries[-1]["kind"] == "mail"


@pytest.mark.parametrize(
    ("user", "message", "status"),
    [
        ("nobody@example.com", {"toRecipients": [{"emailAddress": {"address": "a@b.c"}}]}, 404),
        (USERS[0]["id"], {"subject": "no recipients"}, 400),
    ],
)
def test_send_mail_errors(client: TestClient, user: str, message: dict, status: int) -> None:
    response = client.post(f"{BASE}/users/{user}/sendMail", json={"message": message})
    assert response.status_code == status


def test_webhook_card_is_202_and_kept(client: TestClient, core: LocalCore) -> None:
    payload = card_message(CARD)
    response = client.post("http://127.0.0.1:8081/_sandbox/webhooks/teams/pmo", json=payload)
    kept = client.get("http://127.0.0.1:8081/_sandbox/webhooks/teams/pmo").json()["value"]
    assert response.status_code == 202 and kept[0]["cards"] == [CARD]
    assert core.outbox.entries[-1]["kind"] == "teams_webhook_card"


@pytest.mark.parametrize(
    "payload",
    [
        {"type": "message", "attachments": []},  # no card
        {"type": "message", "attachments": [{"contentType": "text/plain", "content": "hi"}]},
        {
            "type": "message",
            "attachments": [
                {"contentType": "application/vnd.microsoft.card.adaptive", "content": {"body": []}}
            ],
        },
    ],
)
def test_webhook_rejects_invalid_cards(client: TestClient, payload: dict) -> None:
    assert (
        client.post("http://127.0.0.1:8081/_sandbox/webhooks/teams/pmo", json=payload).status_code
        == 400
    )


def _batch_item(item_id: str, url: str, **extra: object) -> dict:
    return {"id": item_id, "method": "GET", "url": url, **extra}


def test_batch_runs_absolute_and_relative_urls_with_dependencies(client: TestClient) -> None:
    body = {
        "requests": [
            _batch_item("1", f"{BASE}/planner/plans/plan-2/tasks"),  # absolute, as the SDK sends
            _batch_item("2", "/planner/tasks/nope", depends_on=["1"]),  # fails with 404
            _batch_item("3", "planner/plans/plan-1", dependsOn=["2"]),  # its dependency failed
            _batch_item("4", "/planner/plans/plan-1/buckets", dependsOn=["1"]),
        ]
    }
    responses = {r["id"]: r for r in client.post(f"{BASE}/$batch", json=body).json()["responses"]}
    assert {k: r["status"] for k, r in responses.items()} == {
        "1": 200,
        "2": 404,
        "3": 424,
        "4": 200,
    }
    assert len(responses["1"]["body"]["value"]) == 3


@pytest.mark.parametrize(
    "requests",
    [
        [_batch_item(str(n), "/planner/plans/plan-1") for n in range(21)],  # over 20
        [_batch_item("1", "/planner/plans/plan-1")] * 2,  # duplicate ids
        [_batch_item("1", "/planner/plans/plan-1", dependsOn=["9"])],  # unknown dependency
        [],  # nothing to do
    ],
)
def test_invalid_batches_answer_400(client: TestClient, requests: list) -> None:
    assert client.post(f"{BASE}/$batch", json={"requests": requests}).status_code == 400


def test_batch_string_bodies_are_base64_unless_json(client: TestClient) -> None:
    csv = base64.b64encode(b"x,y\n").decode()
    body = {
        "requests": [
            {"id": "1", "method": "PUT", "url": "/drives/drive-1/root:/b.csv:/content",
             "headers": {"Content-Type": "text/csv"}, "body": "x,y\n"},
            {"id": "2", "method": "PUT", "url": "/drives/drive-1/root:/c.csv:/content",
             "headers": {"Content-Type": "application/octet-stream"}, "body": csv},
            {"id": "3", "method": "GET", "url": "/drives/drive-1/root:/c.csv:/content",
             "dependsOn": ["2"]},
        ]
    }  # fmt: skip
    responses = client.post(f"{BASE}/$batch", json=body).json()["responses"]
    assert [r["status"] for r in responses] == [201, 201, 200]
    assert base64.b64decode(responses[2]["body"]) == b"x,y\n"
    assert client.get(f"{BASE}/drives/drive-1/root:/b.csv:/content").content == b"x,y\n"


def test_upload_session_for_a_file_given_by_id_replaces_it(client: TestClient) -> None:
    created = client.put(f"{BASE}/drives/drive-1/root:/a/b/old.txt:/content", content=b"old").json()
    session = client.post(
        f"{BASE}/drives/drive-1/items/{created['id']}/createUploadSession", json={}
    ).json()
    done = client.put(
        session["uploadUrl"], content=b"new!", headers={"Content-Range": "bytes 0-3/4"}
    )
    assert done.status_code == 200 and done.json()["id"] == created["id"]
    assert client.get(f"{BASE}/drives/drive-1/root:/a/b/old.txt:/content").content == b"new!"
