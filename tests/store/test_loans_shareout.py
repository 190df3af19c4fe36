"""Loans, write-offs, share-out, member exit and the next cycle, through the store, on SQLite
and PostgreSQL. Every figure is worked out by hand in the docstring of its test.

Common start (``first_meeting``): share value 10.000 ₫, 2 %/month; Y Hoa 5 shares, A Blưp 3,
Y Nhí 1 (9 shares, 90.000 ₫), fines 5.000 + 1.000 ₫: loan fund 96.000 ₫, social fund 6.000 ₫.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest

import vsla
from tests.conftest import snapshot
from tests.store.helpers import World, build
from tests.store.test_meetings import D1, first_meeting

JAN15, FEB12, MAR20 = dt.date(2024, 1, 15), dt.date(2024, 2, 12), dt.date(2024, 3, 20)


def _lend(w: World, who: str, principal: int, months: int, day: dt.date = JAN15) -> int:
    record = w.meet(
        day,
        loans=[vsla.LoanRequest(member_id=w.id(who), principal=principal, term_months=months)],
    )
    [loan_id] = {e.loan_id for e in record.entries if e.loan_id is not None}
    assert loan_id is not None
    return loan_id


def test_declining_loan_repaid_late(store: vsla.Store) -> None:
    """Y Hoa borrows 90.000 ₫ on 15/01 for 2 months (due 15/03); loan fund 96.000 − 90.000
    = 6.000 ₫.

    - 10/02: month 1 has begun: interest 2 % × 90.000 = 1.800 ₫; due 91.800 ₫.
    - 12/02: she pays 50.000 ₫: 1.800 interest first, 48.200 principal; 41.800 ₫ left.
      Loan fund 6.000 + 50.000 = 56.000 ₫.
    - 20/03: month 2 (from 15/02) is charged on 41.800 ₫: 836 ₫; month 3 (from 15/03, past
      the term) also 836 ₫. Interest charged 1.800 + 836 + 836 = 3.472 ₫, paid 1.800, due
      1.672 ₫; to settle 41.800 + 1.672 = 43.472 ₫. The principal fell due on 15/03 and is
      unpaid: 5 days overdue.
    - 20/03: she pays 43.472 ₫: settled. Loan fund 56.000 + 43.472 = 99.472 ₫.
    """
    w = build(store)
    first_meeting(w)
    loan_id = _lend(w, "Y Hoa", 90_000, 2)
    assert store.balances(w.cycle.id).loan_fund_cash == 6_000
    pos = store.loan_position(loan_id, dt.date(2024, 2, 10))
    assert (pos.interest_charged, pos.amount_due, pos.is_overdue) == (1_800, 91_800, False)

    record = w.meet(FEB12, repayments=[vsla.Repayment(loan_id=loan_id, amount=50_000)])
    assert [(e.kind, e.amount) for e in record.entries] == [
        (vsla.EntryKind.INTEREST_PAYMENT, 1_800),
        (vsla.EntryKind.PRINCIPAL_REPAYMENT, 48_200),
    ]
    assert store.balances(w.cycle.id).loan_fund_cash == 56_000

    pos = store.loan_position(loan_id, MAR20)
    assert pos.principal_outstanding == 41_800
    assert pos.interest_charged == 3_472
    assert pos.interest_due == 1_672
    assert pos.amount_due == 43_472
    assert (pos.is_overdue, pos.days_overdue, pos.due_on) == (True, 5, dt.date(2024, 3, 15))

    w.meet(MAR20, repayments=[vsla.Repayment(loan_id=loan_id, amount=43_472)])
    after = store.loan_position(loan_id, MAR20)
    assert (after.settled, after.principal_outstanding, after.interest_paid) == (True, 0, 3_472)
    b = store.balances(w.cycle.id)
    assert (b.loan_fund_cash, b.loans_outstanding, b.interest_paid) == (99_472, 0, 3_472)

    statement = store.loan_statement(loan_id, MAR20)
    text = statement.to_text()
    for words in ("Loan of 2024-01-15 to Y Hoa (no. 1)", "90,000 VND", "settled"):
        assert words in text
    assert [p.on for p in statement.payments] == [FEB12, MAR20]


def test_repayment_above_what_is_due_is_refused(store: vsla.Store) -> None:
    """On 12/02 Y Hoa owes 90.000 + 1.800 = 91.800 ₫; 91.801 ₫ is refused."""
    w = build(store)
    first_meeting(w)
    loan_id = _lend(w, "Y Hoa", 90_000, 2)
    before = snapshot(store)
    with pytest.raises(vsla.RepaymentExceedsDue, match=r"91\.801") as info:
        w.meet(FEB12, repayments=[vsla.Repayment(loan_id=loan_id, amount=91_801)])
    assert "Y Hoa" in str(info.value)
    assert "KT-DG-001" in str(info.value)
    assert snapshot(store) == before


def test_flat_loan_settled_early_owes_the_whole_term(store: vsla.Store) -> None:
    """Flat, 60.000 ₫ for 3 months at 2 %: 1.200 ₫ a month whatever the balance. Repaid in
    full on 25/01 (month 1): interest due today 1.200 ₫, but settling now owes the whole
    term, 3 × 1.200 = 3.600 ₫: settlement 63.600 ₫. 63.601 ₫ is refused."""
    w = build(store, interest_method=vsla.InterestMethod.FLAT)
    first_meeting(w)
    loan_id = _lend(w, "Y Hoa", 60_000, 3)
    pos = store.loan_position(loan_id, dt.date(2024, 1, 25))
    assert (pos.amount_due, pos.settlement_amount) == (61_200, 63_600)
    with pytest.raises(vsla.RepaymentExceedsDue):
        w.meet(dt.date(2024, 1, 25), repayments=[vsla.Repayment(loan_id=loan_id, amount=63_601)])
    w.meet(dt.date(2024, 1, 25), repayments=[vsla.Repayment(loan_id=loan_id, amount=63_600)])
    assert store.loan_position(loan_id, dt.date(2024, 6, 1)).settled
    assert store.balances(w.cycle.id).interest_paid == 3_600


def test_upfront_interest_is_paid_at_disbursement(store: vsla.Store) -> None:
    """Upfront, 60.000 ₫ for 3 months at 2 %: 2 % × 60.000 × 3 = 3.600 ₫ paid when the loan
    is made. Loan fund 96.000 + 3.600 − 60.000 = 39.600 ₫; nothing is due the next day."""
    w = build(store, interest_method=vsla.InterestMethod.UPFRONT)
    first_meeting(w)
    loan_id = _lend(w, "Y Hoa", 60_000, 3)
    b = store.balances(w.cycle.id)
    assert (b.loan_fund_cash, b.interest_paid, b.loans_outstanding) == (39_600, 3_600, 60_000)
    pos = store.loan_position(loan_id, JAN15 + dt.timedelta(days=1))
    assert (pos.interest_due, pos.is_overdue) == (0, False)


def test_write_off(store: vsla.Store) -> None:
    """A Blưp (savings 30.000 ₫) borrows 60.000 ₫ for 1 month on 15/01 and never repays.
    On 01/04 the group writes the 60.000 ₫ off: loans outstanding 0, no cash moves (the
    loan fund stays at 96.000 − 60.000 = 36.000 ₫), the loss shows as written off."""
    w = build(store)
    first_meeting(w)
    loan_id = _lend(w, "A Blưp", 60_000, 1)
    # due 15/02; to 01/04 (2024 is a leap year): 14 days of February + 31 + 1 = 46
    assert store.loan_position(loan_id, dt.date(2024, 4, 1)).days_overdue == 46
    entry = store.write_off(loan_id, on=dt.date(2024, 4, 1), reason="moved away")
    assert (entry.kind, entry.amount) == (vsla.EntryKind.WRITE_OFF, 60_000)
    b = store.balances(w.cycle.id)
    assert (b.loans_outstanding, b.principal_written_off, b.loan_fund_cash) == (0, 60_000, 36_000)
    pos = store.loan_position(loan_id, dt.date(2024, 5, 1))
    assert (pos.settled, pos.is_overdue, pos.principal_outstanding) == (True, False, 0)
    with pytest.raises(vsla.InvalidInput, match="no principal outstanding"):
        store.write_off(loan_id, on=dt.date(2024, 4, 2), reason="again")


def test_share_out_refused_while_loans_are_outstanding(store: vsla.Store) -> None:
    w = build(store)
    first_meeting(w)
    _lend(w, "Y Hoa", 40_000, 3)
    before = snapshot(store)
    with pytest.raises(vsla.ShareOutRefused, match=r"Y Hoa .* owes 41\.600 ₫"):
        store.share_out(w.cycle.id, on=dt.date(2024, 3, 10))
    assert snapshot(store) == before


def test_share_out_netting_a_loan_with_cash_step_and_remainder_to_social_fund(
    store: vsla.Store,
) -> None:
    """Policies: net loans, cash step 1.000 ₫, remainder to the social fund.

    Y Hoa borrowed 40.000 ₫ on 15/01 (loan fund 56.000 ₫). Share-out on 10/03: two months
    begun, 2 × 800 = 1.600 ₫ interest; she owes 41.600 ₫, netted: distributable
    = 56.000 + 41.600 = 97.600 ₫ for 9 shares (10.844,44… ₫ a share).

    - Y Hoa  5 × 97.600 / 9 = 54.222,2 → 54.000 ₫; cash paid 54.000 − 41.600 = 12.400 ₫
    - A Blưp 3 × 97.600 / 9 = 32.533,3 → 32.000 ₫
    - Y Nhí  1 × 97.600 / 9 = 10.844,4 → 10.000 ₫
    Σ 96.000 ₫; remainder 1.600 ₫ goes to the social fund: 6.000 + 1.600 = 7.600 ₫.
    """
    w = build(
        store,
        share_out_loans=vsla.ShareOutLoanPolicy.NET,
        cash_step=1_000,
        remainder=vsla.RemainderPolicy.SOCIAL_FUND,
    )
    first_meeting(w)
    _lend(w, "Y Hoa", 40_000, 3)
    preview = store.preview_share_out(w.cycle.id, dt.date(2024, 3, 10))
    result = store.share_out(w.cycle.id, on=dt.date(2024, 3, 10))
    assert preview == result
    assert result.distributable == 97_600
    assert result.value_per_share_exact == Fraction(97_600, 9)
    assert result.value_per_share == Decimal("10844.44")
    assert [result.payout_of(w.id(n)) for n in ("Y Hoa", "A Blưp", "Y Nhí")] == [
        54_000,
        32_000,
        10_000,
    ]
    assert result.line_of(w.id("Y Hoa")).cash_paid == 12_400
    assert result.remainder == 1_600
    b = store.balances(w.cycle.id)
    assert (b.loan_fund_cash, b.social_fund_cash, b.loans_outstanding) == (0, 7_600, 0)
    assert store.cycle(w.cycle.id).shared_out_on == dt.date(2024, 3, 10)
    # the recorded share-out can be read back, rebuilt from the ledger, and printed
    assert store.share_out_result(w.cycle.id) == result
    sheet = result.to_text(store.member_names(w.group.id), vietnamese=True)
    for words in ("Y Hoa (no. 1)", "54.000 ₫", "12.400 ₫", "1.600 ₫"):
        assert words in sheet
    with pytest.raises(vsla.CycleClosed, match="shared out on 2024-03-10"):
        w.meet(dt.date(2024, 3, 17), share_purchases={w.id("Y Hoa"): 1})

    nxt = store.start_next_cycle(w.cycle.id, start=dt.date(2024, 3, 17), end=dt.date(2025, 3, 1))
    assert nxt.number == 2
    assert nxt.constitution == w.cycle.constitution
    opening = store.balances(nxt.id)
    assert (opening.loan_fund_cash, opening.social_fund_cash, opening.shares) == (0, 7_600, 0)
    # the carried balance sits at the start date; the first meeting can still be held then
    store.record_meeting(
        nxt.id, vsla.MeetingInput(date=dt.date(2024, 3, 17), share_purchases={w.id("Y Hoa"): 2})
    )
    assert store.balances(nxt.id).loan_fund_cash == 20_000


def test_share_out_remainder_carried_as_opening_cash(store: vsla.Store) -> None:
    """No loans, default policies: distributable 96.000 ₫ for 9 shares = 10.666,67 ₫ a share.
    Y Hoa 5 × 96.000 / 9 = 53.333 ₫, A Blưp 32.000 ₫, Y Nhí 10.666 ₫; Σ 95.999 ₫,
    remainder 1 ₫ stays in the box and opens the next cycle with the 6.000 ₫ social fund."""
    w = build(store)
    first_meeting(w)
    assert store.share_out_result(w.cycle.id, on=D1) == store.preview_share_out(w.cycle.id, D1)
    result = store.share_out(w.cycle.id, on=D1)
    assert store.share_out_result(w.cycle.id) == result
    assert [line.payout for line in result.lines] == [53_333, 32_000, 10_666]
    assert result.remainder == 1
    nxt = store.start_next_cycle(w.cycle.id, start=dt.date(2024, 1, 15), end=dt.date(2024, 12, 1))
    assert (store.balances(nxt.id).loan_fund_cash, store.balances(nxt.id).social_fund_cash) == (
        1,
        6_000,
    )


def test_member_exit_with_a_loan(store: vsla.Store) -> None:
    """A Blưp (3 shares, 30.000 ₫ savings) borrowed 20.000 ₫ on 15/01 and leaves on 01/02:
    one month begun, 400 ₫ interest, he owes 20.400 ₫ and takes home 30.000 − 20.400 =
    9.600 ₫. Loan fund: 96.000 − 20.000 (loan) + 20.400 (netted repayment) − 30.000 (savings
    back) = 66.400 ₫; shares 9 − 3 = 6. He can no longer buy shares."""
    w = build(store)
    first_meeting(w)
    _lend(w, "A Blưp", 20_000, 2)
    settlement = store.settle_member_exit(
        w.id("A Blưp"), on=dt.date(2024, 2, 1), reason=vsla.ExitReason.MOVED
    )
    assert (settlement.savings, settlement.owed, settlement.cash_paid) == (30_000, 20_400, 9_600)
    b = store.balances(w.cycle.id)
    assert (b.loan_fund_cash, b.shares, b.loans_outstanding) == (66_400, 6, 0)
    assert store.member(w.id("A Blưp")).left_on == dt.date(2024, 2, 1)
    with pytest.raises(vsla.MemberNotActive, match="A Blưp"):
        w.meet(dt.date(2024, 2, 5), share_purchases={w.id("A Blưp"): 1})


def test_member_exit_pro_rata(store: vsla.Store) -> None:
    """Policy pro_rata: on 01/02 the projected value per share is (96.000 + 0) / 9 =
    10.666,67 ₫; Y Nhí's one share pays floor(10.666,67) = 10.666 ₫, a profit of 666 ₫."""
    w = build(store, exit_profit_share=vsla.ExitProfitPolicy.PRO_RATA)
    first_meeting(w)
    s = store.settle_member_exit(w.id("Y Nhí"), on=dt.date(2024, 2, 1))
    assert (s.gross, s.profit_share, s.cash_paid) == (10_666, 666, 10_666)
    assert store.balances(w.cycle.id).loan_fund_cash == 96_000 - 10_666


