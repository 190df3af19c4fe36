"""Field sync: client ids, the change feed, and opening positions (docs/sync.md).

- ``client_id`` on the records an app creates (groups, members, cycles, meetings, referrals,
  livelihood supports, GAL sessions, and a repayment's entries); a loan's ``ref`` becomes
  its ``client_id`` (the column is renamed, every value kept).
- ``client_ids``: each client id with the content first sent with it, unique per kind
  within a programme. Refs written before this revision were unique within their cycle
  only; they stay the loans' client ids but are not registered.
- ``changes``: the change feed, with its commit sequence (on PostgreSQL a deferred trigger
  assigns it at commit). Every record already in the database is entered once, kind by
  kind, so that an app's first pull brings it all.
- ``entries.effective_on``: the day an opening position's loan move happened on paper.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None

_WITH_CLIENT_ID = (
    "groups",
    "members",
    "cycles",
    "meetings",
    "entries",
    "referrals",
    "livelihood_supports",
    "gal_sessions",
)

# The kinds of the change feed and their tables, in the order an app needs them
_FEED = (
    ("programme", "programmes"),
    ("group", "groups"),
    ("member", "members"),
    ("cycle", "cycles"),
    ("meeting", "meetings"),
    ("loan", "loans"),
    ("entry", "entries"),
    ("referral", "referrals"),
    ("livelihood_support", "livelihood_supports"),
    ("gal_session", "gal_sessions"),
)
_CHUNK = 1000  # ids per change row of the backfill

# The same DDL as vsla.store.tables (a revision keeps its own copy: later changes to the
# tables module must not change what this revision did).
_FUNCTION = """
CREATE OR REPLACE FUNCTION vsla_changes_commit_seq() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- held until this transaction's commit is visible: seq order is commit order
    PERFORM pg_advisory_xact_lock(TG_RELID::bigint);
    EXECUTE 'UPDATE ' || quote_ident(TG_TABLE_SCHEMA) || '.' || quote_ident(TG_TABLE_NAME)
        || ' SET seq = (SELECT coalesce(max(seq), 0) + 1 FROM '
        || quote_ident(TG_TABLE_SCHEMA) || '.' || quote_ident(TG_TABLE_NAME)
        || ') WHERE id = $1' USING NEW.id;
    RETURN NULL;
END
$$
"""
_TRIGGER = """
CREATE CONSTRAINT TRIGGER changes_commit_seq AFTER INSERT ON changes
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION vsla_changes_commit_seq()
"""


def upgrade() -> None:
    for name in _WITH_CLIENT_ID:
        with op.batch_alter_table(name) as batch:
            batch.add_column(sa.Column("client_id", sa.String(64), nullable=True))
    with op.batch_alter_table("entries") as batch:
        batch.add_column(sa.Column("effective_on", sa.Date, nullable=True))
    # SQLite (3.25+) and PostgreSQL rename a column in place, with its constraint; a batch
    # would copy the table, which the entries' foreign keys refuse
    op.execute("ALTER TABLE loans RENAME COLUMN ref TO client_id")
    op.create_table(
        "client_ids",
        sa.Column("programme_key", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("client_id", sa.String(64), nullable=False),
        sa.Column("record_id", sa.Integer, nullable=False),
        sa.Column("content", sa.JSON, nullable=False),
        sa.PrimaryKeyConstraint("programme_key", "kind", "client_id", name="pk_client_ids"),
    )
    changes = op.create_table(
        "changes",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("seq", sa.BigInteger, nullable=True),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("record_ids", sa.JSON, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_changes"),
    )
    op.create_index("ix_changes_seq", "changes", ["seq"], unique=True)
    # what the database holds already, as the first changes (seq given here, in order)
    conn = op.get_bind()
    seq = 0
    for kind, name in _FEED:
        table = sa.table(name, sa.column("id", sa.Integer))
        ids = list(conn.execute(sa.select(table.c.id).order_by(table.c.id)).scalars())
        for start in range(0, len(ids), _CHUNK):
            seq += 1
            conn.execute(
                changes.insert().values(seq=seq, kind=kind, record_ids=ids[start : start + _CHUNK])
            )
    if conn.dialect.name == "postgresql":
        op.execute(_FUNCTION)
        op.execute(_TRIGGER)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS changes_commit_seq ON changes")
        op.execute("DROP FUNCTION IF EXISTS vsla_changes_commit_seq()")
    op.drop_index("ix_changes_seq", table_name="changes")
    op.drop_table("changes")
    op.drop_table("client_ids")
    op.execute("ALTER TABLE loans RENAME COLUMN client_id TO ref")
    with op.batch_alter_table("entries") as batch:
        batch.drop_column("effective_on")
    for name in reversed(_WITH_CLIENT_ID):
        with op.batch_alter_table(name) as batch:
            batch.drop_column("client_id")
