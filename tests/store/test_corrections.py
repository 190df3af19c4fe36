"""Corrections that never lose money: one test per case found on the first release.

Every case runs on SQLite and PostgreSQL. The group: members Y Hoa (A) and A Blưp (B),
share value 10.000, social fund 2.000, 2 %/month. Figures are worked by hand in each test.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

import vsla
from tests.conftest import fresh_store, snapshot
from tests.store.helpers import World, build
from vsla.domain.ledger import EntryKind, EntryOrigin
from vsla.io import export_programme, import_file
from vsla.reports import group_indicators

D = dt.date
A, B = "Y Hoa", "A Blưp"


def savings_meeting(w: World, day: dt.date, **more: object) -> vsla.MeetingRecord:
    """A and B buy 5 shares each: 100.000 into the loan fund."""
    return w.meet(day, share_purchases={w.id(A): 5, w.id(B): 5}, **more)


def loan(w: World, day: dt.date, principal: int, months: int = 1, *, saving: bool = False) -> int:
    """A loan to A; with ``saving``, at the meeting where A and B buy 5 shares each."""
    record = w.meet(
        day,
        loans=[vsla.LoanRequest(member_id=w.id(A), principal=principal, term_months=months)],
        share_purchases={w.id(A): 5, w.id(B): 5} if saving else {},
    )
    (disbursement,) = [e for e in record.entries if e.kind is EntryKind.LOAN_DISBURSEMENT]
    assert disbursement.loan_id is not None
    return disbursement.loan_id


def entry(w: World, kind: EntryKind, origin: EntryOrigin = EntryOrigin.MEETING) -> vsla.LedgerEntry:
    return next(e for e in w.store.entries(w.cycle.id) if e.kind is kind and e.origin is origin)


# -------------------------------------------------------------------------- 1. upfront


def test_1_cancelling_an_upfront_loan_returns_its_interest(store: vsla.Store) -> None:
    w = build(store, interest_method="upfront", max_term_months=3)
    savings_meeting(w, D(2024, 1, 8))
    # 100.000 for 3 months upfront: 2 % x 100.000 x 3 = 6.000 paid at disbursement;
    # cash 100.000 + 6.000 - 100.000 = 6.000
    loan_id = loan(w, D(2024, 1, 15), 100_000, months=3)
    b = store.balances(w.cycle.id)
    assert (b.loan_fund_cash, b.interest_paid, b.loans_outstanding) == (6_000, 6_000, 100_000)
    upfront = entry(w, EntryKind.INTEREST_PAYMENT, EntryOrigin.UPFRONT_INTEREST)
    before = snapshot(store)
    with pytest.raises(vsla.EntryNotReversible, match="reverse the loan's disbursement"):
        store.reverse_entry(upfront.id, on=D(2024, 1, 22), reason="typo")
    assert snapshot(store) == before
    store.reverse_entry(entry(w, EntryKind.LOAN_DISBURSEMENT).id, on=D(2024, 1, 22), reason="typo")
    # both reversed in one step: 6.000 - 6.000 + 100.000 = 100.000, no interest, no loan
    b = store.balances(w.cycle.id)
    assert (b.loan_fund_cash, b.interest_paid, b.loans_outstanding) == (100_000, 0, 0)
    reversals = [e for e in store.entries(w.cycle.id) if e.origin is EntryOrigin.REVERSAL]
    assert sorted((e.kind, e.amount) for e in reversals) == [
        (EntryKind.INTEREST_PAYMENT, -6_000),
        (EntryKind.LOAN_DISBURSEMENT, -100_000),
    ]
    assert store.loans(w.cycle.id, include_cancelled=False) == []
    with pytest.raises(vsla.NotFound, match="cancelled on 2024-01-22"):
        store.loan_position(loan_id, D(2024, 1, 22))


# ---------------------------------------------------------------------- 2. after an exit


def test_2_a_departed_members_entries_are_closed(store: vsla.Store) -> None:
    w = build(store, interest_rate="0")
    savings_meeting(w, D(2024, 1, 8))
    loan(w, D(2024, 1, 15), 20_000)
    # A leaves: savings 50.000, the loan of 20.000 netted (no interest at 0 %): paid 30.000
    settlement = store.settle_member_exit(w.id(A), on=D(2024, 1, 22))
    assert (settlement.gross, settlement.owed, settlement.cash_paid) == (50_000, 20_000, 30_000)
    shares = next(e for e in store.entries(w.cycle.id) if e.member_id == w.id(A) and e.shares > 0)
    netted = entry(w, EntryKind.PRINCIPAL_REPAYMENT, EntryOrigin.NETTED_AT_EXIT)
    payout = entry(w, EntryKind.EXIT_PAYOUT, EntryOrigin.EXIT_PAYOUT)
    before = snapshot(store)
    for e in (shares, netted, payout, entry(w, EntryKind.LOAN_DISBURSEMENT)):
        with pytest.raises(vsla.EntryNotReversible, match=r"Y Hoa|settles|exit"):
            store.reverse_entry(e.id, on=D(2024, 1, 29), reason="typo")
    assert snapshot(store) == before
    # B's 5 shares still share out the 50.000 left: 100.000 - 20.000 + 20.000 - 50.000
    result = store.share_out(w.cycle.id, on=D(2024, 1, 29))
    assert [(line.member, line.payout) for line in result.lines] == [(w.id(B), 50_000)]


# ------------------------------------------------------------- 3. memos are words only


def test_3_a_write_off_reason_decides_nothing(store: vsla.Store) -> None:
    w = build(store, share_out_loans="net", interest_rate="0")
    savings_meeting(w, D(2024, 1, 8))
    first = loan(w, D(2024, 1, 15), 20_000)
    store.write_off(first, on=D(2024, 2, 19), reason="upfront")
    before = snapshot(store)
    with pytest.raises(vsla.EntryNotReversible, match="repayments or write-offs"):
        store.reverse_entry(entry(w, EntryKind.LOAN_DISBURSEMENT).id, on=D(2024, 2, 19), reason="x")
    assert snapshot(store) == before
    assert store.balances(w.cycle.id).loans_outstanding == 0  # 20.000 - 20.000 written off
    second = loan(w, D(2024, 2, 26), 10_000)
    store.write_off(second, on=D(2024, 3, 4), reason="netted at share-out")
    # nothing is owed: 100.000 - 20.000 - 10.000 = 70.000 shared 35.000 + 35.000
    result = store.share_out(w.cycle.id, on=D(2024, 3, 4))
    assert [line.payout for line in result.lines] == [35_000, 35_000]
    assert [line.owed for line in result.lines] == [0, 0]
    assert store.share_out_result(w.cycle.id) == result


# ----------------------------------------------------- 4. all repayments reversed first


def test_4_a_loan_whose_repayments_were_all_reversed_can_be_cancelled(store: vsla.Store) -> None:
    w = build(store)
    loan_id = loan(w, D(2024, 1, 8), 20_000, saving=True)
    # 12 Feb: month 2 began on 8 Feb, so two months are charged: 400 + 400 = 800 first,
    # then 9.200 of principal
    record = w.meet(D(2024, 2, 12), repayments=[vsla.Repayment(loan_id=loan_id, amount=10_000)])
    assert [(e.kind, e.amount) for e in record.entries] == [
        (EntryKind.INTEREST_PAYMENT, 800),
        (EntryKind.PRINCIPAL_REPAYMENT, 9_200),
    ]
    # reversing the interest part reverses the whole repayment, both parts
    interest = next(e for e in record.entries if e.kind is EntryKind.INTEREST_PAYMENT)
    store.reverse_entry(interest.id, on=D(2024, 2, 19), reason="paid by mistake")
    store.reverse_entry(entry(w, EntryKind.LOAN_DISBURSEMENT).id, on=D(2024, 2, 19), reason="x")
    b = store.balances(w.cycle.id)
    assert (b.loan_fund_cash, b.interest_paid, b.loans_outstanding) == (100_000, 0, 0)
    with pytest.raises(vsla.EntryNotReversible, match="itself a reversal"):
        store.reverse_entry(
            next(e.id for e in store.entries(w.cycle.id) if e.reverses_id),
            on=D(2024, 2, 19),
            reason="x",
        )
    with pytest.raises(vsla.EntryNotReversible, match="already reversed"):
        store.reverse_entry(interest.id, on=D(2024, 2, 19), reason="x")


# ------------------------------------------------------------------ 5. reading the past


def test_5_a_past_date_ignores_a_reversal_recorded_later(store: vsla.Store) -> None:
    w = build(store)
    loan_id = loan(w, D(2024, 1, 8), 20_000, saving=True)
    # 8 Feb: one month begun, 2 % of 20.000 = 400; 20.400 clears it
    w.meet(D(2024, 2, 8), repayments=[vsla.Repayment(loan_id=loan_id, amount=20_400)])
    repayment = entry(w, EntryKind.PRINCIPAL_REPAYMENT)
    store.reverse_entry(repayment.id, on=D(2024, 3, 4), reason="the cash was counterfeit")
    feb20 = store.loan_position(loan_id, D(2024, 2, 20))
    assert (feb20.settled, feb20.principal_outstanding) == (True, 0)
    assert store.balances(w.cycle.id, D(2024, 2, 20)).loans_outstanding == 0
    # from 4 March as if never paid: months 1 and 2 charged, 800 due, overdue since 8 Feb
    # (the obligations it had met): 21 days of February + 4 of March = 25 days
    mar4 = store.loan_position(loan_id, D(2024, 3, 4))
    assert (mar4.principal_outstanding, mar4.interest_due, mar4.days_overdue) == (20_000, 800, 25)
    assert store.balances(w.cycle.id, D(2024, 3, 4)).loans_outstanding == 20_000
    gi = group_indicators(store, w.group.id, D(2024, 2, 20))
    assert gi.loans_outstanding == 0
    gi = group_indicators(store, w.group.id, D(2024, 3, 4))
    assert (gi.loans_outstanding, gi.par[1].numerator) == (20_000, 20_000)


# ---------------------------------------------------------------- 6. cycles do not overlap


def test_6_a_cycle_cannot_start_before_the_previous_share_out(store: vsla.Store) -> None:
    w = build(store)
    savings_meeting(w, D(2024, 1, 8))
    store.share_out(w.cycle.id, on=D(2024, 6, 3))
    before = snapshot(store)
    for start in (store.start_cycle, store.start_next_cycle):
        key = w.group.id if start is store.start_cycle else w.cycle.id
        with pytest.raises(
            vsla.InvalidInput, match="before the share-out of cycle 1 on 2024-06-03"
        ):
            start(key, start=D(2024, 6, 2), end=D(2024, 12, 30), constitution=w.cycle.constitution)
    assert snapshot(store) == before
    nxt = store.start_cycle(
        w.group.id, start=D(2024, 6, 3), end=D(2024, 12, 30), constitution=w.cycle.constitution
    )
    # a report inside the old cycle reads the old cycle
    assert group_indicators(store, w.group.id, D(2024, 5, 1)).savings == 100_000
    assert store.balances(nxt.id).savings == 0


# ----------------------------------------------------------------- 7. a cancelled ref


def test_7_the_ref_of_a_cancelled_loan_is_refused_clearly(store: vsla.Store) -> None:
    w = build(store)
    savings_meeting(w, D(2024, 1, 8))
    request = vsla.LoanRequest(member_id=w.id(A), principal=20_000, term_months=1, ref="app-1")
    w.meet(D(2024, 1, 15), loans=[request])
    store.reverse_entry(entry(w, EntryKind.LOAN_DISBURSEMENT).id, on=D(2024, 1, 22), reason="x")
    before = snapshot(store)
    # the ref is the loan's client id (docs/sync.md): sent again with another meeting, it
    # is a conflict naming what differs
    with pytest.raises(
        vsla.SyncConflict,
        match=r"loan client id 'app-1' already names loan #\d+, .*date: stored '2024-01-15', "
        r"given '2024-01-29'",
    ):
        w.meet(D(2024, 1, 29), loans=[request])
    assert snapshot(store) == before


# ---------------------------------------------------------------- 8. nested blocks


def test_8_a_failed_inner_block_rolls_back_to_where_it_began(store: vsla.Store) -> None:
    w = build(store)
    with store.transaction():
        savings_meeting(w, D(2024, 1, 8))
        try:
            with store.transaction():
                w.meet(D(2024, 1, 15), share_purchases={w.id(A): 1})
                try:
                    with store.transaction():
                        w.meet(D(2024, 1, 22), share_purchases={w.id(B): 1})
                        raise RuntimeError("innermost")
                except RuntimeError:
                    pass
                raise RuntimeError("inner")
        except RuntimeError:
            pass
        w.meet(D(2024, 1, 29), share_purchases={w.id(B): 2})
    # kept: 8 January (10 shares) and 29 January (2 shares) only
    assert [m.date for m in store.meetings(w.cycle.id)] == [D(2024, 1, 8), D(2024, 1, 29)]
    assert store.balances(w.cycle.id).shares == 12


def test_8_an_import_that_fails_inside_a_block_leaves_nothing(
    store: vsla.Store, tmp_path: Path
) -> None:
    w = build(store)
    path = tmp_path / "meetings.csv"
    # the first meeting is good; the second lends 900.000 to a member with 10.000 saved
    path.write_text(
        "group_code,date,member_number,shares,loan_principal,loan_term_months\n"
        f"{w.group.code},15/01/2024,1,1,,\n"
        f"{w.group.code},22/01/2024,2,,900000,1\n",
        encoding="utf-8",
    )
    with store.transaction():
        savings_meeting(w, D(2024, 1, 8))
        with pytest.raises(vsla.ImportErrors, match="max_loan_multiple"):
            import_file(store, "meetings", path)
    # the block kept its own meeting and nothing of the import
    assert [m.date for m in store.meetings(w.cycle.id)] == [D(2024, 1, 8)]
    assert store.balances(w.cycle.id).shares == 10


# ------------------------------------------------------------ 9. export and restore


def test_9_corrections_before_a_meeting_of_the_same_date_restore(
    store: vsla.Store, tmp_path: Path
) -> None:
    w = build(store, names=("Y Hoa", "A Blưp", "Y Nhí"))
    savings_meeting(w, D(2024, 1, 8), fines=[vsla.FinePaid(member_id=w.id(A), fine="late")])
    first = loan(w, D(2024, 1, 15), 20_000)
    day = D(2024, 2, 19)
    store.write_off(first, on=day, reason="moved away")  # before that day's meeting
    store.reverse_entry(entry(w, EntryKind.FINE).id, on=day, reason="not late")
    store.settle_member_exit(w.id("Y Nhí"), on=day)
    savings_meeting(w, day)
    path = tmp_path / "programme.json"
    export_programme(store, path)
    again = fresh_store("sqlite")
    import_file(again, "programme", path)
    cycle = again.current_cycle(again.group(w.group.code).id)
    assert again.balances(cycle.id) == store.balances(w.cycle.id)
    assert [(e.kind, e.origin, e.amount) for e in again.entries(cycle.id)] == [
        (e.kind, e.origin, e.amount) for e in store.entries(w.cycle.id)
    ]
    exported = json.loads(path.read_text(encoding="utf-8"))["tables"]["entries"]
    assert {row["origin"] for row in exported} == {"meeting", "write_off", "reversal"}


# ------------------------------------------------------------ 10. a cancelled loan's past


def test_10_a_loan_cancelled_later_reads_normally_before(store: vsla.Store) -> None:
    w = build(store)
    loan_id = loan(w, D(2024, 1, 8), 20_000, saving=True)
    store.reverse_entry(entry(w, EntryKind.LOAN_DISBURSEMENT).id, on=D(2024, 2, 19), reason="x")
    # 1 February: month 1 begun: 400 due, the 20.000 outstanding as balances say
    pos = store.loan_position(loan_id, D(2024, 2, 1))
    assert (pos.principal_outstanding, pos.interest_due) == (20_000, 400)
    assert store.balances(w.cycle.id, D(2024, 2, 1)).loans_outstanding == 20_000
    assert store.loan_statement(loan_id, D(2024, 2, 1)).position == pos
    with pytest.raises(vsla.NotFound, match="cancelled on 2024-02-19"):
        store.loan_position(loan_id, D(2024, 2, 19))
    assert store.balances(w.cycle.id, D(2024, 2, 19)).loans_outstanding == 0


# ---------------------------------------------------------------- 11. arrears by split


def test_11_interest_paid_ahead_never_covers_principal_past_due(store: vsla.Store) -> None:
    w = build(store, interest_method="flat")
    loan_id = loan(w, D(2024, 1, 10), 100_000, saving=True)
    # 10 Feb (due date): 1 month begun, 2.000 interest; 101.000 pays 2.000 + 99.000
    w.meet(D(2024, 2, 10), repayments=[vsla.Repayment(loan_id=loan_id, amount=101_000)])
    # 1 March: month 2 (from 10 Feb) is charged 2.000, payable 10 March: paid ahead
    w.meet(D(2024, 3, 1), repayments=[vsla.Repayment(loan_id=loan_id, amount=2_000)])
    pos = store.loan_position(loan_id, D(2024, 3, 5))
    # 1.000 of principal unpaid since 10 Feb: 19 days of February + 5 of March = 24
    assert (pos.principal_outstanding, pos.interest_due, pos.days_overdue) == (1_000, 0, 24)
    gi = group_indicators(store, w.group.id, D(2024, 3, 5))
    assert (gi.par[1].numerator, gi.par[1].denominator) == (1_000, 1_000)


def test_11_unpaid_interest_is_overdue_when_principal_was_paid_first(store: vsla.Store) -> None:
    w = build(store, payment_order="principal_first", max_term_months=2)
    loan_id = loan(w, D(2024, 1, 10), 100_000, months=2, saving=True)
    # 20 January: 50.000, all principal (principal first)
    w.meet(D(2024, 1, 20), repayments=[vsla.Repayment(loan_id=loan_id, amount=50_000)])
    # month 1's 2.000 (2 % of 100.000 outstanding on 10 Jan) was payable on 10 Feb
    pos = store.loan_position(loan_id, D(2024, 2, 20))
    assert (pos.interest_due, pos.days_overdue, pos.next_payment_on) == (3_000, 10, D(2024, 2, 10))


# ------------------------------------------------------------ 12. interest-only write-off


def test_12_a_loan_owing_only_interest_can_be_written_off(store: vsla.Store) -> None:
    w = build(store, payment_order="principal_first")
    savings_meeting(w, D(2024, 1, 8))
    loan_id = loan(w, D(2024, 1, 10), 100_000)
    # 10 Feb: 100.000, all principal; month 1's 2.000 of interest stays owed
    w.meet(D(2024, 2, 10), repayments=[vsla.Repayment(loan_id=loan_id, amount=100_000)])
    pos = store.loan_position(loan_id, D(2024, 2, 17))
    assert (pos.principal_outstanding, pos.interest_due, pos.settled) == (0, 2_000, False)
    with pytest.raises(vsla.ShareOutRefused, match=r"owes 2\.000 ₫"):
        store.share_out(w.cycle.id, on=D(2024, 2, 17))
    written = store.write_off(loan_id, on=D(2024, 2, 17), reason="forgiven by the group")
    assert (written.kind, written.amount, written.origin) == (
        EntryKind.INTEREST_WRITE_OFF,
        2_000,
        EntryOrigin.WRITE_OFF,
    )
    b = store.balances(w.cycle.id)
    assert (b.interest_written_off, b.principal_written_off, b.loan_fund_cash) == (
        2_000,
        0,
        100_000,
    )
    assert store.loan_position(loan_id, D(2024, 2, 17)).settled
    result = store.share_out(w.cycle.id, on=D(2024, 2, 17))
    assert [line.payout for line in result.lines] == [50_000, 50_000]


def test_9_an_exit_with_nothing_to_settle_restores_after_that_days_meeting(
    store: vsla.Store, tmp_path: Path
) -> None:
    """Found by the state machine: Y Nhí buys shares that are reversed (a typo), attends the
    meeting of 22 January and leaves the same day with nothing to pay (no shares, no loan):
    the exit writes no entry, yet the restore must replay it after that meeting."""
    w = build(store, names=("Y Hoa", "A Blưp", "Y Nhí"))
    nhi = w.id("Y Nhí")
    record = w.meet(D(2024, 1, 8), share_purchases={w.id(A): 5, nhi: 1})
    typo = next(e for e in record.entries if e.member_id == nhi)
    store.reverse_entry(typo.id, on=D(2024, 1, 15), reason="typo")
    w.meet(D(2024, 1, 22), attendance={nhi: vsla.Attendance.PRESENT})
    settlement = store.settle_member_exit(nhi, on=D(2024, 1, 22))
    assert (settlement.gross, settlement.cash_paid) == (0, 0)
    path = tmp_path / "programme.json"
    export_programme(store, path)
    again = fresh_store("sqlite")
    import_file(again, "programme", path)
    group = again.group(w.group.code)
    cycle = again.current_cycle(group.id)
    assert again.balances(cycle.id) == store.balances(w.cycle.id)
    assert [m.left_on for m in again.members(group.id)] == [None, None, D(2024, 1, 22)]
    assert group_indicators(again, group.id, D(2024, 1, 22)) == group_indicators(
        store, w.group.id, D(2024, 1, 22)
    )
