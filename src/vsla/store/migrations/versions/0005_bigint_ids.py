"""Row ids are 64-bit.

At SAVIX scale the ledger gains about 2,200 entries per group a year: 500,000 groups would
pass 2^31 entry ids within two years. Every id column, and every column that points at one,
becomes ``bigint`` on PostgreSQL, and so does the sequence that numbers each table's ids (a
``serial`` sequence is ``AS integer``: it would stop at 2^31 - 1 whatever the column's type).
SQLite's ``INTEGER PRIMARY KEY`` is already a 64-bit rowid, so nothing changes there.

On PostgreSQL each ``ALTER TABLE`` rewrites its table (once, with all of its columns) under an
exclusive lock: on a large ledger, run ``vsla db upgrade`` in a maintenance window
(docs/performance.md). The statements are written out in full, literal SQL only.

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

UPGRADE = (
    ("ALTER TABLE programmes ALTER COLUMN id TYPE bigint"),
    ("ALTER TABLE groups ALTER COLUMN id TYPE bigint, ALTER COLUMN programme_id TYPE bigint"),
    ("ALTER TABLE members ALTER COLUMN id TYPE bigint, ALTER COLUMN group_id TYPE bigint"),
    (
        "ALTER TABLE cycles "
        "ALTER COLUMN id TYPE bigint, "
        "ALTER COLUMN group_id TYPE bigint, "
        "ALTER COLUMN previous_cycle_id TYPE bigint"
    ),
    ("ALTER TABLE officers ALTER COLUMN cycle_id TYPE bigint, ALTER COLUMN member_id TYPE bigint"),
    ("ALTER TABLE meetings ALTER COLUMN id TYPE bigint, ALTER COLUMN cycle_id TYPE bigint"),
    (
        "ALTER TABLE attendance "
        "ALTER COLUMN meeting_id TYPE bigint, "
        "ALTER COLUMN member_id TYPE bigint"
    ),
    (
        "ALTER TABLE loans "
        "ALTER COLUMN id TYPE bigint, "
        "ALTER COLUMN cycle_id TYPE bigint, "
        "ALTER COLUMN member_id TYPE bigint, "
        "ALTER COLUMN meeting_id TYPE bigint"
    ),
    (
        "ALTER TABLE entries "
        "ALTER COLUMN id TYPE bigint, "
        "ALTER COLUMN cycle_id TYPE bigint, "
        "ALTER COLUMN meeting_id TYPE bigint, "
        "ALTER COLUMN member_id TYPE bigint, "
        "ALTER COLUMN loan_id TYPE bigint, "
        "ALTER COLUMN reverses_id TYPE bigint"
    ),
    ("ALTER TABLE referrals ALTER COLUMN id TYPE bigint, ALTER COLUMN member_id TYPE bigint"),
    (
        "ALTER TABLE livelihood_supports "
        "ALTER COLUMN id TYPE bigint, "
        "ALTER COLUMN member_id TYPE bigint"
    ),
    ("ALTER TABLE gal_sessions ALTER COLUMN id TYPE bigint, ALTER COLUMN group_id TYPE bigint"),
    (
        "ALTER TABLE client_ids "
        "ALTER COLUMN programme_key TYPE bigint, "
        "ALTER COLUMN record_id TYPE bigint"
    ),
    ("ALTER TABLE changes ALTER COLUMN id TYPE bigint"),
    (
        "DO $$ BEGIN IF pg_get_serial_sequence('programmes', 'id') IS NOT NULL THEN "
        "EXECUTE 'ALTER SEQUENCE ' || pg_get_serial_sequence('programmes', 'id') "
        "|| ' AS bigint'; END IF; END $$"
    ),
    (
        "DO $$ BEGIN IF pg_get_serial_sequence('groups', 'id') IS NOT NULL THEN "
        "EXECUTE 'ALTER SEQUENCE ' || pg_get_serial_sequence('groups', 'id') "
        "|| ' AS bigint'; END IF; END $$"
    ),
    (
        "DO $$ BEGIN IF pg_get_serial_sequence('members', 'id') IS NOT NULL THEN "
        "EXECUTE 'ALTER SEQUENCE ' || pg_get_serial_sequence('members', 'id') "
        "|| ' AS bigint'; END IF; END $$"
    ),
    (
        "DO $$ BEGIN IF pg_get_serial_sequence('cycles', 'id') IS NOT NULL THEN "
        "EXECUTE 'ALTER SEQUENCE ' || pg_get_serial_sequence('cycles', 'id') "
        "|| ' AS bigint'; END IF; END $$"
    ),
    (
        "DO $$ BEGIN IF pg_get_serial_sequence('meetings', 'id') IS NOT NULL THEN "
        "EXECUTE 'ALTER SEQUENCE ' || pg_get_serial_sequence('meetings', 'id') "
        "|| ' AS bigint'; END IF; END $$"
    ),
    (
        "DO $$ BEGIN IF pg_get_serial_sequence('loans', 'id') IS NOT NULL THEN "
        "EXECUTE 'ALTER SEQUENCE ' || pg_get_serial_sequence('loans', 'id') "
        "|| ' AS bigint'; END IF; END $$"
    ),
    (
        "DO $$ BEGIN IF pg_get_serial_sequence('entries', 'id') IS NOT NULL THEN "
        "EXECUTE 'ALTER SEQUENCE ' || pg_get_serial_sequence('entries', 'id') "
        "|| ' AS bigint'; END IF; END $$"
    ),
    (
        "DO $$ BEGIN IF pg_get_serial_sequence('referrals', 'id') IS NOT NULL THEN "
        "EXECUTE 'ALTER SEQUENCE ' || pg_get_serial_sequence('referrals', 'id') "
        "|| ' AS bigint'; END IF; END $$"
    ),
    (
        "DO $$ BEGIN IF pg_get_serial_sequence('livelihood_supports', 'id') IS NOT NULL THEN "
        "EXECUTE 'ALTER SEQUENCE ' || pg_get_serial_sequence('livelihood_supports', 'id') "
        "|| ' AS bigint'; END IF; END $$"
    ),
    (
        "DO $$ BEGIN IF pg_get_serial_sequence('gal_sessions', 'id') IS NOT NULL THEN "
        "EXECUTE 'ALTER SEQUENCE ' || pg_get_serial_sequence('gal_sessions', 'id') "
        "|| ' AS bigint'; END IF; END $$"
    ),
    (
        "DO $$ BEGIN IF pg_get_serial_sequence('changes', 'id') IS NOT NULL THEN "
        "EXECUTE 'ALTER SEQUENCE ' || pg_get_serial_sequence('changes', 'id') "
        "|| ' AS bigint'; END IF; END $$"
    ),
)
"""Every id column and every column pointing at one, a table at a time, then each id
sequence (when the table has one)."""

DOWNGRADE = (
    ("ALTER TABLE programmes ALTER COLUMN id TYPE integer"),
    ("ALTER TABLE groups ALTER COLUMN id TYPE integer, ALTER COLUMN programme_id TYPE integer"),
    ("ALTER TABLE members ALTER COLUMN id TYPE integer, ALTER COLUMN group_id TYPE integer"),
    (
        "ALTER TABLE cycles "
        "ALTER COLUMN id TYPE integer, "
        "ALTER COLUMN group_id TYPE integer, "
        "ALTER COLUMN previous_cycle_id TYPE integer"
    ),
    (
        "ALTER TABLE officers "
        "ALTER COLUMN cycle_id TYPE integer, "
        "ALTER COLUMN member_id TYPE integer"
    ),
    ("ALTER TABLE meetings ALTER COLUMN id TYPE integer, ALTER COLUMN cycle_id TYPE integer"),
    (
        "ALTER TABLE attendance "
        "ALTER COLUMN meeting_id TYPE integer, "
        "ALTER COLUMN member_id TYPE integer"
    ),
    (
        "ALTER TABLE loans "
        "ALTER COLUMN id TYPE integer, "
        "ALTER COLUMN cycle_id TYPE integer, "
        "ALTER COLUMN member_id TYPE integer, "
        "ALTER COLUMN meeting_id TYPE integer"
    ),
    (
        "ALTER TABLE entries "
        "ALTER COLUMN id TYPE integer, "
        "ALTER COLUMN cycle_id TYPE integer, "
        "ALTER COLUMN meeting_id TYPE integer, "
        "ALTER COLUMN member_id TYPE integer, "
        "ALTER COLUMN loan_id TYPE integer, "
        "ALTER COLUMN reverses_id TYPE integer"
    ),
    ("ALTER TABLE referrals ALTER COLUMN id TYPE integer, ALTER COLUMN member_id TYPE integer"),
    (
        "ALTER TABLE livelihood_supports "
        "ALTER COLUMN id TYPE integer, "
        "ALTER COLUMN member_id TYPE integer"
    ),
    ("ALTER TABLE gal_sessions ALTER COLUMN id TYPE integer, ALTER COLUMN group_id TYPE integer"),
    (
        "ALTER TABLE client_ids "
        "ALTER COLUMN programme_key TYPE integer, "
        "ALTER COLUMN record_id TYPE integer"
    ),
    ("ALTER TABLE changes ALTER COLUMN id TYPE integer"),
    (
        "DO $$ BEGIN IF pg_get_serial_sequence('programmes', 'id') IS NOT NULL THEN "
        "EXECUTE 'ALTER SEQUENCE ' || pg_get_serial_sequence('programmes', 'id') "
        "|| ' AS integer'; END IF; END $$"
    ),
    (
        "DO $$ BEGIN IF pg_get_serial_sequence('groups', 'id') IS NOT NULL THEN "
        "EXECUTE 'ALTER SEQUENCE ' || pg_get_serial_sequence('groups', 'id') "
        "|| ' AS integer'; END IF; END $$"
    ),
    (
        "DO $$ BEGIN IF pg_get_serial_sequence('members', 'id') IS NOT NULL THEN "
        "EXECUTE 'ALTER SEQUENCE ' || pg_get_serial_sequence('members', 'id') "
        "|| ' AS integer'; END IF; END $$"
    ),
    (
        "DO $$ BEGIN IF pg_get_serial_sequence('cycles', 'id') IS NOT NULL THEN "
        "EXECUTE 'ALTER SEQUENCE ' || pg_get_serial_sequence('cycles', 'id') "
        "|| ' AS integer'; END IF; END $$"
    ),
    (
        "DO $$ BEGIN IF pg_get_serial_sequence('meetings', 'id') IS NOT NULL THEN "
        "EXECUTE 'ALTER SEQUENCE ' || pg_get_serial_sequence('meetings', 'id') "
        "|| ' AS integer'; END IF; END $$"
    ),
    (
        "DO $$ BEGIN IF pg_get_serial_sequence('loans', 'id') IS NOT NULL THEN "
        "EXECUTE 'ALTER SEQUENCE ' || pg_get_serial_sequence('loans', 'id') "
        "|| ' AS integer'; END IF; END $$"
    ),
    (
        "DO $$ BEGIN IF pg_get_serial_sequence('entries', 'id') IS NOT NULL THEN "
        "EXECUTE 'ALTER SEQUENCE ' || pg_get_serial_sequence('entries', 'id') "
        "|| ' AS integer'; END IF; END $$"
    ),
    (
        "DO $$ BEGIN IF pg_get_serial_sequence('referrals', 'id') IS NOT NULL THEN "
        "EXECUTE 'ALTER SEQUENCE ' || pg_get_serial_sequence('referrals', 'id') "
        "|| ' AS integer'; END IF; END $$"
    ),
    (
        "DO $$ BEGIN IF pg_get_serial_sequence('livelihood_supports', 'id') IS NOT NULL THEN "
        "EXECUTE 'ALTER SEQUENCE ' || pg_get_serial_sequence('livelihood_supports', 'id') "
        "|| ' AS integer'; END IF; END $$"
    ),
    (
        "DO $$ BEGIN IF pg_get_serial_sequence('gal_sessions', 'id') IS NOT NULL THEN "
        "EXECUTE 'ALTER SEQUENCE ' || pg_get_serial_sequence('gal_sessions', 'id') "
        "|| ' AS integer'; END IF; END $$"
    ),
    (
        "DO $$ BEGIN IF pg_get_serial_sequence('changes', 'id') IS NOT NULL THEN "
        "EXECUTE 'ALTER SEQUENCE ' || pg_get_serial_sequence('changes', 'id') "
        "|| ' AS integer'; END IF; END $$"
    ),
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in UPGRADE:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in DOWNGRADE:
            op.execute(statement)
