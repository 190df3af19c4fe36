"""Errors carry their facts as data: code reads ``rule``, ``member_number``, ``field``, never
the message. One group, members Y Hoa (no. 1) and A Blưp (no. 2), share value 10.000."""

from __future__ import annotations

import datetime as dt

import pytest

import vsla
from tests.store.helpers import build

D = dt.date


def test_each_refusal_names_its_rule_member_and_field(store: vsla.Store) -> None:
    w = build(store)
    hoa, blup = w.m["Y Hoa"], w.m["A Blưp"]
    w.meet(D(2024, 1, 8), share_purchases={hoa.id: 5, blup.id: 1})
    cases = [
        # A Blưp saved 10.000: 3 x 10.000 = 30.000 at most
        (
            {"loans": [vsla.LoanRequest(member_id=blup.id, principal=40_000, term_months=1)]},
            vsla.LoanLimitExceeded,
            ("max_loan_multiple", 2, "loans.principal"),
        ),
        (
            {"loans": [vsla.LoanRequest(member_id=hoa.id, principal=10_000, term_months=9)]},
            vsla.LoanLimitExceeded,
            ("max_term_months", 1, "loans.term_months"),
        ),
        (
            {"share_purchases": {blup.id: 6}},
            vsla.SharesOutOfRange,
            ("shares_per_meeting", 2, "share_purchases"),
        ),
        # the loan fund holds 60.000
        (
            {"expenses": [vsla.Expense(amount=70_000, memo="bút")]},
            vsla.BoxWouldGoNegative,
            ("box_never_negative", None, "expenses"),
        ),
        (
            {"fines": [vsla.FinePaid(member_id=hoa.id, fine="noise")]},
            vsla.InvalidInput,
            ("fine_in_constitution", 1, "fines.fine"),
        ),
    ]
    for kwargs, error, (rule, number, field) in cases:
        with pytest.raises(error) as info:
            w.meet(D(2024, 1, 15), **kwargs)  # type: ignore[arg-type]
        facts = (info.value.rule, info.value.member_number, info.value.field)
        assert facts == (rule, number, field), kwargs
        assert info.value.group_code == "KT-DG-001"


def test_a_refused_repayment_and_reversal_name_the_loan_and_entry(store: vsla.Store) -> None:
    w = build(store)
    hoa = w.m["Y Hoa"]
    record = w.meet(
        D(2024, 1, 8),
        share_purchases={hoa.id: 5},
        loans=[vsla.LoanRequest(member_id=hoa.id, principal=20_000, term_months=1)],
    )
    loan_id = store.loans(w.cycle.id)[0].id
    # 15 January: one month begun, 400 interest + 20.000 principal due
    with pytest.raises(vsla.RepaymentExceedsDue) as info:
        w.meet(D(2024, 1, 15), repayments=[vsla.Repayment(loan_id=loan_id, amount=20_401)])
    assert (info.value.rule, info.value.loan_id, info.value.member_number, info.value.field) == (
        "repayment_at_most_due",
        loan_id,
        1,
        "repayments",
    )
    (disbursement,) = [e for e in record.entries if e.kind is vsla.EntryKind.LOAN_DISBURSEMENT]
    reversal = store.reverse_entry(disbursement.id, on=D(2024, 1, 15), reason="typo")
    with pytest.raises(vsla.EntryNotReversible) as refused:
        store.reverse_entry(reversal.id, on=D(2024, 1, 15), reason="again")
    assert (refused.value.rule, refused.value.entry_id) == ("reversal_not_reversible", reversal.id)
