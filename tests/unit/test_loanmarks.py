"""Loan marks: the stretches of days over which a loan's arrears follow from one state.

The property: for any history (repayments, write-offs, reversals recorded later, moves whose
effect is dated before the day they were recorded), the marks give exactly
``LoanState.risk(on)`` on every day.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import replace
from decimal import Decimal

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from vsla.domain.constitution import InterestMethod, PrincipalSchedule
from vsla.domain.ledger import EntryKind
from vsla.domain.loanmarks import LoanMark, loan_marks, risk_from_marks
from vsla.domain.loans import LoanTerms
from vsla.domain.loanstate import LoanMove, LoanPurpose, LoanState
from vsla.domain.money import Rounding
from vsla.errors import InvalidInput

D0 = dt.date(2024, 1, 10)
TERMS = LoanTerms(principal=100_000, interest_rate=Decimal("0.02"), term_months=2, disbursed_on=D0)


def _loan(*moves: LoanMove, terms: LoanTerms = TERMS) -> LoanState:
    return LoanState(id=7, member_id=1, terms=terms, purpose=LoanPurpose.OTHER, moves=moves)


def _move(day: dt.date, kind: EntryKind, amount: int, effective: dt.date | None = None) -> LoanMove:
    return LoanMove(day, effective or day, kind, amount)


def test_the_worked_loan() -> None:
    """100.000 ₫ on 10 January at 2 % a month, declining, two months, principal at the end.

    - 10 Jan: owed 100.000; month 1's interest (2.000) is payable on 10 Feb: mark from
      10 Jan, unpaid since 10 Feb.
    - 10 Feb: 2.000 interest paid; the next obligation is month 2's interest on 10 Mar.
    - 20 Mar: 40.000 principal and 2.000 interest paid: month 2's interest is met, the
      principal due on 10 Mar (100.000) is not: still unpaid since 10 Mar, 60.000 owed.
    - 2 Apr: the 40.000 repayment of 20 Mar is reversed (a typo): 100.000 owed again, from
      2 Apr on; the days before 2 Apr keep the figures recorded then.
    - 15 Apr: 100.000 repaid, nothing more owed: no mark from then on.
    """
    day = dt.date
    loan = _loan(
        _move(D0, EntryKind.LOAN_DISBURSEMENT, 100_000),
        _move(day(2024, 2, 10), EntryKind.INTEREST_PAYMENT, 2_000),
        _move(day(2024, 3, 20), EntryKind.PRINCIPAL_REPAYMENT, 40_000),
        _move(day(2024, 3, 20), EntryKind.INTEREST_PAYMENT, 2_000),
        _move(day(2024, 4, 2), EntryKind.PRINCIPAL_REPAYMENT, -40_000, day(2024, 3, 20)),
        _move(day(2024, 4, 15), EntryKind.PRINCIPAL_REPAYMENT, 100_000),
        _move(day(2024, 4, 15), EntryKind.INTEREST_PAYMENT, 2_000),
    )
    assert loan_marks(loan) == [
        LoanMark(7, D0, day(2024, 2, 10), 100_000, day(2024, 2, 10)),
        LoanMark(7, day(2024, 2, 10), day(2024, 3, 20), 100_000, day(2024, 3, 10)),
        LoanMark(7, day(2024, 3, 20), day(2024, 4, 2), 60_000, day(2024, 3, 10)),
        LoanMark(7, day(2024, 4, 2), day(2024, 4, 15), 100_000, day(2024, 3, 10)),
    ]
    marks = loan_marks(loan)
    # 1 April: 60.000 owed, overdue since 10 March: 22 days (PAR1 and not PAR30)
    assert risk_from_marks(marks, day(2024, 4, 1)) == (22, 60_000) == loan.risk(day(2024, 4, 1))
    # 14 April: 100.000 owed again, 35 days overdue
    assert risk_from_marks(marks, day(2024, 4, 14)) == (35, 100_000)
    assert risk_from_marks(marks, day(2024, 4, 15)) is None is loan.risk(day(2024, 4, 15))
    assert risk_from_marks(marks, day(2024, 1, 9)) is None


def test_a_cancelled_loan_has_no_mark_from_its_reversal_on() -> None:
    loan = _loan(
        _move(D0, EntryKind.LOAN_DISBURSEMENT, 100_000),
        _move(dt.date(2024, 1, 17), EntryKind.LOAN_DISBURSEMENT, -100_000, D0),
    )
    assert loan_marks(loan) == [
        LoanMark(7, D0, dt.date(2024, 1, 17), 100_000, dt.date(2024, 2, 10))
    ]


def test_a_move_that_changes_nothing_does_not_split_a_stretch() -> None:
    """An interest write-off of 0 recorded on 20 January: the same figures, one mark."""
    loan = _loan(
        _move(D0, EntryKind.LOAN_DISBURSEMENT, 100_000),
        _move(dt.date(2024, 1, 20), EntryKind.INTEREST_WRITE_OFF, 0),
    )
    assert loan_marks(loan) == [LoanMark(7, D0, None, 100_000, dt.date(2024, 2, 10))]


@st.composite
def histories(draw: st.DrawFn) -> LoanState:
    principal = draw(st.integers(1_000, 2_000_000))
    d0 = draw(st.dates(dt.date(2023, 1, 1), dt.date(2026, 12, 31)))
    terms = LoanTerms(
        principal=principal,
        interest_rate=draw(st.sampled_from([Decimal(0), Decimal("0.02"), Decimal("0.035")])),
        term_months=draw(st.integers(1, 6)),
        disbursed_on=d0,
        method=draw(st.sampled_from(InterestMethod)),
        principal_schedule=draw(st.sampled_from(PrincipalSchedule)),
        rounding=draw(st.sampled_from(Rounding)),
    )
    moves = [_move(d0, EntryKind.LOAN_DISBURSEMENT, principal)]
    left = principal
    day = d0
    standing: list[LoanMove] = []
    for _ in range(draw(st.integers(0, 8))):
        day = day + dt.timedelta(days=draw(st.integers(0, 70)))
        what = draw(st.sampled_from(["repay", "repay", "interest", "write_off", "reverse", "late"]))
        if what in ("repay", "late") and left:
            amount = draw(st.integers(1, left))
            left -= amount
            # "late": a move recorded today that took effect some days before (opening position)
            back = draw(st.integers(0, (day - d0).days)) if what == "late" else 0
            move = _move(day, EntryKind.PRINCIPAL_REPAYMENT, amount, day - dt.timedelta(back))
            moves.append(move)
            standing.append(move)
        elif what == "interest":
            moves.append(_move(day, EntryKind.INTEREST_PAYMENT, draw(st.integers(1, 50_000))))
        elif what == "write_off" and left:
            moves.append(_move(day, EntryKind.WRITE_OFF, left))
            moves.append(_move(day, EntryKind.INTEREST_WRITE_OFF, draw(st.integers(0, 9_000))))
            left = 0
        elif what == "reverse" and standing:
            undone = standing.pop(draw(st.integers(0, len(standing) - 1)))
            moves.append(_move(day, undone.kind, -undone.amount, undone.effective_on))
            left += undone.amount
    if draw(st.booleans()) and draw(st.booleans()):  # now and then the loan is cancelled
        day = day + dt.timedelta(days=draw(st.integers(0, 30)))
        for m in list(moves):
            moves.append(_move(day, m.kind, -m.amount, m.effective_on))
    return LoanState(id=1, member_id=1, terms=terms, purpose=LoanPurpose.OTHER, moves=tuple(moves))


@settings(max_examples=300)
@given(histories(), st.lists(st.integers(-10, 900), min_size=1, max_size=25))
def test_the_marks_give_the_risk_of_every_day(loan: LoanState, offsets: list[int]) -> None:
    marks = loan_marks(loan)
    for a, b in itertools.pairwise(marks):
        assert a.until is not None
        assert a.until <= b.since
    last = max(m.recorded_on for m in loan.moves)
    days = {loan.terms.disbursed_on + dt.timedelta(days=k) for k in offsets}
    days |= {m.recorded_on for m in loan.moves} | {last + dt.timedelta(days=400)}
    for on in sorted(days):
        assert risk_from_marks(marks, on) == loan.risk(on), on


@settings(max_examples=300)
@given(histories(), st.data())
def test_working_out_only_the_days_a_write_touched_gives_the_same_marks(
    loan: LoanState, data: st.DataObject
) -> None:
    """A write records moves on one day; the marks before it were those of the loan without
    them. Working out only the days from the write on, on top of the marks held before, gives
    the marks of the whole history: for a write appended at the end (a meeting) and for one
    dated between earlier days (a late meeting), and for any ``since`` on or before it."""
    days = sorted({m.recorded_on for m in loan.moves})
    day = data.draw(st.sampled_from(days))
    written = [m for m in loan.moves if m.recorded_on == day]
    kept = tuple(
        m for m in loan.moves if m.recorded_on != day or data.draw(st.booleans(), label="kept")
    )
    if len(kept) == len(loan.moves):
        kept = tuple(m for m in loan.moves if m not in written[:1])
    try:
        before = loan_marks(replace(loan, moves=kept))
    except InvalidInput:  # a later reversal of a move left out: not a history that can exist
        assume(False)
    since = day - dt.timedelta(days=data.draw(st.integers(0, 40)))
    assert loan_marks(loan, since, before) == loan_marks(loan)
