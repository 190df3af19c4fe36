"""Hypothesis strategies, kept in one place (house style)."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import strategies as st

import vsla

share_values = st.sampled_from([1_000, 5_000, 10_000, 20_000, 50_000])
rates = st.sampled_from(
    [Decimal(0), Decimal("0.01"), Decimal("0.015"), Decimal("0.02"), Decimal("0.05")]
)
methods = st.sampled_from(list(vsla.InterestMethod))
schedules = st.sampled_from(list(vsla.PrincipalSchedule))


@st.composite
def constitutions(draw: st.DrawFn) -> vsla.Constitution:
    low = draw(st.integers(0, 2))
    return vsla.Constitution(
        share_value=draw(share_values),
        min_shares_per_meeting=low,
        max_shares_per_meeting=draw(st.integers(max(low, 1), 5)),
        social_fund_contribution=draw(st.sampled_from([0, 1_000, 2_000, 5_000])),
        interest_rate=draw(rates),
        interest_method=draw(methods),
        principal_schedule=draw(schedules),
        max_loan_multiple=draw(st.sampled_from([Decimal(1), Decimal(2), Decimal(3)])),
        max_term_months=draw(st.integers(1, 6)),
        fines={"absence": 2_000, "late": 500},
        cash_step=draw(st.sampled_from([1, 1, 500, 1_000])),
        share_out_loans=draw(st.sampled_from(list(vsla.ShareOutLoanPolicy))),
        remainder=draw(st.sampled_from(list(vsla.RemainderPolicy))),
    )


def _rarely(draw: st.DrawFn) -> bool:
    """True about one time in twelve: how often a generated part is invalid on purpose."""
    return draw(st.integers(0, 11)) == 0


@st.composite
def meetings(
    draw: st.DrawFn, member_ids: list[int], loan_ids: list[int], rules: vsla.Constitution
) -> dict[str, object]:
    """The keyword arguments of a MeetingInput (without the date): mostly valid, and now and
    then invalid on purpose (too many shares, a grant or loan larger than the cash, ...)."""
    some = st.lists(st.sampled_from(member_ids), unique=True, max_size=len(member_ids))
    unit = rules.social_fund_contribution
    contributions = {m: unit * draw(st.integers(1, 2)) for m in draw(some)} if unit else {}
    low, high = rules.min_shares_per_meeting, rules.max_shares_per_meeting
    shares = {m: high + 1 if _rarely(draw) else draw(st.integers(low, high)) for m in draw(some)}
    fines = [
        vsla.FinePaid(member_id=m, fine=draw(st.sampled_from(["absence", "late"])))
        for m in draw(st.lists(st.sampled_from(member_ids), unique=True, max_size=2))
    ]
    grants = [
        vsla.SocialFundGrant(member_id=m, amount=draw(st.integers(1, 8)) * unit)
        for m in draw(st.lists(st.sampled_from(member_ids), max_size=1))
        if unit
    ]
    expenses = (
        [vsla.Expense(amount=draw(st.integers(1, 30)) * 1_000, memo="stationery")]
        if _rarely(draw)
        else []
    )
    income = (
        [vsla.Income(amount=draw(st.integers(1, 10)) * 1_000, memo="bank")]
        if draw(st.booleans())
        else []
    )
    repayments = (
        [
            vsla.Repayment(loan_id=lid, amount=draw(st.integers(1, 40)) * rules.share_value)
            for lid in draw(st.lists(st.sampled_from(loan_ids), unique=True, max_size=3))
        ]
        if loan_ids
        else []
    )
    loans = [
        vsla.LoanRequest(
            member_id=m,
            principal=draw(st.integers(1, 12)) * rules.share_value,
            term_months=rules.max_term_months + 1
            if _rarely(draw)
            else draw(st.integers(1, rules.max_term_months)),
        )
        for m in draw(st.lists(st.sampled_from(member_ids), unique=True, max_size=2))
    ]
    return {
        "attendance": {m: draw(st.sampled_from(list(vsla.Attendance))) for m in member_ids},
        "social_fund_contributions": contributions,
        "share_purchases": shares,
        "fines": fines,
        "other_income": income,
        "repayments": repayments,
        "social_fund_grants": grants,
        "expenses": expenses,
        "loans": loans,
    }


targets = st.one_of(
    st.sampled_from([Decimal(0), Decimal("0.15"), Decimal("0.5"), Decimal(1)]),
    st.decimals(min_value=0, max_value=1, places=4),
)
"""Programme targets as rates from 0 to 1 (0.15 for 15 %), up to four decimal places."""


@st.composite
def referral_counts(draw: st.DrawFn) -> tuple[int, int]:
    """(referred, members) of a district: 0 <= referred <= members."""
    members = draw(st.integers(min_value=0, max_value=2_000_000))
    return draw(st.integers(min_value=0, max_value=members)), members
