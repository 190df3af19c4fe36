"""Late meetings: a meeting dated before meetings already recorded (docs/sync.md).

Accepted when every later meeting and correction stays exactly as recorded; otherwise
refused, nothing written, naming the first later meeting and entry that would change.

The group of ``tests.store.helpers``: a share is 10.000 ₫, the social fund 2.000 ₫, loans
2 % a month on the declining balance.

- 8 January: Y Hoa buys 5 shares, A Blưp 3: the loan fund holds 80.000 ₫.
- 22 January: Y Hoa buys 2 shares; A Blưp borrows 60.000 ₫ for two months (3 × 30.000 ₫
  of savings allows 90.000 ₫): 80.000 + 20.000 − 60.000 = 40.000 ₫.
- 5 February: A Blưp repays 20.000 ₫: month 1's interest, 2 % of 60.000 = 1.200 ₫, then
  18.800 ₫ of principal: 60.000 ₫ in the box.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

import vsla
from tests.conftest import snapshot
from tests.store.helpers import START, World, build
from vsla.domain.ledger import EntryKind
from vsla.store.loanmarks import stored_marks

D = dt.date
JAN8, JAN15, JAN22, FEB1, FEB5, FEB12 = (
    START,
    D(2024, 1, 15),
    D(2024, 1, 22),
    D(2024, 2, 1),
    D(2024, 2, 5),
    D(2024, 2, 12),
)
HOA, BLUP, NHI = "Y Hoa", "A Blưp", "Y Nhí"


def history(store: vsla.Store) -> World:
    w = build(store)
    w.meet(JAN8, share_purchases={w.id(HOA): 5, w.id(BLUP): 3})
    w.meet(
        JAN22,
        share_purchases={w.id(HOA): 2},
        loans=[vsla.LoanRequest(member_id=w.id(BLUP), principal=60_000, term_months=2, ref="b")],
    )
    w.meet(FEB5, repayments=[vsla.Repayment(loan_ref="b", amount=20_000)])
    assert store.balances(w.cycle.id).loan_fund_cash == 60_000
    return w


def refused(w: World, day: dt.date, **items: Any) -> vsla.LateMeetingRefused:
    before = snapshot(w.store)
    with pytest.raises(vsla.LateMeetingRefused) as error:
        w.meet(day, **items)
    assert snapshot(w.store) == before
    return error.value


def test_a_late_meeting_of_savings_and_social_fund_is_accepted(store: vsla.Store) -> None:
    """15 January, sent after 5 February: Y Hoa buys 1 share and pays 2.000 ₫ to the social
    fund, Y Nhí buys 2 shares. Nothing later depends on it: 60.000 + 30.000 = 90.000 ₫."""
    w = history(store)
    record = w.meet(
        JAN15,
        share_purchases={w.id(HOA): 1, w.id(NHI): 2},
        social_fund_contributions={w.id(HOA): 2_000},
    )
    assert record.date == JAN15
    assert record.number == 4  # numbered in the order recorded
    assert [(e.kind, e.amount) for e in record.entries] == [
        (EntryKind.SOCIAL_CONTRIBUTION, 2_000),
        (EntryKind.SHARE_PURCHASE, 10_000),
        (EntryKind.SHARE_PURCHASE, 20_000),
    ]
    b = store.balances(w.cycle.id)
    assert (b.loan_fund_cash, b.social_fund_cash, b.shares, b.savings) == (
        90_000,
        2_000,
        13,
        130_000,
    )
    # reading a date after it includes it; before it, it is not there
    assert store.balances(w.cycle.id, on=JAN15).loan_fund_cash == 110_000
    assert store.balances(w.cycle.id, on=D(2024, 1, 14)).loan_fund_cash == 80_000
    assert [m.date for m in store.meetings(w.cycle.id)] == [JAN8, JAN15, JAN22, FEB5]
    # the later meetings were left exactly as recorded
    [loan] = store.loans(w.cycle.id)
    assert store.loan_position(loan.id, FEB5).principal_outstanding == 41_200


def test_a_late_meeting_that_would_empty_the_box_for_a_later_loan_is_refused(
    store: vsla.Store,
) -> None:
    """An expense of 50.000 ₫ on 15 January leaves 30.000 ₫; with 22 January's shares the
    box would hold 50.000 ₫, not enough for A Blưp's loan of 60.000 ₫."""
    w = history(store)
    error = refused(w, JAN15, expenses=[vsla.Expense(amount=50_000, memo="sổ sách")])
    assert str(error) == (
        "group KT-DG-001 (Tổ tiết kiệm thôn Đăk Nhoong), cycle 1: the meeting of 2024-01-15 "
        "comes before the meeting of 2024-01-22, recorded already, and would change it: it "
        "would be refused: group KT-DG-001 (Tổ tiết kiệm thôn Đăk Nhoong), 2024-01-22: loan "
        "disbursement of 60.000 ₫ to A Blưp (no. 2) would take the loan fund below "
        "zero: it holds 50.000 ₫ (rule: a box never goes below zero). Nothing was written "
        "(rule: a late meeting leaves every later meeting and correction as recorded; correct "
        "those with reversals first, or record this money at a later meeting)"
    )
    assert (error.rule, error.field, error.group_code) == (
        "late_meeting_keeps_history",
        "date",
        "KT-DG-001",
    )
    assert isinstance(error.__cause__, vsla.BoxWouldGoNegative)


