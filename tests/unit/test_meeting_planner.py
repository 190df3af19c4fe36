"""The meeting planner's shortcuts give what the validated, checked paths give: the terms of
a new loan built without validating them again, a repayment split from the loan's dues
rather than its whole position, and the refusal of a repayment over the amount due."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

import vsla
from vsla.domain.allocation import allocate_payment
from vsla.domain.cyclestate import Boxes, PlannedEntry, member_of
from vsla.domain.ledger import EntryKind
from vsla.domain.loans import LoanTerms
from vsla.domain.meeting import CycleState, _one_by_one, advance, plan_meeting

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


# contributions and share purchases: planned as two columns, one by one only for an error


def _group(social: int = 0, shares: int = 0, lent: int = 0) -> CycleState:
    """Three members (ids 1, 2, 3; no. 3 left on 1 January), a social fund contribution
    of 1.000 ₫ and shares of 10.000 ₫ (0 to 10 a meeting); ``social`` ₫ already contributed
    and ``shares`` shares already bought by Y Hoa, ``lent`` ₫ of the loan fund lent out (no
    loan held: only the total matters here); a fine "late" of 500 ₫."""
    rules = vsla.Constitution(
        **{
            **RULES.model_dump(),
            "social_fund_contribution": 1_000,
            "fines": {"late": 500},
            "min_shares_per_meeting": 0,
        }
    )
    cycle = vsla.Cycle(
        id=1, group_id=1, number=1, start_date=START, end_date=D(2024, 12, 30), constitution=rules
    )

    def member(n: int, name: str, left: dt.date | None = None) -> vsla.Member:
        return vsla.Member(
            id=n, group_id=1, number=n, full_name=name, sex="F", joined_on=D(2023, 1, 2),
            left_on=left,
        )  # fmt: skip

    members = {1: member(1, "Y Hoa"), 2: member(2, "A Blưp"), 3: member(3, "Y Kim", START)}
    totals = {}
    if social:
        totals[EntryKind.SOCIAL_CONTRIBUTION] = social
    if shares:
        totals[EntryKind.SHARE_PURCHASE] = shares * 10_000
    if lent:
        totals[EntryKind.LOAN_DISBURSEMENT] = lent
    return CycleState(
        group_label="group G (G)",
        cycle=cycle,
        members=members,
        totals=totals,
        member_shares={1: shares} if shares else {},
        loans={},
        last_meeting_on=None,
        group_code="G",
    )


def test_contributions_and_shares_are_planned_as_columns_and_carried_forward() -> None:
    """Y Hoa pays 2.000 ₫ (two contributions of 1.000 ₫) and buys 3 shares; A Blưp pays
    1.000 ₫ and buys none; then a fine of 500 ₫. The social fund gets 2.000 + 1.000 = 3.000 ₫,
    the loan fund 3 x 10.000 = 30.000 ₫ + 500 ₫ = 30.500 ₫; Y Hoa holds 4 + 3 = 7 shares."""
    state = _group(social=5_000, shares=4)
    meeting = vsla.MeetingInput(
        date=D(2024, 1, 15),
        social_fund_contributions={1: 2_000, 2: 1_000},
        share_purchases={1: 3, 2: 0},
        fines=[vsla.FinePaid(member_id=2, fine="late")],
    )
    plan = plan_meeting(state, meeting)
    assert [(e.kind, e.amount, e.member_id, e.shares) for e in plan.entries] == [
        (EntryKind.SOCIAL_CONTRIBUTION, 2_000, 1, 0),
        (EntryKind.SOCIAL_CONTRIBUTION, 1_000, 2, 0),
        (EntryKind.SHARE_PURCHASE, 30_000, 1, 3),
        (EntryKind.FINE, 500, 2, 0),
    ]
    after = advance(state, plan, [])
    assert dict(after.totals) == {
        EntryKind.SOCIAL_CONTRIBUTION: 5_000 + 3_000,
        EntryKind.SHARE_PURCHASE: 40_000 + 30_000,
        EntryKind.FINE: 500,
    }
    assert dict(after.member_shares) == {1: 7}
    assert after.balances.social_fund_cash == 8_000
    assert after.balances.loan_fund_cash == 70_000 + 500


@pytest.mark.parametrize(
    ("contributions", "shares", "error", "words"),
    [
        (
            {1: 1_000, 2: 1_500},
            {},
            vsla.InvalidInput,
            "A Blưp (no. 2) paid 1.500 ₫",
        ),
        ({1: 1_000, 3: 1_000}, {}, vsla.MemberNotActive, "Y Kim"),
        ({1: 1_000, 9: 1_000}, {}, vsla.NotFound, "member #9"),
        ({1: 1_000}, {1: 2, 2: 11}, vsla.SharesOutOfRange, "A Blưp (no. 2) bought 11 share(s)"),
        ({1: 0}, {2: 11}, vsla.InvalidInput, "Y Hoa (no. 1) paid 0 ₫"),  # contributions come first
    ],
)
def test_a_refused_column_names_the_first_entry_refused(
    contributions: dict[int, int], shares: dict[int, int], error: type[Exception], words: str
) -> None:
    meeting = vsla.MeetingInput(
        date=D(2024, 1, 15), social_fund_contributions=contributions, share_purchases=shares
    )
    with pytest.raises(error) as caught:
        plan_meeting(_group(), meeting)
    assert words in str(caught.value)


def test_contributions_above_the_ceiling_name_the_member_who_crosses_it() -> None:
    """The social fund holds the ceiling less 1.500 ₫: Y Hoa's 1.000 ₫ fits, A Blưp's
    1.000 ₫ would bring the fund (and the cycle's total of contributions) 500 ₫ above it."""
    state = _group(social=vsla.MAX_TOTAL - 1_500)
    meeting = vsla.MeetingInput(date=D(2024, 1, 15), social_fund_contributions={1: 1_000, 2: 1_000})
    with pytest.raises(vsla.InvalidInput) as caught:
        plan_meeting(state, meeting)
    message = str(caught.value)
    assert "social contribution of 1.000 ₫" in message
    assert "10.000.000.000.500 ₫" in message
    assert caught.value.member_number == 2
    assert caught.value.rule == "max_total"
    exactly = vsla.MeetingInput(date=D(2024, 1, 15), social_fund_contributions={1: 1_000})
    plan = plan_meeting(_group(social=vsla.MAX_TOTAL - 1_000), exactly)  # up to the ceiling
    assert plan.totals == {EntryKind.SOCIAL_CONTRIBUTION: vsla.MAX_TOTAL}


def _one_at_a_time(state: CycleState, meeting: vsla.MeetingInput) -> object:
    """The contributions and share purchases planned entry by entry, as before the columns:
    the entries, the totals and the shares, or the refusal (its class and message)."""
    boxes, shares = Boxes(state, meeting.date), dict(state.member_shares)
    entries: list[PlannedEntry] = []

    def member(member_id: int, what: str, where: str) -> vsla.Member:
        return member_of(state, member_id, meeting.date, what, where)

    try:
        _one_by_one(state, meeting, member, boxes, entries, shares)
    except vsla.VslaError as exc:
        return type(exc), str(exc)
    return entries, boxes.totals, shares


@given(
    st.sampled_from([0, 1_000, vsla.MAX_TOTAL - 2_500, vsla.MAX_TOTAL - 1_000]),
    st.sampled_from([0, 1, 999_999_997, 1_000_000_000]),  # shares already bought
    st.dictionaries(st.sampled_from([1, 2, 3, 9]), st.sampled_from([0, 500, 1_000, 3_000])),
    st.dictionaries(st.sampled_from([1, 2, 3, 9]), st.integers(0, 12)),
    st.sampled_from([0, 10**12]),
)
def test_the_columns_plan_what_one_entry_at_a_time_plans(
    social: int,
    shares: int,
    contributions: dict[int, int],
    purchases: dict[int, int],
    lent: int,
) -> None:
    """Members 1 and 2 active, 3 gone, 9 unknown; amounts that are and are not multiples of
    1.000 ₫; share counts inside and outside 0 to 10; funds at and near the ceiling of a
    total (10⁹ shares of 10.000 ₫ are the whole ceiling), with and without part of the loan
    fund lent out (then the total of share purchases reaches the ceiling before the fund)."""
    state = _group(social=social, shares=shares, lent=lent)
    meeting = vsla.MeetingInput(
        date=D(2024, 1, 15), social_fund_contributions=contributions, share_purchases=purchases
    )
    assert _in_columns(state, meeting) == _one_at_a_time(state, meeting)


def _in_columns(state: CycleState, meeting: vsla.MeetingInput) -> object:
    """What :func:`plan_meeting` makes of the same, in the same shape."""
    try:
        plan = plan_meeting(state, meeting)
    except vsla.VslaError as exc:
        return type(exc), str(exc)
    return plan.entries, plan.totals, plan.member_shares


def test_advance_carries_every_field_of_the_state() -> None:
    """``advance`` builds the next state field by field: each field is either moved on by
    the meeting or carried as it was. A field added to ``CycleState`` must be added here
    (and to ``advance``)."""
    state = dataclasses.replace(
        _lent(), last_minutes_on=D(2024, 1, 8), used_refs=frozenset({"L-1"}), group_code="G"
    )
    meeting = vsla.MeetingInput(date=D(2024, 1, 15), share_purchases={1: 2})
    after = advance(state, plan_meeting(state, meeting), [])
    moved = {"totals", "member_shares", "last_meeting_on", "last_minutes_on"}
    carried = {"group_label", "cycle", "members", "loans", "used_refs", "group_code"}
    assert {f.name for f in dataclasses.fields(CycleState)} == moved | carried
    for name in carried:
        assert getattr(after, name) == getattr(state, name), name
    assert dict(after.totals) == {**state.totals, EntryKind.SHARE_PURCHASE: 100_000 + 20_000}
    assert dict(after.member_shares) == {1: 12}
    assert (after.last_meeting_on, after.last_minutes_on) == (D(2024, 1, 15), D(2024, 1, 15))


def test_the_loan_limit_is_exact_for_a_multiple_that_is_not_whole() -> None:
    """max_loan_multiple 2.5 and 3 shares of 10.000 ₫: the limit is 2.5 x 30.000 =
    75.000 ₫. A loan of 75.000 ₫ is allowed; 75.001 ₫ is refused, naming the limit."""
    rules = vsla.Constitution(**{**RULES.model_dump(), "max_loan_multiple": Decimal("2.5")})
    state = dataclasses.replace(
        _state(),
        cycle=_state().cycle.model_copy(update={"constitution": rules}),
        totals={EntryKind.OPENING_LOAN_FUND: 1_000_000},  # cash enough in the box
    )

    def borrow(principal: int) -> vsla.MeetingInput:
        return vsla.MeetingInput(
            date=START,
            share_purchases={1: 3},
            loans=[vsla.LoanRequest(member_id=1, principal=principal, term_months=3)],
        )

    (new,) = plan_meeting(state, borrow(75_000)).new_loans
    assert new.terms.principal == 75_000
    with pytest.raises(vsla.LoanLimitExceeded) as caught:
        plan_meeting(state, borrow(75_001))
    assert "2.5 × savings of 30.000 ₫ = 75.000 ₫ (rule: max_loan_multiple)" in str(caught.value)


def test_a_loan_given_its_real_id_keeps_every_other_field() -> None:
    """A loan planned under a stand-in id gets the id the database gave it, and nothing
    else changes (a field added to ``LoanState`` must be carried by ``with_id``)."""
    planned = _lent().loans[7]
    written = planned.with_id(1_234)
    assert written.id == 1_234
    for f in dataclasses.fields(planned):
        if f.name != "id":
            assert getattr(written, f.name) == getattr(planned, f.name), f.name
    assert planned.with_id(7) is planned
