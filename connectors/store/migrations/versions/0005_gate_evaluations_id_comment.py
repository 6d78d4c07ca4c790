"""gate_evaluations.evaluation_id: the status date (as-of) is part of an evaluation's identity.

Only the column comment changes (ids written from now on end in the as-of date); SQLite
keeps no comments, so it has nothing to do.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_OLD = "kind:project:phase:data_version"
_NEW = "kind:project:phase:data_version:as_of (UTC ISO)"


def _set_comment(comment: str, existing: str) -> None:
    if op.get_bind().dialect.name == "sqlite":
        return
    op.alter_column("gate_evaluations", "evaluation_id", comment=comment, existing_comment=existing)


def upgrade() -> None:
    _set_comment(_NEW, _OLD)


def downgrade() -> None:
    _set_comment(_OLD, _NEW)
