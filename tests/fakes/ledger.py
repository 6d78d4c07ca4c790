"""An in-memory publication ledger with the claim states of `connectors.store.ledger`, and
the at-most-once protocol every publisher follows on top of it (`publish_once`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from connectors.ports import JSONObject, Ledger
from connectors.resilience import OutcomeUnknownError
from connectors.store.ledger import Claim, Publication, PublicationSkipped


class FakeLedger:
    """One process, no clock: a pending or failed claim is always ours to resume."""

    def __init__(self) -> None:
        self.rows: dict[str, Publication] = {}

    def get(self, key: str) -> Publication | None:
        return self.rows.get(key)

    def claim(self, key: str, target: str, detail: JSONObject | None = None) -> Claim:
        earlier = self.rows.get(key)
        if earlier is None:
            self.rows[key] = Publication(key, target, "pending", None, detail, claimed_by="fake")
            return Claim("new")
        if earlier.status == "done":
            return Claim("done", earlier)
        if earlier.status == "unknown":
            return Claim("unknown", earlier)
        self.rows[key] = replace(earlier, status="pending", detail=detail)
        return Claim("resume", earlier)

    def mark_pending(self, key: str, target: str, detail: JSONObject | None = None) -> None:
        self._record(key, target, "pending", None, detail)

    def mark_done(
        self, key: str, target: str, external_id: str | None, detail: JSONObject | None = None
    ) -> None:
        self._record(key, target, "done", external_id, detail)

    def mark_failed(
        self, key: str, target: str, error: str, detail: JSONObject | None = None
    ) -> None:
        self._record(key, target, "failed", None, {**(detail or {}), "failed": error})

    def mark_unknown(self, key: str, target: str, detail: JSONObject | None = None) -> None:
        self._record(key, target, "unknown", None, detail)

    def _record(
        self, key: str, target: str, status: str, external_id: str | None, detail: JSONObject | None
    ) -> None:
        self.rows[key] = Publication(key, target, status, external_id, detail)

    def done_keys(self, prefix: str = "") -> set[str]:
        return {k for k, p in self.rows.items() if p.status == "done" and k.startswith(prefix)}


def publish_once(
    ledger: Ledger,
    key: str,
    target: str,
    find: Callable[[], str | None] | None,
    post: Callable[[], str],
) -> str:
    """The publishers' protocol (`connectors.jira.publisher`, `connectors.graph.publisher`):
    claim the key; done -> the earlier id, nothing posted; unknown -> not sent again; ours ->
    look at the target first (a fresh warehouse adopts), else post. A post without a clear
    answer (`OutcomeUnknownError`) that cannot be looked up is recorded `unknown`."""
    claim = ledger.claim(key, target)
    if claim.state == "done" and claim.earlier is not None:
        return claim.earlier.external_id or ""
    if claim.state == "unknown":
        raise PublicationSkipped(target, "an earlier post got no clear answer; not sent again")
    if not claim.mine:
        raise PublicationSkipped(target, "another run holds the claim")
    found = find() if find is not None else None
    if found is not None:
        ledger.mark_done(key, target, found)
        return found
    try:
        external_id = post()
    except OutcomeUnknownError:
        if find is not None and (found := find()) is not None:
            ledger.mark_done(key, target, found)
            return found
        ledger.mark_unknown(key, target, {"outcome": "unknown"})
        raise
    except Exception as exc:
        ledger.mark_failed(key, target, str(exc))
        raise
    ledger.mark_done(key, target, external_id)
    return external_id
