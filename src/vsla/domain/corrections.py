"""Corrections: the pure planners of a reversal and of a write-off.

Recorded history is never edited. A mistake is corrected by a *reversal*: new entries,
dated the day the correction is made, that negate the entries it undoes. A loan that will
not be repaid is *written off*: what the borrower still owes leaves the books as a loss.

Each planner takes the cycle's state (and, for a reversal, its entries), checks every rule,
and returns the entries to write, or raises a :class:`~vsla.errors.VslaError` naming the
group, the member, the entry and the rule. It writes nothing; the store writes the plan in
one transaction.

What a reversal undoes, in the same step:

- a loan disbursement: the loan, and the interest paid upfront with it (refused while the
  loan has repayments or write-offs that are not themselves reversed);
- one part of a repayment (interest or principal): the whole repayment, both parts;
- one part of a write-off (principal or interest): the whole write-off;
- anything else: that entry alone.

What a reversal refuses: a reversal (record the original again instead), an entry already
reversed, the interest paid upfront alone (reverse the disbursement), anything a settlement
was computed from (the entries of a member who has left, payouts and nettings at an exit or
a share-out, the opening carry of a cycle), and anything that would take a box below zero.
"""

from __future__ import annotations

__all__ = ["plan_reversal", "plan_write_off", "reversal_group"]

import datetime as dt
from collections.abc import Sequence
from typing import TypedDict

from vsla.domain.cyclestate import Boxes, CycleState, PlannedEntry, check_can_record
from vsla.domain.ledger import EntryKind, EntryOrigin, LedgerEntry
from vsla.domain.money import format_money
from vsla.errors import EntryNotReversible, InvalidInput, NotFound

_SETTLEMENT_ORIGINS = {
    EntryOrigin.OPENING_CARRY: "the opening carry of a cycle is what the previous cycle's "
    "share-out left",
    EntryOrigin.EXIT_PAYOUT: "an exit payout settles a member who has left",
    EntryOrigin.NETTED_AT_EXIT: "a loan netted at a member's exit is part of their settlement",
    EntryOrigin.SHARE_OUT_PAYOUT: "a share-out payout closes the cycle",
    EntryOrigin.NETTED_AT_SHARE_OUT: "a loan netted at the share-out is part of it",
    EntryOrigin.REMAINDER_TRANSFER: "the share-out remainder is part of the share-out",
}
_REPAYMENT = (EntryKind.INTEREST_PAYMENT, EntryKind.PRINCIPAL_REPAYMENT)
_WRITE_OFF = (EntryKind.WRITE_OFF, EntryKind.INTEREST_WRITE_OFF)


class _Facts(TypedDict):
    """The facts every refusal of a reversal carries (see :class:`~vsla.errors.VslaError`)."""

    group_code: str | None
    member_number: int | None
    loan_id: int | None
    entry_id: int | None


def _describe(entry: LedgerEntry, state: CycleState) -> str:
    """An entry as a person knows it, never by its id: ``the fine of 2024-03-04 (A Blưp
    (no. 2), 1.000 ₫)``."""
    member = None if entry.member_id is None else state.members.get(entry.member_id)
    who = "" if member is None else f"{member.label()}, "
    kind = entry.kind.value.replace("_", " ")
    return f"the {kind} of {entry.date} ({who}{format_money(abs(entry.amount))})"


def _loan_words(state: CycleState, entries: Sequence[LedgerEntry], loan_id: int | None) -> str:
    """A loan as a person knows it: ``the loan of 2024-02-05 to Y Hoa (no. 1)``."""
    made = next(
        (
            e
            for e in entries
            if e.loan_id == loan_id
            and e.kind is EntryKind.LOAN_DISBURSEMENT
            and e.origin is EntryOrigin.MEETING
        ),
        None,
    )
    if made is None:
        return "its loan"
    member = None if made.member_id is None else state.members.get(made.member_id)
    to = "" if member is None else f" to {member.label()}"
    return f"the loan of {made.date}{to}"