def test_a_late_repayment_that_would_change_a_later_split_is_refused(store: vsla.Store) -> None:
    """A Blưp paid month 1's interest (1.200 ₫) on 1 February, sent late: on 5 February no
    interest would be due, and the 20.000 ₫ would all be principal. The 1.200 ₫ interest
    entry of 5 February would change: refused, naming it."""
    w = history(store)
    [loan] = store.loans(w.cycle.id)
    feb5 = store.meetings(w.cycle.id)[-1].entries
    error = refused(w, FEB1, repayments=[vsla.Repayment(loan_id=loan.id, amount=1_200)])
    assert error.entry_id == feb5[0].id
    assert error.loan_id == loan.id
    assert error.member_number == 2
    assert (
        f"the meeting of 2024-02-01 comes before the meeting of 2024-02-05, recorded already, "
        f"and would change it: entry #{feb5[0].id} (interest payment of 1.200 ₫, for A Blưp "
        f"(no. 2), loan #{loan.id}) would become principal repayment of 20.000 ₫, for "
        f"A Blưp (no. 2), loan #{loan.id}. Nothing was written"
    ) in str(error)
    # the same money at the next meeting is recorded as usual
    w.meet(FEB12, repayments=[vsla.Repayment(loan_id=loan.id, amount=1_200)])


def test_a_late_meeting_that_changes_a_later_write_off_or_exit_is_refused(
    store: vsla.Store,
) -> None:
    w = history(store)
    [loan] = store.loans(w.cycle.id)
    store.write_off(loan.id, on=FEB12, reason="chuyển đi")
    error = refused(w, FEB1, repayments=[vsla.Repayment(loan_id=loan.id, amount=10_000)])
    assert "comes before the meeting of 2024-02-05" in str(error)  # the first that changes
    w.meet(D(2024, 2, 19), share_purchases={w.id(NHI): 2})
    store.settle_member_exit(w.id(NHI), on=D(2024, 2, 26))
    error = refused(w, D(2024, 2, 22), share_purchases={w.id(NHI): 1})
    assert "comes before the exit of Y Nhí (no. 3) on 2024-02-26" in str(error)
    assert "(exit payout of 20.000 ₫, for Y Nhí (no. 3)) would be 30.000 ₫" in str(error)
    # a late meeting that leaves the exit as it was is accepted
    w.meet(D(2024, 2, 22), share_purchases={w.id(HOA): 1})
    # a member who left is not active at a later date: refused as usual
    with pytest.raises(vsla.MemberNotActive):
        w.meet(D(2024, 3, 4), share_purchases={w.id(NHI): 1})


