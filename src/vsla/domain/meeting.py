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
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction

from vsla.domain.allocation import split_payment
from vsla.domain.constitution import InterestMethod, PaymentOrder
from vsla.domain.cyclestate import (
    _CONTRIBUTIONS,
    FIELD_OF_KIND,
    Boxes,
    CycleState,
    PlannedEntry,
    check_can_record,
    member_of,
)
from vsla.domain.entities import Attendance, Member
from vsla.domain.inputs import (
    Expense,
    FinePaid,
    Income,
    LoanRequest,
    MeetingInput,
    Repayment,
    SocialFundGrant,
)
from vsla.domain.ledger import (
    EntryKind,
    EntryOrigin,
)
from vsla.domain.loanbook import LoanDues
from vsla.domain.loans import LoanTerms, upfront_interest
from vsla.domain.loanstate import LoanMove, LoanPurpose, LoanState
from vsla.domain.money import format_money
from vsla.errors import (
    InvalidInput,
    LoanLimitExceeded,
    NotFound,
    RepaymentExceedsDue,
    SharesOutOfRange,
)


@dataclass(frozen=True, slots=True)
class NewLoan:
    member_id: int
    terms: LoanTerms
    purpose: LoanPurpose
    ref: str | None = None


@dataclass(slots=True)
class MeetingPlan:
    """What a planner made: the entries to write and the loans to create on ``date``.

    :func:`plan_meeting` also leaves what its boxes summed, so :func:`advance` need not
    sum every entry again: ``totals`` and ``member_shares`` after the plan, and
    ``loan_entries_from``, the index of the first entry that may name a loan (the
    contributions and share purchases before it never do). Other planners leave them
    unset and :func:`advance` works them out from the entries."""

    date: dt.date
    attendance: dict[int, Attendance]
    entries: list[PlannedEntry] = field(default_factory=list)
    new_loans: list[NewLoan] = field(default_factory=list)
    totals: dict[EntryKind, int] | None = None
    member_shares: dict[int, int] | None = None
    loan_entries_from: int = 0


