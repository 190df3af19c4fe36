"""Passbooks and minutes from the store: Y Hương's hand-worked cycle (tests.store.paper_world),
on SQLite and PostgreSQL."""

from __future__ import annotations

import contextlib
import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import vsla
from tests.store.paper_world import D1, D2, D3, D4, D5, D6, END, paper_world
from tests.strategies import constitutions, meetings


def test_a_passbook_line_by_line_worked_by_hand(store: vsla.Store) -> None:
    pw = paper_world(store)
    book = store.passbook(pw.world.cycle.id, pw.huong.id)
    got = [
        (
            x.meeting_number,
            x.date,
            x.attendance,
            x.shares_bought,
            x.shares,
            x.savings,
            x.social_fund,
            x.fines,
            x.loan_disbursed,
            x.interest_paid,
            x.principal_repaid,
            x.written_off,
            x.loan_balance,
            x.corrections,
        )
        for x in book.lines
    ]
    P, A = vsla.Attendance.PRESENT, vsla.Attendance.ABSENT  # noqa: N806 (a column of P and A)
    assert got == [
        # 3 shares x 10.000 = 30.000 saved
        (1, D1, P, 3, 3, 30_000, 2_000, 0, 0, 0, 0, 0, 0, 0),
        # 3 + 2 = 5 shares, 50.000; borrows 100.000 (limit 3 x 50.000 = 150.000)
        (2, D2, P, 2, 5, 50_000, 2_000, 0, 100_000, 0, 0, 0, 100_000, 0),
        # 4 March: month 1 (from 5 Feb) has begun, month 2 (5 Mar) not yet: interest
        # 2 % x 100.000 = 2.000; of 52.000, 2.000 interest first, 50.000 principal
        (3, D3, A, 0, 5, 50_000, 0, 5_000, 0, 2_000, 50_000, 0, 50_000, 0),
        # 1 April: month 2 began 5 Mar on 50.000: 2 % x 50.000 = 1.000 more interest;
        # of 51.000, 1.000 interest and 50.000 principal: the loan is repaid
        (4, D4, P, 1, 6, 60_000, 2_000, 0, 0, 1_000, 50_000, 0, 0, 0),
        # 2 shares bought, the 1 share of meeting 4 reversed here: 2 - 1 = 1 on this
        # line, 6 + 1 = 7 shares, 70.000; borrows 60.000
        (5, D5, P, 1, 7, 70_000, 2_000, 0, 60_000, 0, 0, 0, 60_000, 1),
        # 10 June, a write-off on its own (no attendance): months 1 (6 May) and 2 (6 Jun)
        # begun, 2 x 2 % x 60.000 = 2.400 interest due; 60.000 + 2.400 written off
        (6, D6, None, 0, 7, 70_000, 0, 0, 0, 0, 0, 62_400, 0, 0),
        # the share-out meeting: nothing but the payout
        (7, END, None, 0, 7, 70_000, 0, 0, 0, 0, 0, 0, 0, 0),
    ]
    assert book.totals() == {
        "shares_bought": 7,  # 3 + 2 + 1 + 1
        "social_fund": 8_000,  # 4 x 2.000
        "fines": 5_000,
        "loan_disbursed": 160_000,  # 100.000 + 60.000
        "interest_paid": 3_000,  # 2.000 + 1.000
        "principal_repaid": 100_000,
        "written_off": 62_400,
    }
    # loan fund at the share-out: shares 70.000 + 200.000 (A Blưp, Lành: 10 each), fines
    # 5.000, interest 3.000, repaid 100.000, lent 160.000: 218.000 for 7 + 10 + 10 = 27
    # shares; Y Hương gets floor(7 x 218.000 / 27) = floor(56.518,5) = 56.518
    s = book.settlement
    assert s is not None
    assert not s.exit
    assert (s.date, s.shares, s.savings, s.payout, s.netted, s.cash_paid, s.profit) == (
        END,
        7,
        70_000,
        56_518,
        0,
        56_518,
        56_518 - 70_000,
    )
    assert store.share_out_result(pw.world.cycle.id).line_of(pw.huong.id).payout == 56_518


def test_cumulative_figures_equal_member_balances_and_loan_positions(store: vsla.Store) -> None:
    pw = paper_world(store)
    cycle_id, h = pw.world.cycle.id, pw.huong.id
    book = store.passbook(cycle_id, h)
    social = fines = 0
    for line in book.lines:
        social += line.social_fund
        fines += line.fines
        b = next(x for x in store.member_balances(cycle_id, line.date) if x.member_id == h)
        assert (line.shares, line.savings, line.loan_balance) == (
            b.shares,
            b.savings,
            b.principal_outstanding,
        ), line.date
        assert (social, fines) == (b.social_fund_contributions, b.fines), line.date
        positions = [
            store.loan_position(loan.id, line.date).principal_outstanding
            for loan in store.loans(cycle_id, member_id=h)
            if loan.terms.disbursed_on <= line.date
        ]
        assert line.loan_balance == sum(positions), line.date


def test_a_member_who_leaves_ends_with_an_exit_line(store: vsla.Store) -> None:
    pw = paper_world(store, share_out=False)
    blup = pw.world.m["A Blưp"]
    store.settle_member_exit(blup.id, on=dt.date(2024, 7, 1))
    book = store.passbook(pw.world.cycle.id, blup.id)
    s = book.settlement
    # 5 + 5 shares x 10.000 = 100.000 back (policy: savings only), no loan to net
    assert s is not None
    assert s.exit
    assert (s.shares, s.savings, s.payout, s.netted, s.cash_paid) == (
        10,
        100_000,
        100_000,
        0,
        100_000,
    )
    assert book.lines[-1].shares == 0  # the exit takes the shares out of the cycle


