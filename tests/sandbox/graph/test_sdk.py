"""The real msgraph-sdk `GraphServiceClient` against the emulator over loopback HTTP."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import dataclass
from io import BytesIO
from typing import Any

import httpx
import pytest
from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph import GraphServiceClient
from msgraph.generated.drives.item.items.item.create_upload_session.create_upload_session_post_request_body import (
    CreateUploadSessionPostRequestBody,
)
from msgraph.generated.models.body_type import BodyType
from msgraph.generated.models.chat_message import ChatMessage
from msgraph.generated.models.chat_message_attachment import ChatMessageAttachment
from msgraph.generated.models.drive_item_uploadable_properties import DriveItemUploadableProperties
from msgraph.generated.models.email_address import EmailAddress
from msgraph.generated.models.item_body import ItemBody
from msgraph.generated.models.message import Message
from msgraph.generated.models.o_data_errors.o_data_error import ODataError
from msgraph.generated.models.planner_task import PlannerTask
from msgraph.generated.models.recipient import Recipient
from msgraph.generated.teams.item.schedule.time_cards.time_cards_request_builder import (
    TimeCardsRequestBuilder,
)
from msgraph.generated.users.item.send_mail.send_mail_post_request_body import (
    SendMailPostRequestBody,
)
from msgraph_core.requests.batch_request_content import BatchRequestContent
from msgraph_core.requests.batch_request_item import BatchRequestItem
from msgraph_core.tasks.large_file_upload import LargeFileUploadTask
from msgraph_core.tasks.page_iterator import PageIterator

from sandbox.credentials import graph_client
from sandbox.graph.state import GraphState
from sandbox.server import SandboxServer, start_sandbox
from tests.sandbox.graph.conftest import CHANNEL, SITE, USERS, every_item, graph_tenant

CARD = {"type": "AdaptiveCard", "version": "1.4", "body": [{"type": "TextBlock", "text": "Go"}]}


@dataclass
class Served:
    """A running sandbox (the core's server, with this package mounted) and a client for it."""

    client: GraphServiceClient
    graph: GraphState
    server: SandboxServer

    def published(self) -> list[dict[str, Any]]:
        return [e for e in self.server.state.outbox_entries() if e["service"] == "graph"]


@pytest.fixture
def served() -> Iterator[Served]:
    # Few entities: the SDK spends ~5 ms deserialising each one, the emulator far less.
    with start_sandbox(graph_tenant(tasks_in_plan_1=45, list_items=45)) as server:
        yield Served(graph_client(server.info), server.state.graph, server)


def run(coroutine: Any) -> Any:
    return asyncio.run(coroutine)


def test_page_iterator_reads_every_planner_task(served: Served) -> None:
    client = served.client

    async def read() -> list[str]:
        tasks = client.planner.plans.by_planner_plan_id("plan-1").tasks
        query = tasks.TasksRequestBuilderGetQueryParameters(top=20)
        first = await tasks.get(RequestConfiguration(query_parameters=query))
        titles: list[str] = []
        iterator = PageIterator(first, client.request_adapter)  # type taken from `first`
        await iterator.iterate(lambda task: titles.append(task.title) or True)
        return titles

    titles = run(read())
    assert len(titles) == 45 and len(set(titles)) == 45  # three pages of 20, 20 and 5


def test_time_cards_with_filter_and_next_links(served: Served) -> None:
    client = served.client
    query = TimeCardsRequestBuilder.TimeCardsRequestBuilderGetQueryParameters(
        filter="clockInEvent/dateTime ge 2026-11-01T00:00:00Z", top=10
    )

    cards = run(every_item(client.teams.by_team_id("team-1").schedule.time_cards, query))
    assert len(cards) == 52  # clock-ins from 1 Nov on, read 10 at a time
    assert all(card.clock_in_event.date_time.isoformat() >= "2026-11-01" for card in cards)


def test_list_items_with_fields_and_delta(served: Served) -> None:
    client = served.client
    items_builder = client.sites.by_site_id(SITE).lists.by_list_id("list-1").items

    async def read() -> tuple[int, str, list[Any]]:
        query = items_builder.ItemsRequestBuilderGetQueryParameters(expand=["fields"])
        page = await items_builder.get(RequestConfiguration(query_parameters=query))
        first = page.value[0].fields.additional_data["Title"]
        delta_query = items_builder.delta.DeltaRequestBuilderGetQueryParameters(top=20)
        delta = await items_builder.delta.get(RequestConfiguration(query_parameters=delta_query))
        total, pages = len(delta.value), 1
        while delta.odata_next_link:
            delta = await items_builder.delta.with_url(delta.odata_next_link).get()
            total, pages = total + len(delta.value), pages + 1
        served.graph.edit_list_item(SITE, "list-1", "5", {"Hours": 2.0})
        served.graph.delete_list_item(SITE, "list-1", "6")
        changes = await items_builder.delta.with_url(delta.odata_delta_link).get()
        return (total, pages), first, changes.value

    counts, first, changes = run(read())
    assert (counts, first) == ((45, 3), "Entry 1")
    assert sorted(item.id for item in changes) == ["5", "6"]
    removed = next(item for item in changes if item.id == "6")
    # the listItem delta docs report a deletion with the `deleted` facet
    # (the SDK reads it into `ListItem.deleted`)
    assert removed.deleted is not None and removed.deleted.state == "deleted"


def test_patch_planner_task_with_if_match_then_412_when_stale(served: Served) -> None:
    client = served.client
    task_builder = client.planner.tasks.by_planner_task_id("task-plan-1-0002")

    async def patch() -> tuple[Any, int]:
        stale = (await task_builder.get()).additional_data["@odata.etag"]
        config = RequestConfiguration()
        config.headers.add("If-Match", stale)
        result = await task_builder.patch(PlannerTask(percent_complete=50), config)
        try:
            await task_builder.patch(PlannerTask(title="again"), config)
        except ODataError as exc:
            return result, exc.response_status_code
        return result, 0

    result, status = run(patch())
    assert result is None  # 204 No Content
    assert status == 412


def test_post_channel_message_with_adaptive_card(served: Served) -> None:
    client = served.client
    message = ChatMessage(
        body=ItemBody(content_type=BodyType.Html, content='<attachment id="a1"></attachment>'),
        attachments=[
            ChatMessageAttachment(
                id="a1",
                content_type="application/vnd.microsoft.card.adaptive",
                content=json.dumps(CARD),
            )
        ],
    )
    channel = client.teams.by_team_id("team-1").channels.by_channel_id(CHANNEL)
    posted = run(channel.messages.post(message))
    assert posted.id and posted.channel_identity.channel_id == CHANNEL
    assert json.loads(served.published()[-1]["payload"]["attachments"][0]["content"]) == CARD


def test_small_and_large_uploads_read_back(served: Served) -> None:
    """Small files by one PUT; a large one through an upload session whose replies use the
    documented open range form (`"4096-"`), which msgraph-core's LargeFileUploadTask can't
    parse (`int('')`), so the large file goes up by plain ranged PUTs, as the connector does."""
    client = served.client
    drive = client.drives.by_drive_id("drive-1")
    big = bytes(range(256)) * (5 * 4096 + 100)  # 5.1 MiB: over the 4 MB simple-upload limit

    async def upload() -> tuple[Any, bytes, bytes, list[Any]]:
        small = await drive.items.by_drive_item_id("root:/reports/r.csv:").content.put(b"a,b\n")
        body = CreateUploadSessionPostRequestBody(
            item=DriveItemUploadableProperties(
                additional_data={"@microsoft.graph.conflictBehavior": "replace"}
            )
        )
        builder = drive.items.by_drive_item_id("root:/big.bin:").create_upload_session
        sdk_session = await builder.post(body)
        task = LargeFileUploadTask(
            sdk_session, client.request_adapter, BytesIO(big), max_chunk_size=2**21
        )
        with pytest.raises(ValueError, match="invalid literal for int"):
            await task.upload()
        session = await builder.post(body)
        ranges, start = [], 0
        async with httpx.AsyncClient() as http:
            while start < len(big):
                end = min(start + 2**21, len(big)) - 1
                reply = await http.put(
                    session.upload_url,
                    content=big[start : end + 1],
                    headers={"Content-Range": f"bytes {start}-{end}/{len(big)}"},
                )
                ranges.append(reply.json().get("nextExpectedRanges"))
                start = end + 1
        small_back = await drive.items.by_drive_item_id("root:/reports/r.csv:").content.get()
        big_back = await drive.items.by_drive_item_id("root:/big.bin:").content.get()
        return small, small_back, big_back, ranges

    small, small_back, big_back, ranges = run(upload())
    assert small.name == "r.csv" and small_back == b"a,b\n"
    assert small.web_url is None  # the documented put-content reply has no webUrl
    assert big_back == big
    assert ranges == [[f"{2**21}-"], [f"{2**22}-"], None]
    assert [e["payload"]["size"] for e in served.published()] == [4, len(big)]


def test_send_mail(served: Served) -> None:
    client = served.client
    body = SendMailPostRequestBody(
        message=Message(
            subject="Closeout evaluation",
            body=ItemBody(content_type=BodyType.Text, content="See attachment."),
            to_recipients=[Recipient(email_address=EmailAddress(address="lead@example.com"))],
        ),
        save_to_sent_items=True,
    )
    assert run(client.users.by_user_id(USERS[0]["mail"]).send_mail.post(body)) is None
    assert served.published()[-1]["payload"]["subject"] == "Closeout evaluation"


def test_batch_with_dependencies(served: Served) -> None:
    client = served.client

    async def batch() -> dict[str, int]:
        plan = client.planner.plans.by_planner_plan_id("plan-1")
        first = BatchRequestItem(request_information=plan.to_get_request_information())
        second = BatchRequestItem(
            request_information=plan.buckets.to_get_request_information(), depends_on=[first]
        )
        missing = BatchRequestItem(
            request_information=client.planner.tasks.by_planner_task_id(
                "nope"
            ).to_get_request_information()
        )
        after_missing = BatchRequestItem(
            request_information=plan.tasks.to_get_request_information(), depends_on=[missing]
        )
        content = BatchRequestContent({i.id: i for i in (first, second, missing, after_missing)})
        response = await client.batch.post(content)
        statuses = response.get_response_status_codes()
        return {
            "plan": statuses[first.id], "buckets": statuses[second.id],
            "missing": statuses[missing.id], "after_missing": statuses[after_missing.id],
        }  # fmt: skip

    assert run(batch()) == {"plan": 200, "buckets": 200, "missing": 404, "after_missing": 424}


def test_batch_creates_a_task(served: Served) -> None:
    """A POST inside `$batch` creates the task. (The SDK's `response_body()` can't read it back:
    `BatchResponseItem` only decodes base64 string bodies, while Graph, and this sandbox, send
    JSON bodies as objects; see msgraph-sdk-python-core issue 807.)"""
    client = served.client

    async def batch() -> int:
        create = BatchRequestItem(
            request_information=client.planner.tasks.to_post_request_information(
                PlannerTask(plan_id="plan-2", bucket_id="bucket-3", title="From a batch")
            )
        )
        response = await client.batch.post(BatchRequestContent({create.id: create}))
        return response.get_response_status_codes()[create.id]

    assert run(batch()) == 201
    created = served.published()[-1]
    assert created["kind"] == "planner_task" and created["payload"]["title"] == "From a batch"
    assert served.graph.task(created["payload"]["id"])["planId"] == "plan-2"
