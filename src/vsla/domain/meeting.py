"""Recording a meeting: the inputs, and the pure planner that validates them.

:func:`plan_meeting` takes the state of a cycle before a meeting and what happened at it,
applies the rules of docs/meetings.md in the usual VSLA order and returns the entries to
write, or raises the first broken rule as a :class:`~vsla.errors.VslaError`. It writes
nothing: the store writes the plan in one transaction, so a meeting is all-or-nothing.

Order within a meeting: attendance, social fund contributions, share purchases, fines,
other income, repayments, social fund grants, expenses, then new loans. Shares bought at a
meeting count towards a loan taken at it, and repaid cash can be lent again.
"""

from __future__ import annotations

__all__ = [
    "FIELD_OF_KIND",
    "Boxes",
    "CycleState",
    "Expense",
    "FinePaid",
    "Income",
    "LoanPurpose",
    "LoanRequest",
    "LoanState",
    "MeetingInput",
    "MeetingPlan",
    "PlannedEntry",
    "Repayment",
    "SocialFundGrant",
    "advance",
    "check_can_record",
    "member_of",
    "plan_meeting",
]

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any

from pydantic import Field, StrictInt, model_validator

from vsla.domain.base import Record
from vsla.domain.constitution import InterestMethod
from vsla.domain.entities import Attendance, Cycle, Member
from vsla.domain.ledger import (
    LOAN_FUND_SIGN,
    SOCIAL_FUND_SIGN,
    Balances,
    EntryKind,
    EntryOrigin,
    balances_from_totals,
)
from vsla.domain.loans import LoanTerms, allocate_payment, upfront_interest
from vsla.domain.loanstate import LoanMove, LoanPurpose, LoanState
from vsla.domain.money import format_money
from vsla.domain.sync import ClientId
from vsla.errors import (
    BoxWouldGoNegative,
    CycleClosed,
    DateOutsideCycle,
    InvalidInput,
    LoanLimitExceeded,
    MemberNotActive,
    NotFound,
    RepaymentExceedsDue,
    SharesOutOfRange,
)


class FinePaid(Record):
    """A fine named in the constitution; ``amount`` defaults to the constitution's."""

    member_id: int
    fine: str
    amount: StrictInt | None = None


class Income(Record):
    amount: StrictInt = Field(gt=0)
    memo: str = ""


class Expense(Record):
    amount: StrictInt = Field(gt=0)
    memo: str = ""


class Repayment(Record):
    """A repayment of one loan, named by its ``loan_id`` or by the client id (``ref``) it was
    made with (``loan_ref``). ``client_id`` is the app's own id for the repayment
    (docs/sync.md)."""

    loan_id: int | None = Field(default=None, gt=0)
    loan_ref: str | None = None
    amount: StrictInt = Field(gt=0)
    client_id: ClientId | None = None

    @model_validator(mode="after")
    def _one_loan(self) -> Repayment:
        if (self.loan_id is None) == (self.loan_ref is None):
            raise ValueError("name the loan repaid by loan_id or by loan_ref (exactly one)")
        return self

    @property
    def loan(self) -> str:
        return f"#{self.loan_id}" if self.loan_id is not None else f"ref {self.loan_ref!r}"


class SocialFundGrant(Record):
    member_id: int
    amount: StrictInt = Field(gt=0)
    reason: str = ""


