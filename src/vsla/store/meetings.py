"""Meetings: recording them (one, or a batch all or nothing) and reading them back."""

from __future__ import annotations

__all__ = ["CycleImport", "MeetingRecord", "MeetingStore"]

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import Connection, select

from vsla.domain.entities import Attendance, ExitReason
from vsla.domain.events import plan_event
from vsla.domain.inputs import CycleEvent, ExitInput, ShareOutInput
from vsla.domain.late import CycleHistory, plan_late_meeting
from vsla.domain.ledger import LedgerEntry
from vsla.domain.loanstate import LoanState
from vsla.domain.meeting import (
    CycleState,
    LoanRequest,
    MeetingInput,
    MeetingPlan,
    PlannedEntry,
    Repayment,
    advance,
    plan_meeting,
)
from vsla.domain.shareout import ExitSettlement, ShareOutResult
from vsla.domain.sync import RecordKind, check_resend, content
from vsla.store import tables as t
from vsla.store.base import StoreBase
from vsla.store.changelog import ChangeKind, log_change
from vsla.store.clientids import SeenInCall, lookup_many, programme_key, register, resent
from vsla.store.loanmarks import refresh_loan_marks
from vsla.store.rows import (
    ENTRY_COLUMNS,
    entry_from_row,
    entry_values,
    insert_many,
    insert_many_values,
    insert_values,
    loan_days,
    loan_row,
    written_entry,
)
from vsla.store.transactions import one_snapshot, retry_conflicts

_STATUS_TEXT = {status: status.value for status in Attendance}


@dataclass(frozen=True, slots=True)
class MeetingRecord:
    """A recorded meeting and the entries it wrote."""

    id: int
    cycle_id: int
    date: dt.date
    number: int
    attendance: Mapping[int, Attendance]
    entries: tuple[LedgerEntry, ...]
    client_id: str | None = None


@dataclass(frozen=True, slots=True)
class CycleImport:
    """What :meth:`vsla.Store.import_cycle` recorded: the meetings' ids (in the order of
    the meetings among the events; a meeting sent again with its client id gives the id
    stored), the id of each loan made with a client id (by that client id), each exit's
    settlement (in the order of the exits), the share-out (``None`` without one) and the
    number of ledger entries written."""

    cycle_id: int
    meeting_ids: tuple[int, ...]
    loan_ids: Mapping[str, int]
    exits: tuple[ExitSettlement, ...]
    share_out: ShareOutResult[int] | None
    entries: int


@dataclass(slots=True)
class _Pending:
    """A planned event of a call, not written yet: its place in the call, its input (a
    meeting's; ``None`` for an exit, a write-off or the share-out), its plan and the
    stand-in ids of its new loans."""

    index: int
    meeting: MeetingInput | None
    plan: MeetingPlan
    stand_ins: list[int]
    # what the meeting and each of its loans and repayments with a client id say
    # ((kind, position) -> content; the meeting is (MEETING, 0)), worked out once when the
    # ids were checked and kept to be registered with them
    contents: Mapping[tuple[RecordKind, int], Any]
    minutes: bool = True  # a meeting recorded whole; not an exit's, write-off's, share-out's
    left: tuple[int, ExitReason] | None = None  # an exit: the member, and why
    closes: bool = False  # the share-out


@dataclass(slots=True)
class _Written:
    """What :meth:`MeetingStore._write_rows` wrote: each plan's meeting id and number, the
    new loans' ids by stand-in, the entries' ids and values (in the order of the plans'
    entries) and the meetings' client ids by date."""

    meeting_ids: list[int]
    numbers: list[int]
    loan_ids: dict[int, int]
    entry_ids: list[int]
    values: list[tuple[Any, ...]]
    planned: list[PlannedEntry]
    client_ids: dict[dt.date, str | None] = field(default_factory=dict)


