"""Loan marks: each loan's arrears as stretches of days, for the portfolio at risk on any
date in one aggregate query (docs/performance.md, "The money dashboard").

The table is derived from the entries, like an index. This revision only creates it: like
every revision, it moves no data through the store's code. The upgrade fills it once every
revision has run, at the head schema and in the same transaction, with the rule of the
installed vsla (``vsla.store.schema.DERIVED_SINCE``), so the marks are what the reports'
rule gives.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision: str | None = "0005"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    loan_id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    op.create_table(
        "loan_marks",
        sa.Column("loan_id", loan_id, nullable=False),
        sa.Column("since", sa.Date(), nullable=False),
        sa.Column("until", sa.Date(), nullable=True),
        sa.Column("outstanding", sa.BigInteger(), nullable=False),
        sa.Column("unpaid_since", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("loan_id", "since", name="pk_loan_marks"),
        sa.ForeignKeyConstraint(["loan_id"], ["loans.id"], name="fk_loan_marks_loan_id_loans"),
    )


def downgrade() -> None:
    op.drop_table("loan_marks")