class LoanRequest(Record):
    """A new loan. ``client_id`` is the caller's own id for it (a data-entry app's id, a
    row of an import), unique among the loans of the programme (docs/sync.md): a later
    repayment, even one recorded in the same batch before the store has given the loan its
    id, can name it with ``loan_ref``. ``ref`` is another name for ``client_id`` (the name
    of the first releases): give either; both then hold the same value."""

    member_id: int
    principal: StrictInt = Field(gt=0)
    term_months: StrictInt = Field(ge=1)
    purpose: LoanPurpose = LoanPurpose.OTHER
    ref: str | None = Field(None, min_length=1, max_length=64)
    client_id: ClientId | None = None

    @model_validator(mode="before")
    @classmethod
    def _ref_is_the_client_id(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        ref, client_id = data.get("ref"), data.get("client_id")
        if ref is not None and client_id is None:
            return {**data, "client_id": ref}
        if client_id is not None and ref is None:
            return {**data, "ref": client_id}
        if ref != client_id:
            raise ValueError(
                f"ref ({ref!r}) is another name for client_id ({client_id!r}): give one of "
                "them, or the same value in both"
            )
        return data


class MeetingInput(Record):
    """Everything that happened at one meeting. Members are referred to by id.

    ``social_fund_contributions`` maps a member to what they paid: the constitution's
    contribution, or a whole multiple of it (a member catching up on missed meetings).
    ``share_purchases`` maps a member to the number of shares bought; the [min, max] rule
    applies to the members listed there. ``client_id`` is the app's own id for the meeting:
    a meeting sent again with it is recognised (docs/sync.md).
    """

    date: dt.date
    client_id: ClientId | None = None
    attendance: dict[int, Attendance] = Field(default_factory=dict)
    social_fund_contributions: dict[int, StrictInt] = Field(default_factory=dict)
    share_purchases: dict[int, StrictInt] = Field(default_factory=dict)
    fines: list[FinePaid] = Field(default_factory=list)
    other_income: list[Income] = Field(default_factory=list)
    repayments: list[Repayment] = Field(default_factory=list)
    social_fund_grants: list[SocialFundGrant] = Field(default_factory=list)
    expenses: list[Expense] = Field(default_factory=list)
    loans: list[LoanRequest] = Field(default_factory=list)


@dataclass(frozen=True, slots=True)
class CycleState:
    """What the planner needs to know about a cycle before a meeting."""

    group_label: str
    cycle: Cycle
    members: Mapping[int, Member]
    totals: Mapping[EntryKind, int]
    member_shares: Mapping[int, int]
    loans: Mapping[int, LoanState]
    last_meeting_on: dt.date | None
    last_minutes_on: dt.date | None = None  # the last date whose meeting was recorded whole
    used_refs: frozenset[str] = frozenset()  # every loan ref of the cycle, cancelled loans too
    group_code: str | None = None

    def member_number(self, member_id: int | None) -> int | None:
        """The member's number in the group (for an error's facts), or ``None``."""
        member = None if member_id is None else self.members.get(member_id)
        return None if member is None else member.number

    @property
    def balances(self) -> Balances:
        return balances_from_totals(
            self.totals,
            sum(self.member_shares.values()),
            self.cycle.constitution.share_value,
        )


@dataclass(frozen=True, slots=True)
class PlannedEntry:
    """An entry to write. ``new_loan`` indexes :attr:`MeetingPlan.new_loans`; ``origin``
    is the rule that made it; ``reverses_id`` the entry a reversal undoes."""

    kind: EntryKind
    amount: int
    member_id: int | None = None
    loan_id: int | None = None
    new_loan: int | None = None
    shares: int = 0
    memo: str = ""
    origin: EntryOrigin = EntryOrigin.MEETING
    reverses_id: int | None = None
    client_id: str | None = None  # a repayment's client id, on both of its entries
    effective_on: dt.date | None = None  # an opening position's loan move (see LedgerEntry)


@dataclass(frozen=True, slots=True)
class NewLoan:
    member_id: int
    terms: LoanTerms
    purpose: LoanPurpose
    ref: str | None = None


@dataclass(slots=True)
class MeetingPlan:
    date: dt.date
    attendance: dict[int, Attendance]
    entries: list[PlannedEntry] = field(default_factory=list)
    new_loans: list[NewLoan] = field(default_factory=list)


_CONTRIBUTIONS = "social_fund_contributions"

FIELD_OF_KIND: Mapping[EntryKind, str] = {
    EntryKind.SOCIAL_CONTRIBUTION: _CONTRIBUTIONS,
    EntryKind.SHARE_PURCHASE: "share_purchases",
    EntryKind.FINE: "fines.amount",
    EntryKind.OTHER_INCOME: "other_income",
    EntryKind.INTEREST_PAYMENT: "repayments",
    EntryKind.PRINCIPAL_REPAYMENT: "repayments",
    EntryKind.SOCIAL_GRANT: "social_fund_grants",
    EntryKind.EXPENSE: "expenses",
    EntryKind.LOAN_DISBURSEMENT: "loans.principal",
}
"""The field of a :class:`MeetingInput` that writes entries of each kind (an error's
``field``)."""


class Boxes:
    """Running cash of both boxes while a plan is built; refuses to go below zero."""

    def __init__(self, state: CycleState, on: dt.date) -> None:
        self.state = state
        self.on = on
        self.loan_fund = state.balances.loan_fund_cash
        self.social_fund = state.balances.social_fund_cash

    def apply(self, entry: PlannedEntry, who: str) -> None:
        """Move the entry's cash, refusing it if either box would go below zero."""
        for box, signs, cash in (
            ("loan fund", LOAN_FUND_SIGN, self.loan_fund),
            ("social fund", SOCIAL_FUND_SIGN, self.social_fund),
        ):
            if cash + signs[entry.kind] * entry.amount < 0:
                raise BoxWouldGoNegative(
                    f"{self.state.group_label}, {self.on}: {entry.kind.value.replace('_', ' ')} "
                    f"of {format_money(entry.amount)}{who} would take the {box} below zero: "
                    f"it holds {format_money(cash)} (rule: a box never goes below zero)",
                    rule="box_never_negative",
                    group_code=self.state.group_code,
                    member_number=self.state.member_number(entry.member_id),
                    loan_id=entry.loan_id,
                    entry_id=entry.reverses_id,
                    field=FIELD_OF_KIND.get(entry.kind),
                )
        self.loan_fund += LOAN_FUND_SIGN[entry.kind] * entry.amount
        self.social_fund += SOCIAL_FUND_SIGN[entry.kind] * entry.amount


def member_of(
    state: CycleState, member_id: int, on: dt.date, what: str, field: str | None = None
) -> Member:
    """The member named by ``member_id`` in ``what`` (the input ``field``), active on
    ``on``; else :class:`~vsla.errors.NotFound` or :class:`~vsla.errors.MemberNotActive`."""
    member = state.members.get(member_id)
    if member is None:
        raise NotFound(
            f"{state.group_label}, {on}: member #{member_id} named in {what} "
            "is not a member of this group",
            rule="member_of_group",
            group_code=state.group_code,
            field=field,
        )
    if not member.is_active(on):
        raise MemberNotActive(
            f"{state.group_label}, {on}: {member.label()} is not active on that date "
            f"(joined {member.joined_on}, left {member.left_on or '-'}); {what} refused "
            "(rule: only active members transact)",
            rule="member_active",
            group_code=state.group_code,
            member_number=member.number,
            field=field,
        )
    return member


def check_can_record(state: CycleState, on: dt.date, *, same_day_ok: bool = False) -> None:
    """The date rules shared by every recording path."""
    cycle = state.cycle
    if cycle.shared_out_on is not None:
        raise CycleClosed(
            f"{state.group_label}, cycle {cycle.number}: shared out on {cycle.shared_out_on}; "
            f"nothing can be recorded on {on} (rule: nothing after the share-out)",
            rule="nothing_after_share_out",
            group_code=state.group_code,
            field="date",
        )
    if not cycle.start_date <= on <= cycle.end_date:
        raise DateOutsideCycle(
            f"{state.group_label}, cycle {cycle.number}: {on} is outside the cycle "
            f"({cycle.start_date} to {cycle.end_date})",
            rule="date_in_cycle",
            group_code=state.group_code,
            field="date",
        )
    last = state.last_meeting_on
    if last is not None and on < last:
        raise DateOutsideCycle(
            f"{state.group_label}, cycle {cycle.number}: {on} comes before the meeting of "
            f"{last} (rule: meetings are recorded in date order; corrections are reversing "
            "entries)",
            rule="date_order",
            group_code=state.group_code,
            field="date",
        )
    if not same_day_ok and state.last_minutes_on == on:
        raise DateOutsideCycle(
            f"{state.group_label}, cycle {cycle.number}: the meeting of {on} is already "
            "recorded (rule: one meeting per date; corrections are reversing entries)",
            rule="one_meeting_per_date",
            group_code=state.group_code,
            field="date",
        )


def plan_meeting(state: CycleState, meeting: MeetingInput) -> MeetingPlan:
    """Validate a meeting against the cycle's state and return the entries to write."""
    on = meeting.date
    rules = state.cycle.constitution
    check_can_record(state, on)
    code = state.group_code
    plan = MeetingPlan(date=on, attendance={})
    boxes = Boxes(state, on)
    shares_now = dict(state.member_shares)

    def add(entry: PlannedEntry, who: str = "") -> None:
        boxes.apply(entry, who)
        plan.entries.append(entry)

    for member_id, status in meeting.attendance.items():
        member_of(state, member_id, on, "attendance", "attendance")
        plan.attendance[member_id] = status

    for member_id, amount in meeting.social_fund_contributions.items():
        m = member_of(state, member_id, on, "a social fund contribution", _CONTRIBUTIONS)
        unit = rules.social_fund_contribution
        if unit == 0 or amount <= 0 or amount % unit != 0:
            raise InvalidInput(
                f"{state.group_label}, {on}: {m.label()} paid {format_money(amount)} to the "
                f"social fund; the constitution sets {format_money(unit)} per meeting "
                "(rule: a contribution is a positive whole multiple of it)",
                rule="social_fund_contribution",
                group_code=code,
                member_number=m.number,
                field=_CONTRIBUTIONS,
            )
        add(PlannedEntry(EntryKind.SOCIAL_CONTRIBUTION, amount, member_id=member_id))

    for member_id, n in meeting.share_purchases.items():
        m = member_of(state, member_id, on, "a share purchase", "share_purchases")
        low, high = rules.min_shares_per_meeting, rules.max_shares_per_meeting
        if not low <= n <= high:
            raise SharesOutOfRange(
                f"{state.group_label}, {on}: {m.label()} bought {n} share(s) "
                f"({format_money(n * rules.share_value)}); the constitution allows {low} "
                f"to {high} per meeting",
                rule="shares_per_meeting",
                group_code=code,
                member_number=m.number,
                field="share_purchases",
            )
        if n:
            add(
                PlannedEntry(
                    EntryKind.SHARE_PURCHASE, n * rules.share_value, member_id=member_id, shares=n
                )
            )
            shares_now[member_id] = shares_now.get(member_id, 0) + n

    for fine in meeting.fines:
        m = member_of(state, fine.member_id, on, "a fine", "fines")
        if fine.fine not in rules.fines:
            known = ", ".join(sorted(rules.fines)) or "none"
            raise InvalidInput(
                f"{state.group_label}, {on}: fine {fine.fine!r} for {m.label()} is not in the "
                f"constitution (its fines: {known})",
                rule="fine_in_constitution",
                group_code=code,
                member_number=m.number,
                field="fines.fine",
            )
        amount = rules.fines[fine.fine] if fine.amount is None else fine.amount
        if amount <= 0:
            raise InvalidInput(
                f"{state.group_label}, {on}: fine {fine.fine!r} for {m.label()} of "
                f"{format_money(amount)} must be positive",
                rule="fine_positive",
                group_code=code,
                member_number=m.number,
                field="fines.amount",
            )
        add(PlannedEntry(EntryKind.FINE, amount, member_id=fine.member_id, memo=fine.fine))

    for income in meeting.other_income:
        add(PlannedEntry(EntryKind.OTHER_INCOME, income.amount, memo=income.memo))

    repaid_principal: dict[int, int] = {}
    seen_loans: set[int] = set()
    by_ref = {loan.ref: loan for loan in state.loans.values() if loan.ref is not None}
    for repayment in meeting.repayments:
        if repayment.loan_ref is not None:
            loan = by_ref.get(repayment.loan_ref)
        else:
            loan = state.loans.get(repayment.loan_id or 0)
        if loan is None:
            raise NotFound(
                f"{state.group_label}, {on}: loan {repayment.loan} is not a loan of this cycle",
                rule="loan_of_cycle",
                group_code=code,
                loan_id=repayment.loan_id,
                field="repayments",
            )
        if loan.id in seen_loans:
            raise InvalidInput(
                f"{state.group_label}, {on}: {loan.label} is repaid twice in one meeting; "
                "record one repayment per loan per meeting",
                rule="one_repayment_per_loan",
                group_code=code,
                member_number=state.member_number(loan.member_id),
                loan_id=loan.id if loan.id > 0 else None,
                field="repayments",
            )
        seen_loans.add(loan.id)
        m = state.members[loan.member_id]
        pos = loan.position(on)
        who = f"{state.group_label}, {on}: {m.label()}, {loan.label}"
        try:
            split = allocate_payment(pos, repayment.amount, rules.payment_order, who=who)
        except RepaymentExceedsDue as exc:
            raise RepaymentExceedsDue(
                str(exc),
                rule="repayment_at_most_due",
                group_code=code,
                member_number=m.number,
                loan_id=loan.id if loan.id > 0 else None,
                field="repayments",
            ) from None
        if split.interest:
            add(
                PlannedEntry(
                    EntryKind.INTEREST_PAYMENT,
                    split.interest,
                    member_id=m.id,
                    loan_id=loan.id,
                    client_id=repayment.client_id,
                )
            )
        if split.principal:
            add(
                PlannedEntry(
                    EntryKind.PRINCIPAL_REPAYMENT,
                    split.principal,
                    member_id=m.id,
                    loan_id=loan.id,
                    client_id=repayment.client_id,
                )
            )
            repaid_principal[m.id] = repaid_principal.get(m.id, 0) + split.principal

    for grant in meeting.social_fund_grants:
        m = member_of(state, grant.member_id, on, "a social fund grant", "social_fund_grants")
        add(
            PlannedEntry(
                EntryKind.SOCIAL_GRANT, grant.amount, member_id=grant.member_id, memo=grant.reason
            ),
            f" to {m.label()}",
        )

    for expense in meeting.expenses:
        add(
            PlannedEntry(EntryKind.EXPENSE, expense.amount, memo=expense.memo), f" ({expense.memo})"
        )

    outstanding: dict[int, int] = {}
    if meeting.loans:
        for loan in state.loans.values():
            outstanding[loan.member_id] = (
                outstanding.get(loan.member_id, 0) + loan.principal_outstanding
            )
    for member_id, paid in repaid_principal.items():
        outstanding[member_id] = outstanding.get(member_id, 0) - paid

    for request in meeting.loans:
        m = member_of(state, request.member_id, on, "a loan", "loans")
        who = f" to {m.label()}"
        if request.term_months > rules.max_term_months:
            raise LoanLimitExceeded(
                f"{state.group_label}, {on}: loan of {format_money(request.principal)}{who} "
                f"for {request.term_months} months exceeds the maximum term of "
                f"{rules.max_term_months} months",
                rule="max_term_months",
                group_code=code,
                member_number=m.number,
                field="loans.term_months",
            )
        savings = shares_now.get(m.id, 0) * rules.share_value
        limit = Fraction(rules.max_loan_multiple) * savings
        after = outstanding.get(m.id, 0) + request.principal
        if after > limit:
            raise LoanLimitExceeded(
                f"{state.group_label}, {on}: loan of {format_money(request.principal)}{who} "
                f"would bring their outstanding principal to {format_money(after)}, above "
                f"{rules.max_loan_multiple} × savings of {format_money(savings)} "
                f"= {format_money(int(limit))} (rule: max_loan_multiple)",
                rule="max_loan_multiple",
                group_code=code,
                member_number=m.number,
                field="loans.principal",
            )
        terms = LoanTerms(
            principal=request.principal,
            interest_rate=rules.interest_rate,
            term_months=request.term_months,
            disbursed_on=on,
            method=rules.interest_method,
            principal_schedule=rules.principal_schedule,
            rounding=rules.rounding,
        )
        if request.ref is not None and (
            request.ref in by_ref
            or request.ref in state.used_refs
            or any(n.ref == request.ref for n in plan.new_loans)
        ):
            raise InvalidInput(
                f"{state.group_label}, {on}: loan ref {request.ref!r}{who} is already used "
                "in this cycle (rule: a loan ref is unique in its cycle)",
                rule="loan_ref_unique",
                group_code=code,
                member_number=m.number,
                field="loans.ref",
            )
        index = len(plan.new_loans)
        plan.new_loans.append(
            NewLoan(member_id=m.id, terms=terms, purpose=request.purpose, ref=request.ref)
        )
        disbursement = PlannedEntry(
            EntryKind.LOAN_DISBURSEMENT, request.principal, member_id=m.id, new_loan=index
        )
        if rules.interest_method is InterestMethod.UPFRONT and upfront_interest(terms):
            # paid at disbursement: it enters the box before the principal leaves it
            add(
                PlannedEntry(
                    EntryKind.INTEREST_PAYMENT,
                    upfront_interest(terms),
                    member_id=m.id,
                    new_loan=index,
                    origin=EntryOrigin.UPFRONT_INTEREST,
                )
            )
        add(disbursement, who)
        outstanding[m.id] = after
    return plan


def advance(state: CycleState, plan: MeetingPlan, loan_ids: list[int]) -> CycleState:
    """The state after ``plan`` was written, its new loans given ``loan_ids`` (in order).

    This is what lets a batch of meetings be planned one after another in memory, each
    against the state the previous ones left, and written in one transaction.
    """
    totals = dict(state.totals)
    shares = dict(state.member_shares)
    moves: dict[int, list[LoanMove]] = {}
    for entry in plan.entries:
        totals[entry.kind] = totals.get(entry.kind, 0) + entry.amount
        if entry.shares and entry.member_id is not None:
            shares[entry.member_id] = shares.get(entry.member_id, 0) + entry.shares
        loan_id = loan_ids[entry.new_loan] if entry.new_loan is not None else entry.loan_id
        if loan_id is not None:
            move = LoanMove(plan.date, entry.effective_on or plan.date, entry.kind, entry.amount)
            moves.setdefault(loan_id, []).append(move)
    loans = dict(state.loans)
    for new, loan_id in zip(plan.new_loans, loan_ids, strict=True):
        loans[loan_id] = LoanState(
            id=loan_id, member_id=new.member_id, terms=new.terms, purpose=new.purpose, ref=new.ref
        )
    for loan_id, more in moves.items():
        loans[loan_id] = loans[loan_id].with_moves(more)
    refs = {new.ref for new in plan.new_loans if new.ref is not None}
    return replace(
        state,
        totals=totals,
        member_shares={m: n for m, n in shares.items() if n},
        loans=loans,
        last_meeting_on=plan.date,
        last_minutes_on=plan.date,
        used_refs=state.used_refs | refs,
    )
