"""Schema migrations with Alembic, driven from code (no alembic.ini to keep in step)."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(connection: sa.Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["connection"] = connection
    return cfg


def upgrade(engine: sa.Engine, revision: str = "head") -> None:
    """Bring the database to `revision`; safe to call on every start (no-op when current)."""
    with engine.connect().execution_options(pmo_write=True) as connection, connection.begin():
        command.upgrade(alembic_config(connection), revision)


def autogenerate(engine: sa.Engine, message: str) -> None:
    """Developer helper: write a new revision from the difference to `tables.metadata`."""
    with engine.begin() as connection:
        command.revision(alembic_config(connection), message=message, autogenerate=True)
