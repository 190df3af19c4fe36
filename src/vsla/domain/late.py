"""Late meetings: a meeting that reaches the store after meetings dated later.

Two phones of one group, or one phone that synced late, send a meeting dated before the
last meeting already recorded. :func:`plan_late_meeting` accepts it only when it leaves
every later record exactly as it was:

1. the cycle's recorded history is read as *operations* (a meeting's minutes, a reversal,
   a write-off, a member's exit, an opening), in domain order: by date, and within a date
   in the order recorded, the late meeting before what was recorded on its own date;
2. the state before the late meeting's date is rebuilt from the operations before it, and
   the late meeting is planned against it with every rule of
   :func:`~vsla.domain.meeting.plan_meeting`;
3. every later operation is planned again from what it recorded (a meeting's minutes are
   read back from its entries; a reversal, write-off or exit is planned again by its own
   planner) on the state the late meeting leaves, and must still be accepted and write
   exactly the entries it wrote: the same kind, amount, shares, member and loan.

Otherwise :class:`~vsla.errors.LateMeetingRefused` names the first later meeting (or
correction) and entry that would change, and why; nothing is written. The clerk can then
correct the later meeting with reversals and record the late one, or record its money at a
later meeting. The plan returned writes only the late meeting's own entries, dated its
date: what was recorded stays as it was, so balances, statements and indicators of dates
after it include it from the moment it is written.

A late meeting cannot go before, or on the date of, a cycle's opening position (the paper
period it summarises), nor into a shared-out cycle.
"""

from __future__ import annotations

__all__ = ["CycleHistory", "plan_late_meeting"]

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace

from vsla.domain.corrections import plan_reversal, plan_write_off
from vsla.domain.entities import ExitReason, Member
from vsla.domain.ledger import EntryKind, EntryOrigin, LedgerEntry
from vsla.domain.loanstate import LoanMove, LoanState
from vsla.domain.meeting import (
    CycleState,
    Expense,
    FinePaid,
    Income,
    LoanRequest,
    MeetingInput,
    MeetingPlan,
    PlannedEntry,
    Repayment,
    SocialFundGrant,
    check_can_record,
    plan_meeting,
)
from vsla.domain.money import format_money
from vsla.domain.settlement import plan_member_exit
from vsla.errors import DateOutsideCycle, InvalidInput, LateMeetingRefused, VslaError


@dataclass(frozen=True, slots=True)
class CycleHistory:
    """A cycle as recorded, for re-planning it.

    ``start``: the cycle's state with nothing recorded (its cycle, group and members as they
    are now; no totals, shares or loans); ``entries``: every entry of the cycle in the
    order recorded (by id); ``loans``: every loan of the cycle (its terms, member and
    client id; moves are ignored); ``minutes``: meeting id -> date of the meetings recorded
    whole.
    """

    start: CycleState
    entries: Sequence[LedgerEntry]
    loans: Mapping[int, LoanState]
    minutes: Mapping[int, dt.date]


_CLASS = {
    EntryOrigin.MEETING: "minutes",
    EntryOrigin.UPFRONT_INTEREST: "minutes",
    EntryOrigin.OPENING_CARRY: "opening",
    EntryOrigin.OPENING_POSITION: "opening",
    EntryOrigin.REVERSAL: "reversal",
    EntryOrigin.WRITE_OFF: "write_off",
    EntryOrigin.NETTED_AT_EXIT: "exit",
    EntryOrigin.EXIT_PAYOUT: "exit",
    EntryOrigin.NETTED_AT_SHARE_OUT: "share_out",
    EntryOrigin.SHARE_OUT_PAYOUT: "share_out",
    EntryOrigin.REMAINDER_TRANSFER: "share_out",
}


@dataclass(slots=True)
class _Operation:
    """Entries one store call wrote: a meeting's minutes, a correction, an exit, ..."""

    kind: str
    date: dt.date
    meeting_id: int
    entries: list[LedgerEntry] = field(default_factory=list)

    @property
    def order(self) -> int:
        return self.entries[0].id


