"""Loans (docs/loans.md): every expected figure is worked out by hand in a comment.

The reference loan: 1,000,000 VND at 2 %/month over 3 months, disbursed 2024-01-10.
Its months start 2024-01-10, 02-10, 03-10 (month 4, if late, starts 04-10); the due date
is 2024-04-10. One month's charge on the full principal is 0.02 x 1,000,000 = 20,000.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from vsla.domain.allocation import Allocation, allocate_payment
from vsla.domain.constitution import InterestMethod, PaymentOrder, PrincipalSchedule
from vsla.domain.loanbook import LoanPosition, interest_charged, position
from vsla.domain.loans import (
    Instalment,
    LoanPayment,
    LoanTerms,
    due_date,
    month_start,
    months_begun,
    schedule,
    upfront_interest,
)
from vsla.domain.money import Rounding
from vsla.errors import InvalidInput, RepaymentExceedsDue, VslaError

D0 = dt.date(2024, 1, 10)
M1_END = dt.date(2024, 2, 10)  # = start of month 2
M2_END = dt.date(2024, 3, 10)
DUE = dt.date(2024, 4, 10)  # end of month 3 = start of month 4
LATER = dt.date(2025, 1, 1)

DECLINING = InterestMethod.DECLINING
FLAT = InterestMethod.FLAT
UPFRONT = InterestMethod.UPFRONT
INSTALMENTS = PrincipalSchedule.INSTALMENTS


def terms(
    method: InterestMethod = DECLINING,
    plan: PrincipalSchedule = PrincipalSchedule.AT_DUE_DATE,
    *,
    principal: int = 1_000_000,
    rate: str = "0.02",
    months: int = 3,
    disbursed_on: dt.date = D0,
) -> LoanTerms:
    return LoanTerms(
        principal=principal,
        interest_rate=Decimal(rate),
        term_months=months,
        disbursed_on=disbursed_on,
        method=method,
        principal_schedule=plan,
    )


def pay(on: dt.date, principal: int = 0, interest: int = 0) -> LoanPayment:
    return LoanPayment(on=on, principal=principal, interest=interest)


# ------------------------------------------------------------------------------------------
# Terms and payments
# ------------------------------------------------------------------------------------------


def test_terms_defaults() -> None:
    t = terms()
    assert t.method is DECLINING
    assert t.principal_schedule is PrincipalSchedule.AT_DUE_DATE
    assert t.rounding is Rounding.HALF_UP
    assert t.interest_rate == Decimal("0.02")


def test_terms_accept_a_rate_given_as_a_string() -> None:
    t = LoanTerms(principal=1, interest_rate="0.015", term_months=1, disbursed_on=D0)
    assert t.interest_rate == Decimal("0.015")


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("principal", 0, "principal must be > 0"),
        ("principal", -5, "principal must be > 0"),
        ("principal", "1000", "principal"),
        ("interest_rate", Decimal("-0.01"), "interest_rate must be >= 0"),
        ("interest_rate", Decimal("Infinity"), "interest_rate"),
        ("term_months", 0, "term_months must be >= 1"),
        ("method", "compound", "method"),
    ],
)
def test_invalid_terms_raise_invalid_input(field: str, value: object, words: str) -> None:
    data: dict[str, object] = {
        "principal": 1_000_000,
        "interest_rate": Decimal("0.02"),
        "term_months": 3,
        "disbursed_on": D0,
    }
    data[field] = value
    with pytest.raises(InvalidInput, match=words):
        LoanTerms(**data)


def test_a_float_rate_is_refused() -> None:
    rate = float.fromhex("0x1.47ae147ae147bp-6")  # the binary float nearest 0.02, no literal
    with pytest.raises(InvalidInput, match="floats are not accepted"):
        LoanTerms(principal=1, interest_rate=rate, term_months=1, disbursed_on=D0)


def test_terms_are_frozen() -> None:
    t = terms()
    with pytest.raises(ValidationError, match="frozen"):
        t.principal = 5  # type: ignore[misc]


@pytest.mark.parametrize(("principal", "interest"), [(-1, 0), (0, -1), (True, 0), ("5", 0)])
def test_invalid_payments_raise(principal: object, interest: object) -> None:
    with pytest.raises(InvalidInput):
        LoanPayment(on=D0, principal=principal, interest=interest)  # type: ignore[arg-type]


def test_a_payment_date_must_be_a_date() -> None:
    with pytest.raises(InvalidInput, match="date"):
        LoanPayment(on=dt.datetime(2024, 1, 10, 9, 0), principal=1, interest=0)


def test_history_is_checked_against_the_terms() -> None:
    t = terms()
    with pytest.raises(InvalidInput, match="predates"):
        position(t, [pay(dt.date(2024, 1, 9), 1)], LATER)
    with pytest.raises(InvalidInput, match="exceeds the principal"):
        position(t, [pay(M1_END, 600_000), pay(M2_END, 400_001)], LATER)
    with pytest.raises(InvalidInput, match="exceeds the principal"):
        position(t, [pay(M1_END, 600_000)], LATER, written_off=400_001)
    with pytest.raises(InvalidInput, match="no position"):
        position(t, [], dt.date(2024, 1, 9))
    with pytest.raises(InvalidInput, match="written_off"):
        position(t, [], LATER, written_off=-1)


# ------------------------------------------------------------------------------------------
# The calendar: month starts, due date, months begun
# ------------------------------------------------------------------------------------------


def test_months_are_counted_from_the_disbursement_date_31_january() -> None:
    # 31 Jan 2024 + 1, 2, 3 months, clipped: 29 Feb (leap year), 31 Mar, 30 Apr.
    # (adding a month three times in a row would give 29 Feb, 29 Mar, 29 Apr: wrong)
    d0 = dt.date(2024, 1, 31)
    assert [month_start(d0, k) for k in (1, 2, 3, 4)] == [
        dt.date(2024, 1, 31),
        dt.date(2024, 2, 29),
        dt.date(2024, 3, 31),
        dt.date(2024, 4, 30),
    ]
    assert due_date(terms(disbursed_on=d0, months=3)) == dt.date(2024, 4, 30)
    assert due_date(terms(disbursed_on=dt.date(2023, 1, 31), months=1)) == dt.date(2023, 2, 28)


def test_month_numbers_start_at_one() -> None:
    with pytest.raises(InvalidInput):
        month_start(D0, 0)


def test_due_date_of_the_reference_loan() -> None:
    assert due_date(terms()) == DUE


@pytest.mark.parametrize(
    ("on", "begun"),
    [
        (dt.date(2024, 1, 9), 0),  # before disbursement
        (D0, 0),  # the disbursement day: nothing has begun before it
        (dt.date(2024, 1, 15), 1),  # day 5
        (dt.date(2024, 2, 10), 1),  # first anniversary: month 2 begins that day
        (dt.date(2024, 2, 11), 2),  # the day after
        (dt.date(2024, 4, 10), 3),  # the due date
        (dt.date(2024, 4, 11), 4),  # late: month 4 has begun
    ],
)
def test_months_begun(on: dt.date, begun: int) -> None:
    assert months_begun(D0, on) == begun


def test_months_begun_with_month_end_clipping() -> None:
    d0 = dt.date(2024, 1, 31)
    assert months_begun(d0, dt.date(2024, 2, 29)) == 1  # month 2 starts 29 Feb
    assert months_begun(d0, dt.date(2024, 3, 1)) == 2
    assert months_begun(d0, dt.date(2024, 3, 31)) == 2  # month 3 starts 31 Mar
    assert months_begun(d0, dt.date(2024, 4, 1)) == 3


# ------------------------------------------------------------------------------------------
# Schedule
# ------------------------------------------------------------------------------------------


def test_schedule_declining_at_due_date() -> None:
    # each month: 0.02 x 1,000,000 = 20,000; all principal in the last instalment
    assert schedule(terms()) == (
        Instalment(1, M1_END, 0, 20_000),
        Instalment(2, M2_END, 0, 20_000),
        Instalment(3, DUE, 1_000_000, 20_000),
    )


def test_schedule_declining_instalments() -> None:
    # 1,000,000 // 3 = 333,333; the last takes 1,000,000 - 2 x 333,333 = 333,334
    # month 1: 0.02 x 1,000,000 = 20,000
    # month 2: 0.02 x   666,667 = 13,333.34 -> 13,333
    # month 3: 0.02 x   333,334 =  6,666.68 ->  6,667      total 40,000
    rows = schedule(terms(plan=INSTALMENTS))
    assert rows == (
        Instalment(1, M1_END, 333_333, 20_000),
        Instalment(2, M2_END, 333_333, 13_333),
        Instalment(3, DUE, 333_334, 6_667),
    )
    assert sum(r.interest for r in rows) == 40_000
    assert [r.total for r in rows] == [353_333, 346_666, 340_001]


def test_schedule_flat_and_upfront() -> None:
    assert [r.interest for r in schedule(terms(FLAT))] == [20_000, 20_000, 20_000]
    assert [r.interest for r in schedule(terms(FLAT, INSTALMENTS))] == [20_000, 20_000, 20_000]
    assert [r.interest for r in schedule(terms(UPFRONT))] == [0, 0, 0]
    # upfront: 0.02 x 1,000,000 x 3 = 60,000, paid at disbursement
    assert upfront_interest(terms(UPFRONT)) == 60_000
    assert upfront_interest(terms(DECLINING)) == 0
    assert upfront_interest(terms(FLAT)) == 0


def test_upfront_rounds_once_over_the_whole_term() -> None:
    # 0.02 x 25 x 3 = 1.5 -> 2 (rounding each month instead: 0.5 -> 1, x 3 = 3)
    assert upfront_interest(terms(UPFRONT, principal=25)) == 2
    # 0.015 x 333,333 x 3 = 14,999.985 -> 15,000
    assert upfront_interest(terms(UPFRONT, principal=333_333, rate="0.015")) == 15_000


def test_schedule_rounding_policy() -> None:
    # 0.02 x 25 = 0.5: half-up gives 1, half-even 0, down 0
    base = {"principal": 25, "interest_rate": Decimal("0.02"), "term_months": 1, "disbursed_on": D0}
    up = LoanTerms(**base)
    even = LoanTerms(**base, rounding=Rounding.HALF_EVEN)
    down = LoanTerms(**base, rounding=Rounding.DOWN)
    assert [schedule(t)[0].interest for t in (up, even, down)] == [1, 0, 0]


# ------------------------------------------------------------------------------------------
# Interest charged on the actual history
# ------------------------------------------------------------------------------------------


def test_full_term_total_interest_by_method() -> None:
    # principal repaid on the due date 2024-04-10 (= the day month 4 begins, so month 4 costs 0)
    repaid = [pay(DUE, 1_000_000)]
    assert interest_charged(terms(DECLINING), repaid, LATER) == 60_000  # 20,000 x 3
    assert interest_charged(terms(FLAT), repaid, LATER) == 60_000  # 20,000 x 3
    assert interest_charged(terms(UPFRONT), repaid, LATER) == 60_000  # paid at disbursement


def test_declining_instalments_paid_on_schedule() -> None:
    # each instalment paid on the day the next month begins lowers that month's charge:
    # 20,000 + 13,333 + 6,667 = 40,000
    t = terms(plan=INSTALMENTS)
    paid = [pay(r.due_on, r.principal, r.interest) for r in schedule(t)]
    assert interest_charged(t, paid, dt.date(2024, 2, 11)) == 20_000 + 13_333
    assert interest_charged(t, paid, LATER) == 40_000
    assert position(t, paid, DUE).settled


def test_upfront_counts_from_the_disbursement_day() -> None:
    assert interest_charged(terms(UPFRONT), [], D0) == 60_000
    assert interest_charged(terms(DECLINING), [], D0) == 0


@pytest.mark.parametrize(
    ("repaid_on", "owed"),
    [
        (D0, 0),  # repaid on the disbursement day: a correction, nothing owed
        (dt.date(2024, 1, 15), 20_000),  # day 5: one month
        (M1_END, 20_000),  # first anniversary: month 2 begins that day, balance 0 -> 1 month
        (dt.date(2024, 2, 11), 40_000),  # the day after: two months
    ],
)
def test_month_counting_edge_cases_declining(repaid_on: dt.date, owed: int) -> None:
    assert interest_charged(terms(), [pay(repaid_on, 1_000_000)], LATER) == owed
    # and the charge seen on the repayment day itself is the same
    assert interest_charged(terms(), [pay(repaid_on, 1_000_000)], repaid_on) == owed


def test_early_full_repayment_on_day_20_by_method() -> None:
    day20 = dt.date(2024, 1, 30)
    # declining: one month begun, 20,000
    assert interest_charged(terms(DECLINING), [pay(day20, 1_000_000, 20_000)], LATER) == 20_000
    # flat: the whole term, 20,000 x 3 = 60,000
    flat = [pay(day20, 1_000_000, 60_000)]
    assert interest_charged(terms(FLAT), flat, LATER) == 60_000
    assert position(terms(FLAT), flat, LATER).settled
    # upfront: 60,000 paid at disbursement, nothing more
    up = [pay(D0, 0, 60_000), pay(day20, 1_000_000)]
    p = position(terms(UPFRONT), up, day20)
    assert (p.interest_charged, p.interest_paid, p.interest_due, p.amount_due) == (
        60_000,
        60_000,
        0,
        0,
    )
    assert p.settled


def test_flat_whole_term_is_owed_once_the_principal_is_repaid() -> None:
    day20 = dt.date(2024, 1, 30)
    t = terms(FLAT)
    before = position(t, [], day20)
    # owed today: 1 month of interest; clearing the loan needs the 2 other months too
    assert (before.interest_due, before.amount_due, before.settlement_amount) == (
        20_000,
        1_020_000,
        1_060_000,
    )
    # interest-first: 20,000 interest due, 1,000,000 principal, 40,000 rest of the term
    assert allocate_payment(before, 1_060_000) == Allocation(interest=60_000, principal=1_000_000)
    # paying only principal and the month begun leaves 40,000 due, payable at the month ends
    p = position(t, [pay(day20, 1_000_000, 20_000)], dt.date(2024, 2, 1))
    assert (p.interest_charged, p.interest_due, p.principal_outstanding) == (60_000, 40_000, 0)
    assert not p.is_overdue
    # arrears follow the ledger's split: the 20,000 of interest paid meets month 1's charge
    # (02-10), not month 2's (03-10); the 1,000,000 of principal meets the principal due on
    # 04-10. The first obligation not met is month 2's interest, payable on 03-10.
    assert p.next_payment_on == dt.date(2024, 3, 10)
    # a flat loan repaid on its disbursement day is a correction: nothing owed
    assert interest_charged(t, [pay(D0, 1_000_000)], LATER) == 0


def test_declining_partial_repayment_on_the_day_month_2_begins() -> None:
    # 400,000 repaid on 2024-02-10 (the day month 2 begins): month 2 is charged on 600,000
    # 20,000 + 0.02 x 600,000 = 20,000 + 12,000 = 32,000
    t = terms()
    on_the_day = [pay(M1_END, 400_000, 20_000)]
    assert interest_charged(t, on_the_day, dt.date(2024, 3, 1)) == 32_000
    # one day later is too late: month 2 is charged on 1,000,000 -> 40,000
    a_day_late = [pay(dt.date(2024, 2, 11), 400_000, 20_000)]
    assert interest_charged(t, a_day_late, dt.date(2024, 3, 1)) == 40_000
    # before month 2 has begun, only month 1 is charged
    assert interest_charged(t, on_the_day, M1_END) == 20_000


def test_payments_after_the_date_are_ignored() -> None:
    t = terms()
    paid = [pay(dt.date(2024, 1, 20), 1_000_000, 20_000)]
    p = position(t, paid, dt.date(2024, 1, 15))
    assert (p.principal_repaid, p.interest_paid, p.interest_charged) == (0, 0, 20_000)


def test_late_loan_declining_month_4_on_the_balance() -> None:
    # interest paid each month end; 400,000 principal paid on the due date; 600,000 left.
    # month 4 (starts 04-10) costs 0.02 x 600,000 = 12,000: 60,000 + 12,000 = 72,000
    t = terms()
    paid = [pay(M1_END, 0, 20_000), pay(M2_END, 0, 20_000), pay(DUE, 400_000, 20_000)]
    assert interest_charged(t, paid, DUE) == 60_000
    p = position(t, paid, dt.date(2024, 4, 11))
    assert (p.interest_charged, p.interest_due, p.principal_outstanding) == (
        72_000,
        12_000,
        600_000,
    )
    assert (p.is_overdue, p.days_overdue, p.next_payment_on) == (True, 1, DUE)
    # 2024-05-20: month 5 (starts 05-10) begun too: 72,000 + 12,000 = 84,000;
    # overdue since 04-10: 20 days of April + 20 of May = 40 days
    p = position(t, paid, dt.date(2024, 5, 20))
    assert (p.interest_charged, p.days_overdue) == (84_000, 40)


def test_late_loan_flat_and_upfront_month_4_on_the_original_principal() -> None:
    # 400,000 repaid on the due date; month 4 is still charged 0.02 x 1,000,000 = 20,000
    paid = [pay(DUE, 400_000)]
    assert interest_charged(terms(FLAT), paid, dt.date(2024, 4, 11)) == 80_000
    assert interest_charged(terms(UPFRONT), paid, dt.date(2024, 4, 11)) == 80_000
    # the balance repaid on 2024-04-20 (in month 4): month 5 is never charged
    done = [*paid, pay(dt.date(2024, 4, 20), 600_000)]
    assert interest_charged(terms(FLAT), done, LATER) == 80_000
    assert interest_charged(terms(UPFRONT), done, LATER) == 80_000
    assert interest_charged(terms(DECLINING), done, LATER) == 60_000 + 12_000


def test_zero_rate_charges_nothing() -> None:
    t = terms(rate="0")
    p = position(t, [], dt.date(2024, 6, 1))
    assert (p.interest_charged, p.interest_due, p.amount_due) == (0, 0, 1_000_000)
    assert p.days_overdue == 52  # principal due 04-10: 20 (April) + 31 (May) + 1 (June)


# ------------------------------------------------------------------------------------------
# Position and overdue
# ------------------------------------------------------------------------------------------


def test_position_fields() -> None:
    t = terms()
    p = position(t, [pay(M1_END, 100_000, 20_000)], dt.date(2024, 2, 15))
    # months 1 and 2 begun; month 2 charged on 900,000 -> 18,000; 38,000 - 20,000 = 18,000 due.
    # next payment: interest paid (20,000) meets month 1's charge on 02-10 but not month 2's
    # 18,000 on 03-10; principal repaid (100,000) does not meet the 1,000,000 due on 04-10.
    # The earlier unmet obligation is 03-10 (principal paid ahead never covers interest).
    assert p == LoanPosition(
        on=dt.date(2024, 2, 15),
        principal=1_000_000,
        principal_repaid=100_000,
        principal_written_off=0,
        principal_outstanding=900_000,
        interest_charged=38_000,
        interest_paid=20_000,
        interest_due=18_000,
        amount_due=918_000,
        due_on=DUE,
        is_overdue=False,
        days_overdue=0,
        next_payment_on=dt.date(2024, 3, 10),
        settled=False,
        settlement_amount=918_000,
    )


def test_not_overdue_on_the_due_date_overdue_the_day_after() -> None:
    t = terms()
    paid = [pay(M1_END, 0, 20_000), pay(M2_END, 0, 20_000)]
    on_due = position(t, paid, DUE)
    assert (on_due.is_overdue, on_due.days_overdue, on_due.next_payment_on) == (False, 0, DUE)
    assert on_due.amount_due == 1_020_000
    after = position(t, paid, dt.date(2024, 4, 11))
    assert (after.is_overdue, after.days_overdue) == (True, 1)


def test_upfront_overdue_only_after_the_due_date() -> None:
    t = terms(UPFRONT)
    paid = [pay(D0, 0, 60_000)]
    assert not position(t, paid, DUE).is_overdue
    assert position(t, paid, dt.date(2024, 4, 11)).days_overdue == 1
    # upfront interest not paid at disbursement: overdue from the next day
    assert position(t, [], dt.date(2024, 1, 11)).days_overdue == 1


def test_unpaid_monthly_interest_makes_a_loan_overdue() -> None:
    # month 1's 20,000 was payable on 02-10
    p = position(terms(), [], dt.date(2024, 2, 11))
    assert (p.is_overdue, p.days_overdue, p.next_payment_on) == (True, 1, M1_END)


def test_missed_first_instalment_counts_from_the_end_of_month_1() -> None:
    t = terms(plan=INSTALMENTS)
    on = dt.date(2024, 2, 20)
    # nothing paid: month 1's interest and instalment 1 payable 02-10 -> 10 days
    assert position(t, [], on).days_overdue == 10
    # only the interest paid: instalment 1 still unpaid -> still 10 days
    p = position(t, [pay(M1_END, 0, 20_000)], on)
    assert (p.is_overdue, p.days_overdue, p.next_payment_on) == (True, 10, M1_END)
    # month 2 was charged on the actual balance 1,000,000, not the scheduled 666,667
    assert p.interest_charged == 40_000
    # instalment and interest paid on time: not overdue, next payment at the end of month 2
    p = position(t, [pay(M1_END, 333_333, 20_000)], on)
    assert (p.is_overdue, p.next_payment_on, p.interest_charged) == (False, M2_END, 33_333)


def test_a_paid_up_loan_is_not_overdue() -> None:
    p = position(terms(), [pay(dt.date(2024, 2, 1), 1_000_000, 20_000)], LATER)
    assert p.settled
    assert (p.is_overdue, p.days_overdue, p.next_payment_on, p.amount_due) == (False, 0, None, 0)


def test_a_written_off_loan_is_closed() -> None:
    t = terms()
    paid = [pay(M1_END, 300_000, 20_000)]
    p = position(t, paid, dt.date(2024, 6, 1), written_off=700_000, written_off_on=DUE)
    # month 2: 0.02 x 700,000 = 14,000; month 3: 14,000; nothing after the write-off on 04-10
    assert (p.principal_written_off, p.principal_outstanding, p.interest_charged) == (
        700_000,
        0,
        48_000,
    )
    assert (p.interest_due, p.amount_due, p.settled, p.is_overdue) == (0, 0, True, False)
    # undated, the write-off is taken at the close of the date asked
    p = position(t, paid, DUE, written_off=700_000)
    assert (p.interest_charged, p.settled) == (48_000, True)
    # a write-off dated after the date asked does not count yet
    p = position(t, paid, M2_END, written_off=700_000, written_off_on=DUE)
    assert (p.principal_written_off, p.principal_outstanding) == (0, 700_000)


def test_a_partial_write_off_keeps_the_loan_open() -> None:
    # 500,000 of 1,000,000 written off on 02-10: month 2 charged on 500,000 -> 10,000
    t = terms()
    p = position(t, [pay(M1_END, 0, 20_000)], dt.date(2024, 2, 15), 500_000, written_off_on=M1_END)
    assert (p.principal_outstanding, p.interest_charged, p.interest_due) == (
        500_000,
        30_000,
        10_000,
    )
    assert (p.is_overdue, p.next_payment_on) == (False, M2_END)


# ------------------------------------------------------------------------------------------
# Allocation of a repayment
# ------------------------------------------------------------------------------------------


@pytest.fixture
def due_40k() -> LoanPosition:
    # nothing paid, 2024-02-15: months 1 and 2 begun -> 40,000 interest; 1,040,000 due
    return position(terms(), [], dt.date(2024, 2, 15))


def test_the_reference_loan_unpaid_on_15_february(due_40k: LoanPosition) -> None:
    # month 1's 20,000 was payable on 02-10: overdue 5 days
    assert (due_40k.interest_charged, due_40k.is_overdue, due_40k.days_overdue) == (40_000, True, 5)
    assert due_40k.next_payment_on == M1_END


@pytest.mark.parametrize(
    ("amount", "interest_first", "principal_first"),
    [
        (30_000, (30_000, 0), (0, 30_000)),
        (100_000, (40_000, 60_000), (0, 100_000)),
        (1_030_000, (40_000, 990_000), (30_000, 1_000_000)),
        (1_040_000, (40_000, 1_000_000), (40_000, 1_000_000)),
    ],
)
def test_allocation_table_of_the_docs(
    due_40k: LoanPosition,
    amount: int,
    interest_first: tuple[int, int],
    principal_first: tuple[int, int],
) -> None:
    a = allocate_payment(due_40k, amount, PaymentOrder.INTEREST_FIRST)
    b = allocate_payment(due_40k, amount, PaymentOrder.PRINCIPAL_FIRST)
    assert (a.interest, a.principal) == interest_first
    assert (b.interest, b.principal) == principal_first


def test_the_overpayment_message(due_40k: LoanPosition) -> None:
    with pytest.raises(RepaymentExceedsDue) as info:
        allocate_payment(due_40k, 1_040_001, who="group KT-001, member Y Hơ (no. 3), loan #7")
    assert str(info.value) == (
        "group KT-001, member Y Hơ (no. 3), loan #7: repayment of 1.040.001 ₫ exceeds the "
        "1.040.000 ₫ due on 2024-02-15 (interest due 40.000 ₫ + principal outstanding "
        "1.000.000 ₫); "
        "a repayment may not exceed what is due"
    )


def test_allocate_interest_first(due_40k: LoanPosition) -> None:
    assert due_40k.amount_due == 1_040_000
    assert allocate_payment(due_40k, 100_000) == Allocation(interest=40_000, principal=60_000)
    assert allocate_payment(due_40k, 30_000) == Allocation(interest=30_000, principal=0)
    assert allocate_payment(due_40k, 1_040_000) == Allocation(interest=40_000, principal=1_000_000)


def test_allocate_principal_first(due_40k: LoanPosition) -> None:
    order = PaymentOrder.PRINCIPAL_FIRST
    assert allocate_payment(due_40k, 100_000, order) == Allocation(interest=0, principal=100_000)
    assert allocate_payment(due_40k, 1_030_000, order) == Allocation(
        interest=30_000, principal=1_000_000
    )


def test_overpayment_is_refused_with_the_amounts(due_40k: LoanPosition) -> None:
    with pytest.raises(RepaymentExceedsDue) as info:
        allocate_payment(due_40k, 1_040_001, who="group KT-001, member Y Hơ (no. 3), loan #7")
    message = str(info.value)
    assert message.startswith("group KT-001, member Y Hơ (no. 3), loan #7: ")
    for words in ("1.040.001 ₫", "1.040.000 ₫", "40.000 ₫", "1.000.000 ₫", "may not exceed"):
        assert words in message
    assert isinstance(info.value, VslaError)
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("amount", [0, -1])
def test_a_repayment_must_be_positive(due_40k: LoanPosition, amount: int) -> None:
    with pytest.raises(RepaymentExceedsDue, match="more than 0"):
        allocate_payment(due_40k, amount)


def test_nothing_can_be_repaid_on_a_settled_loan() -> None:
    p = position(terms(), [pay(dt.date(2024, 2, 1), 1_000_000, 20_000)], LATER)
    with pytest.raises(RepaymentExceedsDue, match="exceeds the 0 ₫ due"):
        allocate_payment(p, 1)


def test_a_float_repayment_is_refused(due_40k: LoanPosition) -> None:
    with pytest.raises(InvalidInput, match="int"):
        allocate_payment(due_40k, float.fromhex("0x1p+10"))  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------------
# Properties
# ------------------------------------------------------------------------------------------

dates = st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2030, 12, 31))
rates = st.decimals(min_value=0, max_value="0.1", places=4, allow_nan=False, allow_infinity=False)


@st.composite
def loan_terms(draw: st.DrawFn, method: InterestMethod | None = None) -> LoanTerms:
    return LoanTerms(
        principal=draw(st.integers(1, 50_000_000)),
        interest_rate=draw(rates),
        term_months=draw(st.integers(1, 12)),
        disbursed_on=draw(dates),
        method=method if method is not None else draw(st.sampled_from(InterestMethod)),
        principal_schedule=draw(st.sampled_from(PrincipalSchedule)),
        rounding=draw(st.sampled_from(Rounding)),
    )


@st.composite
def histories(draw: st.DrawFn, t: LoanTerms) -> list[LoanPayment]:
    """Payments within ~18 months of disbursement whose principal never exceeds the loan's."""
    left = t.principal
    paid: list[LoanPayment] = []
    for _ in range(draw(st.integers(0, 6))):
        on = t.disbursed_on + dt.timedelta(days=draw(st.integers(0, 550)))
        principal = draw(st.integers(0, left))
        left -= principal
        paid.append(LoanPayment(on, principal, draw(st.integers(0, 100_000))))
    return paid


