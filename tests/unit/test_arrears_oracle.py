"""Days overdue and the principal at risk, worked out a second way and compared.

The portfolio at risk (PAR1, PAR30) of every report comes from one rule,
:meth:`vsla.LoanState.risk` (the stored loan marks are held equal to it by other tests). The
rule rests on the loan arithmetic of :mod:`vsla.domain.loans` (months, charges, schedules,
payments met in date order), so a test that compares the reports with it cannot catch a
mistake in that arithmetic. Here the same question is answered by :func:`oracle`, a short
function written from the rules as docs/loans.md states them, sharing no code with the
library but the records it reads (terms and moves), and the two must agree on every day of
random loan histories with repayments, repayments reversed later, write-offs and cancelled
loans, under every interest method and principal schedule.

The rules the oracle follows (docs/loans.md):

- month k of a loan runs from ``disbursed + k-1 months`` to ``disbursed + k months``,
  always counted from the disbursement date (month-end clipping);
- month k's charge is payable at the end of month k: ``declining`` = rate × the principal
  outstanding at the close of the day month k begins, ``flat`` = rate × the principal;
  ``upfront`` = rate × principal × term, payable at disbursement; each rounded half-up once;
- principal is payable at the due date (the end of the last month), or in equal monthly
  instalments whose last one takes the difference;
- interest paid meets interest obligations in date order, principal repaid meets principal
  obligations in date order; neither covers the other kind;
- a loan is at risk on ``d`` while it owes principal; it is overdue by ``d`` minus the
  payable date of its earliest obligation not met (0 when that date is ``d`` or later);
- on ``d`` only what was recorded on or before ``d`` counts; a reversal counts from the day
  it is recorded and takes its entry's amount away from the date that entry was effective.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from dateutil.relativedelta import relativedelta
from hypothesis import given, settings
from hypothesis import strategies as st

from vsla import InterestMethod, LoanTerms, PrincipalSchedule
from vsla.domain.ledger import EntryKind
from vsla.domain.loanstate import LoanMove, LoanPurpose, LoanState

D0 = dt.date(2024, 1, 31)  # a month end: months end on 29 Feb, 31 Mar, 30 Apr, ...
PAID_I, PAID_P = EntryKind.INTEREST_PAYMENT, EntryKind.PRINCIPAL_REPAYMENT
OUT, WRITTEN = EntryKind.LOAN_DISBURSEMENT, EntryKind.WRITE_OFF
RATES = [Decimal(0), Decimal("0.015"), Decimal("0.02"), Decimal("0.0333"), Decimal("0.1")]


def _half_up(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def first_unmet(obligations: list[tuple[dt.date, int]], paid: int) -> dt.date | None:
    for day, amount in obligations:
        if paid >= amount:
            paid -= amount
        else:
            return day
    return None


Move = tuple[dt.date, dt.date, EntryKind, int]
"""A loan's move as the oracle reads it: (recorded on, effective on, kind, amount)."""


def _sum(moves: list[Move], *kinds: EntryKind, by: dt.date | None = None) -> int:
    return sum(a for _, eff, k, a in moves if k in kinds and (by is None or eff <= by))


def obligations(
    principal: int,
    rate: Decimal,
    term: int,
    method: str,
    schedule: str,
    known: list[Move],
    *,
    disbursed_on: dt.date = D0,
) -> tuple[list[tuple[dt.date, int]], list[tuple[dt.date, int]]]:
    """(interest, principal) obligations of the term, each a list of (payable on, amount) in
    date order, given the moves ``known``."""
    end = [disbursed_on + relativedelta(months=k) for k in range(term + 1)]  # month k ends
    interest: list[tuple[dt.date, int]] = []
    if method == "upfront":
        interest.append((disbursed_on, _half_up(rate * principal * term)))
    for k in range(1, term + 1):
        if method == "declining":
            base = principal - _sum(known, PAID_P, WRITTEN, by=end[k - 1])
        else:
            base = principal if method == "flat" else 0
        interest.append((end[k], _half_up(rate * base)))
    if schedule == "instalments":
        part = principal // term
        parts = [part] * (term - 1) + [principal - part * (term - 1)]
    else:
        parts = [0] * (term - 1) + [principal]
    return interest, list(zip(end[1:], parts, strict=True))


