"""Settlements: the pure planners of a member's exit, a share-out and a new cycle's opening.

A settlement is computed from the ledger and closes what it was computed from: after a
member's exit their entries of the cycle cannot be reversed, and after a share-out nothing
of the cycle can. Each planner takes the cycle's state, checks every rule and returns the
entries to write (each with its :class:`~vsla.domain.ledger.EntryOrigin`), or raises a
:class:`~vsla.errors.VslaError` naming the group, the member and the rule.
"""

from __future__ import annotations

__all__ = [
    "check_cycle_start",
    "plan_member_exit",
    "plan_opening_carry",
    "plan_share_out",
    "recorded_share_out",
    "settlement_entries",
]

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from fractions import Fraction

from vsla.domain.constitution import ExitProfitPolicy, RemainderPolicy, ShareOutLoanPolicy
from vsla.domain.cyclestate import Boxes, CycleState, PlannedEntry, check_can_record, member_of
from vsla.domain.entities import Cycle, ExitReason
from vsla.domain.ledger import Balances, EntryKind, EntryOrigin, LedgerEntry
from vsla.domain.loanbook import LoanPosition
from vsla.domain.loanstate import LoanState
from vsla.domain.money import format_money
from vsla.domain.shareout import ExitSettlement, ShareOutResult, exit_settlement, share_out
from vsla.errors import InvalidInput, ShareOutRefused, VslaError


def settlement_entries(
    loan: LoanState, pos: LoanPosition, origin: EntryOrigin
) -> list[PlannedEntry]:
    """The entries that settle a loan in full on ``pos.on``: interest, then principal."""
    interest = pos.settlement_amount - pos.principal_outstanding
    return [
        PlannedEntry(kind, amount, member_id=loan.member_id, loan_id=loan.id, origin=origin)
        for kind, amount in (
            (EntryKind.INTEREST_PAYMENT, interest),
            (EntryKind.PRINCIPAL_REPAYMENT, pos.principal_outstanding),
        )
        if amount
    ]


def plan_member_exit(
    state: CycleState, member_id: int, *, on: dt.date, reason: ExitReason
) -> tuple[ExitSettlement, list[PlannedEntry]]:
    """A member leaves mid-cycle: their savings back (or a pro-rata value, by policy), less
    what they owe on their loans, which are settled from it (netted at exit)."""
    check_can_record(state, on, same_day_ok=True)
    member = member_of(state, member_id, on, "an exit")
    rules = state.cycle.constitution
    planned: list[PlannedEntry] = []
    owed = 0
    for loan in state.loans.values():
        if loan.member_id != member_id:
            continue
        pos = loan.position(on)
        if not pos.settled:
            owed += pos.settlement_amount
            planned += settlement_entries(loan, pos, EntryOrigin.NETTED_AT_EXIT)
    n = state.member_shares.get(member_id, 0)
    projected: Fraction | None = None
    balances = state.balances
    if rules.exit_profit_share is ExitProfitPolicy.PRO_RATA and balances.shares:
        projected = Fraction(balances.loan_fund_cash + balances.loans_outstanding, balances.shares)
    try:
        settlement = exit_settlement(
            n,
            rules.share_value,
            owed,
            projected_value_per_share=projected,
            cash_step=rules.cash_step,
        )
    except ShareOutRefused as exc:
        raise ShareOutRefused(
            f"{state.group_label}, {member.label()}: {exc}",
            rule="exit_owes_more_than_due",
            group_code=state.group_code,
            member_number=member.number,
        ) from exc
    if settlement.gross or n:
        planned.append(
            PlannedEntry(
                EntryKind.EXIT_PAYOUT,
                settlement.gross,
                member_id=member_id,
                shares=-n,
                memo=f"exit: {reason.value}",
                origin=EntryOrigin.EXIT_PAYOUT,
            )
        )
    boxes = Boxes(state, on)
    for p in planned:
        boxes.apply(p, f" to {member.label()}")
    return settlement, planned


