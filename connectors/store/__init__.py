"""The warehouse (SQLAlchemy Core): canonical tables, watermarks, ledger, evaluations."""

from connectors.store.ledger import (
    Publication,
    PublicationLedger,
    last_successful_sync,
    latest_evaluations,
    log_sync,
    save_evaluation,
)
from connectors.store.warehouse import UpsertCounts, Warehouse, WarehouseTransaction, utcnow

__all__ = [
    "Publication",
    "PublicationLedger",
    "UpsertCounts",
    "Warehouse",
    "WarehouseTransaction",
    "last_successful_sync",
    "latest_evaluations",
    "log_sync",
    "save_evaluation",
    "utcnow",
]