def _operations(entries: Sequence[LedgerEntry]) -> list[_Operation]:
    """The recorded operations in domain order: by date, openings first, then as recorded."""
    ops: list[_Operation] = []
    last: tuple[object, ...] | None = None
    for e in entries:
        kind = _CLASS[e.origin]
        key = (
            e.meeting_id,
            e.date,
            kind,
            e.member_id if kind == "exit" else None,
            e.loan_id if kind == "write_off" else None,
        )
        if key != last:
            ops.append(_Operation(kind, e.date, e.meeting_id))
            last = key
        ops[-1].entries.append(e)
    return sorted(ops, key=lambda op: (op.date, op.kind != "opening", op.order))


class _Replay:
    """The cycle's state while its operations are applied one by one, in memory."""

    def __init__(self, history: CycleHistory, late_on: dt.date) -> None:
        self.history = history
        start = history.start
        # members who left on or after the late date are active until their exit is replayed
        self.left = {
            m.id: m
            for m in start.members.values()
            if m.left_on is not None and m.left_on >= late_on
        }
        members = {
            i: (m.model_copy(update={"left_on": None}) if i in self.left else m)
            for i, m in start.members.items()
        }
        self.state = replace(
            start,
            members=members,
            totals={},
            member_shares={},
            loans={},
            last_meeting_on=None,
            last_minutes_on=None,
            used_refs=frozenset(),
        )
        self.all_loans: dict[int, LoanState] = {}
        self.done: list[LedgerEntry] = []
        self.by_id: dict[int, LedgerEntry] = {}

    def apply(self, entries: Sequence[LedgerEntry], on: dt.date, *, minutes: bool) -> None:
        """Count recorded (or planned) entries of date ``on``."""
        state = self.state
        totals = dict(state.totals)
        shares = dict(state.member_shares)
        refs = set(state.used_refs)
        moves: dict[int, list[LoanMove]] = defaultdict(list)
        for e in entries:
            totals[e.kind] = totals.get(e.kind, 0) + e.amount
            if e.shares and e.member_id is not None:
                shares[e.member_id] = shares.get(e.member_id, 0) + e.shares
            if e.loan_id is not None:
                if e.loan_id not in self.all_loans:
                    loan = self.history.loans[e.loan_id] if e.loan_id > 0 else None
                    if loan is not None:
                        self.all_loans[e.loan_id] = replace(loan, moves=())
                        if loan.ref is not None:
                            refs.add(loan.ref)
                original = self.by_id.get(e.reverses_id) if e.reverses_id is not None else None
                effective = (
                    (original.effective_on or original.date)
                    if original is not None
                    else (e.effective_on or e.date)
                )
                moves[e.loan_id].append(LoanMove(on, effective, e.kind, e.amount))
            self.done.append(e)
            self.by_id[e.id] = e
        for loan_id, more in moves.items():
            if loan_id in self.all_loans:
                self.all_loans[loan_id] = self.all_loans[loan_id].with_moves(more)
        last = state.last_meeting_on
        self.state = replace(
            state,
            totals=totals,
            member_shares={m: n for m, n in shares.items() if n},
            loans={i: s for i, s in self.all_loans.items() if not s.cancelled},
            last_meeting_on=on if last is None or on > last else last,
            last_minutes_on=on if minutes else state.last_minutes_on,
            used_refs=frozenset(refs),
        )

    def add_loans(self, plan: MeetingPlan, ids: Sequence[int]) -> None:
        """Loans a plan makes, under the ids (stand-ins) its entries name."""
        for new, loan_id in zip(plan.new_loans, ids, strict=True):
            self.all_loans[loan_id] = LoanState(
                id=loan_id,
                member_id=new.member_id,
                terms=new.terms,
                purpose=new.purpose,
                ref=new.ref,
            )

    def member_left(self, member_id: int) -> None:
        member = self.left.get(member_id)
        if member is not None:
            self.state = replace(self.state, members={**self.state.members, member_id: member})


