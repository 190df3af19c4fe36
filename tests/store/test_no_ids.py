"""Messages a person reads name members by number and name and loans by borrower and date,
never by database id; the ids stay in the error's facts for code (Y Hương's cycle,
tests.store.paper_world)."""

from __future__ import annotations

import re

import pytest

import vsla
from tests.store.paper_world import D4, D6, paper_world


def _no_id(message: str) -> None:
    assert not re.search(r"#\d", message), message


def test_a_second_reversal_names_the_entry_by_member_and_date(store: vsla.Store) -> None:
    pw = paper_world(store, share_out=False)
    bought = next(
        e
        for e in store.entries(pw.world.cycle.id)
        if e.kind is vsla.EntryKind.SHARE_PURCHASE and e.date == D4 and e.amount > 0
    )
    with pytest.raises(vsla.EntryNotReversible) as refused:
        store.reverse_entry(bought.id, on=D6, reason="again")
    message = str(refused.value)
    assert message.endswith(
        "the share purchase of 2024-04-01 (Y Hương (no. 1), 10.000 ₫) was already reversed "
        "on 2024-05-06"
    )
    _no_id(message)
    assert (refused.value.entry_id, refused.value.member_number) == (bought.id, 1)


def test_a_loan_with_repayments_is_named_by_its_borrower_and_date(store: vsla.Store) -> None:
    pw = paper_world(store, share_out=False)
    made = next(
        e
        for e in store.entries(pw.world.cycle.id)
        if e.kind is vsla.EntryKind.LOAN_DISBURSEMENT and e.loan_id == pw.loan1
    )
    with pytest.raises(vsla.EntryNotReversible) as refused:
        store.reverse_entry(made.id, on=D6, reason="never lent")
    message = str(refused.value)
    assert "the loan of 2024-02-05 to Y Hương (no. 1) has repayments or write-offs" in message
    assert "the interest payment of 2024-03-04 (Y Hương (no. 1), 2.000 ₫)" in message
    _no_id(message)
    assert refused.value.loan_id == pw.loan1


def test_writing_off_a_repaid_loan_names_it(store: vsla.Store) -> None:
    pw = paper_world(store, share_out=False)
    with pytest.raises(vsla.InvalidInput) as refused:
        store.write_off(pw.loan1, on=D6, reason="by mistake")
    message = str(refused.value)
    assert "the loan of 2024-02-05 (100.000 ₫) to Y Hương (no. 1) owes nothing" in message
    _no_id(message)
    assert (refused.value.loan_id, refused.value.member_number) == (pw.loan1, 1)
