"""The ledger: entries, balances on any date, and corrections (reversals, write-offs).

Reading a past date counts what was recorded on or before it, corrections included only if
recorded by then. A correction is planned by :mod:`vsla.domain.corrections` and written as
new entries: recorded history is never edited.
"""

from __future__ import annotations

__all__ = ["LedgerStore", "MemberBalance"]

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select

from vsla.domain.corrections import plan_reversal, plan_write_off
from vsla.domain.ledger import Balances, EntryKind, LedgerEntry, balances_from_totals
from vsla.errors import NotFound
from vsla.store import tables as t
from vsla.store.base import StoreBase
from vsla.store.transactions import one_snapshot, retry_conflicts


@dataclass(frozen=True, slots=True)
class MemberBalance:
    """One member's position in a cycle."""

    member_id: int
    shares: int
    savings: int
    social_fund_contributions: int
    fines: int
    principal_outstanding: int


class LedgerStore(StoreBase):
    """The ledger and its corrections: mixed into :class:`~vsla.store.store.Store`."""

    @one_snapshot
    def entries(self, cycle_id: int) -> list[LedgerEntry]:
        """Every entry of a cycle, in the order recorded."""
        with self._connect() as conn:
            return self._entries(conn, cycle_id)

    @one_snapshot
    def balances(self, cycle_id: int, on: dt.date | None = None) -> Balances:
        """The cycle's balances after the last meeting on or before ``on`` (default: all)."""
        with self._connect() as conn:
            self._cycle(conn, cycle_id)
            return self._balances(conn, cycle_id, on)

    @one_snapshot
    def balance_history(self, cycle_id: int) -> list[tuple[dt.date, Balances]]:
        """The balances after each date that has entries, in date order (one query).

        This is the series behind a chart of savings, cash and loans over a cycle; each point
        equals ``balances(cycle_id, on=that date)``.
        """
        with self._connect() as conn:
            cycle = self._cycle(conn, cycle_id)
            rows = conn.execute(
                select(
                    t.entries.c.date,
                    t.entries.c.kind,
                    func.sum(t.entries.c.amount),
                    func.sum(t.entries.c.shares),
                )
                .where(t.entries.c.cycle_id == cycle_id)
                .group_by(t.entries.c.date, t.entries.c.kind)
                .order_by(t.entries.c.date)
            ).all()
        totals: dict[EntryKind, int] = defaultdict(int)
        shares = 0
        history: list[tuple[dt.date, Balances]] = []
        for i, (day, kind, amount, n) in enumerate(rows):
            totals[EntryKind(kind)] += int(amount)
            shares += int(n)
            if i + 1 == len(rows) or rows[i + 1][0] != day:
                history.append(
                    (day, balances_from_totals(totals, shares, cycle.constitution.share_value))
                )
        return history

    @one_snapshot
    def member_balances(self, cycle_id: int, on: dt.date | None = None) -> list[MemberBalance]:
        """Each member's shares, savings, contributions, fines and principal outstanding."""
        with self._connect() as conn:
            cycle = self._cycle(conn, cycle_id)
            where = [t.entries.c.cycle_id == cycle_id, t.entries.c.member_id.is_not(None)]
            if on is not None:
                where.append(t.entries.c.date <= on)
            per: dict[int, dict[EntryKind, int]] = defaultdict(dict)
            shares: dict[int, int] = defaultdict(int)
            for member_id, kind, amount, n in conn.execute(
                select(
                    t.entries.c.member_id,
                    t.entries.c.kind,
                    func.sum(t.entries.c.amount),
                    func.sum(t.entries.c.shares),
                )
                .where(*where)
                .group_by(t.entries.c.member_id, t.entries.c.kind)
            ):
                per[member_id][EntryKind(kind)] = int(amount)
                shares[member_id] += int(n)
            member_ids = [m.id for m in self._members(conn, cycle.group_id)]
        out = []
        for mid in member_ids:
            k = per.get(mid, {})
            out.append(
                MemberBalance(
                    member_id=mid,
                    shares=shares.get(mid, 0),
                    savings=shares.get(mid, 0) * cycle.constitution.share_value,
                    social_fund_contributions=k.get(EntryKind.SOCIAL_CONTRIBUTION, 0),
                    fines=k.get(EntryKind.FINE, 0),
                    principal_outstanding=k.get(EntryKind.LOAN_DISBURSEMENT, 0)
                    - k.get(EntryKind.PRINCIPAL_REPAYMENT, 0)
                    - k.get(EntryKind.WRITE_OFF, 0),
                )
            )
        return out

    @retry_conflicts
    def reverse_entry(self, entry_id: int, *, on: dt.date, reason: str) -> LedgerEntry:
        """Cancel an entry with new, reversing entries dated ``on`` (history stays intact).

        What it undoes with the entry (a loan's upfront interest, the other part of a
        repayment or a write-off) and what it refuses are in
        :mod:`vsla.domain.corrections`. Returns the reversing entry of ``entry_id``; the
        others are in :meth:`entries`.
        """
        with self._begin() as conn:
            cycle_id = conn.execute(
                select(t.entries.c.cycle_id).where(t.entries.c.id == entry_id)
            ).scalar_one_or_none()
            if cycle_id is None:
                raise NotFound(f"entry #{entry_id} does not exist")
            state = self._state(conn, cycle_id)
            planned = plan_reversal(
                state, self._entries(conn, cycle_id), entry_id, on=on, reason=reason
            )
            return self._write_entries(conn, cycle_id, on, planned)[0]

    @retry_conflicts
    def write_off(self, loan_id: int, *, on: dt.date, reason: str) -> LedgerEntry:
        """Write off what a loan still owes: its principal outstanding (and the interest due,
        as a second entry of kind ``interest_write_off``) leaves the books as a loss.
        Returns the first entry written."""
        with self._begin() as conn:
            row = self._require(conn, t.loans, loan_id, "loan")
            state = self._state(conn, row.cycle_id)
            planned = plan_write_off(state, loan_id, on=on, reason=reason)
            return self._write_entries(conn, row.cycle_id, on, planned)[0]