def test_a_batch_repays_a_loan_it_made_by_its_ref(store: vsla.Store) -> None:
    """The data-entry app names Y Hoa's loan "app-17" when it is made on 15/01 and repays it
    by that name on 12/02, both in one batch: 40.000 ₫ + one month at 2 % (800 ₫) = 40.800 ₫.
    Loan fund: 96.000 − 40.000 + 40.800 = 96.800 ₫."""
    w = build(store)
    first_meeting(w)
    hoa = w.id("Y Hoa")
    store.record_meetings(
        w.cycle.id,
        [
            vsla.MeetingInput(
                date=JAN15,
                loans=[
                    vsla.LoanRequest(member_id=hoa, principal=40_000, term_months=2, ref="app-17")
                ],
            ),
            vsla.MeetingInput(
                date=FEB12, repayments=[vsla.Repayment(loan_ref="app-17", amount=40_800)]
            ),
        ],
    )
    [loan] = store.loans(w.cycle.id)
    assert loan.ref == "app-17"
    assert store.loan_position(loan.id, FEB12).settled
    assert store.balances(w.cycle.id).loan_fund_cash == 96_800
    before = snapshot(store)
    # the ref is the loan's client id: another loan sent with it is a conflict (docs/sync.md)
    with pytest.raises(vsla.SyncConflict, match=r"loan client id 'app-17' already names") as e:
        w.meet(
            dt.date(2024, 2, 19),
            loans=[vsla.LoanRequest(member_id=hoa, principal=1_000, term_months=1, ref="app-17")],
        )
    assert [d.field for d in e.value.differences] == ["date", "principal", "term_months"]
    with pytest.raises(vsla.NotFound, match="ref 'app-99'"):
        w.meet(dt.date(2024, 2, 19), repayments=[vsla.Repayment(loan_ref="app-99", amount=1)])
    assert snapshot(store) == before
    with pytest.raises(vsla.InvalidInput, match="exactly one"):
        vsla.Repayment(loan_id=1, loan_ref="app-17", amount=1)