def _recorded_input(op: _Operation, loans: Mapping[int, LoanState]) -> MeetingInput:
    """The input that wrote a meeting's minutes, read back from its entries (in the order
    the planner wrote them)."""
    contributions: dict[int, int] = {}
    shares: dict[int, int] = {}
    fines: list[FinePaid] = []
    income: list[Income] = []
    repaid: dict[int, int] = {}
    grants: list[SocialFundGrant] = []
    expenses: list[Expense] = []
    requests: list[LoanRequest] = []
    for e in op.entries:
        kind, member = e.kind, e.member_id
        if e.origin is EntryOrigin.UPFRONT_INTEREST:
            continue  # planned again with its loan
        if kind is EntryKind.SOCIAL_CONTRIBUTION and member is not None:
            contributions[member] = contributions.get(member, 0) + e.amount
        elif kind is EntryKind.SHARE_PURCHASE and member is not None:
            shares[member] = shares.get(member, 0) + e.shares
        elif kind is EntryKind.FINE and member is not None:
            fines.append(FinePaid(member_id=member, fine=e.memo, amount=e.amount))
        elif kind is EntryKind.OTHER_INCOME:
            income.append(Income(amount=e.amount, memo=e.memo))
        elif kind in (EntryKind.INTEREST_PAYMENT, EntryKind.PRINCIPAL_REPAYMENT):
            assert e.loan_id is not None
            repaid[e.loan_id] = repaid.get(e.loan_id, 0) + e.amount
        elif kind is EntryKind.SOCIAL_GRANT and member is not None:
            grants.append(SocialFundGrant(member_id=member, amount=e.amount, reason=e.memo))
        elif kind is EntryKind.EXPENSE:
            expenses.append(Expense(amount=e.amount, memo=e.memo))
        elif kind is EntryKind.LOAN_DISBURSEMENT and member is not None:
            assert e.loan_id is not None
            loan = loans[e.loan_id]
            requests.append(
                LoanRequest(
                    member_id=member,
                    principal=e.amount,
                    term_months=loan.terms.term_months,
                    purpose=loan.purpose,
                    client_id=loan.ref,
                )
            )
    return MeetingInput(
        date=op.date,
        social_fund_contributions=contributions,
        share_purchases=shares,
        fines=fines,
        other_income=income,
        repayments=[Repayment(loan_id=i, amount=a) for i, a in repaid.items()],
        social_fund_grants=grants,
        expenses=expenses,
        loans=requests,
    )


def _describe(state: CycleState, e: LedgerEntry | PlannedEntry, loan_id: int | None) -> str:
    parts = [f"{e.kind.value.replace('_', ' ')} of {format_money(e.amount)}"]
    member = state.members.get(e.member_id) if e.member_id is not None else None
    if member is not None:
        parts.append(f"for {member.label()}")
    if loan_id is not None:
        parts.append(f"loan #{loan_id}" if loan_id > 0 else "a loan of the late meeting")
    return ", ".join(parts)


@dataclass(frozen=True, slots=True)
class _Change:
    """The first recorded entry a re-planned operation would change."""

    entry: LedgerEntry | None  # None: a new entry would be written
    text: str


def _compare(
    state: CycleState,
    recorded: Sequence[LedgerEntry],
    planned: Sequence[PlannedEntry],
    loan_ids: Sequence[int] = (),
) -> _Change | None:
    """The first difference between what an operation recorded and what it would write
    now (kind, amount, shares, member, loan, origin), or ``None``."""
    for i in range(max(len(recorded), len(planned))):
        was = recorded[i] if i < len(recorded) else None
        now = planned[i] if i < len(planned) else None
        if now is None:
            assert was is not None
            text = f"entry #{was.id} ({_describe(state, was, was.loan_id)}) would not be written"
            return _Change(was, text)
        loan = loan_ids[now.new_loan] if now.new_loan is not None else now.loan_id
        if was is None:
            return _Change(None, f"a new entry ({_describe(state, now, loan)}) would be written")
        same_but_amount = (was.kind, was.member_id, was.loan_id, was.origin) == (
            now.kind,
            now.member_id,
            loan,
            now.origin,
        )
        if same_but_amount and (was.amount, was.shares) == (now.amount, now.shares):
            continue
        what = f"entry #{was.id} ({_describe(state, was, was.loan_id)})"
        if same_but_amount:
            return _Change(was, f"{what} would be {format_money(now.amount)}")
        return _Change(was, f"{what} would become {_describe(state, now, loan)}")
    return None


