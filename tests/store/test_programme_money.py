"""The programme's money on the hand-built Kon Tum programme of ``test_indicators.py``, on
SQLite and PostgreSQL, by the SQL path (loan marks) and the reference path (loan histories).

The facts, worked from that file's docstring:

Group A (Đắk Glei, GAL pilot), on 2024-06-10: net shares Hoa 25, Blưp 9, Nhí 6, Thành 2 and
Lệ 0 (her 4 shares left with her): 42 shares = 420.000 ₫, 4 members saving. Loan fund
323.000, social fund 14.000, interest 8.000, fines 5.000, net income 3.000. Loan L2 (Blưp,
100.000, due 05-10, unpaid) is 31 days overdue: in PAR 1 and PAR 30.

Group B (Kon Plông), on 2024-06-10: Lan, Đức, Mai 10 shares each = 300.000 ₫, 3 members
saving. Đức's 120.000 loan was written off on 05-20: nothing outstanding; loan fund
300.000 − 120.000 = 180.000, no social fund, net income −120.000.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

import vsla
from tests.store.test_indicators import ON, KonTumMini, build_kon_tum_mini, d, fraction
from vsla.reports import indicators as sql
from vsla.reports import reference as ref


@pytest.fixture
def world(store: vsla.Store) -> KonTumMini:
    return build_kon_tum_mini(store)


def test_the_programme_money_on_2024_06_10(world: KonTumMini) -> None:
    report = sql.programme_indicators(world.store, world.programme.id, ON)
    # members saving 4 + 3 = 7; savings 420.000 + 300.000 = 720.000 over 7 members
    assert (report.members_saving, report.savings) == (7, 720_000)
    assert report.savings_per_member.value == fraction(720_000, 7)
    # one loan owing: L2, 100.000, 31 days overdue (more than 1 and more than 30)
    assert (report.loans_active, report.loans_outstanding) == (1, 100_000)
    assert (report.at_risk_1, report.at_risk_30) == (100_000, 100_000)
    assert report.par_1.value == report.par_30.value == 1
    # boxes: loan fund 323.000 + 180.000 = 503.000; social fund 14.000 + 0
    assert (report.loan_fund_cash, report.social_fund_cash) == (503_000, 14_000)
    # utilisation 100.000 / (100.000 + 503.000)
    assert report.loan_fund_utilization is not None
    assert report.loan_fund_utilization.value == fraction(100_000, 603_000)
    # interest 8.000 and fines 5.000 (group A); net income 3.000 − 120.000 = −117.000
    assert (report.interest_earned, report.fines_earned) == (8_000, 5_000)
    assert report.net_income == -117_000
    assert report.return_on_savings is not None
    assert report.return_on_savings.value == fraction(-117_000, 720_000)
    assert report.share_out_payouts == 0


def test_the_money_by_district_sex_and_gal_status(world: KonTumMini) -> None:
    report = sql.programme_indicators(world.store, world.programme.id, ON)
    dak_glei, kon_plong = report.by_district
    assert (dak_glei.savings, dak_glei.members_saving, dak_glei.loans_outstanding) == (
        420_000,
        4,
        100_000,
    )
    assert dak_glei.loan_fund_utilization is not None
    assert dak_glei.loan_fund_utilization.value == fraction(100_000, 423_000)  # as group A's
    assert dak_glei.return_on_savings is not None
    assert dak_glei.return_on_savings.value == fraction(3_000, 420_000)
    assert (kon_plong.savings, kon_plong.loan_fund_cash, kon_plong.net_income) == (
        300_000,
        180_000,
        -120_000,
    )
    assert kon_plong.return_on_savings is not None
    assert kon_plong.return_on_savings.value == Decimal("-0.4")  # −120.000 / 300.000
    assert kon_plong.par_30.value is None  # nothing lent out: no ratio, not 0 %

    women, men = report.by_sex
    # women: Hoa 25 + Nhí 6 + Lệ 0 + Lan 10 + Mai 10 = 51 shares; saving: Hoa, Nhí, Lan, Mai
    assert (women.savings, women.members_saving, women.loans_outstanding) == (510_000, 4, 0)
    # men: Blưp 9 + Thành 2 + Đức 10 = 21 shares; Blưp's loan is the one at risk
    assert (men.savings, men.members_saving, men.at_risk_30) == (210_000, 3, 100_000)
    assert women.savings_per_member.value == fraction(510_000, 4)
    # the boxes are the group's: not split by sex
    assert women.loan_fund_cash is None
    assert men.return_on_savings is None

    pilot, other = report.by_gal_status
    assert (pilot.savings, pilot.loan_fund_cash, pilot.at_risk_30) == (420_000, 323_000, 100_000)
    assert (other.savings, other.loan_fund_cash, other.at_risk_30) == (300_000, 180_000, 0)
    group_a = report.line("group", "KT-DG-001")
    assert (group_a.interest_earned, group_a.fines_earned, group_a.social_fund_cash) == (
        8_000,
        5_000,
        14_000,
    )
    # every line equals the group's own indicators
    gi = sql.group_indicators(world.store, world.a.id, ON)
    assert (group_a.savings, group_a.loans_outstanding, group_a.loan_fund_cash) == (
        gi.savings,
        gi.loans_outstanding,
        gi.loan_fund_cash,
    )
    assert (group_a.par_30, group_a.net_income) == (
        gi.par[30].model_copy(update={"name": "par_30"}),
        gi.net_income,
    )


def test_a_past_date_reads_the_loans_as_they_stood(world: KonTumMini) -> None:
    """On 2024-05-19, before B's write-off: Đức's 120.000 (due 03-15) is 65 days overdue,
    Blưp's 100.000 (due 05-10) 9 days. Outstanding 220.000; PAR 1 = 220.000 / 220.000, PAR 30
    = 120.000 / 220.000 = 6 / 11."""
    day = d(5, 19)
    report = sql.programme_indicators(world.store, world.programme.id, day)
    assert (report.loans_active, report.loans_outstanding) == (2, 220_000)
    assert (report.at_risk_1, report.at_risk_30) == (220_000, 120_000)
    assert report.par_30.value == fraction(6, 11)
    assert report.par_1.value == 1
    assert report == ref.programme_indicators(world.store, world.programme.id, day)


def test_a_reversal_changes_the_days_after_it_not_before(world: KonTumMini) -> None:
    """Y Hoa's L1 was settled on 04-10 (204.000). Reversing that repayment on 06-12 makes her
    200.000 owing again from 06-12 on, overdue since 04-10 (its due date): 63 days on 06-12.
    Reports dated before 06-12 still read what was recorded then."""
    [l1, _] = world.store.loans(world.cycle_a.id)
    paid = [
        e
        for e in world.store.entries(world.cycle_a.id)
        if e.loan_id == l1.id
        and e.date == d(4, 10)
        and e.kind is vsla.EntryKind.PRINCIPAL_REPAYMENT
    ]
    world.store.reverse_entry(paid[0].id, on=d(6, 12), reason="the 204.000 was not paid")
    before = sql.programme_indicators(world.store, world.programme.id, ON)
    assert (before.loans_outstanding, before.at_risk_30) == (100_000, 100_000)
    after = sql.programme_indicators(world.store, world.programme.id, d(6, 12))
    # 2024-04-10 -> 2024-06-12: 20 + 31 + 12 = 63 days; both loans now at risk
    assert (after.loans_active, after.loans_outstanding, after.at_risk_30) == (2, 300_000, 300_000)
    assert world.store.verify_loan_marks() == []
    for day in (ON, d(6, 12), dt.date(2024, 9, 30)):
        assert sql.programme_indicators(world.store, world.programme.id, day) == (
            ref.programme_indicators(world.store, world.programme.id, day)
        )


def test_the_dashboard_path_gives_the_same_money(world: KonTumMini) -> None:
    full = sql.programme_indicators(world.store, world.programme.id, ON)
    fast = sql.programme_indicators(world.store, world.programme.id, ON, breakdowns=["district"])
    assert fast.by_district == full.by_district
    assert (fast.savings, fast.par_30, fast.loan_fund_utilization) == (
        full.savings,
        full.par_30,
        full.loan_fund_utilization,
    )


def test_the_money_columns_of_the_rows(world: KonTumMini) -> None:
    report = sql.programme_indicators(world.store, world.programme.id, ON)
    rows = report.rows()
    whole = rows[0]
    assert (whole["savings"], whole["at_risk_30"], whole["par_30"]) == (720_000, 100_000, 1)
    women = next(r for r in rows if r["dimension"] == "sex" and r["key"] == "F")
    assert (women["savings"], women["loan_fund_cash"]) == (510_000, None)