def _days_after(d: dt.date, days: int) -> dt.date:
    return d + dt.timedelta(days=days)


@given(st.data())
def test_interest_is_never_negative(data: st.DataObject) -> None:
    t = data.draw(loan_terms())
    paid = data.draw(histories(t))
    on = _days_after(t.disbursed_on, data.draw(st.integers(0, 700)))
    p = position(t, paid, on)
    assert p.interest_charged >= 0
    assert p.interest_due >= 0
    assert p.principal_outstanding >= 0
    assert p.settlement_amount >= p.amount_due == p.principal_outstanding + p.interest_due
    assert p.days_overdue >= 0
    assert p.is_overdue == (p.days_overdue > 0)
    assert not (p.settled and p.is_overdue)


@given(st.data())
def test_interest_charged_never_falls_as_time_passes(data: st.DataObject) -> None:
    t = data.draw(loan_terms())
    paid = data.draw(histories(t))
    a = _days_after(t.disbursed_on, data.draw(st.integers(0, 700)))
    b = _days_after(a, data.draw(st.integers(0, 200)))
    assert interest_charged(t, paid, a) <= interest_charged(t, paid, b)


def _same_loan(t: LoanTerms, method: InterestMethod) -> LoanTerms:
    return t.model_copy(update={"method": method})