def test_every_passbook_of_the_group_in_number_order(store: vsla.Store) -> None:
    pw = paper_world(store)
    books = store.passbooks(pw.world.cycle.id)
    assert [(b.member.number, b.member.full_name) for b in books] == [
        (1, "Y Hương"),
        (2, "A Blưp"),
        (3, "Đinh Thị Lành"),
    ]
    assert books[2].lines[-1].shares == 10
    with pytest.raises(vsla.NotFound, match="not a member of group KT-DG-001"):
        store.passbooks(pw.world.cycle.id, member_ids=[99_999])


def test_a_passbook_is_a_dataframe(store: vsla.Store) -> None:
    pytest.importorskip("pandas")
    pw = paper_world(store)
    frame = store.passbook(pw.world.cycle.id, pw.huong.id).to_dataframe()
    assert list(frame["savings"]) == [30_000, 50_000, 50_000, 60_000, 70_000, 70_000, 70_000]
    assert list(frame["loan_balance"]) == [0, 100_000, 50_000, 0, 60_000, 0, 0]


def test_minutes_of_a_meeting_with_a_loan(store: vsla.Store) -> None:
    pw = paper_world(store)
    cycle_id = pw.world.cycle.id
    m = store.minutes(cycle_id, D2)
    assert (m.meeting_number, m.present, m.represented, m.absent) == (2, 3, 0, 0)
    assert [
        (a.member.number, a.member.full_name, a.share_money, a.social_fund) for a in m.activity
    ] == [
        (1, "Y Hương", 20_000, 2_000),
        (2, "A Blưp", 50_000, 2_000),
        (3, "Đinh Thị Lành", 50_000, 2_000),
    ]
    # before: meeting 1's 13 shares = 130.000 and 3 x 2.000 = 6.000 social fund
    # after: 130.000 + 120.000 shares - 100.000 lent = 150.000; 6.000 + 6.000 = 12.000
    assert (m.before.loan_fund_cash, m.before.social_fund_cash, m.before.loans_outstanding) == (
        130_000,
        6_000,
        0,
    )
    assert (m.after.loan_fund_cash, m.after.social_fund_cash, m.after.loans_outstanding) == (
        150_000,
        12_000,
        100_000,
    )
    assert m.after == store.balances(cycle_id, D2)
    assert m.before == store.balances(cycle_id, D1)
    # a 2-month loan of 5 February is due at the end of month 2: 5 April
    [loan] = m.loans
    assert (loan.member.full_name, loan.terms.principal, loan.due_on) == (
        "Y Hương",
        100_000,
        dt.date(2024, 4, 5),
    )


def test_minutes_show_a_correction_and_refuse_a_day_without_a_meeting(
    store: vsla.Store,
) -> None:
    pw = paper_world(store)
    m = store.minutes(pw.world.cycle.id, D5)
    huong = m.activity[0]
    # 2 shares bought, 1 reversed: 1 share, 10.000; one correction
    assert (huong.shares_bought, huong.share_money, huong.corrections) == (1, 10_000, 1)
    assert m.after.loan_fund_cash - m.before.loan_fund_cash == 10_000 - 60_000
    with pytest.raises(vsla.NotFound, match="no meeting on 2024-05-07"):
        store.minutes(pw.world.cycle.id, dt.date(2024, 5, 7))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rules=constitutions(), data=st.data())
def test_any_cycle_passbooks_and_minutes_agree_with_the_ledger(
    rules: vsla.Constitution, data: st.DataObject
) -> None:
    """Whatever the meetings (refused ones skipped, some entries reversed), every member's
    passbook after each line equals member_balances on that date, and each meeting's
    minutes' boxes equal the balances before and after it."""
    store = vsla.open(":memory:")
    start = dt.date(2024, 1, 8)
    group = store.add_group(vsla.NewGroup(code="P1", name="Tổ Đăk Pék", established_on=start))
    members = store.add_members(
        [
            vsla.NewMember(group_id=group.id, full_name=f"Y Mơ {i}", sex="F", joined_on=start)
            for i in range(3)
        ]
    )
    cycle = store.start_cycle(
        group.id, start=start, end=start + dt.timedelta(days=300), constitution=rules
    )
    ids = [m.id for m in members]
    for week in range(1, 6):
        day = start + dt.timedelta(days=7 * week)
        loan_ids = [loan.id for loan in store.loans(cycle.id, include_cancelled=False)]
        kwargs = data.draw(meetings(ids, loan_ids, rules))
        with contextlib.suppress(vsla.VslaError):
            store.record_meeting(cycle.id, vsla.MeetingInput(date=day, **kwargs))
        entries = store.entries(cycle.id)
        reverse_one: bool = data.draw(st.booleans())
        if entries and reverse_one:
            target = data.draw(st.sampled_from(entries))
            with contextlib.suppress(vsla.VslaError):
                store.reverse_entry(target.id, on=day, reason="a mistake")
    for book in store.passbooks(cycle.id):
        social = fines = 0
        for line in book.lines:
            social += line.social_fund
            fines += line.fines
            b = next(
                x
                for x in store.member_balances(cycle.id, line.date)
                if x.member_id == book.member.id
            )
            assert (line.shares, line.savings, line.loan_balance, social, fines) == (
                b.shares,
                b.savings,
                b.principal_outstanding,
                b.social_fund_contributions,
                b.fines,
            )
    for meeting in store.meetings(cycle.id):
        m = store.minutes(cycle.id, meeting.date)
        assert m.after == store.balances(cycle.id, meeting.date)
        assert m.before == store.balances(cycle.id, meeting.date - dt.timedelta(days=1))
    store.close()
