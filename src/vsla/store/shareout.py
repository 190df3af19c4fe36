"""Share-out and member exit: the settlements planned by :mod:`vsla.domain.settlement`."""

from __future__ import annotations

__all__ = ["ShareOutStore"]

import datetime as dt

from sqlalchemy import select

from vsla.domain.entities import ExitReason
from vsla.domain.settlement import plan_member_exit, plan_share_out, recorded_share_out
from vsla.domain.shareout import ExitSettlement, ShareOutResult, exit_settlement
from vsla.errors import InvalidInput
from vsla.store import tables as t
from vsla.store.base import StoreBase
from vsla.store.changelog import ChangeKind, log_change
from vsla.store.rows import member_from_row
from vsla.store.transactions import one_snapshot, retry_conflicts


class ShareOutStore(StoreBase):
    """Share-out and exit: mixed into :class:`~vsla.store.store.Store`."""

    @one_snapshot
    def preview_share_out(self, cycle_id: int, on: dt.date) -> ShareOutResult[int]:
        """The share-out the cycle would get on ``on``, computed but not recorded."""
        with self._connect() as conn:
            state = self._state(conn, cycle_id, lock=False)
        return plan_share_out(state, on)[0]

    @one_snapshot
    def share_out_result(self, cycle_id: int, on: dt.date | None = None) -> ShareOutResult[int]:
        """The cycle's share-out sheet: the recorded one once the cycle is shared out,
        otherwise a preview on ``on`` (default: the cycle's end date).

        A recorded share-out is rebuilt from the ledger by the same pure ``share_out`` that
        made it, and checked against the payouts recorded.
        """
        with self._connect() as conn:
            state = self._state(conn, cycle_id, lock=False)
            if state.cycle.shared_out_on is None:
                return plan_share_out(state, on or state.cycle.end_date)[0]
            entries = self._entries(conn, cycle_id)
        return recorded_share_out(state, entries)

    @one_snapshot
    def member_names(self, group_id: int) -> dict[int, str]:
        """``{member id: "Name (no. N)"}``, for printing a share-out sheet."""
        with self._connect() as conn:
            return {m.id: f"{m.full_name} (no. {m.number})" for m in self._members(conn, group_id)}

    @retry_conflicts
    def share_out(self, cycle_id: int, *, on: dt.date) -> ShareOutResult[int]:
        """Share out the loan fund at the cycle's last meeting and close the cycle.

        Refused while loans are outstanding (policy ``refuse``, the default), or each
        borrower's balance is netted against their payout (policy ``net``). The social fund
        stays with the group; the remainder stays as cash or moves to the social fund.
        """
        with self._begin() as conn:
            state = self._state(conn, cycle_id)
            result, planned = plan_share_out(state, on)
            self._write_entries(conn, cycle_id, on, planned)
            conn.execute(
                t.cycles.update().where(t.cycles.c.id == cycle_id).values(shared_out_on=on)
            )
            log_change(conn, ChangeKind.CYCLE, [cycle_id])
            return result

    @retry_conflicts
    def settle_member_exit(
        self, member_id: int, *, on: dt.date, reason: ExitReason = ExitReason.VOLUNTARY
    ) -> ExitSettlement:
        """A member leaves mid-cycle: savings back (or a pro-rata value, by policy), minus
        what they owe on their loans; their shares leave the cycle; they are inactive from
        ``on``. Their entries of the cycle are closed from then on: none can be reversed."""
        with self._begin() as conn:
            member = member_from_row(self._require(conn, t.members, member_id, "member"))
            if not member.is_active(on):
                raise InvalidInput(f"{member.label()} is not active on {on}")
            cycle_id = conn.execute(
                select(t.cycles.c.id)
                .where(t.cycles.c.group_id == member.group_id, t.cycles.c.shared_out_on.is_(None))
                .order_by(t.cycles.c.number.desc())
                .limit(1)
            ).scalar_one_or_none()
            settlement = exit_settlement(0, 1, 0)
            if cycle_id is not None:
                state = self._state(conn, cycle_id)
                settlement, planned = plan_member_exit(state, member_id, on=on, reason=reason)
                self._write_entries(conn, cycle_id, on, planned)
            conn.execute(
                t.members.update()
                .where(t.members.c.id == member_id)
                .values(left_on=on, exit_reason=reason.value)
            )
            log_change(conn, ChangeKind.MEMBER, [member_id])
            return settlement
