"""Opening positions: a group that kept a paper ledger joins in the middle of a cycle.

Instead of typing every past meeting, the clerk gives the group's position on a date (the
*opening date*, the last paper meeting), from the paper ledger:

- each member's shares bought so far in the cycle (and, for a member who has left, what they
  were paid when they left);
- the social fund's balance and the loan fund's cash in the box;
- what the cycle has earned so far: interest, fines and other income, less expenses;
- the cash the cycle started with (carried from the cycle before);
- every loan still outstanding, with its terms, the principal repaid and the interest paid
  so far (loans repaid in full or written off may be listed too, so that the cycle's loan
  figures count them).

:func:`plan_opening` checks the whole position before anything is written and returns the
entries that state it, every one of origin ``opening_position`` and dated the opening date;
a problem raises :class:`~vsla.errors.InvalidOpeningPosition` listing every problem, each
naming the member or loan and the rule. From then on the group is recorded as usual.

The checks:

- the figures add up: loan fund cash + loans outstanding = savings + interest + fines +
  other income − expenses − principal written off + carried cash + what leaving members
  left in the box (their savings less their payout);
- every member named is a member of the group, active on the opening date (a member who left
  before it needs the payout they were paid, and no loan outstanding);
- every loan's figures fit its terms: disbursed in the cycle, on or before the opening date,
  to a member active then, within the constitution's maximum term; principal repaid and
  written off no more than the principal; interest paid no more than its terms charged by
  the opening date; a write-off closes the loan;
- a declining-balance loan whose principal was partly repaid after its first month needs
  the date(s) of those repayments (``repaid_on``, or ``payments``): the interest of the
  months after them is charged on the lower balance.

A loan's disbursement and payments are written on the opening date, and count for the loan
from the day they happened on paper (the entry's ``effective_on``): its position, interest
and arrears on any later date are what they would have been had every meeting been
recorded. What an opening position does not know: attendance at the paper meetings, each
member's social fund contributions and fines (the group's totals are kept), and the
meetings themselves; indicators counting those begin at the opening.
"""

from __future__ import annotations

__all__ = [
    "OpeningLoan",
    "OpeningMember",
    "OpeningPayment",
    "OpeningPosition",
    "check_opening",
    "plan_opening",
]

import datetime as dt
from collections.abc import Callable
from typing import Any

from pydantic import Field, StrictInt, model_validator

from vsla.domain.base import Record
from vsla.domain.constitution import InterestMethod
from vsla.domain.ledger import EntryKind, EntryOrigin, balances_from_totals
from vsla.domain.loans import LoanTerms, months_begun
from vsla.domain.loanstate import LoanMove, LoanPurpose, LoanState
from vsla.domain.meeting import CycleState, MeetingPlan, NewLoan, PlannedEntry
from vsla.domain.money import format_money
from vsla.domain.sync import ClientId
from vsla.errors import InvalidOpeningPosition


def _money() -> Any:
    return Field(0, ge=0)


class OpeningMember(Record):
    """A member's shares bought so far in the cycle. A member who left the group before
    the opening date gives the shares they held and ``exit_payout``, what they were paid."""

    member_id: int
    shares: StrictInt = Field(ge=0)
    exit_payout: StrictInt | None = Field(None, ge=0)


class OpeningPayment(Record):
    """One payment on a loan, on a paper meeting's date."""

    on: dt.date
    principal: StrictInt = _money()
    interest: StrictInt = _money()


