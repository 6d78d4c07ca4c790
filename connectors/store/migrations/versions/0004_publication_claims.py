"""Publications are claimed before posting (who holds the claim); sync rows can be interrupted.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("publications") as batch:
        batch.add_column(
            sa.Column(
                "claimed_by",
                sa.Text(),
                nullable=True,
                comment="host:pid:token of the run that claimed the publication (one poster at a time)",
            )
        )
        batch.alter_column(
            "status",
            existing_type=sa.Text(),
            existing_nullable=False,
            comment="pending (claimed, about to post), done, failed (refused: safe to repeat) or "
            "unknown (the post may have arrived: not repeated automatically)",
        )

    with op.batch_alter_table("sync_log") as batch:
        batch.alter_column(
            "status",
            existing_type=sa.Text(),
            existing_nullable=False,
            comment="running, succeeded, failed, interrupted",
        )


def downgrade() -> None:
    with op.batch_alter_table("publications") as batch:
        batch.drop_column("claimed_by")