def plan_meeting(state: CycleState, meeting: MeetingInput) -> MeetingPlan:
    """Validate a meeting against the cycle's state and return the entries to write."""
    on = meeting.date
    rules = state.cycle.constitution
    check_can_record(state, on)
    code = state.group_code
    plan = MeetingPlan(date=on, attendance={})
    boxes = Boxes(state, on)
    shares_now = dict(state.member_shares)

    apply, keep = boxes.apply, plan.entries.append

    def add(entry: PlannedEntry, who: str = "") -> None:
        apply(entry, who)
        keep(entry)

    # the members active on the day, looked up once; anyone else gets member_of's error
    active = {i: m for i, m in state.members.items() if m.is_active(on)}

    def member(member_id: int, what: str, where: str) -> Member:
        found = active.get(member_id)
        return member_of(state, member_id, on, what, where) if found is None else found

    for member_id in meeting.attendance:
        if member_id not in active:
            member(member_id, "attendance", "attendance")
    plan.attendance.update(meeting.attendance)

    # contributions and share purchases, nine entries in ten: checked and summed as two
    # columns; only if one is refused are they planned one by one, for its exact error
    if not _columns(state, meeting, active, boxes, plan.entries, shares_now):
        _one_by_one(state, meeting, member, boxes, plan.entries, shares_now)
    plan.loan_entries_from = len(plan.entries)

    for fine in meeting.fines:
        m = member(fine.member_id, "a fine", "fines")
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
        dues = loan.dues(on)
        try:
            split = split_payment(dues, repayment.amount, rules.payment_order)
        except RepaymentExceedsDue:
            message = _refusal(
                dues,
                repayment.amount,
                rules.payment_order,
                who=(f"{state.group_label}, {on}: {m.label()}, {loan.label}"),
            )
            raise RepaymentExceedsDue(
                message,
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
        m = member(grant.member_id, "a social fund grant", "social_fund_grants")
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

    outstanding: dict[int, int] = {}  # the borrowers' principal outstanding, before the loans
    borrowers = {request.member_id for request in meeting.loans}
    for loan in state.loans.values() if borrowers else ():
        if loan.member_id in borrowers:
            outstanding[loan.member_id] = (
                outstanding.get(loan.member_id, 0) + loan.principal_outstanding
            )
    for member_id, paid in repaid_principal.items():
        outstanding[member_id] = outstanding.get(member_id, 0) - paid

    # the loan limit is a multiple num / den of savings, compared in integers below
    num, den = rules.max_loan_multiple.as_integer_ratio()
    for request in meeting.loans:
        m = member(request.member_id, "a loan", "loans")
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
        after = outstanding.get(m.id, 0) + request.principal
        # after > multiple x savings, in integers (den > 0)
        if after * den > num * savings:
            limit = Fraction(num, den) * savings
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
        # every value below was validated where it comes from (the request: principal > 0
        # and a term vsla accepts; the constitution: the rate; the meeting: its date), so
        # the terms are not validated again (model_construct; LoanTerms' own checks are
        # those same rules)
        terms = LoanTerms.model_construct(
            principal=request.principal,
            interest_rate=rules.interest_rate,
            term_months=request.term_months,
            disbursed_on=on,
            method=rules.interest_method,
            principal_schedule=rules.principal_schedule,
            rounding=rules.rounding,
        )
        # the loan's client id (``ref`` is its older name; a copy made with
        # model_copy(update={"client_id": ...}) leaves ``ref`` as it was, so read client_id)
        ref = request.client_id if request.client_id is not None else request.ref
        if ref is not None and (
            ref in by_ref or ref in state.used_refs or any(n.ref == ref for n in plan.new_loans)
        ):
            raise InvalidInput(
                f"{state.group_label}, {on}: loan ref {ref!r}{who} is already used "
                "in this cycle (rule: a loan ref is unique in its cycle)",
                rule="loan_ref_unique",
                group_code=code,
                member_number=m.number,
                field="loans.ref",
            )
        index = len(plan.new_loans)
        plan.new_loans.append(
            NewLoan(member_id=m.id, terms=terms, purpose=request.purpose, ref=ref)
        )
        disbursement = PlannedEntry(
            EntryKind.LOAN_DISBURSEMENT, request.principal, member_id=m.id, new_loan=index
        )
        upfront = upfront_interest(terms) if rules.interest_method is InterestMethod.UPFRONT else 0
        if upfront:
            # paid at disbursement: it enters the box before the principal leaves it
            add(
                PlannedEntry(
                    EntryKind.INTEREST_PAYMENT,
                    upfront,
                    member_id=m.id,
                    new_loan=index,
                    origin=EntryOrigin.UPFRONT_INTEREST,
                )
            )
        add(disbursement, who)
        outstanding[m.id] = after
    plan.totals = boxes.totals
    plan.member_shares = shares_now
    return plan


def _columns(
    state: CycleState,
    meeting: MeetingInput,
    active: dict[int, Member],
    boxes: Boxes,
    entries: list[PlannedEntry],
    shares_now: dict[int, int],
) -> bool:
    """Plan the meeting's contributions and share purchases as two columns: every member
    active, every amount a positive whole multiple of the contribution, every number of
    shares within the constitution's range, and the two sums applied to the boxes at once.
    Both kinds only add to a box, so the boxes cannot go below zero, and the sums stay
    under the ceiling of a total exactly when every running sum does. Returns ``False``,
    having changed nothing, at the first value any rule refuses: :func:`_one_by_one` then
    plans them entry by entry and raises the refusal the caller must see."""
    rules = state.cycle.constitution
    unit = rules.social_fund_contribution
    contributions = meeting.social_fund_contributions
    if contributions and unit <= 0:
        return False
    for m, a in contributions.items():
        if m not in active or a <= 0 or a % unit:
            return False
    low, high = rules.min_shares_per_meeting, rules.max_shares_per_meeting
    purchases = meeting.share_purchases
    for m, n in purchases.items():
        if m not in active or not low <= n <= high:
            return False
    social = sum(contributions.values())
    value = rules.share_value
    bought = {m: n for m, n in purchases.items() if n}
    saved = sum(bought.values()) * value
    if not boxes.add_sums(social, saved):
        return False
    contribution, purchase = EntryKind.SOCIAL_CONTRIBUTION, EntryKind.SHARE_PURCHASE
    entries += [PlannedEntry(contribution, a, m) for m, a in contributions.items()]
    entries += [PlannedEntry(purchase, n * value, m, None, None, n) for m, n in bought.items()]
    for m, n in bought.items():
        shares_now[m] = shares_now.get(m, 0) + n
    return True


def _one_by_one(
    state: CycleState,
    meeting: MeetingInput,
    member: Callable[[int, str, str], Member],
    boxes: Boxes,
    entries: list[PlannedEntry],
    shares_now: dict[int, int],
) -> None:
    """Plan the contributions and share purchases entry by entry, raising the first
    refusal (a member not active, an amount, a number of shares, a box's ceiling) with
    the member and amount it names."""
    rules = state.cycle.constitution
    on, code = meeting.date, state.group_code
    unit = rules.social_fund_contribution
    for member_id, amount in meeting.social_fund_contributions.items():
        m = member(member_id, "a social fund contribution", _CONTRIBUTIONS)
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
        entry = PlannedEntry(EntryKind.SOCIAL_CONTRIBUTION, amount, member_id)
        boxes.apply(entry, "")
        entries.append(entry)

    low, high = rules.min_shares_per_meeting, rules.max_shares_per_meeting
    share_value = rules.share_value
    for member_id, n in meeting.share_purchases.items():
        m = member(member_id, "a share purchase", "share_purchases")
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
            entry = PlannedEntry(EntryKind.SHARE_PURCHASE, n * share_value, member_id, shares=n)
            boxes.apply(entry, "")
            entries.append(entry)
            shares_now[member_id] = shares_now.get(member_id, 0) + n


def _refusal(dues: LoanDues, amount: int, order: PaymentOrder, who: str) -> str:
    """The message of the refusal of a repayment, naming who made it (worked out only when
    it is refused: the label costs more than the split)."""
    try:
        split_payment(dues, amount, order, who)
    except RepaymentExceedsDue as exc:
        return str(exc)
    raise AssertionError("the repayment was refused without who")  # pragma: no cover


def advance(
    state: CycleState, plan: MeetingPlan, loan_ids: list[int], *, minutes: bool = True
) -> CycleState:
    """The state after ``plan`` was written, its new loans given ``loan_ids`` (in order).

    This is what lets a batch of meetings be planned one after another in memory, each
    against the state the previous ones left, and written in one transaction. ``minutes``:
    the plan is a meeting's, recorded whole; otherwise an exit's, a write-off's or a
    share-out's, written at the meeting of its date without recording that meeting (so a
    meeting may still be recorded on that date).
    """
    moves: dict[int, list[LoanMove]] = {}
    entries = plan.entries
    if plan.totals is not None and plan.member_shares is not None:
        # what plan_meeting's boxes summed (no member holds 0 shares: it only adds);
        # only its later entries may name a loan
        totals, shares = plan.totals, plan.member_shares
        entries = entries[plan.loan_entries_from :]
    else:
        totals = dict(state.totals)
        added = dict(state.member_shares)
        for entry in entries:
            totals[entry.kind] = totals.get(entry.kind, 0) + entry.amount
            if entry.shares and entry.member_id is not None:
                added[entry.member_id] = added.get(entry.member_id, 0) + entry.shares
        shares = {m: n for m, n in added.items() if n}
    for entry in entries:
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
    refs = [new.ref for new in plan.new_loans if new.ref is not None]
    # made field by field, not with dataclasses.replace (which looks every field up again):
    # an import advances the state once a meeting
    return CycleState(
        group_label=state.group_label,
        cycle=state.cycle,
        members=state.members,
        totals=totals,
        member_shares=shares,
        loans=loans,
        last_meeting_on=plan.date,
        last_minutes_on=plan.date if minutes else state.last_minutes_on,
        used_refs=state.used_refs.union(refs) if refs else state.used_refs,
        group_code=state.group_code,
    )
