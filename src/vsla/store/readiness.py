"""The facts of linkage readiness that the group indicators do not hold: a group's history
over every cycle, and each member's saving and borrowing record (docs/readiness.md).

The rules live in :mod:`vsla.domain.readiness`; this module only reads, with a fixed number
of queries whatever the number of groups. A loan's arrears are never recomputed here: each
loan comes back as a :class:`~vsla.domain.loanstate.LoanState` built from the same moves
query as every other loan read (:func:`~vsla.store.rows.loan_moves_query`).
"""

from __future__ import annotations

__all__ = ["GroupPast", "ReadinessFacts", "ReadinessStore"]

import datetime as dt
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, or_, select

from vsla.domain.indicators import text_order
from vsla.domain.ledger import EntryKind
from vsla.domain.loanstate import LoanMove, LoanState
from vsla.domain.readiness import MemberHistory
from vsla.errors import InvalidInput
from vsla.store import tables as t
from vsla.store.base import StoreBase
from vsla.store.rows import loan_moves_query, loan_state_from_row
from vsla.store.transactions import one_snapshot

_g = t.groups.c
_m = t.members.c
_c = t.cycles.c
_e = t.entries.c


@dataclass(frozen=True, slots=True)
class GroupPast:
    """A group's history on a date, over every cycle: cycles shared out by then, principal
    disbursed and written off (reversals netted), and the previous cycle's savings at the
    same number of days since its start as the running cycle has run (``None`` without a
    previous cycle)."""

    cycles_completed: int
    principal_disbursed: int
    principal_written_off: int
    savings_before: int | None


@dataclass(frozen=True, slots=True)
class ReadinessFacts:
    """What :meth:`ReadinessStore.readiness_facts` reads: each group's :class:`GroupPast`
    by group id, and the members active on the date and not yet referred."""

    on: dt.date
    groups: dict[int, GroupPast]
    members: tuple[MemberHistory, ...]


def _scope(programme_id: int, district: str | None, on: dt.date) -> list[ColumnElement[bool]]:
    where = [_g.programme_id == programme_id, _g.established_on <= on]
    if district is not None:
        where.append(_g.district == unicodedata.normalize("NFC", district.strip()))
    return where


def _active(on: dt.date) -> ColumnElement[bool]:
    return and_(_m.joined_on <= on, or_(_m.left_on.is_(None), _m.left_on > on))


def _int(value: Any) -> int:
    return 0 if value is None else int(value)


