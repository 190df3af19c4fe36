"""The store's shared core: loading a cycle's state for the planners, and writing entries.

Every capability module of the store (registry, cycles, meetings, ledger and corrections,
loans, share-out) builds on :class:`StoreBase`: it loads state with a handful of SQL
queries, hands it to a pure planner of :mod:`vsla.domain`, and writes what the planner
returns. No rule is decided here.
"""

from __future__ import annotations

__all__ = ["StoreBase"]

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from typing import Any

from sqlalchemy import Connection, Row, func, select

from vsla.domain.constitution import Constitution
from vsla.domain.entities import Cycle, Member, OfficerRole
from vsla.domain.ledger import Balances, EntryKind, LedgerEntry, balances_from_totals
from vsla.domain.loanstate import LoanState
from vsla.domain.meeting import CycleState, PlannedEntry
from vsla.errors import NotFound
from vsla.store import prepared
from vsla.store import tables as t
from vsla.store.changelog import ChangeKind, log_change
from vsla.store.loanmarks import refresh_loan_marks
from vsla.store.rows import (
    ENTRY_COLUMNS,
    entry_from_row,
    entry_values,
    group_from_row,
    insert_many,
    insert_many_values,
    member_from_row,
    read_loan_states,
    written_entry,
)
from vsla.store.transactions import Transactions


