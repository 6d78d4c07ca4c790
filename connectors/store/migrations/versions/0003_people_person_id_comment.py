"""people.person_id: say that a Jira user whose e-mail is hidden is keyed by account id.

Only the column comment changes; SQLite keeps no comments, so it has nothing to do.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_OLD = "Lower-case canonical e-mail."
_NEW = (
    "Lower-case canonical e-mail; jira:user:<accountId> for a Jira user whose "
    "e-mail is hidden and not in jira.account_aliases."
)


def _set_comment(comment: str, existing: str) -> None:
    if op.get_bind().dialect.name == "sqlite":
        return
    op.alter_column("people", "person_id", comment=comment, existing_comment=existing)


def upgrade() -> None:
    _set_comment(_NEW, _OLD)


def downgrade() -> None:
    _set_comment(_OLD, _NEW)
