"""The meeting planner's shortcuts give what the validated, checked paths give: the terms of
a new loan built without validating them again, a repayment split from the loan's dues
rather than its whole position, and the refusal of a repayment over the amount due."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

import vsla
from vsla.domain.allocation import allocate_payment
from vsla.domain.ledger import EntryKind
from vsla.domain.loans import LoanTerms
from vsla.domain.meeting import CycleState, advance, plan_meeting

D = dt.date
START = D(2024, 1, 8)
RULES = vsla.Constitution(
    share_value=10_000,
    interest_rate=Decimal("0.02"),
    max_loan_multiple=Decimal(3),
    max_shares_per_meeting=10,
    principal_schedule=vsla.PrincipalSchedule.INSTALMENTS,
)


def _state() -> CycleState:
    cycle = vsla.Cycle(
        id=1, group_id=1, number=1, start_date=START, end_date=D(2024, 12, 30), constitution=RULES
    )
    member = vsla.Member(id=1, group_id=1, number=1, full_name="Y Hoa", sex="F", joined_on=START)
    return CycleState(
        group_label="group G (G)",
        cycle=cycle,
        members={1: member},
        totals={},
        member_shares={},
        loans={},
        last_meeting_on=None,
        group_code="G",
    )


def _lent() -> CycleState:
    """On 8 January Y Hoa buys 10 shares (100.000 ₫ in the box; her limit is 3 x 100.000 ₫)
    and borrows 90.000 ₫ for 3 months: the loan gets the id 7."""
    state = _state()
    first = vsla.MeetingInput(
        date=START,
        share_purchases={1: 10},
        loans=[vsla.LoanRequest(member_id=1, principal=90_000, term_months=3)],
    )
    plan = plan_meeting(state, first)
    return advance(state, plan, [7])


def test_a_new_loan_s_terms_equal_validated_terms() -> None:
    state = _state()
    meeting = vsla.MeetingInput(
        date=START,
        share_purchases={1: 5},
        loans=[vsla.LoanRequest(member_id=1, principal=30_000, term_months=2)],
    )
    (new,) = plan_meeting(state, meeting).new_loans
    validated = LoanTerms(
        principal=30_000,
        interest_rate=Decimal("0.02"),
        term_months=2,
        disbursed_on=START,
        principal_schedule=vsla.PrincipalSchedule.INSTALMENTS,
    )
    assert new.terms == validated
    assert new.terms.model_dump() == validated.model_dump()


def test_a_repayment_is_split_as_allocate_payment_splits_the_position() -> None:
    """90.000 ₫ lent on 8 January at 2 %/month, declining, in 3 instalments of 30.000 ₫.
    On 8 March two months have begun: 2 % x 90.000 = 1.800 ₫ for month 1, and month 2 on
    the 90.000 ₫ still owed on 8 February, 1.800 ₫: 3.600 ₫ of interest due. A repayment
    of 33.600 ₫ is 3.600 ₫ of interest and 30.000 ₫ of principal."""
    state = _lent()
    day = D(2024, 3, 8)
    repay = vsla.MeetingInput(date=day, repayments=[vsla.Repayment(loan_id=7, amount=33_600)])
    plan = plan_meeting(state, repay)
    assert [(e.kind, e.amount) for e in plan.entries] == [
        (EntryKind.INTEREST_PAYMENT, 3_600),
        (EntryKind.PRINCIPAL_REPAYMENT, 30_000),
    ]
    split = allocate_payment(state.loans[7].position(day), 33_600)
    assert (split.interest, split.principal) == (3_600, 30_000)


def test_a_repayment_over_the_amount_due_is_refused_naming_member_and_loan() -> None:
    """On 8 March 90.000 ₫ of principal and 3.600 ₫ of interest are owed: 93.601 ₫ is
    refused, and the message names the member, the loan and what is due."""
    state = _lent()
    day = D(2024, 3, 8)
    repay = vsla.MeetingInput(date=day, repayments=[vsla.Repayment(loan_id=7, amount=93_601)])
    with pytest.raises(vsla.RepaymentExceedsDue) as caught:
        plan_meeting(state, repay)
    message = str(caught.value)
    assert "Y Hoa" in message
    assert "the loan of 2024-01-08" in message
    assert "93.601" in message
    assert "93.600" in message
    assert caught.value.rule == "repayment_at_most_due"
    assert caught.value.member_number == 1