def plan_late_meeting(history: CycleHistory, meeting: MeetingInput) -> MeetingPlan:
    """Plan a meeting dated before meetings already recorded, refusing it when any later
    meeting or correction would change (see the module's docstring)."""
    start = history.start
    on = meeting.date
    label = start.group_label
    check_can_record(replace(start, last_meeting_on=None, last_minutes_on=None), on)
    if on in set(history.minutes.values()):
        raise DateOutsideCycle(
            f"{label}, cycle {start.cycle.number}: the meeting of {on} is already recorded "
            "(rule: one meeting per date; corrections are reversing entries)",
            rule="one_meeting_per_date",
            group_code=start.group_code,
            field="date",
        )
    opened = max(
        (e.date for e in history.entries if e.origin is EntryOrigin.OPENING_POSITION),
        default=None,
    )
    if opened is not None and on <= opened:
        raise DateOutsideCycle(
            f"{label}, cycle {start.cycle.number}: the meeting of {on} is not after the "
            f"opening position of {opened}, which sums up the meetings kept on paper until "
            "then (rule: meetings after the opening position)",
            rule="after_opening_position",
            group_code=start.group_code,
            field="date",
        )
    taken = {loan.ref for loan in history.loans.values() if loan.ref is not None}
    for request in meeting.loans:
        if request.ref is not None and request.ref in taken:
            raise InvalidInput(
                f"{label}, {on}: loan ref {request.ref!r} is already used in this cycle "
                "(rule: a loan ref is unique in its cycle)",
                rule="loan_ref_unique",
                group_code=start.group_code,
                member_number=start.member_number(request.member_id),
                field="loans.ref",
            )
    replay = _Replay(history, on)
    plan: MeetingPlan | None = None
    for op in _operations(history.entries):
        if plan is None and (op.date > on or (op.date == on and op.kind != "opening")):
            plan = _plan_here(replay, meeting)
        if plan is None:
            replay.apply(op.entries, op.date, minutes=op.kind == "minutes")
            if op.kind == "exit" and op.entries[0].member_id is not None:
                replay.member_left(op.entries[0].member_id)
            continue
        for entries in _verify(replay, op, on):
            replay.apply(entries, op.date, minutes=op.kind == "minutes")
        if op.kind == "exit" and op.entries[0].member_id is not None:
            replay.member_left(op.entries[0].member_id)
    if plan is None:
        plan = _plan_here(replay, meeting)
    _check_settled_leavers(replay, meeting, on)
    return plan


def _plan_here(replay: _Replay, meeting: MeetingInput) -> MeetingPlan:
    """Plan the late meeting on the state before its date, and count it."""
    plan = plan_meeting(replay.state, meeting)
    stand_ins = [-1 - i for i in range(len(plan.new_loans))]
    replay.add_loans(plan, stand_ins)
    planned = [
        LedgerEntry(
            id=-1 - i,
            cycle_id=replay.state.cycle.id,
            meeting_id=-1,
            date=plan.date,
            kind=p.kind,
            amount=p.amount,
            member_id=p.member_id,
            loan_id=stand_ins[p.new_loan] if p.new_loan is not None else p.loan_id,
            shares=p.shares,
            memo=p.memo,
            origin=p.origin,
        )
        for i, p in enumerate(plan.entries)
    ]
    replay.apply(planned, plan.date, minutes=True)
    return plan