class StoreBase(Transactions):
    """Loading state and writing entries, shared by the store's capability modules."""

    # ------------------------------------------------------------------ rows

    @staticmethod
    def _require(conn: Connection, table: Any, row_id: int, what: str) -> Row[Any]:
        row = conn.execute(prepared.by_id(table), {"id": row_id}).one_or_none()
        if row is None:
            raise NotFound(f"{what} #{row_id} does not exist")
        return row

    @staticmethod
    def _members(conn: Connection, group_id: int) -> list[Member]:
        rows = conn.execute(prepared.group_members(), {"group_id": group_id})
        return [member_from_row(r) for r in rows]

    def _cycle(self, conn: Connection, cycle_id: int, *, lock: bool = False) -> Cycle:
        row = conn.execute(prepared.cycle_row(lock=lock), {"id": cycle_id}).one_or_none()
        if row is None:
            raise NotFound(f"cycle #{cycle_id} does not exist")
        roles: dict[int, list[OfficerRole]] = defaultdict(list)
        for member_id, role in conn.execute(prepared.officers_of(), {"cycle_id": cycle_id}):
            roles[member_id].append(OfficerRole(role))
        return Cycle(
            id=row.id,
            group_id=row.group_id,
            number=row.number,
            start_date=row.start_date,
            end_date=row.end_date,
            constitution=Constitution.model_validate(row.constitution),
            officers={k: tuple(v) for k, v in roles.items()},
            previous_cycle_id=row.previous_cycle_id,
            shared_out_on=row.shared_out_on,
            client_id=row.client_id,
        )

    # ------------------------------------------------------------------ state

    def _state(self, conn: Connection, cycle_id: int, *, lock: bool = True) -> CycleState:
        """What the planners need to know of a cycle now (the cycle row locked for a write)."""
        cycle = self._cycle(conn, cycle_id, lock=lock)
        group = group_from_row(self._require(conn, t.groups, cycle.group_id, "group"))
        members = {
            r.id: member_from_row(r)
            for r in conn.execute(prepared.group_members(), {"group_id": group.id})
        }
        totals = self._totals(conn, cycle_id, None)
        member_shares = {
            mid: int(n)
            for mid, n in conn.execute(prepared.member_shares(), {"cycle_id": cycle_id})
            if n
        }
        loans = self._loan_states(conn, cycle_id)
        last, last_minutes = conn.execute(
            prepared.last_meeting_days(), {"cycle_id": cycle_id}
        ).one()
        return CycleState(
            group_label=f"group {group.code} ({group.name})",
            cycle=cycle,
            members=members,
            totals=totals,
            member_shares=member_shares,
            loans={i: s for i, s in loans.items() if not s.cancelled},
            last_meeting_on=last,
            last_minutes_on=last_minutes,
            # every loan's client id, a cancelled loan's too: a ref is never used twice
            used_refs=frozenset(s.ref for s in loans.values() if s.ref is not None),
            group_code=group.code,
        )

    def _loan_states(
        self,
        conn: Connection,
        cycle_id: int,
        loan_id: int | None = None,
    ) -> dict[int, LoanState]:
        """The cycle's loans (or one) with every move recorded, cancelled loans included:
        :meth:`~vsla.domain.loanstate.LoanState.as_of` reads them on any date."""
        if loan_id is None:
            rows = conn.execute(prepared.cycle_loans(), {"cycle_id": cycle_id})
        else:
            rows = conn.execute(
                select(t.loans).where(t.loans.c.cycle_id == cycle_id, t.loans.c.id == loan_id)
            )
        return read_loan_states(conn, list(rows))

    def _entries(self, conn: Connection, cycle_id: int) -> list[LedgerEntry]:
        rows = conn.execute(
            select(t.entries).where(t.entries.c.cycle_id == cycle_id).order_by(t.entries.c.id)
        )
        return [entry_from_row(r._mapping) for r in rows]

    def _totals(self, conn: Connection, cycle_id: int, on: dt.date | None) -> dict[EntryKind, int]:
        """Σ amount per entry kind: the one aggregate every balance is derived from."""
        query = prepared.totals(until=on is not None)
        return {
            EntryKind(kind): int(amount)
            for kind, amount in conn.execute(query, {"cycle_id": cycle_id, "on": on})
        }

    def _balances(self, conn: Connection, cycle_id: int, on: dt.date | None) -> Balances:
        where = [t.entries.c.cycle_id == cycle_id]
        if on is not None:
            where.append(t.entries.c.date <= on)
        shares = conn.execute(
            select(func.coalesce(func.sum(t.entries.c.shares), 0)).where(*where)
        ).scalar_one()
        share_value = conn.execute(
            select(t.cycles.c.share_value).where(t.cycles.c.id == cycle_id)
        ).scalar_one()
        return balances_from_totals(self._totals(conn, cycle_id, on), int(shares), int(share_value))

    # ------------------------------------------------------------------ writing

    def _meeting_rows(
        self,
        conn: Connection,
        cycle_id: int,
        dates: Sequence[dt.date],
        *,
        minutes: bool | AbstractSet[dt.date],
        client_ids: Mapping[dt.date, str | None] | None = None,
    ) -> dict[dt.date, tuple[int, int]]:
        """(id, number) of the meeting of each date, created where missing and numbered
        after the cycle's others, in the order given (the order recorded). A date's row may
        exist already (a write-off, an opening balance): with ``minutes`` (every date, or
        the dates of a set) it is marked as recorded whole, and given the meeting's client
        id."""
        client_ids = client_ids or {}
        marked = minutes if isinstance(minutes, AbstractSet) else set(dates) if minutes else set()
        wanted = set(dates)
        if not wanted:
            return {}
        between = {"cycle_id": cycle_id, "first": min(wanted), "last": max(wanted)}
        found = {
            day: (mid, number)
            for mid, day, number in conn.execute(prepared.meetings_between(), between)
            if day in wanted
        }
        recorded = {day: mid for day, (mid, _) in found.items() if day in marked}
        if recorded:
            conn.execute(
                t.meetings.update()
                .where(t.meetings.c.id.in_(list(recorded.values())))
                .values(minutes_recorded=True)
            )
            for day, mid in recorded.items():
                if client_ids.get(day) is not None:
                    conn.execute(
                        t.meetings.update()
                        .where(t.meetings.c.id == mid)
                        .values(client_id=client_ids[day])
                    )
            log_change(conn, ChangeKind.MEETING, list(recorded.values()))
        fresh = [day for day in dates if day not in found]
        if fresh:
            count = conn.execute(prepared.meeting_count(), {"cycle_id": cycle_id}).scalar_one()
            numbers = {day: count + 1 + i for i, day in enumerate(fresh)}
            rows = [
                {
                    "cycle_id": cycle_id,
                    "date": d,
                    "number": numbers[d],
                    "minutes_recorded": d in marked,
                    "client_id": client_ids.get(d),
                }
                for d in fresh
            ]
            ids = insert_many(conn, t.meetings, rows)
            log_change(conn, ChangeKind.MEETING, ids)
            found.update({d: (mid, numbers[d]) for d, mid in zip(fresh, ids, strict=True)})
        return found

    def _write_entries(
        self, conn: Connection, cycle_id: int, on: dt.date, planned: Sequence[PlannedEntry]
    ) -> list[LedgerEntry]:
        """Write entries planned for ``on`` (none of them for a new loan) at that date's
        meeting, created if needed: the path of every operation but a recorded meeting."""
        if not planned:
            return []
        meeting_id = self._meeting_rows(conn, cycle_id, [on], minutes=False)[on][0]
        values = [entry_values(cycle_id, meeting_id, on, p, p.loan_id) for p in planned]
        ids = insert_many_values(conn, t.entries, ENTRY_COLUMNS, values)
        log_change(conn, ChangeKind.ENTRY, ids)
        refresh_loan_marks(conn, ((p.loan_id, on) for p in planned))
        return list(map(written_entry, ids, values, planned))