def test_a_late_meeting_that_changes_a_reversed_entry_or_a_later_reversal_is_refused(
    store: vsla.Store,
) -> None:
    """Corrections are part of what a late meeting must leave as recorded.

    1. A Blưp's repayment of 5 February (1.200 ₫ interest, 18.800 ₫ principal) is reversed
       on 12 February: the box goes from 60.000 to 40.000 ₫. A late meeting of 1 February
       paying month 1's interest would still change how that repayment split (20.000 ₫ all
       principal): an entry already reversed is still recorded, so it is refused.
    2. Y Nhí buys 2 shares on 19 February (60.000 ₫), and Y Hoa's 50.000 ₫ of shares of
       8 January are reversed that day (a typo): 10.000 ₫ left. A late meeting of 1 February
       lending A Blưp 20.000 ₫ more would leave 60.000 − 20.000 = 40.000 ₫ for the reversal
       of 50.000 ₫: the reversal would be refused, so the late meeting is. Lending 10.000 ₫
       leaves it exactly 50.000 ₫: accepted, and the box ends at 0.
    """
    w = history(store)
    [loan] = store.loans(w.cycle.id)
    feb5 = store.meetings(w.cycle.id)[-1].entries
    assert [(e.kind, e.amount) for e in feb5] == [
        (EntryKind.INTEREST_PAYMENT, 1_200),
        (EntryKind.PRINCIPAL_REPAYMENT, 18_800),
    ]
    store.reverse_entry(feb5[0].id, on=FEB12, reason="ghi nhầm")
    assert store.balances(w.cycle.id).loan_fund_cash == 40_000
    error = refused(w, FEB1, repayments=[vsla.Repayment(loan_id=loan.id, amount=1_200)])
    assert error.entry_id == feb5[0].id
    assert (
        "comes before the meeting of 2024-02-05, recorded already, and would change it: "
        f"entry #{feb5[0].id} (interest payment of 1.200 ₫, for A Blưp (no. 2), loan "
        f"#{loan.id}) would become principal repayment of 20.000 ₫"
    ) in str(error)

    feb19 = D(2024, 2, 19)
    w.meet(feb19, share_purchases={w.id(NHI): 2})
    hoa_shares = store.entries(w.cycle.id)[0]
    assert (hoa_shares.member_id, hoa_shares.amount) == (w.id(HOA), 50_000)
    reversal = store.reverse_entry(hoa_shares.id, on=feb19, reason="ghi nhầm")
    assert store.balances(w.cycle.id).loan_fund_cash == 10_000  # 40.000 + 20.000 − 50.000
    error = refused(
        w,
        FEB1,
        loans=[vsla.LoanRequest(member_id=w.id(BLUP), principal=20_000, term_months=1)],
    )
    assert f"comes before the reversal of 2024-02-19 (entry #{reversal.id})" in str(error)
    assert isinstance(error.__cause__, vsla.BoxWouldGoNegative)
    assert error.rule == "late_meeting_keeps_history"
    # 10.000 ₫ lent on 1 February leaves the reversal its cash: accepted
    w.meet(FEB1, loans=[vsla.LoanRequest(member_id=w.id(BLUP), principal=10_000, term_months=1)])
    assert store.balances(w.cycle.id).loan_fund_cash == 0


def test_the_date_rules_still_hold(store: vsla.Store) -> None:
    w = history(store)
    with pytest.raises(vsla.DateOutsideCycle, match="one meeting per date"):
        w.meet(JAN22, share_purchases={w.id(NHI): 1})
    with pytest.raises(vsla.DateOutsideCycle, match="outside the cycle"):
        w.meet(D(2023, 12, 25), share_purchases={w.id(NHI): 1})
    # corrections keep the date order: a reversal dated before the last meeting is refused
    entry = store.entries(w.cycle.id)[0]
    with pytest.raises(vsla.DateOutsideCycle, match="date order"):
        store.reverse_entry(entry.id, on=JAN15, reason="x")


def test_a_batch_may_hold_late_meetings(store: vsla.Store) -> None:
    """A phone syncing a week of two groups' paper: the batch is recorded meeting by
    meeting, the late ones through the late path, all or nothing."""
    w = build(store)
    hoa, nhi = w.id(HOA), w.id(NHI)
    records = store.record_meetings(
        w.cycle.id,
        [
            vsla.MeetingInput(date=JAN22, share_purchases={hoa: 1}),
            vsla.MeetingInput(date=JAN8, share_purchases={hoa: 2, nhi: 1}),
            vsla.MeetingInput(date=JAN15, share_purchases={nhi: 3}),
        ],
    )
    assert [r.date for r in records] == [JAN22, JAN8, JAN15]
    assert store.balances(w.cycle.id).savings == 70_000
    assert store.balances(w.cycle.id, on=JAN15).savings == 60_000


# --------------------------------------------------------------------------- the property

WEEKS = [START + dt.timedelta(weeks=i) for i in range(6)]