def reversal_group(entries: Sequence[LedgerEntry], entry_id: int) -> list[LedgerEntry]:
    """The entries a reversal of ``entry_id`` undoes together, that entry first.

    ``entries`` are the cycle's entries. The rules are in the module's docstring; this
    function only gathers, :func:`plan_reversal` checks.
    """
    by_id = {e.id: e for e in entries}
    target = by_id[entry_id]
    reversed_ids = {e.reverses_id for e in entries if e.reverses_id is not None}

    def standing(e: LedgerEntry) -> bool:
        return e.reverses_id is None and e.id not in reversed_ids and e.id != target.id

    def siblings(kinds: tuple[EntryKind, ...], origin: EntryOrigin) -> list[LedgerEntry]:
        return [
            e
            for e in entries
            if standing(e)
            and e.loan_id == target.loan_id
            and e.meeting_id == target.meeting_id
            and e.kind in kinds
            and e.origin is origin
        ]

    group = [target]
    if target.kind is EntryKind.LOAN_DISBURSEMENT:
        group += [
            e
            for e in entries
            if standing(e)
            and e.loan_id == target.loan_id
            and e.origin is EntryOrigin.UPFRONT_INTEREST
        ]
    elif target.kind in _REPAYMENT and target.origin is EntryOrigin.MEETING:
        group += siblings(_REPAYMENT, EntryOrigin.MEETING)
    elif target.kind in _WRITE_OFF and target.origin is EntryOrigin.WRITE_OFF:
        group += siblings(_WRITE_OFF, EntryOrigin.WRITE_OFF)
    return group


def plan_reversal(
    state: CycleState,
    entries: Sequence[LedgerEntry],
    entry_id: int,
    *,
    on: dt.date,
    reason: str,
) -> list[PlannedEntry]:
    """The entries that reverse ``entry_id`` (and what it caused) on ``on``.

    ``entries`` are all the entries of the entry's cycle. Raises
    :class:`~vsla.errors.EntryNotReversible` for an entry that may not be reversed,
    :class:`~vsla.errors.BoxWouldGoNegative` when a box would go below zero, and the date
    errors of :func:`~vsla.domain.meeting.check_can_record`.
    """
    if not reason.strip():
        raise InvalidInput("a reversal needs a reason")
    label = state.group_label
    by_id = {e.id: e for e in entries}
    target = by_id.get(entry_id)
    if target is None:
        raise NotFound(
            f"{label}: entry #{entry_id} is not an entry of cycle {state.cycle.number}",
            group_code=state.group_code,
            entry_id=entry_id,
        )
    check_can_record(state, on, same_day_ok=True)
    what = _describe(target, state)
    facts: _Facts = {
        "group_code": state.group_code,
        "member_number": state.member_number(target.member_id),
        "loan_id": target.loan_id,
        "entry_id": target.id,
    }
    if target.reverses_id is not None or target.origin is EntryOrigin.REVERSAL:
        raise EntryNotReversible(
            f"{label}: {what} is itself a reversal; record the correct entry instead "
            "(rule: a reversal cannot be reversed)",
            rule="reversal_not_reversible",
            **facts,
        )
    already = next((e for e in entries if e.reverses_id == entry_id), None)
    if already is not None:
        raise EntryNotReversible(
            f"{label}: {what} was already reversed on {already.date}",
            rule="reversed_once",
            **facts,
        )
    if target.origin in _SETTLEMENT_ORIGINS:
        raise EntryNotReversible(
            f"{label}: {what} cannot be reversed: {_SETTLEMENT_ORIGINS[target.origin]} "
            "(rule: what a settlement was computed from is closed)",
            rule="settlement_closed",
            **facts,
        )
    if target.origin is EntryOrigin.UPFRONT_INTEREST:
        raise EntryNotReversible(
            f"{label}: {what} is the interest paid upfront with "
            f"{_loan_words(state, entries, target.loan_id)}; "
            "reverse the loan's disbursement, which undoes its upfront interest with it",
            rule="upfront_with_disbursement",
            **facts,
        )
    member = None if target.member_id is None else state.members.get(target.member_id)
    left_on = None if member is None else member.left_on
    if member is not None and left_on is not None and state.cycle.start_date <= left_on <= on:
        raise EntryNotReversible(
            f"{label}: {what} belongs to {member.label()}, who left on {left_on} and was "
            "settled from these entries (rule: after a member's exit, their entries of the "
            "cycle are closed)",
            rule="exit_closed",
            **facts,
        )
    if target.kind is EntryKind.LOAN_DISBURSEMENT:
        reversed_ids = {e.reverses_id for e in entries if e.reverses_id is not None}
        live = [
            e
            for e in entries
            if e.loan_id == target.loan_id
            and e.id != target.id
            and e.reverses_id is None
            and e.id not in reversed_ids
            and e.origin is not EntryOrigin.UPFRONT_INTEREST
        ]
        if live:
            listed = ", ".join(_describe(e, state) for e in live)
            raise EntryNotReversible(
                f"{label}: {_loan_words(state, entries, target.loan_id)} has repayments or "
                "write-offs that stand "
                f"({listed}); reverse those first (rule: a loan is cancelled only when nothing "
                "was paid on it)",
                rule="cancel_unpaid_loan",
                **facts,
            )
    boxes = Boxes(state, on)
    planned: list[PlannedEntry] = []
    for e in reversal_group(entries, entry_id):
        entry = PlannedEntry(
            e.kind,
            -e.amount,
            member_id=e.member_id,
            loan_id=e.loan_id,
            shares=-e.shares,
            memo=reason,
            origin=EntryOrigin.REVERSAL,
            reverses_id=e.id,
        )
        boxes.apply(entry, f" (reversal of {_describe(e, state)})")
        planned.append(entry)
    return planned