class ReadinessStore(StoreBase):
    """Mixed into :class:`~vsla.store.store.Store`."""

    @one_snapshot
    def readiness_facts(
        self,
        programme_id: int,
        on: dt.date,
        *,
        district: str | None = None,
        saving_window_meetings: int = 12,
    ) -> ReadinessFacts:
        """The history facts of readiness for the groups of a programme (of a district)
        established on or before ``on``, and the members to judge for the shortlist: active
        on ``on``, with no referral dated on or before it. Everything counts what was
        recorded on or before ``on``. A member's meetings are the latest
        ``saving_window_meetings`` held (minutes recorded) while they were a member."""
        if saving_window_meetings < 1:
            raise InvalidInput(
                f"saving_window_meetings must be at least 1, got {saving_window_meetings}"
            )
        where = _scope(programme_id, district, on)
        in_scope = select(_g.id).where(*where)
        with self._connect() as conn:
            groups = self._group_pasts(conn, where, on)
            members = self._member_histories(conn, in_scope, on, saving_window_meetings)
        return ReadinessFacts(on=on, groups=groups, members=members)

    # ------------------------------------------------------------------ groups

    def _group_pasts(
        self, conn: Any, where: list[ColumnElement[bool]], on: dt.date
    ) -> dict[int, GroupPast]:
        cycles: dict[int, list[Any]] = defaultdict(list)
        for r in conn.execute(
            select(_c.id, _c.group_id, _c.number, _c.start_date, _c.share_value, _c.shared_out_on)
            .join(t.groups, _g.id == _c.group_id)
            .where(*where, _c.start_date <= on)
            .order_by(_c.group_id, _c.number)
        ):
            cycles[r.group_id].append(r)
        # principal disbursed and written off over every cycle, per group
        lent: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        kinds = (EntryKind.LOAN_DISBURSEMENT.value, EntryKind.WRITE_OFF.value)
        for gid, kind, amount in conn.execute(
            select(_g.id, _e.kind, func.sum(_e.amount))
            .select_from(
                t.entries.join(t.cycles, _c.id == _e.cycle_id).join(t.groups, _g.id == _c.group_id)
            )
            .where(*where, _e.date <= on, _e.kind.in_(kinds))
            .group_by(_g.id, _e.kind)
        ):
            lent[gid][kind] += _int(amount)
        # the previous cycle's shares by date: cut at the running cycle's age below
        later = t.cycles.alias("later").c
        running_number = (
            select(func.max(later.number))
            .where(later.group_id == _c.group_id, later.start_date <= on)
            .scalar_subquery()
        )
        shares_by_day: dict[int, list[tuple[dt.date, int]]] = defaultdict(list)
        for cycle_id, day, n in conn.execute(
            select(_e.cycle_id, _e.date, func.sum(_e.shares))
            .select_from(
                t.entries.join(t.cycles, _c.id == _e.cycle_id).join(t.groups, _g.id == _c.group_id)
            )
            .where(*where, _c.number == running_number - 1, _e.date <= on)
            .group_by(_e.cycle_id, _e.date)
        ):
            shares_by_day[cycle_id].append((day, _int(n)))
        out: dict[int, GroupPast] = {}
        for gid in conn.execute(select(_g.id).where(*where)).scalars():
            rows = cycles.get(gid, [])
            before: int | None = None
            if len(rows) >= 2:
                running, previous = rows[-1], rows[-2]
                cut = previous.start_date + (on - running.start_date)
                shares = sum(n for day, n in shares_by_day.get(previous.id, ()) if day <= cut)
                before = shares * int(previous.share_value)
            out[gid] = GroupPast(
                cycles_completed=sum(
                    1 for r in rows if r.shared_out_on is not None and r.shared_out_on <= on
                ),
                principal_disbursed=lent[gid][EntryKind.LOAN_DISBURSEMENT.value],
                principal_written_off=lent[gid][EntryKind.WRITE_OFF.value],
                savings_before=before,
            )
        return out

    # ------------------------------------------------------------------ members

    def _member_histories(
        self, conn: Any, in_scope: Any, on: dt.date, limit: int
    ) -> tuple[MemberHistory, ...]:
        r = t.referrals.c
        referred = exists().where(r.member_id == _m.id, r.referred_on <= on)
        members = list(
            conn.execute(
                select(
                    _m.id,
                    _m.number,
                    _m.full_name,
                    _m.sex,
                    _m.group_id,
                    _m.joined_on,
                    _m.left_on,
                    _g.code,
                    _g.district,
                )
                .join(t.groups, _g.id == _m.group_id)
                .where(_m.group_id.in_(in_scope), _active(on), ~referred)
            )
        )
        if not members:
            return ()
        # the meetings each group held (whole minutes recorded), latest first
        meetings: dict[int, list[tuple[dt.date, int]]] = defaultdict(list)
        mt = t.meetings.c
        for gid, mid, day in conn.execute(
            select(_c.group_id, mt.id, mt.date)
            .join(t.cycles, _c.id == mt.cycle_id)
            .where(_c.group_id.in_(in_scope), mt.minutes_recorded.is_(True), mt.date <= on)
            .order_by(_c.group_id, mt.date.desc(), mt.id.desc())
        ):
            meetings[gid].append((day, mid))
        # the meetings at which each member bought shares (a reversal counts at the meeting
        # of the purchase it undoes, from the day it was recorded)
        original = t.entries.alias("original")
        at_meeting = func.coalesce(original.c.meeting_id, _e.meeting_id)
        saved: set[tuple[int, int]] = {
            (member_id, meeting_id)
            for member_id, meeting_id in conn.execute(
                select(_e.member_id, at_meeting)
                .select_from(
                    t.entries.outerjoin(original, _e.reverses_id == original.c.id).join(
                        t.members, _m.id == _e.member_id
                    )
                )
                .where(_m.group_id.in_(in_scope), _e.shares != 0, _e.date <= on)
                .group_by(_e.member_id, at_meeting)
                .having(func.sum(_e.shares) > 0)
            )
        }
        loans = self._member_loans(conn, in_scope, on)
        out = []
        for row in members:
            held = [
                mid
                for day, mid in meetings.get(row.group_id, ())
                if row.joined_on <= day and (row.left_on is None or day < row.left_on)
            ][:limit]
            out.append(
                MemberHistory(
                    member_id=row.id,
                    member_number=row.number,
                    full_name=row.full_name,
                    sex=row.sex,
                    group_id=row.group_id,
                    group_code=row.code,
                    district=row.district,
                    meetings_held=len(held),
                    meetings_saved=sum(1 for mid in held if (row.id, mid) in saved),
                    loans=tuple(loans.get(row.id, ())),
                )
            )
        # districts as a reader looks for them (Đắk Glei with D), then group and number
        return tuple(
            sorted(out, key=lambda m: (text_order(m.district), m.group_code, m.member_number))
        )

    def _member_loans(self, conn: Any, in_scope: Any, on: dt.date) -> dict[int, list[LoanState]]:
        """Every loan disbursed on or before ``on`` to a member of the groups, with its
        moves recorded by then, by member id."""
        loan = t.loans.c
        mine = (
            select(loan.id)
            .join(t.members, _m.id == loan.member_id)
            .where(_m.group_id.in_(in_scope), loan.disbursed_on <= on)
        )
        moves: dict[int, list[LoanMove]] = defaultdict(list)
        for lid, recorded, day, kind, amount in conn.execute(
            loan_moves_query().where(_e.loan_id.in_(mine), _e.date <= on)
        ):
            moves[lid].append(LoanMove(recorded, day, EntryKind(kind), _int(amount)))
        out: dict[int, list[LoanState]] = defaultdict(list)
        for row in conn.execute(select(t.loans).where(loan.id.in_(mine)).order_by(loan.id)):
            out[row.member_id].append(loan_state_from_row(row, moves.get(row.id, ())))
        return out
