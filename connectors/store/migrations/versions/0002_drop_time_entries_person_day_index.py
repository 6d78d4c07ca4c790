"""Drop the (person_id, work_date) index of time_entries: it halved bulk-write throughput.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_time_entries_person_id_work_date", table_name="time_entries")


def downgrade() -> None:
    op.create_index(
        "ix_time_entries_person_id_work_date", "time_entries", ["person_id", "work_date"]
    )