@dataclass(slots=True)
class _Recorded:
    """What :meth:`MeetingStore._record_events` recorded, by the events' places in the
    call: the meetings (their ids; their records when asked for), the exits' settlements,
    the share-out, the ids of the loans made with a client id, and the entries written."""

    records: dict[int, MeetingRecord] = field(default_factory=dict)
    meeting_ids: dict[int, int] = field(default_factory=dict)
    exits: dict[int, ExitSettlement] = field(default_factory=dict)
    share_out: ShareOutResult[int] | None = None
    loans: dict[str, int] = field(default_factory=dict)
    entries: int = 0


def _sent(cycle_id: int, meeting: MeetingInput) -> Any:
    """What a meeting sent with a client id says: itself, and the cycle it is for."""
    return content({**meeting.model_dump(mode="json"), "cycle_id": cycle_id})


def _item(cycle_id: int, meeting: MeetingInput, item: LoanRequest | Repayment) -> Any:
    """What a loan or repayment sent with a client id says: itself, its meeting's date and
    client id, and the cycle."""
    return content(
        {
            "cycle_id": cycle_id,
            "meeting": meeting.client_id,
            "date": meeting.date.isoformat(),
            **item.model_dump(mode="json"),
        }
    )


class MeetingStore(StoreBase):
    """Meetings: mixed into :class:`~vsla.store.store.Store`."""

    def record_meeting(self, cycle_id: int, meeting: MeetingInput) -> MeetingRecord:
        """Record a whole meeting, all or nothing (see docs/meetings.md).

        A meeting sent again with its ``client_id`` is returned as stored, nothing written;
        a meeting dated before meetings already recorded is accepted when it changes none
        of them (docs/sync.md)."""
        return self.record_meetings(cycle_id, [meeting])[0]

    @retry_conflicts
    def record_meetings(
        self, cycle_id: int, meetings: Sequence[MeetingInput]
    ) -> list[MeetingRecord]:
        """Record several meetings of one cycle, all or nothing.

        Each meeting is checked against the state the previous ones leave, exactly as if
        they were recorded one by one; if any is refused, none is written. This is the path
        for importing a ledger and for loading a whole cycle quickly. A meeting whose
        ``client_id`` is stored already is returned as stored (or refused with
        :class:`~vsla.errors.SyncConflict`); one dated before a meeting recorded (or
        given earlier in the batch) goes through :func:`~vsla.domain.late.plan_late_meeting`.
        """
        with self._begin() as conn:
            done = self._record_events(conn, cycle_id, meetings, records=True)
            return [done.records[i] for i in range(len(meetings))]

    @retry_conflicts
    def import_cycle(self, cycle_id: int, events: Sequence[CycleEvent]) -> CycleImport:
        """Record a cycle's history in one call, all or nothing: its meetings
        (:class:`~vsla.MeetingInput`), members' exits (:class:`~vsla.ExitInput`), write-offs
        (:class:`~vsla.WriteOffInput`) and the share-out (:class:`~vsla.ShareOutInput`), in
        the order they happened (docs/import-export.md).

        Each event is checked against the state the events before it leave, by the rules of
        its own call (:meth:`record_meeting`, :meth:`settle_member_exit`, :meth:`write_off`,
        :meth:`share_out`); the first one refused raises its error and nothing is written.
        The ledger, the meetings, the loans, their arrears marks, the members and the cycle
        end exactly as those calls made one after another would leave them, but the
        history is planned in memory and written in one pass, one multi-row insert per
        table: the way to load a cycle kept on paper or in another system, or a whole
        programme (a loan made in the import can be repaid and written off in it by its
        ``client_id``). Meetings sent again with their client ids are recognised as by
        :meth:`record_meetings`; exits, write-offs and the share-out carry no client id, so
        an import sent a second time is refused at its first one (the member has left, the
        cycle is shared out) and writes nothing. Returns ids and settlements, not records:
        read the meetings back with :meth:`meetings`.
        """
        with self._begin() as conn:
            done = self._record_events(conn, cycle_id, events, records=False)
        meetings = [i for i, e in enumerate(events) if isinstance(e, MeetingInput)]
        return CycleImport(
            cycle_id=cycle_id,
            meeting_ids=tuple(done.meeting_ids[i] for i in meetings),
            loan_ids=done.loans,
            exits=tuple(done.exits[i] for i in sorted(done.exits)),
            share_out=done.share_out,
            entries=done.entries,
        )

    def _record_events(
        self,
        conn: Connection,
        cycle_id: int,
        events: Sequence[CycleEvent],
        *,
        records: bool,
    ) -> _Recorded:
        """Check and write ``events`` of one cycle in the caller's transaction, each against
        the state the previous ones leave (see :meth:`record_meetings` for meetings; exits,
        write-offs and the share-out through :func:`~vsla.domain.events.plan_event`), in as
        few statements as the late meetings among them allow. ``records``: build each
        meeting's :class:`MeetingRecord` (its entries read back as written)."""
        state = self._state(conn, cycle_id)
        key = programme_key(conn, group_id=state.cycle.group_id)
        seen = SeenInCall()
        meetings = [e for e in events if isinstance(e, MeetingInput)]
        items = {  # the loans' and repayments' client ids stored already: one query each
            kind: lookup_many(
                conn,
                key,
                kind,
                (
                    x.client_id
                    for m in meetings
                    for x in (m.loans if kind is RecordKind.LOAN else m.repayments)
                    if x.client_id is not None
                ),
            )
            for kind in (RecordKind.LOAN, RecordKind.REPAYMENT)
        }
        out = _Recorded()
        same_as: dict[int, int] = {}  # a meeting sent twice in the batch -> the first
        pending: list[_Pending] = []
        next_stand_in = -1  # the stand-in ids of new loans count down, never reused in a call
        for i, event in enumerate(events):
            if not isinstance(event, MeetingInput):
                planned = plan_event(state, event)
                state = planned.state
                left = None
                if isinstance(event, ExitInput):
                    assert planned.exit is not None
                    out.exits[i] = planned.exit
                    left = (event.member_id, event.reason)
                elif isinstance(event, ShareOutInput):
                    out.share_out = planned.share_out
                closes = isinstance(event, ShareOutInput)
                pending.append(
                    _Pending(i, None, planned.plan, [], {}, minutes=False, left=left, closes=closes)
                )
                continue
            meeting = event
            if meeting.client_id is not None:
                given = _sent(cycle_id, meeting)
                earlier = seen.check(
                    key,
                    RecordKind.MEETING,
                    meeting.client_id,
                    given,
                    "a meeting of this call",
                    group_code=state.group_code,
                )
                if earlier is not None:
                    same_as[i] = earlier
                    continue
                seen.add(key, RecordKind.MEETING, meeting.client_id, given, i)
                found = resent(
                    conn,
                    key,
                    RecordKind.MEETING,
                    meeting.client_id,
                    given,
                    "the meeting #{id}",
                    group_code=state.group_code,
                )
                if found is not None:
                    out.meeting_ids[i] = found
                    if records:
                        out.records[i] = self._meeting_record(conn, found)
                    continue
            contents = self._check_item_ids(key, cycle_id, meeting, seen, items, state)
            if meeting.client_id is not None:
                contents[RecordKind.MEETING, 0] = given
            if state.last_meeting_on is not None and meeting.date < state.last_meeting_on:
                self._flush(conn, cycle_id, key, pending, out, state.loans, records=records)
                late = plan_late_meeting(self._history(conn, cycle_id), meeting)
                stand_ins = [-1 - n for n in range(len(late.new_loans))]
                self._flush(
                    conn,
                    cycle_id,
                    key,
                    [_Pending(i, meeting, late, stand_ins, contents)],
                    out,
                    records=records,
                )
                state = self._state(conn, cycle_id)
                continue
            plan = plan_meeting(state, meeting)
            # loans get their ids when the batch is written; until then negative
            # stand-ins, so a later meeting of the batch can repay them (by ref)
            stand_ins = [next_stand_in - n for n in range(len(plan.new_loans))]
            next_stand_in -= len(plan.new_loans)
            state = advance(state, plan, stand_ins)
            pending.append(_Pending(i, meeting, plan, stand_ins, contents))
        self._flush(conn, cycle_id, key, pending, out, state.loans, records=records)
        for i, j in same_as.items():
            out.meeting_ids[i] = out.meeting_ids[j]
            if records:
                out.records[i] = out.records[j]
        return out

    @staticmethod
    def _check_item_ids(
        key: int,
        cycle_id: int,
        meeting: MeetingInput,
        seen: SeenInCall,
        stored: Mapping[RecordKind, Mapping[str, tuple[int, Any]]],
        state: CycleState,
    ) -> dict[tuple[RecordKind, int], Any]:
        """A new meeting's loans and repayments may not carry a client id already stored
        (with another meeting) or given twice: a :class:`~vsla.errors.SyncConflict` names
        what differs from the item stored (at least the meeting it belongs to). Returns
        what each of them says, by (kind, position in the meeting), to be registered."""
        items: list[tuple[RecordKind, str, int, Any, int | None]] = []
        for n, loan in enumerate(meeting.loans):
            if loan.client_id is not None:
                given = _item(cycle_id, meeting, loan)
                items.append((RecordKind.LOAN, loan.client_id, n, given, loan.member_id))
        for n, repayment in enumerate(meeting.repayments):
            if repayment.client_id is not None:
                repaid = state.loans.get(repayment.loan_id or 0)
                items.append(
                    (
                        RecordKind.REPAYMENT,
                        repayment.client_id,
                        n,
                        _item(cycle_id, meeting, repayment),
                        None if repaid is None else repaid.member_id,
                    )
                )
        contents: dict[tuple[RecordKind, int], Any] = {}
        for kind, client_id, n, given, member_id in items:
            contents[kind, n] = given
            facts: dict[str, Any] = {
                "group_code": state.group_code,
                "member_number": state.member_number(member_id),
            }
            record = f"the {kind.value} {n + 1} of another meeting"
            seen.check(key, kind, client_id, given, record, **facts)
            seen.add(key, kind, client_id, given, None)
            found = stored[kind].get(client_id)
            if found is not None:
                check_resend(
                    kind,
                    client_id,
                    f"{kind.value} #{found[0]}",
                    found[1],
                    given,
                    record_id=found[0],
                    **facts,
                )
        return contents

    def _flush(
        self,
        conn: Connection,
        cycle_id: int,
        key: int,
        pending: list[_Pending],
        out: _Recorded,
        loans: Mapping[int, LoanState] | None = None,
        *,
        records: bool,
    ) -> None:
        """Write the planned events, register their client ids and record the exits and the
        share-out on the members and the cycle; empties ``pending``. ``loans``: the
        planner's loans after the last of them (see :meth:`_write_rows`)."""
        if not pending:
            return
        written = self._write_rows(
            conn,
            cycle_id,
            [(p.plan, p.stand_ins, p.minutes) for p in pending],
            [None if p.meeting is None else p.meeting.client_id for p in pending],
            loans,
        )
        made = (
            self._written_records(cycle_id, written, [p.plan for p in pending]) if records else []
        )
        rows: dict[RecordKind, list[tuple[str, int, Any]]] = defaultdict(list)
        start = 0
        for n, p in enumerate(pending):
            entry_ids = written.entry_ids[start : start + len(p.plan.entries)]
            start += len(p.plan.entries)
            out.entries += len(p.plan.entries)
            meeting = p.meeting
            if meeting is None:
                continue
            out.meeting_ids[p.index] = written.meeting_ids[n]
            if records:
                out.records[p.index] = made[n]
            if meeting.client_id is not None:
                rows[RecordKind.MEETING].append(
                    (meeting.client_id, written.meeting_ids[n], p.contents[RecordKind.MEETING, 0])
                )
            for k, (loan, stand_in) in enumerate(zip(meeting.loans, p.stand_ins, strict=True)):
                loan_id = written.loan_ids[stand_in]
                if loan.client_id is not None:
                    out.loans[loan.client_id] = loan_id
                    said = p.contents[RecordKind.LOAN, k]
                    rows[RecordKind.LOAN].append((loan.client_id, loan_id, said))
            for k, repayment in enumerate(meeting.repayments):
                if repayment.client_id is not None:
                    entry_id = next(
                        i
                        for i, e in zip(entry_ids, p.plan.entries, strict=True)
                        if e.client_id == repayment.client_id
                    )
                    said = p.contents[RecordKind.REPAYMENT, k]
                    rows[RecordKind.REPAYMENT].append((repayment.client_id, entry_id, said))
        for kind, registered in rows.items():
            register(conn, key, kind, registered)
        left = [(p.left, p.plan.date) for p in pending if p.left is not None]
        for (member_id, reason), on in left:
            conn.execute(
                t.members.update()
                .where(t.members.c.id == member_id)
                .values(left_on=on, exit_reason=reason.value)
            )
        if left:
            log_change(conn, ChangeKind.MEMBER, [member_id for (member_id, _), _ in left])
        for p in pending:
            if p.closes:
                conn.execute(
                    t.cycles.update()
                    .where(t.cycles.c.id == cycle_id)
                    .values(shared_out_on=p.plan.date)
                )
                log_change(conn, ChangeKind.CYCLE, [cycle_id])
        pending.clear()

    def _history(self, conn: Connection, cycle_id: int) -> CycleHistory:
        """The cycle as recorded, for re-planning it with a late meeting."""
        now = self._state(conn, cycle_id)
        start = replace(
            now,
            totals={},
            member_shares={},
            loans={},
            last_meeting_on=None,
            last_minutes_on=None,
            used_refs=frozenset(),
        )
        loans = {i: replace(s, moves=()) for i, s in self._loan_states(conn, cycle_id).items()}
        minutes: dict[int, dt.date] = {
            int(mid): day
            for mid, day in conn.execute(
                select(t.meetings.c.id, t.meetings.c.date).where(
                    t.meetings.c.cycle_id == cycle_id, t.meetings.c.minutes_recorded
                )
            )
        }
        return CycleHistory(start, self._entries(conn, cycle_id), loans, minutes)

    def _meeting_record(self, conn: Connection, meeting_id: int) -> MeetingRecord:
        row = self._require(conn, t.meetings, meeting_id, "meeting")
        attendance = {
            a.member_id: Attendance(a.status)
            for a in conn.execute(
                select(t.attendance).where(t.attendance.c.meeting_id == meeting_id)
            )
        }
        entries = tuple(
            entry_from_row(r._mapping)
            for r in conn.execute(
                select(t.entries)
                .where(t.entries.c.meeting_id == meeting_id)
                .order_by(t.entries.c.id)
            )
        )
        return MeetingRecord(
            id=row.id,
            cycle_id=row.cycle_id,
            date=row.date,
            number=row.number,
            attendance=attendance,
            entries=entries,
            client_id=row.client_id,
        )

    def _write_plans(
        self,
        conn: Connection,
        cycle_id: int,
        plans: Sequence[tuple[MeetingPlan, list[int]]],
        client_ids: Sequence[str | None] = (),
        loans: Mapping[int, LoanState] | None = None,
    ) -> list[MeetingRecord]:
        """Write planned meetings (see :meth:`_write_rows`) and return their records."""
        written = self._write_rows(
            conn, cycle_id, [(plan, ids, True) for plan, ids in plans], client_ids, loans
        )
        return self._written_records(cycle_id, written, [plan for plan, _ in plans])

    def _write_rows(
        self,
        conn: Connection,
        cycle_id: int,
        plans: Sequence[tuple[MeetingPlan, list[int], bool]],
        client_ids: Sequence[str | None] = (),
        loans: Mapping[int, LoanState] | None = None,
    ) -> _Written:
        """Write planned events with one multi-row INSERT per table (the bulk path).

        ``plans`` holds each plan, the stand-in ids (negative) its new loans were given
        while the batch was planned (entries naming a stand-in get the loan's real id), and
        whether it is a meeting recorded whole (``True``) or an exit's, a write-off's or the
        share-out's entries, written at the meeting of their date (created if need be,
        numbered in the order of the plans). ``client_ids``: each plan's meeting client id.
        ``loans``: the planner's loans after the last plan (stand-in ids for new ones),
        every move held, so the loan marks need not read them back from the ledger.
        """
        if not plans:
            return _Written([], [], {}, [], [], [])
        dates = list(dict.fromkeys(plan.date for plan, _, _ in plans))
        recorded = {plan.date for plan, _, minutes in plans if minutes}
        ids_of = {
            plan.date: client_id
            for (plan, _, minutes), client_id in zip(plans, client_ids, strict=False)
            if minutes
        }
        existing = self._meeting_rows(conn, cycle_id, dates, minutes=recorded, client_ids=ids_of)
        meeting_ids = [existing[plan.date][0] for plan, _, _ in plans]
        attendance = [
            (mid, m, _STATUS_TEXT[s])
            for (plan, _, _), mid in zip(plans, meeting_ids, strict=True)
            for m, s in plan.attendance.items()
        ]
        insert_values(conn, t.attendance, ("meeting_id", "member_id", "status"), attendance)
        # loans, then the stand-in -> real id map
        loan_rows = [
            loan_row(cycle_id, new.member_id, mid, new.terms, new.purpose, new.ref)
            for (plan, _, _), mid in zip(plans, meeting_ids, strict=True)
            for new in plan.new_loans
        ]
        real: dict[int, int] = {}
        if loan_rows:
            loan_ids = insert_many(conn, t.loans, loan_rows)
            log_change(conn, ChangeKind.LOAN, loan_ids)
            stand_ins = [i for _, ids, _ in plans for i in ids]
            real = dict(zip(stand_ins, loan_ids, strict=True))
        # entries, all plans in one statement; each row's values in the order of
        # ENTRY_COLUMNS (no mapping per row: this is the import's hot loop)
        values: list[tuple[Any, ...]] = []
        planned: list[PlannedEntry] = []
        for (plan, ids, _), mid in zip(plans, meeting_ids, strict=True):
            # a meeting's contributions and share purchases come first and name no loan
            first, day = plan.loan_entries_from, plan.date
            values += [entry_values(cycle_id, mid, day, p, None) for p in plan.entries[:first]]
            for p in plan.entries[first:]:
                loan_id = ids[p.new_loan] if p.new_loan is not None else p.loan_id
                real_loan = real.get(loan_id, loan_id) if loan_id is not None else None
                values.append(entry_values(cycle_id, mid, day, p, real_loan))
            planned += plan.entries
        entry_ids = insert_many_values(conn, t.entries, ENTRY_COLUMNS, values)
        log_change(conn, ChangeKind.ENTRY, entry_ids)
        known: dict[int, LoanState] = {}
        for loan_id, loan in (loans or {}).items():
            real_id = real.get(loan_id, loan_id)
            known[real_id] = loan.with_id(real_id)
        refresh_loan_marks(conn, loan_days(values), known, set(real.values()))
        numbers = [existing[plan.date][1] for plan, _, _ in plans]
        return _Written(meeting_ids, numbers, real, entry_ids, values, planned, ids_of)

    @staticmethod
    def _written_records(
        cycle_id: int, written: _Written, plans: Sequence[MeetingPlan]
    ) -> list[MeetingRecord]:
        """The written meetings as :class:`MeetingRecord` objects, each with its entries."""
        entries = list(map(written_entry, written.entry_ids, written.values, written.planned))
        records: list[MeetingRecord] = []
        start = 0
        for plan, mid, number in zip(plans, written.meeting_ids, written.numbers, strict=True):
            mine = tuple(entries[start : start + len(plan.entries)])
            start += len(plan.entries)
            records.append(
                MeetingRecord(
                    id=mid,
                    cycle_id=cycle_id,
                    date=plan.date,
                    number=number,
                    attendance=dict(plan.attendance),
                    entries=mine,
                    client_id=written.client_ids.get(plan.date),
                )
            )
        return records

    @one_snapshot
    def meetings(self, cycle_id: int) -> list[MeetingRecord]:
        """The meetings of a cycle in date order, each with its attendance and entries."""
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
                client_id=r.client_id,
            )
            for r in rows
        ]
