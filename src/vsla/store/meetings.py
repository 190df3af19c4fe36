"""Meetings: recording them (one, or a batch all or nothing) and reading them back."""

from __future__ import annotations

__all__ = ["MeetingRecord", "MeetingStore"]

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from vsla.domain.entities import Attendance
from vsla.domain.ledger import LedgerEntry
from vsla.domain.meeting import MeetingInput, MeetingPlan, advance, plan_meeting
from vsla.store import tables as t
from vsla.store.base import StoreBase
from vsla.store.rows import entries_from_rows, entry_row, insert_many, loan_row
from vsla.store.transactions import one_snapshot, retry_conflicts


@dataclass(frozen=True, slots=True)
class MeetingRecord:
    """A recorded meeting and the entries it wrote."""

    id: int
    cycle_id: int
    date: dt.date
    number: int
    attendance: Mapping[int, Attendance]
    entries: tuple[LedgerEntry, ...]


class MeetingStore(StoreBase):
    """Meetings: mixed into :class:`~vsla.store.store.Store`."""

    def record_meeting(self, cycle_id: int, meeting: MeetingInput) -> MeetingRecord:
        """Record a whole meeting, all or nothing (see docs/meetings.md)."""
        return self.record_meetings(cycle_id, [meeting])[0]

    @retry_conflicts
    def record_meetings(
        self, cycle_id: int, meetings: Sequence[MeetingInput]
    ) -> list[MeetingRecord]:
        """Record several meetings of one cycle in date order, all or nothing.

        Each meeting is checked against the state the previous ones leave, exactly as if
        they were recorded one by one; if any is refused, none is written. This is the path
        for importing a ledger and for loading a whole cycle quickly.
        """
        with self._begin() as conn:
            state = self._state(conn, cycle_id)
            plans: list[tuple[MeetingPlan, list[int]]] = []
            for meeting in meetings:
                plan = plan_meeting(state, meeting)
                # loans get their ids when the batch is written; until then negative
                # stand-ins, so a later meeting of the batch can repay them (by ref)
                first = -1 - sum(len(p.new_loans) for p, _ in plans)
                stand_ins = [first - i for i in range(len(plan.new_loans))]
                state = advance(state, plan, stand_ins)
                plans.append((plan, stand_ins))
            return self._write_plans(conn, cycle_id, plans)

    def _write_plans(
        self, conn: Connection, cycle_id: int, plans: Sequence[tuple[MeetingPlan, list[int]]]
    ) -> list[MeetingRecord]:
        """Write planned meetings with one multi-row INSERT per table (the bulk path).

        ``plans`` pairs each plan with the stand-in ids (negative) its new loans were given
        while the batch was planned; entries naming a stand-in get the loan's real id.
        """
        if not plans:
            return []
        dates = [plan.date for plan, _ in plans]
        existing = self._meeting_rows(conn, cycle_id, dates, minutes=True)
        meeting_ids = [existing[day][0] for day in dates]
        attendance = [
            {"meeting_id": mid, "member_id": m, "status": s.value}
            for (plan, _), mid in zip(plans, meeting_ids, strict=True)
            for m, s in plan.attendance.items()
        ]
        if attendance:
            conn.execute(t.attendance.insert(), attendance)
        # loans, then the stand-in -> real id map
        loan_rows = [
            loan_row(cycle_id, new.member_id, mid, new.terms, new.purpose, new.ref)
            for (plan, _), mid in zip(plans, meeting_ids, strict=True)
            for new in plan.new_loans
        ]
        real: dict[int, int] = {}
        if loan_rows:
            loan_ids = insert_many(conn, t.loans, loan_rows)
            stand_ins = [i for _, ids in plans for i in ids]
            real = dict(zip(stand_ins, loan_ids, strict=True))
        # entries, all meetings in one statement
        rows: list[dict[str, Any]] = []
        for (plan, ids), mid in zip(plans, meeting_ids, strict=True):
            for p in plan.entries:
                loan_id = ids[p.new_loan] if p.new_loan is not None else p.loan_id
                real_loan = real.get(loan_id, loan_id) if loan_id is not None else None
                rows.append(entry_row(cycle_id, mid, plan.date, p, real_loan))
        written = entries_from_rows(insert_many(conn, t.entries, rows), rows)
        records: list[MeetingRecord] = []
        start = 0
        for (plan, _), mid in zip(plans, meeting_ids, strict=True):
            entries = tuple(written[start : start + len(plan.entries)])
            start += len(plan.entries)
            records.append(
                MeetingRecord(
                    id=mid,
                    cycle_id=cycle_id,
                    date=plan.date,
                    number=existing[plan.date][1],
                    attendance=dict(plan.attendance),
                    entries=entries,
                )
            )
        return records

    @one_snapshot
    def meetings(self, cycle_id: int) -> list[MeetingRecord]:
        with self._connect() as conn:
            rows = list(
                conn.execute(
                    select(t.meetings)
                    .where(t.meetings.c.cycle_id == cycle_id)
                    .order_by(t.meetings.c.date)
                )
            )
            entries = self._entries(conn, cycle_id)
            att: dict[int, dict[int, Attendance]] = defaultdict(dict)
            for a in conn.execute(
                select(t.attendance).join(t.meetings).where(t.meetings.c.cycle_id == cycle_id)
            ):
                att[a.meeting_id][a.member_id] = Attendance(a.status)
        by_meeting: dict[int, list[LedgerEntry]] = defaultdict(list)
        for e in entries:
            by_meeting[e.meeting_id].append(e)
        return [
            MeetingRecord(
                id=r.id,
                cycle_id=cycle_id,
                date=r.date,
                number=r.number,
                attendance=att[r.id],
                entries=tuple(by_meeting[r.id]),
            )
            for r in rows
        ]