def plan_share_out(
    state: CycleState, on: dt.date
) -> tuple[ShareOutResult[int], list[PlannedEntry]]:
    """The share-out of the cycle on ``on``: loans settled (or the share-out refused, by
    policy), the loan fund shared in proportion to shares, the remainder kept or moved."""
    check_can_record(state, on, same_day_ok=True)
    rules = state.cycle.constitution
    boxes = Boxes(state, on)
    planned: list[PlannedEntry] = []
    owed: dict[int, int] = defaultdict(int)
    unsettled: list[str] = []
    for loan in state.loans.values():
        if loan.dues(on).settlement_amount == 0:
            continue  # settled: its dues say so without working out its arrears
        pos = loan.position(on)
        who = state.members[loan.member_id].label()
        unsettled.append(
            f"{who} owes {format_money(pos.settlement_amount)} on the loan of "
            f"{loan.terms.disbursed_on} ({format_money(loan.terms.principal)})"
        )
        owed[loan.member_id] += pos.settlement_amount
        for entry in settlement_entries(loan, pos, EntryOrigin.NETTED_AT_SHARE_OUT):
            boxes.apply(entry, "")
            planned.append(entry)
    if unsettled and rules.share_out_loans is ShareOutLoanPolicy.REFUSE:
        raise ShareOutRefused(
            f"{state.group_label}, {on}: share-out refused while loans are outstanding "
            f"(policy share_out_loans=refuse): " + "; ".join(unsettled),
            rule="share_out_loans",
            group_code=state.group_code,
        )
    shares = {mid: n for mid, n in sorted(state.member_shares.items()) if n}
    plain = share_out(
        shares, boxes.loan_fund, share_value=rules.share_value, cash_step=rules.cash_step
    )
    for line in plain.lines:
        debt = owed.get(line.member, 0)
        if debt > line.payout:
            raise ShareOutRefused(
                f"{state.group_label}, {on}: {state.members[line.member].label()} owes "
                f"{format_money(debt)}, more than their payout of {format_money(line.payout)}; "
                f"settle the difference of {format_money(debt - line.payout)} first "
                "(policy share_out_loans=net)",
                rule="share_out_loans",
                group_code=state.group_code,
                member_number=state.member_number(line.member),
            )
    missing = [m for m in owed if m not in shares]
    if missing:
        raise ShareOutRefused(
            f"{state.group_label}, {on}: {state.members[missing[0]].label()} owes "
            f"{format_money(owed[missing[0]])} but holds no share to net it against; "
            "settle the loan first (policy share_out_loans=net)",
            rule="share_out_loans",
            group_code=state.group_code,
            member_number=state.member_number(missing[0]),
        )
    result = share_out(
        shares,
        boxes.loan_fund,
        share_value=rules.share_value,
        cash_step=rules.cash_step,
        owed=dict(owed) or None,
    )
    for line in result.lines:
        if line.payout:
            entry = PlannedEntry(
                EntryKind.SHARE_OUT_PAYOUT,
                line.payout,
                member_id=line.member,
                origin=EntryOrigin.SHARE_OUT_PAYOUT,
            )
            boxes.apply(entry, "")
            planned.append(entry)
    if result.remainder and rules.remainder is RemainderPolicy.SOCIAL_FUND:
        planned.append(
            PlannedEntry(
                EntryKind.TRANSFER_TO_SOCIAL_FUND,
                result.remainder,
                memo="share-out remainder",
                origin=EntryOrigin.REMAINDER_TRANSFER,
            )
        )
    return result, planned


def recorded_share_out(state: CycleState, entries: Iterable[LedgerEntry]) -> ShareOutResult[int]:
    """The share-out a shared-out cycle recorded, rebuilt from its entries by the same
    :func:`~vsla.domain.shareout.share_out` that made it, and checked against the payouts
    recorded (a mismatch is a :class:`~vsla.errors.VslaError`)."""
    paid: dict[int, int] = defaultdict(int)
    owed: dict[int, int] = defaultdict(int)
    for e in entries:
        if e.member_id is None:
            continue
        if e.origin is EntryOrigin.SHARE_OUT_PAYOUT:
            paid[e.member_id] += e.amount
        elif e.origin is EntryOrigin.NETTED_AT_SHARE_OUT:
            owed[e.member_id] += e.amount
    moved = state.totals.get(EntryKind.TRANSFER_TO_SOCIAL_FUND, 0)
    distributable = state.balances.loan_fund_cash + sum(paid.values()) + moved
    rules = state.cycle.constitution
    result = share_out(
        {m: n for m, n in sorted(state.member_shares.items()) if n},
        distributable,
        share_value=rules.share_value,
        cash_step=rules.cash_step,
        owed=dict(owed) or None,
    )
    recorded = {line.member: line.payout for line in result.lines if line.payout}
    if recorded != dict(paid):
        raise VslaError(
            f"{state.group_label}, cycle {state.cycle.number}: the recorded share-out does not "
            f"match its recomputation ({dict(paid)} recorded, {recorded} recomputed)"
        )
    return result


def check_cycle_start(group_label: str, start: dt.date, end: dt.date, last: Cycle | None) -> None:
    """The rules of starting a cycle after ``last`` (the group's latest cycle, if any): it
    ends after it starts, the previous cycle is shared out, and it starts on or after that
    share-out (so no date belongs to two cycles)."""
    if end <= start:
        raise InvalidInput(
            f"{group_label}: a cycle must end after it starts ({start}, {end})",
            rule="cycle_ends_after_start",
            field="end",
        )
    if last is None:
        return
    if last.shared_out_on is None:
        raise InvalidInput(
            f"{group_label}: cycle {last.number} is still running; share it out before "
            "starting another",
            rule="one_running_cycle",
        )
    if start < last.shared_out_on:
        raise InvalidInput(
            f"{group_label}: the next cycle starts on {start}, before the share-out of cycle "
            f"{last.number} on {last.shared_out_on} (rule: a cycle starts on or after the "
            "previous one's share-out)",
            rule="cycle_starts_after_share_out",
            field="start",
        )


def plan_opening_carry(previous: Cycle, balances: Balances) -> list[PlannedEntry]:
    """The opening entries of the cycle after ``previous``: its loan-fund cash (the
    share-out remainder, by policy) and its social fund, carried over."""
    memo = f"carried from cycle {previous.number}"
    return [
        PlannedEntry(kind, amount, memo=memo, origin=EntryOrigin.OPENING_CARRY)
        for kind, amount in (
            (EntryKind.OPENING_LOAN_FUND, balances.loan_fund_cash),
            (EntryKind.OPENING_SOCIAL_FUND, balances.social_fund_cash),
        )
        if amount
    ]