@given(loan_terms(DECLINING))
def test_declining_costs_no_more_than_flat_when_following_the_schedule(t: LoanTerms) -> None:
    declining = sum(r.interest for r in schedule(t))
    flat = sum(r.interest for r in schedule(_same_loan(t, FLAT)))
    assert declining <= flat
    # repaying per schedule, the history gives the same totals as the schedule
    paid = [LoanPayment(r.due_on, r.principal, 0) for r in schedule(t)]
    later = _days_after(due_date(t), 400)
    assert interest_charged(t, paid, later) == declining
    assert interest_charged(_same_loan(t, FLAT), paid, later) == flat


@given(loan_terms(DECLINING), st.integers(0, 500))
def test_declining_costs_no_more_than_flat_for_any_full_repayment_date(
    t: LoanTerms, days: int
) -> None:
    repaid = [LoanPayment(_days_after(t.disbursed_on, days), t.principal, 0)]
    later = _days_after(t.disbursed_on, 900)
    assert interest_charged(t, repaid, later) <= interest_charged(
        _same_loan(t, FLAT), repaid, later
    )


@given(loan_terms())
def test_schedule_repays_exactly_the_principal(t: LoanTerms) -> None:
    rows = schedule(t)
    assert len(rows) == t.term_months
    assert sum(r.principal for r in rows) == t.principal
    assert all(r.principal >= 0 and r.interest >= 0 for r in rows)
    assert [r.number for r in rows] == list(range(1, t.term_months + 1))
    assert rows[-1].due_on == due_date(t)
    assert [r.due_on for r in rows] == sorted({r.due_on for r in rows})