@st.composite
def cycles(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Six weekly meetings of three members: shares, social fund, now and then a loan (named
    by a client id) and a repayment of an earlier one, a fine or an expense."""
    meetings: list[dict[str, Any]] = []
    loans: list[tuple[str, int]] = []
    for i, day in enumerate(WEEKS):
        m: dict[str, Any] = {
            "date": day,
            "shares": {k: draw(st.integers(1, 3)) for k in range(3)},
            "social": draw(st.lists(st.integers(0, 2), max_size=2, unique=True)),
            "fine": draw(st.one_of(st.none(), st.integers(0, 2))),
            "expense": draw(st.sampled_from([0, 0, 0, 5_000])),
            "loans": [],
            "repayments": [],
        }
        repay: bool = draw(st.booleans())
        if loans and repay:
            ref, _ = draw(st.sampled_from(loans))
            m["repayments"].append((ref, draw(st.sampled_from([1_000, 5_000, 10_000]))))
        if draw(st.booleans()):
            ref = f"L{i}"
            member = draw(st.integers(0, 2))
            m["loans"].append((ref, member, draw(st.sampled_from([20_000, 30_000])), 2))
            loans.append((ref, member))
        meetings.append(m)
    return meetings


def meeting_input(w: World, m: dict[str, Any]) -> vsla.MeetingInput:
    ids = [w.id(n) for n in (HOA, BLUP, NHI)]
    return vsla.MeetingInput(
        date=m["date"],
        share_purchases={ids[k]: n for k, n in m["shares"].items()},
        social_fund_contributions={ids[k]: 2_000 for k in m["social"]},
        fines=[] if m["fine"] is None else [vsla.FinePaid(member_id=ids[m["fine"]], fine="late")],
        expenses=[vsla.Expense(amount=m["expense"], memo="x")] if m["expense"] else [],
        loans=[
            vsla.LoanRequest(member_id=ids[k], principal=p, term_months=t, client_id=ref)
            for ref, k, p, t in m["loans"]
        ],
        repayments=[vsla.Repayment(loan_ref=ref, amount=a) for ref, a in m["repayments"]],
    )


def ledger(store: vsla.Store, w: World) -> Counter[tuple[Any, ...]]:
    """The cycle's entries as what they say (loans by client id, not by id)."""
    refs = {loan.id: loan.client_id for loan in store.loans(w.cycle.id)}
    return Counter(
        (e.date, e.kind, e.amount, e.shares, e.member_id, refs.get(e.loan_id or 0))
        for e in store.entries(w.cycle.id)
    )


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(cycle=cycles(), order=st.permutations(range(len(WEEKS))))
def test_any_order_the_rules_accept_gives_the_balances_of_date_order(
    cycle: list[dict[str, Any]], order: list[int]
) -> None:
    in_order = build(vsla.open(":memory:"))
    try:
        for m in cycle:
            in_order.store.record_meeting(in_order.cycle.id, meeting_input(in_order, m))
    except vsla.VslaError:
        assume(False)  # a cycle the rules refuse even in date order
    shuffled = build(vsla.open(":memory:"))
    accepted = True
    late_with_loans = 0
    for n, i in enumerate(order):
        if any(j > i for j in order[:n]) and (cycle[i]["loans"] or cycle[i]["repayments"]):
            late_with_loans += 1
        before = snapshot(shuffled.store)
        try:
            shuffled.store.record_meeting(shuffled.cycle.id, meeting_input(shuffled, cycle[i]))
        except vsla.VslaError:
            assert snapshot(shuffled.store) == before  # a refusal writes nothing
            accepted = False
            break
    assume(accepted)
    event(f"late meetings with loans or repayments: {min(late_with_loans, 2)} (2: or more)")
    a, b = in_order.store, shuffled.store
    assert ledger(a, in_order) == ledger(b, shuffled)
    for day in itertools.chain(WEEKS, [None]):
        assert a.balances(in_order.cycle.id, on=day) == b.balances(shuffled.cycle.id, on=day)
    positions = {
        loan.client_id: a.loan_position(loan.id, WEEKS[-1]) for loan in a.loans(in_order.cycle.id)
    }
    assert positions == {
        loan.client_id: b.loan_position(loan.id, WEEKS[-1]) for loan in b.loans(shuffled.cycle.id)
    }
    # the arrears marks written meeting by meeting, late ones too, are the ledger's, and the
    # same stretches as in date order
    assert a.verify_loan_marks() == b.verify_loan_marks() == []

    def marks(store: vsla.Store, cycle_id: int) -> dict[str | None, list[tuple[Any, ...]]]:
        with store.connection() as conn:
            return {
                loan.client_id: [
                    (m.since, m.until, m.outstanding, m.unpaid_since)
                    for m in stored_marks(conn, [loan.id])
                ]
                for loan in store.loans(cycle_id)
            }

    assert marks(a, in_order.cycle.id) == marks(b, shuffled.cycle.id)
