"""One SharePoint list: items, and the change log that `items/delta` reads.

Every create, update or delete takes the next sequence number. A delta token remembers the
sequence it was issued at; a later call returns what changed since then. Tokens the list never
issued, or that were expired (by age or by `expire_delta_tokens`), answer 410 `resyncRequired`
as Graph does, so clients must handle a full resync.
"""

from __future__ import annotations

import copy
import itertools
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sandbox.graph.clock import graph_time
from sandbox.graph.errors import GraphError, not_found
from sandbox.graph.paging import SlicedView

DELTA_TOKEN_LIFETIME = timedelta(days=30)


@dataclass(frozen=True)
class DeltaCursor:
    """Where a delta round stands: changes in (since, upto] still to be sent, in order.

    A deltaLink's cursor has no `pending` yet: its round starts when it is used. A nextLink's
    cursor keeps the rest of its round so that edits made while paging shift nothing.
    """

    since: int
    upto: int
    pending: tuple[tuple[str, bool], ...] | None
    issued: datetime


def resync_required(list_id: str) -> GraphError:
    return GraphError(
        410,
        "resyncRequired",
        f"Resync required for list '{list_id}': the delta token is unknown or expired. "
        "Replace any local items with the server's version and start again without a token.",
    )


class ListStore:
    def __init__(self, site_id: str, meta: dict[str, Any], items: list[dict[str, Any]]) -> None:
        self.site_id = site_id
        self.meta = {k: v for k, v in meta.items() if k != "items"}
        self.id = str(meta["id"])
        self.seq = 0
        self.items: dict[str, dict[str, Any]] = {}
        self.changed: dict[str, int] = {}
        self.deleted: dict[str, int] = {}
        # deleted items as last listed, with the sequence of that change: a delta round that
        # spans both lists the item, then reports it deleted (Graph's feed may repeat an item)
        self.ghosts: dict[str, tuple[int, dict[str, Any]]] = {}
        self.cursors: dict[str, DeltaCursor] = {}
        self.generation = 0
        self._guid = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{site_id}/{self.id}"))
        for raw in items:
            self._store(self._with_etag(raw, version=1))  # the caller hands over its own copy

    def _with_etag(self, item: dict[str, Any], version: int) -> dict[str, Any]:
        item["id"] = str(item["id"])
        etag = f'"{uuid.uuid5(uuid.UUID(self._guid), item["id"])},{version}"'
        item["@odata.etag"] = etag
        item["eTag"] = etag
        item.setdefault("fields", {})["@odata.etag"] = etag
        item["_version"] = version
        return item

    def _store(self, item: dict[str, Any]) -> None:
        self.seq += 1
        # re-inserting keeps `items` in change order, so listing needs no sort
        self.items.pop(item["id"], None)
        self.items[item["id"]] = item
        self.changed[item["id"]] = self.seq
        self.deleted.pop(item["id"], None)

    def get(self, item_id: str) -> dict[str, Any]:
        if item_id not in self.items:
            raise not_found("listItem", item_id)
        return self.items[item_id]

    def upsert(self, item_id: str, fields: dict[str, Any], now: datetime) -> dict[str, Any]:
        """Create the item or merge `fields` into it; either way it shows up in the next delta."""
        current = self.items.get(item_id)
        if current is None:
            item = {"id": item_id, "createdDateTime": graph_time(now), "fields": {}}
            version = 1
        else:
            item, version = copy.deepcopy(current), current["_version"] + 1
        item["fields"] = {**item.get("fields", {}), **fields}
        item["lastModifiedDateTime"] = graph_time(now)
        self._store(self._with_etag(item, version))
        return item

    def delete(self, item_id: str) -> None:
        item = self.get(item_id)
        del self.items[item_id]
        self.seq += 1
        changed = self.changed.pop(item_id, None)
        if changed is not None:
            self.ghosts[item_id] = (changed, item)
        self.deleted[item_id] = self.seq

    def ordered_items(self) -> Sequence[dict[str, Any]]:
        """Items oldest change first (the order `items` keeps), as SharePoint lists them."""
        return _InsertionOrder(self.items)

    # -- delta -------------------------------------------------------------------------------
    def issue(self, cursor: DeltaCursor) -> str:
        """A token for the cursor. A deltaLink's token describes itself (list, position,
        issue time, token generation), so it outlives this process as Graph's tokens outlive
        a client: a sandbox restarted on the same tenant honours the links it handed out. A
        nextLink's token (the rest of a round in progress) is kept in memory."""
        if cursor.pending is None:
            issued = int(cursor.issued.timestamp())
            return f"d{self.generation}.{cursor.since}.{issued}.{self._guid[:8]}"
        token = secrets.token_urlsafe(16)
        self.cursors[token] = cursor
        return token

    def _parse(self, token: str) -> DeltaCursor | None:
        """The cursor a self-describing deltaLink token stands for; None if not this list's,
        of an older generation (expired) or ahead of this list's changes."""
        parts = token.split(".")
        if len(parts) != 4 or not parts[0].startswith("d") or parts[3] != self._guid[:8]:
            return None
        try:
            generation, since, issued = int(parts[0][1:]), int(parts[1]), int(parts[2])
        except ValueError:
            return None
        if generation != self.generation or since > self.seq:
            return None
        return DeltaCursor(since, since, None, datetime.fromtimestamp(issued, UTC))

    def cursor(self, token: str | None, now: datetime) -> DeltaCursor:
        """The round behind `token` (None starts a full one); 410 when unknown or expired."""
        if token is None:
            return self._round(0, now)
        found = self.cursors.get(token) or self._parse(token)
        if found is None or now - found.issued > DELTA_TOKEN_LIFETIME:
            self.cursors.pop(token, None)
            raise resync_required(self.id)
        return self._round(found.since, now) if found.pending is None else found

    def _round(self, since: int, now: datetime) -> DeltaCursor:
        return DeltaCursor(since, self.seq, tuple(self.changes(since, self.seq)), now)

    def changes(self, since: int, upto: int) -> list[tuple[str, bool]]:
        """(item id, deleted?) changed in (since, upto], oldest first; a full round skips deletes."""
        live = [(seq, item_id, False) for item_id, seq in self.changed.items()]
        gone = [(seq, item_id, True) for item_id, seq in self.deleted.items()] if since else []
        # a change and the deletion after it both inside the window: listed, then deleted
        gone += [(seq, item_id, False) for item_id, (seq, _) in self.ghosts.items() if since]
        window = [entry for entry in live + gone if since < entry[0] <= upto]
        return [(item_id, is_deleted) for _, item_id, is_deleted in sorted(window)]

    def expire_tokens(self) -> None:
        self.cursors.clear()
        self.generation += 1  # every deltaLink token handed out so far now answers 410


