"""The warehouse (SQLAlchemy Core): canonical tables, watermarks, ledger, evaluations."""

from connectors.store.ledger import (
    Claim,
    Publication,
    PublicationLedger,
    close_stale_syncs,
    last_successful_sync,
    latest_evaluations,
    log_sync,
    save_evaluation,
)
from connectors.store.tables import utcnow
from connectors.store.warehouse import UpsertCounts, Warehouse, WarehouseTransaction

__all__ = [
    "Claim",
    "Publication",
    "PublicationLedger",
    "UpsertCounts",
    "Warehouse",
    "WarehouseTransaction",
    "close_stale_syncs",
    "last_successful_sync",
    "latest_evaluations",
    "log_sync",
    "save_evaluation",
    "utcnow",
]
