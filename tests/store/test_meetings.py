"""Meetings recorded through the store, on SQLite and PostgreSQL: worked examples and every
refusal rule of docs/meetings.md, each checked to leave the database exactly as it was."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

import vsla
from tests.conftest import snapshot
from tests.store.helpers import START, World, build

D1, D2, D3 = START, START + dt.timedelta(days=7), START + dt.timedelta(days=14)
P, R, A = vsla.Attendance.PRESENT, vsla.Attendance.REPRESENTED, vsla.Attendance.ABSENT


def first_meeting(w: World) -> vsla.MeetingRecord:
    """Meeting 1: shares Y Hoa 5, A Blưp 3, Y Nhí 1 = 9 × 10.000 = 90.000 ₫;
    contributions 3 × 2.000 = 6.000 ₫; Đinh Thị Lệ absent, fined 5.000 ₫;
    A Blưp late, fined 1.000 ₫. Loan fund 90.000 + 5.000 + 1.000 = 96.000 ₫."""
    return w.meet(
        D1,
        attendance={w.id("Y Hoa"): P, w.id("A Blưp"): P, w.id("Y Nhí"): R, w.id("Đinh Thị Lệ"): A},
        social_fund_contributions={
            w.id("Y Hoa"): 2_000,
            w.id("A Blưp"): 2_000,
            w.id("Y Nhí"): 2_000,
        },
        share_purchases={w.id("Y Hoa"): 5, w.id("A Blưp"): 3, w.id("Y Nhí"): 1},
        fines=[
            vsla.FinePaid(member_id=w.id("Đinh Thị Lệ"), fine="absence"),
            vsla.FinePaid(member_id=w.id("A Blưp"), fine="late"),
        ],
    )


def test_first_meeting_balances(store: vsla.Store) -> None:
    w = build(store)
    record = first_meeting(w)
    assert record.number == 1
    assert len(record.entries) == 3 + 3 + 2
    b = store.balances(w.cycle.id)
    assert b.loan_fund_cash == 96_000
    assert b.social_fund_cash == 6_000
    assert b.shares == 9
    assert b.savings == 90_000
    assert b.fines == 6_000
    assert b.loans_outstanding == 0
    assert b.total_assets == 102_000
    by_member = {mb.member_id: mb for mb in store.member_balances(w.cycle.id)}
    assert by_member[w.id("Y Hoa")].savings == 50_000
    assert by_member[w.id("A Blưp")].fines == 1_000
    assert by_member[w.id("Đinh Thị Lệ")].shares == 0
    assert store.meetings(w.cycle.id)[0].attendance[w.id("Y Nhí")] is R


def test_second_meeting_with_loan_grant_income_and_expense(store: vsla.Store) -> None:
    """Meeting 2 on top of meeting 1 (loan fund 96.000, social fund 6.000):
    + shares 2 × 10.000 (Đinh Thị Lệ) = 20.000      -> 116.000
    + bank interest 3.000 (other income)            -> 119.000
    − stationery 4.000 (expense)                    -> 115.000
    − loan to Y Hoa 100.000 (savings 50.000 × 3 = 150.000 allowed) -> 15.000
    social fund: + 4 × 2.000 = 8.000 -> 14.000, − grant 10.000 to Y Nhí -> 4.000."""
    w = build(store)
    first_meeting(w)
    rec = w.meet(
        D2,
        social_fund_contributions={w.id(n): 2_000 for n in w.m},
        share_purchases={w.id("Đinh Thị Lệ"): 2},
        other_income=[vsla.Income(amount=3_000, memo="bank interest")],
        expenses=[vsla.Expense(amount=4_000, memo="stationery")],
        social_fund_grants=[
            vsla.SocialFundGrant(member_id=w.id("Y Nhí"), amount=10_000, reason="illness")
        ],
        loans=[
            vsla.LoanRequest(
                member_id=w.id("Y Hoa"),
                principal=100_000,
                term_months=3,
                purpose=vsla.LoanPurpose.LIVESTOCK,
            )
        ],
    )
    b = store.balances(w.cycle.id)
    assert (b.loan_fund_cash, b.social_fund_cash, b.loans_outstanding) == (15_000, 4_000, 100_000)
    assert b.total_assets == 119_000
    # the balances at the first meeting's date are still those of meeting 1
    assert store.balances(w.cycle.id, on=D1).loan_fund_cash == 96_000
    [loan] = store.loans(w.cycle.id)
    assert loan.member_id == w.id("Y Hoa")
    assert loan.terms.principal == 100_000
    assert loan.purpose is vsla.LoanPurpose.LIVESTOCK
    assert [e.kind for e in rec.entries][-1] is vsla.EntryKind.LOAN_DISBURSEMENT
    # the balance history has one point per meeting date, each equal to balances(on=date)
    history = store.balance_history(w.cycle.id)
    assert [(day, b.loan_fund_cash, b.social_fund_cash) for day, b in history] == [
        (D1, 96_000, 6_000),
        (D2, 15_000, 4_000),
    ]
    assert history[0][1] == store.balances(w.cycle.id, on=D1)
    # the same balances from the entries in memory (reference path) as from SQL sums
    mem = vsla.balances_from_entries(store.entries(w.cycle.id), share_value=10_000)
    assert mem == b


def test_shares_bought_at_a_meeting_count_towards_a_loan_at_it(store: vsla.Store) -> None:
    """Đinh Thị Lệ has no savings; she buys 5 shares (50.000 ₫) and borrows 150.000 ₫
    (= 3 × 50.000) at the same meeting: allowed because shares come before loans."""
    w = build(store)
    first_meeting(w)
    w.meet(
        D2,
        share_purchases={w.id("Đinh Thị Lệ"): 5},
        loans=[vsla.LoanRequest(member_id=w.id("Đinh Thị Lệ"), principal=146_000, term_months=1)],
    )
    assert store.balances(w.cycle.id).loan_fund_cash == 96_000 + 50_000 - 146_000


def _refused(
    store: vsla.Store, action: Callable[[], object], error: type[vsla.VslaError], *needles: str
) -> str:
    before = snapshot(store)
    with pytest.raises(error) as info:
        action()
    message = str(info.value)
    for needle in needles:
        assert needle in message, f"{needle!r} not in {message!r}"
    assert snapshot(store) == before, "a refused operation wrote something"
    return message


def test_refusals_write_nothing(store: vsla.Store) -> None:
    w = build(store)
    first_meeting(w)  # loan fund 96.000, social fund 6.000
    hoa, blup, nhi, le = (w.id(n) for n in ("Y Hoa", "A Blưp", "Y Nhí", "Đinh Thị Lệ"))
    # 6 shares > max 5; the whole meeting (including the valid contribution) is refused
    _refused(
        store,
        lambda: w.meet(D2, social_fund_contributions={hoa: 2_000}, share_purchases={blup: 6}),
        vsla.SharesOutOfRange,
        "KT-DG-001",
        "A Blưp",
        "6 share",
        "60.000 ₫",
        "1 to 5",
    )
    # a grant larger than the social fund (6.000 + 2.000 contributed = 8.000)
    _refused(
        store,
        lambda: w.meet(
            D2,
            social_fund_contributions={hoa: 2_000},
            social_fund_grants=[vsla.SocialFundGrant(member_id=nhi, amount=9_000)],
        ),
        vsla.BoxWouldGoNegative,
        "KT-DG-001",
        "Y Nhí",
        "9.000 ₫",
        "social fund",
        "8.000 ₫",
    )
    # a loan larger than the cash in the loan fund (96.000)
    _refused(
        store,
        lambda: w.meet(
            D2, loans=[vsla.LoanRequest(member_id=hoa, principal=100_000, term_months=1)]
        ),
        vsla.BoxWouldGoNegative,
        "Y Hoa",
        "100.000 ₫",
        "loan fund",
        "96.000 ₫",
    )
    # a loan above 3 × savings: A Blưp has 30.000 ₫ of savings, may owe 90.000 ₫
    _refused(
        store,
        lambda: w.meet(
            D2, loans=[vsla.LoanRequest(member_id=blup, principal=91_000, term_months=1)]
        ),
        vsla.LoanLimitExceeded,
        "A Blưp",
        "91.000 ₫",
        "30.000 ₫",
        "90.000 ₫",
        "max_loan_multiple",
    )
    # a term beyond max_term_months = 3
    _refused(
        store,
        lambda: w.meet(
            D2, loans=[vsla.LoanRequest(member_id=hoa, principal=10_000, term_months=4)]
        ),
        vsla.LoanLimitExceeded,
        "Y Hoa",
        "4 months",
        "maximum term of 3",
    )
    # an expense larger than the cash
    _refused(
        store,
        lambda: w.meet(D2, expenses=[vsla.Expense(amount=96_001, memo="padlock")]),
        vsla.BoxWouldGoNegative,
        "96.001 ₫",
        "padlock",
    )
    # a contribution that is not a multiple of 2.000
    _refused(
        store,
        lambda: w.meet(D2, social_fund_contributions={le: 3_000}),
        vsla.InvalidInput,
        "Đinh Thị Lệ",
        "3.000 ₫",
        "2.000 ₫",
    )
    # a fine the constitution does not name
    _refused(
        store,
        lambda: w.meet(D2, fines=[vsla.FinePaid(member_id=le, fine="noise")]),
        vsla.InvalidInput,
        "'noise'",
        "absence, late",
    )
    # a meeting date outside the cycle, before the last meeting, or on the same day
    _refused(store, lambda: w.meet(dt.date(2025, 1, 1)), vsla.DateOutsideCycle, "outside the cycle")
    _refused(store, lambda: w.meet(D1 - dt.timedelta(days=1)), vsla.DateOutsideCycle, "outside")
    _refused(store, lambda: w.meet(D1), vsla.DateOutsideCycle, "already recorded")


def test_member_of_another_group_or_inactive_is_refused(store: vsla.Store) -> None:
    w = build(store)
    other = build(store, names=("Y Mai",), code="KT-KP-002")
    first_meeting(w)
    _refused(
        store,
        lambda: w.meet(D2, share_purchases={other.id("Y Mai"): 1}),
        vsla.NotFound,
        "KT-DG-001",
        f"#{other.id('Y Mai')}",
        "not a member of this group",
    )
    late = store.add_member(
        vsla.NewMember(group_id=w.group.id, full_name="Y Rơ", sex=vsla.Sex.FEMALE, joined_on=D3)
    )
    _refused(
        store,
        lambda: w.meet(D2, share_purchases={late.id: 1}),
        vsla.MemberNotActive,
        "Y Rơ",
        "not active",
    )


def test_reversal_is_a_new_entry_and_history_stays(store: vsla.Store) -> None:
    """Y Hoa's 5 shares (50.000 ₫) were typed for A Blưp's 3: reverse and re-record.
    Loan fund after meeting 1 is 96.000; reversing 50.000 gives 46.000."""
    w = build(store)
    rec = first_meeting(w)
    purchase = next(
        e
        for e in rec.entries
        if e.kind is vsla.EntryKind.SHARE_PURCHASE and e.member_id == w.id("Y Hoa")
    )
    reversal = store.reverse_entry(purchase.id, on=D2, reason="typed in the wrong row")
    assert (reversal.amount, reversal.shares, reversal.reverses_id) == (-50_000, -5, purchase.id)
    b = store.balances(w.cycle.id)
    assert (b.loan_fund_cash, b.shares) == (46_000, 4)
    entries = store.entries(w.cycle.id)
    assert purchase in entries  # the original is still there, untouched
    _refused(
        store,
        lambda: store.reverse_entry(purchase.id, on=D2, reason="again"),
        vsla.EntryNotReversible,
        "already reversed",
    )
    _refused(
        store,
        lambda: store.reverse_entry(reversal.id, on=D2, reason="undo"),
        vsla.EntryNotReversible,
        "itself a reversal",
    )


def test_reversal_that_would_empty_a_box_is_refused(store: vsla.Store) -> None:
    """After a 90.000 ₫ loan the loan fund holds 6.000 ₫: reversing Y Hoa's 50.000 ₫
    purchase would leave −44.000 ₫."""
    w = build(store)
    rec = first_meeting(w)
    w.meet(D2, loans=[vsla.LoanRequest(member_id=w.id("Y Hoa"), principal=90_000, term_months=1)])
    purchase = next(e for e in rec.entries if e.kind is vsla.EntryKind.SHARE_PURCHASE)
    _refused(
        store,
        lambda: store.reverse_entry(purchase.id, on=D2, reason="wrong"),
        vsla.BoxWouldGoNegative,
        "loan fund",
    )


def test_vietnamese_text_round_trips(store: vsla.Store) -> None:
    import unicodedata

    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Hạnh")
    w = build(store, names=("A Blưp",))
    m = store.add_member(
        vsla.NewMember(
            group_id=w.group.id,
            full_name=decomposed,
            sex=vsla.Sex.FEMALE,
            ethnicity="Giẻ Triêng",
            joined_on=START,
        )
    )
    again = store.member(m.id)
    assert again.full_name == "Nguyễn Thị Hạnh"  # stored in NFC
    assert again.ethnicity == "Giẻ Triêng"
    assert store.group("KT-DG-001").district == "Đắk Glei"
    assert store.group(w.group.id).name == "Tổ tiết kiệm thôn Đăk Nhoong"


def test_invalid_records_raise_vsla_errors(store: vsla.Store) -> None:
    with pytest.raises(vsla.InvalidInput, match="left_on"):
        vsla.NewMember(
            group_id=1,
            full_name="Y Hoa",
            sex=vsla.Sex.FEMALE,
            joined_on=START,
            left_on=START - dt.timedelta(days=1),
        )
    with pytest.raises(vsla.NotFound, match="group #999"):
        store.add_member(vsla.NewMember(group_id=999, full_name="Y Hoa", sex="F", joined_on=START))
    w = build(store)
    with pytest.raises(vsla.InvalidInput, match="already used"):
        build(store)
    with pytest.raises(vsla.InvalidInput, match="still running"):
        store.start_cycle(
            w.group.id,
            start=START,
            end=START + dt.timedelta(days=200),
            constitution=w.cycle.constitution,
        )


def test_cycle_and_officers_round_trip(store: vsla.Store) -> None:
    w = build(store)
    assert store.cycle(w.cycle.id) == w.cycle
    group2 = build(store, names=("Y Mai", "A Thương"), code="KT-NH-003")
    c2 = store.cycles(group2.group.id)[0]
    assert c2.constitution.share_value == 10_000
    g = store.add_group(vsla.NewGroup(code="X", name="X", established_on=START))
    [chair, keeper] = store.add_members(
        [
            vsla.NewMember(group_id=g.id, full_name="Y Lan", sex="F", joined_on=START),
            vsla.NewMember(group_id=g.id, full_name="A Tuấn", sex="M", joined_on=START),
        ]
    )
    c = store.start_cycle(
        g.id,
        start=START,
        end=START + dt.timedelta(days=180),
        constitution=w.cycle.constitution,
        officers={
            chair.id: vsla.OfficerRole.CHAIR,
            keeper.id: [vsla.OfficerRole.BOX_KEEPER, vsla.OfficerRole.KEY_HOLDER],
        },
    )
    again = store.cycle(c.id)
    assert again.officers[chair.id] == (vsla.OfficerRole.CHAIR,)
    assert set(again.officers[keeper.id]) == {
        vsla.OfficerRole.BOX_KEEPER,
        vsla.OfficerRole.KEY_HOLDER,
    }


def test_a_bookkeeping_meeting_does_not_take_the_date_of_the_real_one(store: vsla.Store) -> None:
    """A write-off decided on 22/01 is entered before that day's meeting: the meeting can
    still be recorded on 22/01, once."""
    w = build(store)
    first_meeting(w)
    rec = w.meet(
        D2, loans=[vsla.LoanRequest(member_id=w.id("Y Hoa"), principal=10_000, term_months=1)]
    )
    [loan_id] = {e.loan_id for e in rec.entries if e.loan_id is not None}
    assert loan_id is not None
    store.write_off(loan_id, on=D3, reason="died")
    w.meet(D3, share_purchases={w.id("A Blưp"): 1})
    assert [m.number for m in store.meetings(w.cycle.id)] == [1, 2, 3]
    _refused(store, lambda: w.meet(D3), vsla.DateOutsideCycle, "already recorded")


def test_officer_roles_may_be_given_as_text(store: vsla.Store) -> None:
    g = store.add_group(vsla.NewGroup(code="R", name="R", established_on=START))
    [lan] = store.add_members(
        [vsla.NewMember(group_id=g.id, full_name="Y Lan", sex="F", joined_on=START)]
    )
    c = store.start_cycle(
        g.id,
        start=START,
        end=START + dt.timedelta(days=90),
        constitution=vsla.Constitution(share_value=1_000, interest_rate="0.01"),
        officers={lan.id: "chair"},
    )
    assert store.cycle(c.id).officers[lan.id] == (vsla.OfficerRole.CHAIR,)


def test_activity_after_a_member_left_is_refused(store: vsla.Store) -> None:
    w = build(store)
    store.settle_member_exit(w.id("Y Nhí"), on=D2)
    with pytest.raises(vsla.InvalidInput, match="left the group on 2024-01-15"):
        store.add_referral(
            vsla.NewReferral(
                member_id=w.id("Y Nhí"),
                institution=vsla.Institution.VBSP,
                service="loan",
                referred_on=D3,
            )
        )


def test_connection_reads_what_a_transaction_has_written(store: vsla.Store) -> None:
    from sqlalchemy import func, select

    from vsla.store import tables

    w = build(store)
    with store.transaction():
        first_meeting(w)
        with store.connection() as conn:
            count = conn.execute(select(func.count()).select_from(tables.entries)).scalar_one()
        assert count == 8  # 3 contributions + 3 share purchases + 2 fines, not yet committed