class OpeningLoan(Record):
    """A loan of the cycle as the paper ledger shows it on the opening date.

    ``principal_repaid`` and ``interest_paid`` are the totals so far; ``repaid_on`` the day
    the principal repaid was paid (needed for a declining-balance loan repaid in part after
    its first month). Or ``payments`` gives each payment with its date (the totals are then
    their sums). A loan written off gives what was written off and ``written_off_on``.
    """

    member_id: int
    principal: StrictInt = Field(gt=0)
    disbursed_on: dt.date
    term_months: StrictInt = Field(ge=1)
    purpose: LoanPurpose = LoanPurpose.OTHER
    principal_repaid: StrictInt = _money()
    interest_paid: StrictInt = _money()
    repaid_on: dt.date | None = None
    payments: tuple[OpeningPayment, ...] = ()
    principal_written_off: StrictInt = _money()
    interest_written_off: StrictInt = _money()
    written_off_on: dt.date | None = None
    client_id: ClientId | None = None

    @model_validator(mode="before")
    @classmethod
    def _totals_of_payments(cls, data: Any) -> Any:
        if not isinstance(data, dict) or not data.get("payments"):
            return data
        payments = [
            p if isinstance(p, OpeningPayment) else OpeningPayment.model_validate(p)
            for p in data["payments"]
        ]
        sums = {
            "principal_repaid": sum(p.principal for p in payments),
            "interest_paid": sum(p.interest for p in payments),
        }
        out = dict(data)
        for name, total in sums.items():
            given = out.get(name)
            if given is None or given == 0:
                out[name] = total
            elif given != total:
                raise ValueError(f"{name} ({given}) is not the sum of the payments ({total})")
        if out.get("repaid_on") is not None:
            raise ValueError("give repaid_on or payments, not both")
        return out


class OpeningPosition(Record):
    """A group's position on ``on``, the date its paper ledger is taken over."""

    on: dt.date
    loan_fund_cash: StrictInt = Field(ge=0)
    social_fund: StrictInt = _money()
    interest: StrictInt = Field(
        0, ge=0, description="interest received so far this cycle, on every loan"
    )
    fines: StrictInt = _money()
    other_income: StrictInt = _money()
    expenses: StrictInt = _money()
    carried_cash: StrictInt = Field(0, ge=0, description="cash the cycle started with")
    members: tuple[OpeningMember, ...] = ()
    loans: tuple[OpeningLoan, ...] = ()
    client_id: ClientId | None = None


def _terms(state: CycleState, loan: OpeningLoan) -> LoanTerms:
    rules = state.cycle.constitution
    return LoanTerms(
        principal=loan.principal,
        interest_rate=rules.interest_rate,
        term_months=loan.term_months,
        disbursed_on=loan.disbursed_on,
        method=rules.interest_method,
        principal_schedule=rules.principal_schedule,
        rounding=rules.rounding,
    )


def _payments(loan: OpeningLoan, on: dt.date) -> list[tuple[dt.date, int, int]]:
    """(date, principal, interest) of each payment; the totals given without dates count
    on ``repaid_on`` (principal) and on the opening date."""
    if loan.payments:
        return [(p.on, p.principal, p.interest) for p in loan.payments]
    out = []
    if loan.principal_repaid:
        out.append((loan.repaid_on or on, loan.principal_repaid, 0))
    if loan.interest_paid:
        out.append((on, 0, loan.interest_paid))
    return out


def _loan_state(state: CycleState, loan: OpeningLoan, on: dt.date) -> LoanState:
    """The loan as its opening entries will tell it (recorded on ``on``)."""
    moves = [LoanMove(on, loan.disbursed_on, EntryKind.LOAN_DISBURSEMENT, loan.principal)]
    for day, principal, interest in _payments(loan, on):
        if interest:
            moves.append(LoanMove(on, day, EntryKind.INTEREST_PAYMENT, interest))
        if principal:
            moves.append(LoanMove(on, day, EntryKind.PRINCIPAL_REPAYMENT, principal))
    if loan.written_off_on is not None:
        day = loan.written_off_on
        if loan.principal_written_off:
            moves.append(LoanMove(on, day, EntryKind.WRITE_OFF, loan.principal_written_off))
        if loan.interest_written_off:
            moves.append(LoanMove(on, day, EntryKind.INTEREST_WRITE_OFF, loan.interest_written_off))
    return LoanState(
        id=0,
        member_id=loan.member_id,
        terms=_terms(state, loan),
        purpose=loan.purpose,
        ref=loan.client_id,
        moves=tuple(moves),
    )


