"""The indicator formulas and the report assembly, without a database.

Every expected value is worked out in a comment and asserted as a literal. The facts fed to
the assembly are built by hand: this is what both the SQL path and the reference path hand
over, so these tests pin the formulas independently of either path.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

import vsla
from vsla.domain import indicators as ind
from vsla.domain.indicators import (
    CellFacts,
    CycleFacts,
    GalFacts,
    Indicator,
    MembersPolicy,
    PopulationFacts,
    ProgrammeFacts,
    SessionFacts,
)
from vsla.domain.ledger import EntryKind
from vsla.domain.loans import LoanTerms
from vsla.errors import InvalidInput

D = dt.date


def third() -> Decimal:
    value = vsla.domain.money.ratio(1, 3)
    assert value is not None
    return value


# ============================================================================================
# Indicator and the ratio formulas
# ============================================================================================


def test_indicator_value_target_and_met() -> None:
    i = ind.indicator("referral_rate", 3, 20, Decimal("0.15"))
    assert (i.numerator, i.denominator, i.value, i.target, i.met) == (
        3,
        20,
        Decimal("0.15"),
        Decimal("0.15"),
        True,  # exactly on target counts as met
    )
    below = ind.indicator("referral_rate", 2, 20, Decimal("0.15"))
    assert (below.value, below.met) == (Decimal("0.1"), False)
    undefined = ind.indicator("referral_rate", 0, 0, Decimal("0.15"))
    assert (undefined.value, undefined.met) == (None, None)  # no members: no rate, not "0 %"
    no_target = ind.indicator("linked_rate", 1, 7)
    assert (no_target.target, no_target.met) == (None, None)
    assert no_target.value == Decimal("0.1428571428571428571428571429")  # 28 significant digits
    assert ind.indicator("x", 1, 3).value == Decimal("0.3333333333333333333333333333")


def test_count_against_target() -> None:
    i = ind.count_against_target("groups_active", 91, 91)
    assert (i.numerator, i.denominator, i.value, i.met) == (91, 1, Decimal(91), True)
    assert ind.count_against_target("gal_pilot_groups", 54, 55).met is False
    assert ind.count_against_target("groups_active", 3, None).met is None


def test_indicator_refuses_floats_and_is_frozen() -> None:
    one_and_a_half = float.fromhex("0x1.8p+0")  # a binary float, no float literal
    with pytest.raises(InvalidInput):
        Indicator(name="x", numerator=one_and_a_half, denominator=2, value=None)
    with pytest.raises(InvalidInput, match="floats are not accepted"):
        Indicator(name="x", numerator=3, denominator=2, value=one_and_a_half)
    with pytest.raises(InvalidInput, match="floats are not accepted"):
        ind.indicator("x", 1, 2, target=one_and_a_half)  # type: ignore[arg-type]
    i = ind.indicator("x", 1, 2)
    with pytest.raises(Exception, match="frozen"):
        i.value = Decimal(1)  # type: ignore[misc]


@given(
    numerator=st.integers(-(10**12), 10**12),
    denominator=st.integers(0, 10**12),
    target=st.one_of(st.none(), st.decimals("0", "1", places=4)),
)
def test_every_indicator_is_its_ratio(
    numerator: int, denominator: int, target: Decimal | None
) -> None:
    i = ind.indicator("x", numerator, denominator, target)
    if denominator == 0:
        assert i.value is None
        assert i.met is None
    else:
        assert i.value is not None
        # 28 significant digits: the error is below one part in 10^27
        assert abs(i.value * denominator - numerator) <= abs(i.value) * denominator / 10**27 + (
            Decimal(1) / 10**27
        )
        assert i.met == (None if target is None else i.value >= target)


def test_the_group_ratios() -> None:
    assert ind.pct_women(2, 4).value == Decimal("0.5")
    # 16 present + 2 represented of 22 expected; without the represented: 16 / 22
    assert ind.attendance_rate(16, 2, 22).numerator == 18
    assert ind.attendance_rate(16, 2, 22, represented_counts_as_present=False).numerator == 16
    assert ind.attendance_rate(0, 0, 0).value is None
    assert ind.dropout_rate(1, 4).value == Decimal("0.25")
    assert ind.savings_per_member(420_000, 4).value == 105_000
    assert ind.pct_members_with_loans(1, 4).value == Decimal("0.25")
    assert ind.average_loan_size(300_000, 2).value == 150_000
    assert ind.average_loan_size(0, 0).value is None
    # 100.000 / (100.000 + 300.000)
    assert ind.loan_fund_utilization(100_000, 300_000).value == Decimal("0.25")
    assert ind.loan_fund_utilization(0, 0).value is None
    assert ind.write_off_ratio(30_000, 120_000).value == Decimal("0.25")
    assert ind.social_fund_per_member(14_000, 4).value == 3_500
    # (323.000 + 100.000) / 42 = 10.071,428571...
    assert ind.projected_value_per_share(323_000, 100_000, 42).value == Decimal(423_000) / 42
    assert ind.projected_value_per_share(0, 0, 0).value is None


def test_par_counts_loans_overdue_by_more_than_the_threshold() -> None:
    """Loans: 100.000 overdue 30 days, 50.000 overdue 31 days, 50.000 not overdue."""
    risks = [(30, 100_000), (31, 50_000), (0, 50_000)]
    assert ind.par(risks, 200_000, 30).numerator == 50_000  # only the 31-day loan
    assert ind.par(risks, 200_000, 29).numerator == 150_000
    assert ind.par(risks, 200_000, 1).value == Decimal("0.75")  # 150.000 / 200.000
    assert ind.par(risks, 200_000, 0).value == Decimal("0.75")
    assert ind.par([], 0, 30).value is None
    assert ind.par(risks, 200_000, 30).name == "par_30"


def test_net_income_and_returns() -> None:
    # 8.000 + 5.000 + 2.000 − 10.000 − 1.000 = 4.000
    net = ind.net_income(
        interest_paid=8_000, fines=5_000, other_income=2_000, expenses=10_000, written_off=1_000
    )
    assert net == 4_000
    assert ind.return_on_savings(4_000, 400_000).value == Decimal("0.01")
    # × 365 / 73 = × 5: 4.000 × 365 / (400.000 × 73) = 0,05
    yearly = ind.annualized_return_on_savings(4_000, 400_000, 73)
    assert (yearly.numerator, yearly.denominator, yearly.value) == (
        1_460_000,
        29_200_000,
        Decimal("0.05"),
    )
    roa = ind.return_on_assets(-4_000, 500_000, 73)
    assert roa.value == Decimal("-0.04")  # −4.000 / 500.000 × 5
    assert ind.return_on_assets(4_000, 500_000, 0).value is None  # on the cycle's first day
    with pytest.raises(InvalidInput, match="days"):
        ind.annualized("x", 1, 1, -1)


def test_programme_rates() -> None:
    assert ind.referral_rate(2, 7, Decimal("0.15")).met is True
    assert ind.livelihood_support_rate(1, 8, Decimal("0.15")).value == Decimal("0.125")
    assert ind.livelihood_support_rate(1, 8, Decimal("0.15")).met is False
    assert ind.linked_rate(0, 0).value is None


# ============================================================================================
# Policies, calendars, loans
# ============================================================================================


def member(joined: dt.date, left: dt.date | None = None) -> vsla.Member:
    return vsla.Member(
        id=1, number=1, group_id=1, full_name="Y Hoa", sex="F", joined_on=joined, left_on=left
    )


def test_members_policy() -> None:
    start, end = D(2021, 1, 1), D(2025, 12, 31)
    left_2022 = member(D(2021, 3, 1), D(2022, 6, 1))
    assert not ind.in_population(left_2022, D(2023, 1, 1), MembersPolicy.ACTIVE_ON_DATE, start, end)
    assert ind.in_population(left_2022, D(2023, 1, 1), MembersPolicy.EVER_IN_PERIOD, start, end)
    # joined after the date: in neither
    late = member(D(2024, 1, 1))
    assert not ind.in_population(late, D(2023, 1, 1), MembersPolicy.EVER_IN_PERIOD, start, end)
    # left before the period began: not an ever-member of it
    gone = member(D(2019, 1, 1), D(2020, 12, 31))
    assert not ind.in_population(gone, D(2023, 1, 1), MembersPolicy.EVER_IN_PERIOD, start, end)
    # left on the period's first day: was a member on no day of it
    assert not ind.in_population(
        member(D(2019, 1, 1), start), D(2023, 1, 1), MembersPolicy.EVER_IN_PERIOD, start, end
    )
    # active on the date: from the day they join to the day before they leave
    assert ind.in_population(left_2022, D(2022, 5, 31), MembersPolicy.ACTIVE_ON_DATE, start, end)
    assert not ind.in_population(left_2022, D(2022, 6, 1), MembersPolicy.ACTIVE_ON_DATE, start, end)


def test_period_ends() -> None:
    plan = ind.period_ends(D(2021, 1, 1), D(2025, 12, 31), "quarterly")
    assert len(plan) == 20
    assert plan[:2] == [D(2021, 3, 31), D(2021, 6, 30)]
    assert plan[-1] == D(2025, 12, 31)
    # a period ending mid-quarter: the period end is added
    assert ind.period_ends(D(2024, 2, 10), D(2024, 5, 15), "quarterly") == [
        D(2024, 3, 31),
        D(2024, 5, 15),
    ]
    assert ind.period_ends(D(2024, 1, 15), D(2024, 3, 31), "monthly") == [
        D(2024, 1, 31),
        D(2024, 2, 29),
        D(2024, 3, 31),
    ]
    assert ind.period_ends(D(2021, 1, 1), D(2022, 6, 30), "yearly") == [
        D(2021, 12, 31),
        D(2022, 6, 30),
    ]
    assert ind.period_ends(D(2024, 3, 31), D(2024, 3, 31), "quarterly") == [D(2024, 3, 31)]
    with pytest.raises(InvalidInput, match="frequency"):
        ind.period_ends(D(2024, 1, 1), D(2024, 12, 31), "weekly")  # type: ignore[arg-type]


TERMS = LoanTerms(
    principal=100_000, interest_rate=Decimal("0.02"), term_months=1, disbursed_on=D(2024, 4, 10)
)
DISBURSED = {(D(2024, 4, 10), EntryKind.LOAN_DISBURSEMENT): 100_000}


def test_loan_risk() -> None:
    """Due 05-10 (principal and 2.000 interest), nothing paid."""
    assert ind.loan_risk(TERMS, DISBURSED, D(2024, 5, 10)) == (0, 100_000)  # due today: on time
    assert ind.loan_risk(TERMS, DISBURSED, D(2024, 5, 11)) == (1, 100_000)
    assert ind.loan_risk(TERMS, DISBURSED, D(2024, 6, 9)) == (30, 100_000)
    assert ind.loan_risk(TERMS, DISBURSED, D(2024, 6, 10)) == (31, 100_000)
    # 40.000 principal and the 2.000 interest paid on 05-10: 60.000 still overdue since 05-10
    paid = {
        **DISBURSED,
        (D(2024, 5, 10), EntryKind.PRINCIPAL_REPAYMENT): 40_000,
        (D(2024, 5, 10), EntryKind.INTEREST_PAYMENT): 2_000,
    }
    assert ind.loan_risk(TERMS, paid, D(2024, 6, 10)) == (31, 60_000)
    # written off: nothing outstanding, no risk
    written = {**DISBURSED, (D(2024, 6, 1), EntryKind.WRITE_OFF): 100_000}
    assert ind.loan_risk(TERMS, written, D(2024, 6, 10)) is None
    # a cancelled loan (disbursement reversed): no loan
    cancelled = {(D(2024, 4, 10), EntryKind.LOAN_DISBURSEMENT): 0}
    assert ind.loan_risk(TERMS, cancelled, D(2024, 6, 10)) is None
    # repaid in full
    repaid = {
        **DISBURSED,
        (D(2024, 5, 1), EntryKind.PRINCIPAL_REPAYMENT): 100_000,
        (D(2024, 5, 1), EntryKind.INTEREST_PAYMENT): 2_000,
    }
    assert ind.loan_risk(TERMS, repaid, D(2024, 6, 10)) is None


def test_text_order() -> None:
    names = ["Xơ Đăng", "Ba Na", "Đắk Tô", "Kinh", "Gia Rai", "Brâu"]
    assert sorted(names, key=ind.text_order) == [
        "Ba Na",
        "Brâu",
        "Đắk Tô",
        "Gia Rai",
        "Kinh",
        "Xơ Đăng",
    ]


# ============================================================================================
# Facts and the assembly
# ============================================================================================

GROUP = vsla.Group(
    id=7,
    code="KT-DG-001",
    name="Tổ thôn Đăk Nhoong",
    district="Đắk Glei",
    established_on=D(2024, 1, 10),
    gal_pilot_since=D(2024, 2, 1),
    programme_id=1,
)
CYCLE = CycleFacts(
    id=3,
    number=1,
    start_date=D(2024, 1, 10),
    end_date=D(2024, 12, 31),
    share_value=10_000,
    shared_out_on=None,
)


def test_cell_facts_add_up() -> None:
    a = CellFacts(members=2, shares=31, risks=((31, 100_000),))
    b = CellFacts(members=1, shares=2, principal_disbursed=5, risks=((0, 10),))
    total = a + b
    assert (total.members, total.shares, total.principal_disbursed) == (3, 33, 5)
    assert total.risks == ((0, 10), (31, 100_000))
    assert not CellFacts()
    assert CellFacts(risks=((0, 1),))
    assert (
        CellFacts(
            principal_disbursed=50, principal_repaid=20, principal_written_off=10
        ).loans_outstanding
        == 20
    )


def test_make_group_facts_normal_form() -> None:
    facts = ind.make_group_facts(
        GROUP,
        D(2024, 6, 10),
        CYCLE,
        {EntryKind.FINE: 5_000, EntryKind.EXPENSE: 0},
        42,
        5,
        {("F", "Ba Na"): {"members": 1}, ("M", ""): {"members": 0}},
        {("M", "Xơ Đăng"): [(31, 100), (0, 5)]},
    )
    assert facts.totals == {EntryKind.FINE: 5_000}  # zero sums dropped
    assert list(facts.cells) == [("F", "Ba Na"), ("M", "Xơ Đăng")]  # empty cell dropped
    assert facts.cells[("M", "Xơ Đăng")].risks == ((0, 5), (31, 100))
    with pytest.raises(ValueError, match="unknown cell facts"):
        ind.make_group_facts(GROUP, D(2024, 6, 10), None, {}, 0, 0, {("F", ""): {"x": 1}}, {})


def hand_built_facts() -> ind.GroupFacts:
    """Group A of docs/indicators.md on 2024-06-10, as facts (see tests/store/test_indicators)."""
    totals = {
        EntryKind.SHARE_PURCHASE: 460_000,
        EntryKind.SOCIAL_CONTRIBUTION: 14_000,
        EntryKind.FINE: 5_000,
        EntryKind.LOAN_DISBURSEMENT: 300_000,
        EntryKind.PRINCIPAL_REPAYMENT: 200_000,
        EntryKind.INTEREST_PAYMENT: 8_000,
        EntryKind.EXPENSE: 10_000,
        EntryKind.EXIT_PAYOUT: 40_000,
    }
    cells = {
        # Hoa + Lệ (left): Hoa 25 shares, Lệ 0; Hoa's loan repaid; Hoa chair and champion
        ("F", "Xơ Đăng"): {
            "members": 1,
            "members_at_cycle_start": 2,
            "left_during_cycle": 1,
            "champions": 1,
            "officers": 1,
            "shares": 25,
            "principal_disbursed": 200_000,
            "principal_repaid": 200_000,
            "loans": 1,
            "expected": 9,
            "present": 8,
            "expected_last_4": 7,
            "present_last_4": 6,
        },
        # Nhí: 6 shares, secretary
        ("F", "Ba Na"): {
            "members": 1,
            "members_at_cycle_start": 1,
            "officers": 1,
            "shares": 6,
            "expected": 5,
            "present": 4,
            "expected_last_4": 4,
            "present_last_4": 3,
        },
        # Blưp: 9 shares, box keeper, loan 100.000 outstanding 31 days overdue
        ("M", "Xơ Đăng"): {
            "members": 1,
            "members_at_cycle_start": 1,
            "officers": 1,
            "shares": 9,
            "principal_disbursed": 100_000,
            "loans": 1,
            "members_with_loans": 1,
            "expected": 5,
            "present": 3,
            "represented": 1,
            "expected_last_4": 4,
            "present_last_4": 2,
            "represented_last_4": 1,
        },
        # Thành: joined 03-10, 2 shares
        ("M", "Ba Na"): {
            "members": 1,
            "shares": 2,
            "expected": 3,
            "present": 1,
            "represented": 1,
            "expected_last_4": 3,
            "present_last_4": 1,
            "represented_last_4": 1,
        },
    }
    risks = {("M", "Xơ Đăng"): [(31, 100_000)]}
    return ind.make_group_facts(GROUP, D(2024, 6, 10), CYCLE, totals, 42, 5, cells, risks)


def test_group_assembly_from_hand_built_facts() -> None:
    gi = ind.group_indicators_from_facts(hand_built_facts(), par_days=(30, 1, 30))
    assert sorted(gi.par) == [1, 30]  # thresholds sorted, repeats dropped
    assert (gi.members, gi.women, gi.days_in_cycle) == (4, 2, 152)
    # loan fund: 460.000 + 5.000 + 8.000 + 200.000 − 300.000 − 10.000 − 40.000 = 323.000
    assert (gi.loan_fund_cash, gi.social_fund_cash, gi.loans_outstanding) == (
        323_000,
        14_000,
        100_000,
    )
    assert (gi.total_assets, gi.savings, gi.net_income) == (437_000, 420_000, 3_000)
    assert (gi.attendance_rate.numerator, gi.attendance_rate.denominator) == (18, 22)
    assert (gi.attendance_rate_last_4.numerator, gi.attendance_rate_last_4.denominator) == (
        14,
        18,
    )
    assert gi.par[30].value == 1
    assert gi.dropout_rate.value == Decimal("0.25")
    assert gi.average_loan_size.value == 150_000
    assert (gi.officers, gi.champions, gi.gal_pilot) == (3, 1, True)
    women = gi.breakdown("sex", "F")
    assert (women.savings, women.attendance_rate.numerator, women.attendance_rate.denominator) == (
        310_000,
        12,
        14,
    )
    assert women.dropout_rate.value == third()
    assert [line.key for line in gi.by_ethnicity] == ["Ba Na", "Xơ Đăng"]
    with pytest.raises(KeyError):
        gi.breakdown("ethnicity", "Kinh")


def test_group_assembly_without_cycle_or_members() -> None:
    facts = ind.make_group_facts(GROUP, D(2024, 1, 1), None, {}, 0, 0, {}, {})
    gi = ind.group_indicators_from_facts(facts)
    assert (gi.members, gi.savings, gi.cycle_id, gi.gal_pilot) == (0, 0, None, False)
    assert gi.pct_women.value is None
    # both sexes are always listed; no ethnicity line without members
    assert [(line.key, line.members) for line in gi.by_sex] == [("F", 0), ("M", 0)]
    assert gi.by_ethnicity == ()


PROGRAMME = vsla.Programme(id=1, name="Kon Tum – Dự án 8")


def other_group(gid: int, code: str, district: str, **kw: object) -> vsla.Group:
    return vsla.Group(
        id=gid, code=code, name=code, district=district, established_on=D(2024, 1, 1), **kw
    )


def test_programme_assembly() -> None:
    """Three groups: A (Đắk Glei, pilot) 10 members, 3 referred, 1 linked, 2 supported;
    B (Kon Plông) 5 members, 0 referred, 1 supported; C (Kon Plông, dissolved) 5 members,
    1 referred. Whole programme: 20 members, referral 4 / 20 = 20 %, support 3 / 20 = 15 %."""
    a = other_group(1, "A", "Đắk Glei", gal_pilot_since=D(2024, 2, 1))
    b = other_group(2, "B", "Kon Plông")
    c = other_group(3, "C", "Kon Plông", status=vsla.GroupStatus.DISSOLVED)
    facts = ProgrammeFacts(
        groups=(a, b, c),
        cells={
            (1, "F", "Xơ Đăng"): PopulationFacts(6, 2, 1, 2),
            (1, "M", "Xơ Đăng"): PopulationFacts(4, 1, 0, 0),
            (2, "F", "Ba Na"): PopulationFacts(5, 0, 0, 1),
            (3, "M", "Ba Na"): PopulationFacts(5, 1, 0, 0),
        },
    )
    report = ind.programme_report_from_facts(PROGRAMME, D(2024, 6, 30), facts)
    assert (report.groups_active.numerator, report.groups_active.met) == (2, False)  # vs 91
    assert (report.gal_pilot_groups.numerator, report.gal_pilot_groups.target) == (1, 55)
    assert (report.members, report.women, report.referred, report.supported) == (20, 11, 4, 3)
    assert (report.referral_rate.value, report.referral_rate.met) == (Decimal("0.2"), True)
    assert (report.livelihood_support_rate.value, report.livelihood_support_rate.met) == (
        Decimal("0.15"),
        True,
    )
    kon_plong = report.line("district", "Kon Plông")
    # 10 members, 1 referred (C), 1 supported (B): 10 % each, below 15 %
    assert (kon_plong.members, kon_plong.referral_rate.met, kon_plong.groups_active) == (
        10,
        False,
        1,
    )
    pilot, other = report.by_gal_status
    assert (pilot.members, other.members, other.gal_pilot_groups) == (10, 10, 0)
    assert [line.key for line in report.by_ethnicity] == ["Ba Na", "Xơ Đăng"]
    assert report.line("sex", "F").members == 11
    # a district report: no count targets
    district = ind.programme_report_from_facts(
        PROGRAMME, D(2024, 6, 30), facts, district="Kon Plông"
    )
    assert district.groups_active.target is None


def test_gal_assembly() -> None:
    a = other_group(1, "A", "Đắk Glei", gal_pilot_since=D(2024, 2, 1))
    b = other_group(2, "B", "Kon Plông")
    facts_a = ind.make_group_facts(
        a,
        D(2024, 6, 30),
        CYCLE,
        {},
        0,
        0,
        {
            ("F", ""): {
                "members": 2,
                "officers": 2,
                "loans": 1,
                "principal_disbursed": 100,
                "shares": 4,
            },
            ("M", ""): {"members": 2, "officers": 1, "loans": 3, "principal_disbursed": 300},
        },
        {},
    )
    facts_b = ind.make_group_facts(b, D(2024, 6, 30), None, {}, 0, 0, {}, {})
    sessions = GalFacts(
        sessions={
            (1, "vision_journey"): SessionFacts(2, 10, 4, 30),
            (1, "gender_balance_tree"): SessionFacts(1, 5, 5, 0),
        }
    )
    gal = ind.gal_comparison_from_facts(
        PROGRAMME,
        D(2024, 6, 30),
        [facts_a, facts_b],
        ProgrammeFacts(groups=(a, b), cells={(1, "F", ""): PopulationFacts(2, 1, 1, 0)}),
        sessions,
    )
    assert gal.pilot.women_share_of_officers.value == Decimal(2) / 3
    assert gal.pilot.women_share_of_loans.value == Decimal("0.25")  # 1 of 4 loans
    assert gal.pilot.women_share_of_loan_value.value == Decimal("0.25")  # 100 of 400
    assert gal.pilot.savings_per_woman.value == 20_000  # 4 shares × 10.000 / 2 women
    assert (gal.pilot.gal_sessions, gal.pilot.session_women, gal.pilot.reached_by_peer_sharing) == (
        3,
        15,
        30,
    )
    assert gal.pilot.sessions_by_tool[vsla.GalTool.VISION_JOURNEY] == 2
    assert gal.other.women_share_of_officers.value is None  # no officers: undefined
    assert (gal.other.groups, gal.other.members, gal.other.gal_sessions) == (1, 0, 0)
    assert gal.pilot.referral_rate.value == Decimal("0.5")
    rows = gal.rows()
    assert rows[0] == {"figure": "groups", "pilot": 1, "other": 1}
    assert {r["figure"] for r in rows} >= {"sessions_vision_journey", "women_attendance_rate"}
