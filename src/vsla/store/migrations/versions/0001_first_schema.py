"""The first schema: the tables of vsla 0.1, exactly as released.

Written out operation by operation (never ``metadata.create_all``), so that this revision
stays what it is when ``tables.py`` changes. A database made by vsla 0.1 has these tables
and no version table; :mod:`vsla.store.schema` stamps it with this revision.

Revision ID: 0001
Revises:
Create Date: 2025-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def _id() -> sa.Column[int]:
    return sa.Column("id", sa.Integer(), nullable=False)


def _fk(column: str, table: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], name=f"fk_{table}_{column}_{target}")


def upgrade() -> None:
    op.create_table(
        "programmes",
        _id(),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("province", sa.Text(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("targets", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_programmes"),
    )
    op.create_table(
        "groups",
        _id(),
        sa.Column("programme_id", sa.Integer(), nullable=True),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("province", sa.Text(), nullable=False),
        sa.Column("district", sa.Text(), nullable=False),
        sa.Column("commune", sa.Text(), nullable=False),
        sa.Column("village", sa.Text(), nullable=False),
        sa.Column("established_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("gal_pilot_since", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_groups"),
        _fk("programme_id", "groups", "programmes"),
        sa.UniqueConstraint("code", name="uq_groups_code"),
    )
    op.create_index("ix_groups_programme_id", "groups", ["programme_id"])
    op.create_index("ix_groups_district", "groups", ["district"])
    op.create_table(
        "members",
        _id(),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("full_name", sa.Text(), nullable=False),
        sa.Column("sex", sa.String(1), nullable=False),
        sa.Column("birth_year", sa.Integer(), nullable=True),
        sa.Column("ethnicity", sa.Text(), nullable=False),
        sa.Column("phone", sa.String(32), nullable=True),
        sa.Column("joined_on", sa.Date(), nullable=False),
        sa.Column("left_on", sa.Date(), nullable=True),
        sa.Column("exit_reason", sa.String(16), nullable=True),
        sa.Column("gal_champion_since", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_members"),
        sa.UniqueConstraint("group_id", "number", name="uq_members_group_id"),
        _fk("group_id", "members", "groups"),
    )
    op.create_index("ix_members_group_id", "members", ["group_id"])
    op.create_table(
        "cycles",
        _id(),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("share_value", sa.BigInteger(), nullable=False),
        sa.Column("constitution", sa.JSON(), nullable=False),
        sa.Column("previous_cycle_id", sa.Integer(), nullable=True),
        sa.Column("shared_out_on", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_cycles"),
        sa.UniqueConstraint("group_id", "number", name="uq_cycles_group_id"),
        _fk("group_id", "cycles", "groups"),
        _fk("previous_cycle_id", "cycles", "cycles"),
    )
    op.create_index("ix_cycles_group_id", "cycles", ["group_id"])
    op.create_table(
        "officers",
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.PrimaryKeyConstraint("cycle_id", "member_id", "role", name="pk_officers"),
        _fk("cycle_id", "officers", "cycles"),
        _fk("member_id", "officers", "members"),
    )
    op.create_table(
        "meetings",
        _id(),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("minutes_recorded", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_meetings"),
        sa.UniqueConstraint("cycle_id", "date", name="uq_meetings_cycle_id"),
        _fk("cycle_id", "meetings", "cycles"),
    )
    op.create_table(
        "attendance",
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.PrimaryKeyConstraint("meeting_id", "member_id", name="pk_attendance"),
        _fk("meeting_id", "attendance", "meetings"),
        _fk("member_id", "attendance", "members"),
    )
    op.create_table(
        "loans",
        _id(),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("disbursed_on", sa.Date(), nullable=False),
        sa.Column("principal", sa.BigInteger(), nullable=False),
        sa.Column("interest_rate", sa.String(32), nullable=False),
        sa.Column("term_months", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(16), nullable=False),
        sa.Column("principal_schedule", sa.String(16), nullable=False),
        sa.Column("rounding", sa.String(16), nullable=False),
        sa.Column("purpose", sa.String(16), nullable=False),
        sa.Column("ref", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_loans"),
        sa.UniqueConstraint("cycle_id", "ref", name="uq_loans_cycle_id"),
        _fk("cycle_id", "loans", "cycles"),
        _fk("member_id", "loans", "members"),
        _fk("meeting_id", "loans", "meetings"),
    )
    op.create_index("ix_loans_cycle_id", "loans", ["cycle_id"])
    op.create_index("ix_loans_member_id", "loans", ["member_id"])
    op.create_table(
        "entries",
        _id(),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("shares", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("loan_id", sa.Integer(), nullable=True),
        sa.Column("memo", sa.Text(), nullable=False),
        sa.Column("reverses_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_entries"),
        _fk("cycle_id", "entries", "cycles"),
        _fk("meeting_id", "entries", "meetings"),
        _fk("member_id", "entries", "members"),
        _fk("loan_id", "entries", "loans"),
        sa.UniqueConstraint("reverses_id", name="uq_entries_reverses_id"),
        _fk("reverses_id", "entries", "entries"),
    )
    op.create_index("ix_entries_meeting_id", "entries", ["meeting_id"])
    op.create_index("ix_entries_member_id", "entries", ["member_id"])
    op.create_index("ix_entries_loan_id", "entries", ["loan_id"])
    op.create_index("ix_entries_cycle_kind", "entries", ["cycle_id", "kind"])
    op.create_table(
        "referrals",
        _id(),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("institution", sa.String(32), nullable=False),
        sa.Column("service", sa.Text(), nullable=False),
        sa.Column("referred_on", sa.Date(), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("outcome_on", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_referrals"),
        _fk("member_id", "referrals", "members"),
    )
    op.create_index("ix_referrals_member_id", "referrals", ["member_id"])
    op.create_table(
        "livelihood_supports",
        _id(),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("provider", sa.Text(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_livelihood_supports"),
        _fk("member_id", "livelihood_supports", "members"),
    )
    op.create_index("ix_livelihood_supports_member_id", "livelihood_supports", ["member_id"])
    op.create_table(
        "gal_sessions",
        _id(),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("tool", sa.String(32), nullable=False),
        sa.Column("women", sa.Integer(), nullable=False),
        sa.Column("men", sa.Integer(), nullable=False),
        sa.Column("reached_by_peer_sharing", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_gal_sessions"),
        _fk("group_id", "gal_sessions", "groups"),
    )
    op.create_index("ix_gal_sessions_group_id", "gal_sessions", ["group_id"])


def downgrade() -> None:
    for table in (
        "gal_sessions",
        "livelihood_supports",
        "referrals",
        "entries",
        "loans",
        "attendance",
        "meetings",
        "officers",
        "cycles",
        "members",
        "groups",
        "programmes",
    ):
        op.drop_table(table)