class _Problems:
    def __init__(self, state: CycleState, on: dt.date) -> None:
        self.state, self.on = state, on
        self.items: list[InvalidOpeningPosition] = []

    def add(self, text: str, rule: str, field: str, member_id: int | None = None) -> None:
        self.items.append(
            InvalidOpeningPosition(
                f"{self.state.group_label}, opening position of {self.on}: {text} (rule: {rule})",
                rule=rule,
                group_code=self.state.group_code,
                member_number=self.state.member_number(member_id),
                field=field,
            )
        )


def check_opening(state: CycleState, position: OpeningPosition) -> list[InvalidOpeningPosition]:
    """Every problem of ``position`` for the cycle of ``state`` (nothing recorded yet), each
    naming the member or loan (``field``: ``members[2].shares``, ``loans[0].interest_paid``)
    and the rule; an empty list when it can be written."""
    on = position.on
    cycle, rules = state.cycle, state.cycle.constitution
    problems = _Problems(state, on)
    add: Callable[..., None] = problems.add
    if cycle.shared_out_on is not None or state.totals or state.last_meeting_on is not None:
        add(
            f"cycle {cycle.number} has records already; an opening position is a cycle's "
            "first record",
            "opening_first",
            "on",
        )
    if not cycle.start_date <= on <= cycle.end_date:
        add(
            f"the date is outside cycle {cycle.number} ({cycle.start_date} to {cycle.end_date})",
            "date_in_cycle",
            "on",
        )
    value = rules.share_value
    savings = 0
    kept_by_leavers = 0
    listed: set[int] = set()
    for i, m in enumerate(position.members):
        where = f"members[{i}]"
        member = state.members.get(m.member_id)
        if member is None:
            add(f"member #{m.member_id} is not a member of this group", "member_of_group", where)
            continue
        who = member.label()
        if m.member_id in listed:
            add(f"{who} is listed twice", "member_listed_once", where, m.member_id)
        listed.add(m.member_id)
        if member.joined_on > on:
            add(
                f"{who} joined on {member.joined_on}, after the opening date",
                "member_active",
                where,
                m.member_id,
            )
        left = member.left_on is not None and member.left_on <= on
        if left and m.exit_payout is None and m.shares:
            add(
                f"{who} left on {member.left_on}: give what they were paid (exit_payout)",
                "leaver_payout",
                f"{where}.exit_payout",
                m.member_id,
            )
        if not left and m.exit_payout is not None:
            add(
                f"{who} is active on the opening date: an exit payout is for a member who left",
                "leaver_payout",
                f"{where}.exit_payout",
                m.member_id,
            )
        if left:
            kept_by_leavers += m.shares * value - (m.exit_payout or 0)
        else:
            savings += m.shares * value
    outstanding = 0
    written_off = 0
    loan_interest = 0
    refs: set[str] = set()
    for i, loan in enumerate(position.loans):
        where = f"loans[{i}]"
        member = state.members.get(loan.member_id)
        if member is None:
            add(
                f"loan {i + 1}: member #{loan.member_id} is not a member of this group",
                "member_of_group",
                f"{where}.member_id",
            )
            continue
        what = (
            f"loan {i + 1} to {member.label()} ({format_money(loan.principal)} of "
            f"{loan.disbursed_on})"
        )
        loan_interest += loan.interest_paid
        written_off += loan.principal_written_off
        if loan.client_id is not None:
            if loan.client_id in refs:
                add(
                    f"{what}: client id {loan.client_id!r} is given twice",
                    "loan_ref_unique",
                    f"{where}.client_id",
                    loan.member_id,
                )
            refs.add(loan.client_id)
        if not cycle.start_date <= loan.disbursed_on <= on:
            add(
                f"{what}: disbursed outside the cycle's paper period ({cycle.start_date} to {on})",
                "loan_in_cycle",
                f"{where}.disbursed_on",
                loan.member_id,
            )
            continue
        if not member.is_active(loan.disbursed_on):
            add(
                f"{what}: {member.label()} was not active on {loan.disbursed_on}",
                "member_active",
                f"{where}.member_id",
                loan.member_id,
            )
        if loan.term_months > rules.max_term_months:
            add(
                f"{what}: {loan.term_months} months is above the maximum term of "
                f"{rules.max_term_months}",
                "max_term_months",
                f"{where}.term_months",
                loan.member_id,
            )
        closed_by = loan.principal_repaid + loan.principal_written_off
        if closed_by > loan.principal:
            add(
                f"{what}: principal repaid {format_money(loan.principal_repaid)} and written "
                f"off {format_money(loan.principal_written_off)} exceed the principal",
                "repaid_within_principal",
                f"{where}.principal_repaid",
                loan.member_id,
            )
            continue
        dates = [p.on for p in loan.payments] + [
            d for d in (loan.repaid_on, loan.written_off_on) if d is not None
        ]
        if any(not loan.disbursed_on <= d <= on for d in dates):
            add(
                f"{what}: a payment or write-off date lies outside {loan.disbursed_on} to {on}",
                "payment_dates",
                f"{where}.payments",
                loan.member_id,
            )
            continue
        if (
            rules.interest_method is InterestMethod.DECLINING
            and loan.principal_repaid
            and not loan.payments
            and loan.repaid_on is None
            and months_begun(loan.disbursed_on, on) >= 2
        ):
            add(
                f"{what}: a declining-balance loan repaid in part after its first month needs "
                "the date of the principal repaid (repaid_on, or each payment): later months "
                "are charged on the lower balance",
                "repayment_dates",
                f"{where}.repaid_on",
                loan.member_id,
            )
            continue
        if loan.principal_written_off or loan.interest_written_off:
            if loan.written_off_on is None:
                add(
                    f"{what}: a write-off needs its date (written_off_on)",
                    "write_off_date",
                    f"{where}.written_off_on",
                    loan.member_id,
                )
                continue
            if closed_by != loan.principal:
                add(
                    f"{what}: a write-off writes off all the principal left "
                    f"({format_money(loan.principal - loan.principal_repaid)})",
                    "write_off_closes",
                    f"{where}.principal_written_off",
                    loan.member_id,
                )
        pos = _loan_state(state, loan, on).position(on)
        if loan.interest_paid > pos.interest_charged:
            add(
                f"{what}: interest paid {format_money(loan.interest_paid)} is more than the "
                f"{format_money(pos.interest_charged)} its terms charged by {on}",
                "interest_within_charged",
                f"{where}.interest_paid",
                loan.member_id,
            )
        left = member.left_on is not None and member.left_on <= on
        if left and pos.principal_outstanding:
            add(
                f"{what}: {member.label()} left on {member.left_on} and cannot owe principal",
                "leaver_owes_nothing",
                f"{where}.principal_repaid",
                loan.member_id,
            )
        outstanding += loan.principal - closed_by
    if loan_interest > position.interest:
        add(
            f"the interest received so far ({format_money(position.interest)}) is less than "
            f"the interest paid on the loans listed ({format_money(loan_interest)})",
            "interest_covers_loans",
            "interest",
        )
    profit = position.interest + position.fines + position.other_income - position.expenses
    right = savings + profit - written_off + position.carried_cash + kept_by_leavers
    left_side = position.loan_fund_cash + outstanding
    if not problems.items and left_side != right:
        kept = (
            f" + {format_money(kept_by_leavers)} left by members who left"
            if kept_by_leavers
            else ""
        )
        add(
            f"the figures do not add up: loan fund cash {format_money(position.loan_fund_cash)} "
            f"+ loans outstanding {format_money(outstanding)} = {format_money(left_side)}, but "
            f"savings {format_money(savings)} + interest {format_money(position.interest)} + "
            f"fines {format_money(position.fines)} + other income "
            f"{format_money(position.other_income)} − expenses {format_money(position.expenses)}"
            f" − written off {format_money(written_off)} + carried cash "
            f"{format_money(position.carried_cash)}{kept} = {format_money(right)}: a difference "
            f"of {format_money(left_side - right)}",
            "opening_balances",
            "loan_fund_cash",
        )
    return problems.items


