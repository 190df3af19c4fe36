"""Row ids are 64-bit.

At SAVIX scale the ledger gains about 2,200 entries per group a year: 500,000 groups would
pass 2^31 entry ids within two years. Every id column, and every column that points at one,
becomes ``bigint`` on PostgreSQL. SQLite's ``INTEGER PRIMARY KEY`` is already a 64-bit
rowid, so nothing changes there.

On PostgreSQL each ``ALTER ... TYPE bigint`` rewrites its table under an exclusive lock: on
a large ledger, run ``vsla db upgrade`` in a maintenance window (docs/performance.md).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision: str | None = "0004"
branch_labels: str | None = None
depends_on: str | None = None

# table -> its id columns and the columns pointing at ids, as revision 0004 left them
ID_COLUMNS: dict[str, tuple[str, ...]] = {
    "programmes": ("id",),
    "groups": ("id", "programme_id"),
    "members": ("id", "group_id"),
    "cycles": ("id", "group_id", "previous_cycle_id"),
    "officers": ("cycle_id", "member_id"),
    "meetings": ("id", "cycle_id"),
    "attendance": ("meeting_id", "member_id"),
    "loans": ("id", "cycle_id", "member_id", "meeting_id"),
    "entries": ("id", "cycle_id", "meeting_id", "member_id", "loan_id", "reverses_id"),
    "referrals": ("id", "member_id"),
    "livelihood_supports": ("id", "member_id"),
    "gal_sessions": ("id", "group_id"),
    "client_ids": ("programme_key", "record_id"),
    "changes": ("id",),
}


def _alter(type_name: str) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite: INTEGER is already 64-bit
    for table, columns in ID_COLUMNS.items():
        changes = ", ".join(f"ALTER COLUMN {c} TYPE {type_name}" for c in columns)
        op.execute(f"ALTER TABLE {table} {changes}")
        if "id" in columns:  # the sequence behind the id, when the table has one
            op.execute(
                f"DO $$ BEGIN IF pg_get_serial_sequence('{table}', 'id') IS NOT NULL THEN "
                f"EXECUTE 'ALTER SEQUENCE ' || pg_get_serial_sequence('{table}', 'id') "
                f"|| ' AS {type_name}'; END IF; END $$"
            )


def upgrade() -> None:
    _alter("bigint")


def downgrade() -> None:
    _alter("integer")