def _refuse(
    replay: _Replay, on: dt.date, what: str, change: _Change | None, cause: VslaError | None
) -> LateMeetingRefused:
    state = replay.state
    entry = change.entry if change is not None else None
    detail = change.text if change is not None else f"it would be refused: {cause}"
    return LateMeetingRefused(
        f"{state.group_label}, cycle {state.cycle.number}: the meeting of {on} comes before "
        f"{what}, recorded already, and would change it: {detail}. Nothing was written "
        "(rule: a late meeting leaves every later meeting and correction as recorded; "
        "correct those with reversals first, or record this money at a later meeting)",
        rule="late_meeting_keeps_history",
        group_code=state.group_code,
        member_number=state.member_number(entry.member_id if entry else None),
        loan_id=entry.loan_id if entry and entry.loan_id and entry.loan_id > 0 else None,
        entry_id=entry.id if entry else None,
        field="date",
    )


def _verify(replay: _Replay, op: _Operation, on: dt.date) -> Iterator[list[LedgerEntry]]:
    """Plan a later operation again and check it writes what it recorded; yields the
    recorded entries of each part (a run of reversals is several), to be counted."""
    state = replay.state
    if op.kind == "minutes":
        what = f"the meeting of {op.date}"
        try:
            plan = plan_meeting(state, _recorded_input(op, replay.history.loans))
        except VslaError as exc:
            raise _refuse(replay, on, what, None, exc) from exc
        made = [
            e.loan_id
            for e in op.entries
            if e.kind is EntryKind.LOAN_DISBURSEMENT and e.loan_id is not None
        ]
        change = _compare(state, op.entries, plan.entries, made)
        if change is not None:
            raise _refuse(replay, on, what, change, None)
        yield op.entries
        return
    rest = list(op.entries)
    while rest:
        first = rest[0]
        try:
            if op.kind == "reversal":
                assert first.reverses_id is not None
                what = f"the reversal of {op.date} (entry #{first.id})"
                planned = plan_reversal(
                    state, replay.done, first.reverses_id, on=op.date, reason=first.memo
                )
            elif op.kind == "write_off":
                assert first.loan_id is not None
                what = f"the write-off of loan #{first.loan_id} on {op.date}"
                planned = plan_write_off(state, first.loan_id, on=op.date, reason=first.memo)
            elif op.kind == "exit":
                assert first.member_id is not None
                member: Member = state.members[first.member_id]
                what = f"the exit of {member.label()} on {op.date}"
                reason = replay.left.get(member.id, member).exit_reason or ExitReason.OTHER
                _, planned = plan_member_exit(state, member.id, on=op.date, reason=reason)
            else:  # openings and share-outs: never after a late meeting (see the checks)
                yield rest
                return
        except VslaError as exc:
            raise _refuse(replay, on, what, None, exc) from exc
        part, rest = rest[: len(planned)], rest[len(planned) :]
        change = _compare(state, part, planned)
        if change is not None:
            raise _refuse(replay, on, what, change, None)
        yield part


def _check_settled_leavers(replay: _Replay, meeting: MeetingInput, on: dt.date) -> None:
    """A member who left on or after the late date and whose exit wrote nothing (they held
    nothing then) cannot be given shares or a loan, or repay one, by it: their settlement
    is closed."""
    exited = {
        e.member_id
        for e in replay.history.entries
        if e.origin in (EntryOrigin.EXIT_PAYOUT, EntryOrigin.NETTED_AT_EXIT)
    }
    named = set(meeting.share_purchases) | {r.member_id for r in meeting.loans}
    loans = replay.history.loans
    named |= {
        loans[r.loan_id].member_id
        for r in meeting.repayments
        if r.loan_id is not None and r.loan_id in loans
    }
    refs = {r.loan_ref for r in meeting.repayments if r.loan_ref is not None}
    named |= {loan.member_id for loan in loans.values() if loan.ref in refs}
    for member_id in sorted(named):
        member = replay.left.get(member_id)
        if member is None or member_id in exited:
            continue
        state = replay.state
        raise LateMeetingRefused(
            f"{state.group_label}, cycle {state.cycle.number}: the meeting of {on} names "
            f"{member.label()}, who left on {member.left_on} and was settled with nothing; "
            "their settlement is closed. Nothing was written (rule: a late meeting leaves "
            "every later meeting and correction as recorded)",
            rule="late_meeting_keeps_history",
            group_code=state.group_code,
            member_number=member.number,
            field="date",
        )
