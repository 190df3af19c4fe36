"""Index entries on (cycle_id, member_id).

Planning a meeting sums each member's shares in the cycle (``WHERE cycle_id = ? AND
member_id IS NOT NULL GROUP BY member_id``); with this index that query reads one
cycle's member entries instead of the whole cycle.

Revision ID: 0002
Revises: 0001
Create Date: 2025-11-28
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_index("ix_entries_cycle_member", "entries", ["cycle_id", "member_id"])


def downgrade() -> None:
    op.drop_index("ix_entries_cycle_member", table_name="entries")