def plan_write_off(
    state: CycleState, loan_id: int, *, on: dt.date, reason: str
) -> list[PlannedEntry]:
    """The entries that write off what a loan still owes on ``on``.

    The principal outstanding (kind ``write_off``) and the interest due (kind
    ``interest_write_off``) leave the books; neither moves cash. A loan can be written off
    whenever it owes anything, interest alone included.
    """
    if not reason.strip():
        raise InvalidInput("a write-off needs a reason")
    check_can_record(state, on, same_day_ok=True)
    loan = state.loans.get(loan_id)
    if loan is None:
        raise NotFound(
            f"{state.group_label}: there is no live loan with id {loan_id} in cycle "
            f"{state.cycle.number} (cancelled, or of another cycle)",
            group_code=state.group_code,
            loan_id=loan_id,
        )
    pos = loan.position(on)
    if pos.settled:
        raise InvalidInput(
            f"{state.group_label}, {on}: {loan.label} to "
            f"{state.members[loan.member_id].label()} owes nothing (no principal outstanding "
            "and no interest due): there is nothing to write off",
            rule="write_off_what_is_owed",
            group_code=state.group_code,
            member_number=state.member_number(loan.member_id),
            loan_id=loan_id,
        )
    planned = [
        PlannedEntry(
            kind,
            amount,
            member_id=loan.member_id,
            loan_id=loan_id,
            memo=reason,
            origin=EntryOrigin.WRITE_OFF,
        )
        for kind, amount in (
            (EntryKind.WRITE_OFF, pos.principal_outstanding),
            (EntryKind.INTEREST_WRITE_OFF, pos.interest_due),
        )
        if amount
    ]
    if not planned:  # pragma: no cover - a loan that owes something owes one of the two
        raise InvalidInput(
            f"{state.group_label}: {loan.label} owes {format_money(pos.settlement_amount)}"
        )
    return planned
