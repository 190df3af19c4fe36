"""The paper a group keeps: members' passbooks and the minutes of a meeting.

Each read loads the cycle's meetings, attendance and entries in one snapshot and hands them
to the pure builders of :mod:`vsla.domain.passbook` and :mod:`vsla.domain.minutes`.
"""

from __future__ import annotations

__all__ = ["PaperStore"]

import datetime as dt

from sqlalchemy import Connection, select

from vsla.domain.entities import Attendance, Cycle, Group
from vsla.domain.ledger import LedgerEntry
from vsla.domain.minutes import Minutes, build_minutes
from vsla.domain.passbook import Passbook, build_passbook
from vsla.errors import NotFound
from vsla.store import tables as t
from vsla.store.base import StoreBase
from vsla.store.rows import group_from_row, terms_from_row
from vsla.store.transactions import one_snapshot

_Meeting = tuple[int, int, dt.date]


class PaperStore(StoreBase):
    """Passbooks and minutes: mixed into :class:`~vsla.store.store.Store`."""

    def _paper_basis(
        self, conn: Connection, cycle_id: int
    ) -> tuple[Cycle, Group, list[_Meeting], list[LedgerEntry]]:
        cycle = self._cycle(conn, cycle_id)
        group = group_from_row(self._require(conn, t.groups, cycle.group_id, "group"))
        meetings = [
            (r.id, r.number, r.date)
            for r in conn.execute(
                select(t.meetings.c.id, t.meetings.c.number, t.meetings.c.date)
                .where(t.meetings.c.cycle_id == cycle_id)
                .order_by(t.meetings.c.date)
            )
        ]
        return cycle, group, meetings, self._entries(conn, cycle_id)

    @staticmethod
    def _attendance(
        conn: Connection, cycle_id: int, *, member_id: int | None = None
    ) -> dict[tuple[int, int], Attendance]:
        """(meeting id, member id) → attendance, for the cycle (one member's, if given)."""
        query = (
            select(t.attendance)
            .join(t.meetings, t.meetings.c.id == t.attendance.c.meeting_id)
            .where(t.meetings.c.cycle_id == cycle_id)
        )
        if member_id is not None:
            query = query.where(t.attendance.c.member_id == member_id)
        return {(a.meeting_id, a.member_id): Attendance(a.status) for a in conn.execute(query)}

    @one_snapshot
    def passbook(self, cycle_id: int, member_id: int) -> Passbook:
        """A member's passbook (sổ thành viên) for the cycle: one line per meeting, then
        the share-out or exit (see :mod:`vsla.domain.passbook`)."""
        return self.passbooks(cycle_id, member_ids=[member_id])[0]

    @one_snapshot
    def passbooks(self, cycle_id: int, *, member_ids: list[int] | None = None) -> list[Passbook]:
        """The passbooks of the cycle's group, one per member in number order (only the
        members of ``member_ids`` if given, in that order)."""
        with self._connect() as conn:
            cycle, group, meetings, entries = self._paper_basis(conn, cycle_id)
            members = {m.id: m for m in self._members(conn, group.id)}
            attendance = self._attendance(conn, cycle_id)
        if member_ids is None:
            chosen = sorted(members.values(), key=lambda m: m.number)
        else:
            missing = [i for i in member_ids if i not in members]
            if missing:
                raise NotFound(
                    f"member #{missing[0]} is not a member of group {group.code} ({group.name})"
                )
            chosen = [members[i] for i in member_ids]
        return [
            build_passbook(
                member,
                cycle,
                meetings,
                {mid: a for (mid, who), a in attendance.items() if who == member.id},
                entries,
                group_code=group.code,
                group_name=group.name,
            )
            for member in chosen
        ]

    @one_snapshot
    def minutes(self, cycle_id: int, on: dt.date) -> Minutes:
        """The minutes (biên bản họp) of the cycle's meeting on ``on`` (see
        :mod:`vsla.domain.minutes`)."""
        with self._connect() as conn:
            cycle, group, meetings, entries = self._paper_basis(conn, cycle_id)
            found = [m for m in meetings if m[2] == on]
            if not found:
                dates = ", ".join(m[2].isoformat() for m in meetings[-5:]) or "none"
                raise NotFound(
                    f"group {group.code} ({group.name}) has no meeting on {on.isoformat()} "
                    f"in cycle {cycle.number} (latest meetings: {dates})"
                )
            meeting = found[0]
            members = {m.id: m for m in self._members(conn, group.id)}
            attendance = {
                who: a
                for (mid, who), a in self._attendance(conn, cycle_id).items()
                if mid == meeting[0]
            }
            terms = {
                r.id: terms_from_row(r)
                for r in conn.execute(
                    select(t.loans).where(
                        t.loans.c.cycle_id == cycle_id, t.loans.c.meeting_id == meeting[0]
                    )
                )
            }
        return build_minutes(
            cycle,
            meeting,
            members,
            attendance,
            entries,
            terms,
            group_code=group.code,
            group_name=group.name,
        )