@given(loan_terms())
def test_following_the_schedule_is_never_overdue_and_ends_settled(t: LoanTerms) -> None:
    paid = [LoanPayment(t.disbursed_on, 0, upfront_interest(t))]
    paid += [LoanPayment(r.due_on, r.principal, r.interest) for r in schedule(t)]
    for r in schedule(t):
        for day in (r.due_on, _days_after(r.due_on, 1)):
            assert not position(t, paid, day).is_overdue
    assert position(t, paid, due_date(t)).settled


@given(st.data())
def test_allocation_sums_to_the_amount_and_respects_the_dues(data: st.DataObject) -> None:
    t = data.draw(loan_terms())
    paid = data.draw(histories(t))
    on = _days_after(t.disbursed_on, data.draw(st.integers(0, 700)))
    p = position(t, paid, on)
    if p.settlement_amount == 0:
        return
    amount = data.draw(st.integers(1, p.settlement_amount))
    order = data.draw(st.sampled_from(PaymentOrder))
    a = allocate_payment(p, amount, order)
    assert a.interest + a.principal == amount
    assert 0 <= a.principal <= p.principal_outstanding
    assert 0 <= a.interest <= p.interest_due + (p.settlement_amount - p.amount_due)
    if order is PaymentOrder.INTEREST_FIRST:
        assert a.principal == 0 or a.interest >= p.interest_due
    else:
        assert a.interest == 0 or a.principal == p.principal_outstanding