def plan_opening(state: CycleState, position: OpeningPosition) -> MeetingPlan:
    """The entries that state ``position`` in the (empty) cycle of ``state``, as the plan
    of the opening date's meeting (its loans as new loans); or
    :class:`~vsla.errors.InvalidOpeningPosition` listing every problem."""
    problems = check_opening(state, position)
    if problems:
        first = problems[0]
        listed = "\n".join(f"  - {p}" for p in problems)
        raise InvalidOpeningPosition(
            f"{len(problems)} problem(s) in the opening position; nothing was written:\n{listed}",
            rule=first.rule,
            group_code=first.group_code,
            member_number=first.member_number,
            field=first.field,
            problems=tuple(problems),
        )
    on = position.on
    value = state.cycle.constitution.share_value
    plan = MeetingPlan(date=on, attendance={})

    def add(kind: EntryKind, amount: int, **more: Any) -> None:
        if amount or more.get("shares"):
            plan.entries.append(
                PlannedEntry(kind, amount, origin=EntryOrigin.OPENING_POSITION, **more)
            )

    add(EntryKind.OPENING_LOAN_FUND, position.carried_cash, memo="carried (opening position)")
    add(EntryKind.OPENING_SOCIAL_FUND, position.social_fund, memo="social fund (opening position)")
    for m in position.members:
        add(EntryKind.SHARE_PURCHASE, m.shares * value, member_id=m.member_id, shares=m.shares)
    add(EntryKind.FINE, position.fines, memo="fines so far (opening position)")
    add(
        EntryKind.OTHER_INCOME, position.other_income, memo="other income so far (opening position)"
    )
    loan_interest = sum(loan.interest_paid for loan in position.loans)
    add(
        EntryKind.INTEREST_PAYMENT,
        position.interest - loan_interest,
        memo="interest on loans repaid before the opening (opening position)",
    )
    for k, loan in enumerate(position.loans):
        member = {"member_id": loan.member_id, "new_loan": k}
        add(EntryKind.LOAN_DISBURSEMENT, loan.principal, effective_on=loan.disbursed_on, **member)
        for day, principal, interest in _payments(loan, on):
            add(EntryKind.INTEREST_PAYMENT, interest, effective_on=day, **member)
            add(EntryKind.PRINCIPAL_REPAYMENT, principal, effective_on=day, **member)
        off = loan.written_off_on
        add(EntryKind.WRITE_OFF, loan.principal_written_off, effective_on=off, **member)
        add(EntryKind.INTEREST_WRITE_OFF, loan.interest_written_off, effective_on=off, **member)
        plan.new_loans.append(
            NewLoan(
                member_id=loan.member_id,
                terms=_terms(state, loan),
                purpose=loan.purpose,
                ref=loan.client_id,
            )
        )
    add(EntryKind.EXPENSE, position.expenses, memo="expenses so far (opening position)")
    for m in position.members:
        if m.exit_payout is not None:
            add(EntryKind.EXIT_PAYOUT, m.exit_payout, member_id=m.member_id, shares=-m.shares)
    cash = balances_from_totals(_totals(plan), 0, value).loan_fund_cash
    assert cash == position.loan_fund_cash, (cash, position.loan_fund_cash)
    return plan


def _totals(plan: MeetingPlan) -> dict[EntryKind, int]:
    totals: dict[EntryKind, int] = {}
    for e in plan.entries:
        totals[e.kind] = totals.get(e.kind, 0) + e.amount
    return totals