def oracle(
    principal: int,
    rate: Decimal,
    term: int,
    method: str,
    schedule: str,
    moves: list[Move],
    on: dt.date,
    *,
    disbursed_on: dt.date = D0,
) -> tuple[int, int] | None:
    """(days overdue, principal outstanding) on ``on``, or ``None`` when nothing is owed:
    the rules of the module docstring, with plain values."""
    known = [m for m in moves if m[0] <= on]
    if _sum(known, OUT) == 0:  # the disbursement was reversed: the loan never happened
        return None
    outstanding = _sum(known, OUT) - _sum(known, PAID_P, WRITTEN)
    if outstanding <= 0:
        return None
    interest, due = obligations(
        principal, rate, term, method, schedule, known, disbursed_on=disbursed_on
    )
    unmet = [
        day
        for day in (
            first_unmet(interest, _sum(known, PAID_I)),
            first_unmet(due, _sum(known, PAID_P)),
        )
        if day is not None
    ]
    # principal is owed, so a principal obligation is unmet: ``unmet`` is never empty
    return max(0, (on - min(unmet)).days), outstanding


@st.composite
def histories(draw: st.DrawFn) -> tuple[LoanTerms, list[Move]]:
    """A loan and what its ledger recorded: repayments (interest and principal parts, each
    never more principal than is left), some reversed on a later day, perhaps a write-off of
    what is left, perhaps (with no repayment) the disbursement reversed."""
    principal = draw(st.integers(1, 2_000)) * 1_000 + draw(st.sampled_from([0, 1, 333, 999]))
    terms = LoanTerms(
        principal=principal,
        interest_rate=draw(st.sampled_from(RATES)),
        term_months=draw(st.integers(1, 6)),
        disbursed_on=D0,
        method=draw(st.sampled_from(list(InterestMethod))),
        principal_schedule=draw(st.sampled_from(list(PrincipalSchedule))),
    )
    moves: list[Move] = [(D0, D0, OUT, principal)]
    if terms.method is InterestMethod.UPFRONT:
        upfront = _half_up(terms.interest_rate * principal * terms.term_months)
        moves.append((D0, D0, PAID_I, upfront))
    left = principal
    # days a month ends (where a payment meets an obligation on time, or lowers the next
    # month's declining charge), a day either side, or any day
    ends = [(D0 + relativedelta(months=k) - D0).days + j for k in range(8) for j in (-1, 0, 1)]
    when = st.sampled_from([n for n in ends if n >= 0]) | st.integers(0, 240)
    days = sorted(draw(st.lists(when, max_size=8)))
    for offset in days:
        day = D0 + dt.timedelta(days=offset)
        # amounts at the edges an off-by-one would cross: what is payable by that day (as
        # the oracle reads the rules), a đồng either side, an instalment, all that is left,
        # nothing, or anything
        known = [m for m in moves if m[0] <= day]
        interest_due, principal_due = (
            sum(a for payable, a in owed if payable <= day) - _sum(known, kind)
            for owed, kind in zip(
                obligations(
                    principal,
                    terms.interest_rate,
                    terms.term_months,
                    terms.method.value,
                    terms.principal_schedule.value,
                    known,
                ),
                (PAID_I, PAID_P),
                strict=True,
            )
        )
        interest = draw(
            st.sampled_from([0, interest_due, interest_due + 1, interest_due - 1])
            | st.integers(0, principal // 5)
        )
        part = principal // terms.term_months
        repaid = draw(
            st.sampled_from([0, principal_due, principal_due + 1, principal_due - 1, part, left])
            | st.integers(0, left)
        )
        interest, repaid = max(0, interest), min(left, max(0, repaid))
        left -= repaid
        for kind, amount in ((PAID_I, interest), (PAID_P, repaid)):
            if amount:
                moves.append((day, day, kind, amount))
                if draw(st.integers(0, 4)) == 0:  # reversed some days later
                    later = day + dt.timedelta(days=draw(st.integers(0, 90)))
                    moves.append((later, day, kind, -amount))
                    if kind is PAID_P:
                        left += amount
    if len(moves) == 1 and draw(st.booleans()):
        cancelled = D0 + dt.timedelta(days=draw(st.integers(0, 30)))
        moves.append((cancelled, D0, OUT, -principal))
    elif left and draw(st.integers(0, 3)) == 0:
        last = max(m[0] for m in moves)
        moves.append((last + dt.timedelta(days=draw(st.integers(0, 60))),) * 2 + (WRITTEN, left))
    return terms, moves


def _days_to_check(terms: LoanTerms) -> list[dt.date]:
    every = [D0 + dt.timedelta(days=n) for n in range(0, 420, 5)]
    edges = [
        D0 + relativedelta(months=k) + dt.timedelta(days=j)
        for k in range(terms.term_months + 2)
        for j in (-1, 0, 1, 30, 31)
    ]
    return sorted(set(every + edges))


def _loan(terms: LoanTerms, moves: list[Move]) -> LoanState:
    """The loan of a drawn history, its moves in the order they were recorded."""
    return LoanState(
        id=1,
        member_id=1,
        terms=terms,
        purpose=LoanPurpose.OTHER,
        moves=tuple(LoanMove(r, e, k, a) for r, e, k, a in sorted(moves, key=lambda m: m[0])),
    )


@settings(max_examples=300, deadline=None)
@given(histories())
def test_days_overdue_and_principal_at_risk_agree_with_a_second_reading_of_the_rules(
    history: tuple[LoanTerms, list[Move]],
) -> None:
    terms, moves = history
    loan = _loan(terms, moves)
    for on in _days_to_check(terms):
        expected = oracle(
            terms.principal,
            terms.interest_rate,
            terms.term_months,
            terms.method.value,
            terms.principal_schedule.value,
            moves,
            on,
        )
        assert loan.risk(on) == expected, (on, terms, moves)


def test_the_oracle_on_a_loan_worked_by_hand() -> None:
    """100,000 at 2 %/month declining, 2 months, disbursed 31 Jan 2024: month 1 ends
    29 Feb (charge 2 % × 100,000 = 2,000), month 2 ends 31 Mar (principal still 100,000 on
    29 Feb: 2,000 again) with the principal. Paid on 29 Feb: 2,000 interest, 40,000 principal.
    On 10 Apr: interest paid 2,000 meets month 1 only, so month 2's charge (payable 31 Mar)
    is the earliest unmet: 10 days overdue; principal outstanding 100,000 − 40,000 = 60,000.
    With the 2,000 reversed on 5 Mar (effective 29 Feb): on 4 Mar still paid, month 2's charge
    not yet payable, nothing overdue; on 5 Mar month 1's charge (payable 29 Feb) is unmet:
    5 days overdue."""
    feb29, mar5 = dt.date(2024, 2, 29), dt.date(2024, 3, 5)
    moves = [(D0, D0, OUT, 100_000), (feb29, feb29, PAID_I, 2_000), (feb29, feb29, PAID_P, 40_000)]
    args = (100_000, Decimal("0.02"), 2, "declining", "at_due_date")
    assert oracle(*args, moves, dt.date(2024, 4, 10)) == (10, 60_000)
    reversed_ = [*moves, (mar5, feb29, PAID_I, -2_000)]
    assert oracle(*args, reversed_, dt.date(2024, 3, 4)) == (0, 60_000)
    assert oracle(*args, reversed_, mar5) == (5, 60_000)


@settings(max_examples=200, deadline=None)
@given(histories())
def test_the_earliest_unpaid_obligation_is_the_same_walked_lazily_or_from_the_schedule(
    history: tuple[LoanTerms, list[Move]],
) -> None:
    """``LoanBook.earliest_unpaid`` walks the schedule only as far as it needs unless the
    whole schedule is worked out already; either way the date is the same, and so is what
    the loan's arrears mark holds (``arrears_on``) against the risk of the oracle's test."""
    terms, moves = history
    loan = _loan(terms, moves)
    for on in _days_to_check(terms):
        risk, mark = loan.risk(on), loan.arrears_on(on)
        if risk is None:  # no principal owed (a book of such a day may not even hold)
            assert mark is None, (on, terms, moves)
            continue
        lazily = loan._book(on).earliest_unpaid()
        scheduled = loan._book(on)
        scheduled.obligations()  # the whole schedule first
        assert lazily == scheduled.earliest_unpaid(), (on, terms, moves)
        assert mark is not None, (on, terms, moves)
        outstanding, unpaid = mark
        assert unpaid == lazily
        assert (max(0, (on - unpaid).days), outstanding) == risk, (on, terms, moves)