class _InsertionOrder(SlicedView):
    """A dict's values as a sequence whose slices cost the slice, not a copy of every value."""

    def __init__(self, items: dict[str, dict[str, Any]]) -> None:
        self._items = items

    def __len__(self) -> int:
        return len(self._items)

    def _slice(self, first: int, last: int) -> list[dict[str, Any]]:
        return list(itertools.islice(self._items.values(), first, last))


def public_item(
    item: dict[str, Any], with_fields: bool, lookups: dict[str, dict[str, Any]] | None = None
) -> dict[str, Any]:
    """The listItem as Graph sends it: `fields` only when expanded, no bookkeeping keys.

    `lookups` (column -> {lookup id: display value}) are the person/lookup columns the
    request selected by name: Graph then answers `<Name>` with the value instead of only
    `<Name>LookupId`. A shallow view otherwise: responses are rendered under the state's
    lock, so nothing is copied.
    """
    public = {
        k: v for k, v in item.items() if not k.startswith("_") and (with_fields or k != "fields")
    }
    if with_fields and lookups:
        fields = dict(public.get("fields") or {})
        for column, values in lookups.items():
            lookup_id = fields.get(f"{column}LookupId")
            if lookup_id is not None:
                fields[column] = values.get(str(lookup_id))
        public["fields"] = fields
    return public