@given(st.data())
def test_settling_pays_off_the_loan(data: st.DataObject) -> None:
    t = data.draw(loan_terms())
    paid = data.draw(histories(t))
    on = _days_after(t.disbursed_on, data.draw(st.integers(0, 700)))
    p = position(t, paid, on)
    if p.settlement_amount == 0:
        return
    a = allocate_payment(p, p.settlement_amount)
    after = position(t, [*paid, LoanPayment(on, a.principal, a.interest)], on)
    assert after.settled
    assert not after.is_overdue


@given(dates, dates, dates)
def test_months_begun_is_monotonic(d0: dt.date, a: dt.date, b: dt.date) -> None:
    a, b = min(a, b), max(a, b)
    assert months_begun(d0, a) <= months_begun(d0, b)
    k = months_begun(d0, b)
    if k:
        # month k began before b, month k+1 has not
        assert month_start(d0, k) < b <= month_start(d0, k + 1)


def test_payable_now_is_what_the_schedule_has_made_payable() -> None:
    """1.000.000 at 2 %/month for 3 months from 10 January, principal at the due date
    (10 April). Month k's 20.000 interest is payable at the end of month k."""
    t = LoanTerms(
        principal=1_000_000,
        interest_rate=Decimal("0.02"),
        term_months=3,
        disbursed_on=dt.date(2024, 1, 10),
    )
    # 20 January: nothing is payable before 10 February, though 1.020.000 settles the loan
    early = position(t, [], dt.date(2024, 1, 20))
    assert (early.payable_now, early.amount_due) == (0, 1_020_000)
    # 10 February: month 1's 20.000 falls due that day
    assert position(t, [], dt.date(2024, 2, 10)).payable_now == 20_000
    # 10 March, month 1 paid on 10 February: month 2's 20.000
    paid = [LoanPayment(dt.date(2024, 2, 10), 0, 20_000)]
    assert position(t, paid, dt.date(2024, 3, 10)).payable_now == 20_000
    # 10 April, nothing more paid: months 2 and 3 (2 x 20.000) and the 1.000.000 principal
    assert position(t, paid, dt.date(2024, 4, 10)).payable_now == 1_040_000


@given(st.data())
def test_payable_now_lies_between_zero_and_what_is_owed(data: st.DataObject) -> None:
    t = data.draw(loan_terms())
    paid = data.draw(histories(t))
    on = _days_after(t.disbursed_on, data.draw(st.integers(0, 700)))
    p = position(t, paid, on)
    assert 0 <= p.payable_now <= p.amount_due
    if p.is_overdue:
        assert p.payable_now > 0


@given(loan_terms())
def test_following_the_schedule_leaves_nothing_payable(t: LoanTerms) -> None:
    paid = [LoanPayment(t.disbursed_on, 0, upfront_interest(t))]
    paid += [LoanPayment(r.due_on, r.principal, r.interest) for r in schedule(t)]
    for r in schedule(t):
        assert position(t, paid, r.due_on).payable_now == 0
