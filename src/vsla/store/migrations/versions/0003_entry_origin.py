"""Every entry carries the rule that made it: ``entries.origin``.

Until this revision an entry's meaning was partly read out of its memo ("upfront",
"netted at exit", "netted at share-out"), so a write-off whose reason happened to be one of
those words changed money. The new column holds the meaning
(:class:`vsla.domain.ledger.EntryOrigin`); the memo is words only.

The backfill applies the rules the store followed until now, exactly: an entry with
``reverses_id`` is a reversal; the kind alone tells an opening carry, a write-off, a
share-out or exit payout and a remainder transfer; and the library's own memos (which no
person could write on those kinds) tell upfront interest and the loans netted at an exit or
a share-out. This is the one place that reads a memo, once, to move its meaning out.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None

_entries = sa.table(
    "entries",
    sa.column("kind", sa.String),
    sa.column("memo", sa.Text),
    sa.column("reverses_id", sa.Integer),
    sa.column("origin", sa.String),
)

_BY_KIND = {
    "opening_loan_fund": "opening_carry",
    "opening_social_fund": "opening_carry",
    "write_off": "write_off",
    "share_out_payout": "share_out_payout",
    "exit_payout": "exit_payout",
    "transfer_to_social_fund": "remainder_transfer",
}
_SETTLES = ("interest_payment", "principal_repayment")
_BY_MEMO = {
    "netted at exit": ("netted_at_exit", _SETTLES),
    "netted at share-out": ("netted_at_share_out", _SETTLES),
    "upfront": ("upfront_interest", ("interest_payment",)),
}


def upgrade() -> None:
    with op.batch_alter_table("entries") as batch:
        batch.add_column(
            sa.Column("origin", sa.String(24), nullable=False, server_default="meeting")
        )
    e = _entries.c
    op.execute(_entries.update().where(e.reverses_id.is_not(None)).values(origin="reversal"))
    original = e.reverses_id.is_(None)
    for kind, origin in _BY_KIND.items():
        op.execute(_entries.update().where(original, e.kind == kind).values(origin=origin))
    for memo, (origin, kinds) in _BY_MEMO.items():
        op.execute(
            _entries.update()
            .where(original, e.kind.in_(kinds), e["memo"] == memo)
            .values(origin=origin)
        )


def downgrade() -> None:
    with op.batch_alter_table("entries") as batch:
        batch.drop_column("origin")
