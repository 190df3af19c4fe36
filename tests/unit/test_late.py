"""The late-meeting planner on its own, without a database: a cycle recorded in memory
with the pure planners, then a meeting sent late (docs/sync.md)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest

import vsla
from vsla.domain.late import CycleHistory, plan_late_meeting
from vsla.domain.ledger import EntryKind, LedgerEntry
from vsla.domain.loanstate import LoanState
from vsla.domain.meeting import CycleState, advance, plan_meeting

D = dt.date
START = D(2024, 1, 8)


class Book:
    """A cycle recorded in memory: each meeting planned, its entries given ids."""

    def __init__(self) -> None:
        rules = vsla.Constitution(share_value=10_000, interest_rate=Decimal("0.02"))
        cycle = vsla.Cycle(
            id=1,
            group_id=1,
            number=1,
            start_date=START,
            end_date=D(2024, 12, 30),
            constitution=rules,
        )
        members = {
            i: vsla.Member(id=i, group_id=1, number=i, full_name=name, sex="F", joined_on=START)
            for i, name in ((1, "Y Hoa"), (2, "Y Nhí"))
        }
        self.start = CycleState(
            group_label="group G (G)",
            cycle=cycle,
            members=members,
            totals={},
            member_shares={},
            loans={},
            last_meeting_on=None,
            group_code="G",
        )
        self.state = self.start
        self.entries: list[LedgerEntry] = []
        self.loans: dict[int, LoanState] = {}
        self.minutes: dict[int, dt.date] = {}

    def meet(self, meeting: vsla.MeetingInput) -> None:
        plan = plan_meeting(self.state, meeting)
        loan_ids = [len(self.loans) + 1 + i for i in range(len(plan.new_loans))]
        meeting_id = len(self.minutes) + 1
        for p in plan.entries:
            loan = loan_ids[p.new_loan] if p.new_loan is not None else p.loan_id
            self.entries.append(
                LedgerEntry(
                    id=len(self.entries) + 1,
                    cycle_id=1,
                    meeting_id=meeting_id,
                    date=plan.date,
                    kind=p.kind,
                    amount=p.amount,
                    member_id=p.member_id,
                    loan_id=loan,
                    shares=p.shares,
                    memo=p.memo,
                    origin=p.origin,
                )
            )
        self.state = advance(self.state, plan, loan_ids)
        for loan_id in loan_ids:
            self.loans[loan_id] = replace(self.state.loans[loan_id], moves=())
        self.minutes[meeting_id] = plan.date

    @property
    def history(self) -> CycleHistory:
        return CycleHistory(self.start, tuple(self.entries), self.loans, self.minutes)


def test_a_late_meeting_is_planned_against_the_state_before_its_date() -> None:
    book = Book()
    book.meet(vsla.MeetingInput(date=START, share_purchases={1: 5}))
    book.meet(vsla.MeetingInput(date=D(2024, 1, 22), share_purchases={1: 1, 2: 2}))
    late = vsla.MeetingInput(
        date=D(2024, 1, 15),
        loans=[vsla.LoanRequest(member_id=1, principal=40_000, term_months=1)],
    )
    plan = plan_late_meeting(book.history, late)
    assert plan.date == D(2024, 1, 15)
    assert [(e.kind, e.amount) for e in plan.entries] == [(EntryKind.LOAN_DISBURSEMENT, 40_000)]
    # against the state of 15 January the box holds 50.000 ₫: 60.000 ₫ is refused, and that
    # is the late meeting's own error, not a change of a later one
    too_much = late.model_copy(
        update={"loans": [vsla.LoanRequest(member_id=1, principal=60_000, term_months=1)]}
    )
    with pytest.raises(vsla.BoxWouldGoNegative):
        plan_late_meeting(book.history, too_much)


def test_a_late_meeting_that_changes_a_later_repayment_is_refused() -> None:
    book = Book()
    book.meet(vsla.MeetingInput(date=START, share_purchases={1: 5}))
    book.meet(
        vsla.MeetingInput(
            date=D(2024, 1, 15),
            loans=[vsla.LoanRequest(member_id=1, principal=50_000, term_months=2, ref="a")],
        )
    )
    book.meet(
        vsla.MeetingInput(
            date=D(2024, 2, 19), repayments=[vsla.Repayment(loan_id=1, amount=51_000)]
        )
    )
    # 19 February paid 2.000 ₫ of interest (two months begun) and 49.000 ₫ of principal;
    # 1.000 ₫ of interest paid on 12 February would make that 1.000 ₫ and 50.000 ₫
    late = vsla.MeetingInput(
        date=D(2024, 2, 12), repayments=[vsla.Repayment(loan_id=1, amount=1_000)]
    )
    with pytest.raises(vsla.LateMeetingRefused) as refused:
        plan_late_meeting(book.history, late)
    assert refused.value.entry_id == 3
    assert (
        "comes before the meeting of 2024-02-19, recorded already, and would change it: entry "
        "#3 (interest payment of 2.000 ₫, for Y Hoa (no. 1), loan #1) would be 1.000 ₫"
    ) in str(refused.value)
    # 2.000 ₫ would leave 50.000 ₫ due on 19 February: its 51.000 ₫ would be refused
    late = late.model_copy(update={"repayments": [vsla.Repayment(loan_id=1, amount=2_000)]})
    with pytest.raises(vsla.LateMeetingRefused) as refused:
        plan_late_meeting(book.history, late)
    assert refused.value.entry_id is None
    assert isinstance(refused.value.__cause__, vsla.RepaymentExceedsDue)
