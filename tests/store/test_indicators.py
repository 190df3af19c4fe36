"""Group and programme indicators on a small hand-built programme, on SQLite and PostgreSQL.

Every expected figure is worked out by hand in the comments and asserted as a literal; the
same numbers are the worked example of ``docs/indicators.md``. The programme has two groups:

Group A, KT-DG-001, Đắk Glei, a GAL pilot since 2024-02-01; cycle 2024-01-10 to 2024-12-31;
share value 10.000 ₫, interest 2 %/month declining; members joined 2024-01-10 unless said:

    Y Hoa (F, Xơ Đăng) chair, GAL champion since 2024-03-01
    A Blưp (M, Xơ Đăng) box keeper
    Y Nhí (F, Ba Na) secretary
    Đinh Thị Lệ (F, Xơ Đăng): leaves on 2024-04-20 (settled: her 4 shares, 40.000 ₫, paid back)
    A Thành (M, Ba Na): joins on 2024-03-10

    meeting   attendance (P present, R represented, A absent, - no row)   shares bought
    M1 01-10  Hoa P  Blưp P  Nhí P  Lệ P                         Hoa 5, Blưp 3, Nhí 2, Lệ 2
    M2 02-10  Hoa P  Blưp R  Nhí P  Lệ A (fined 5.000)           Hoa 5, Blưp 3, Nhí 2
    M3 03-10  Hoa P  Blưp P  Nhí -  Lệ P  Thành P                Hoa 5, Blưp 3, Lệ 2, Thành 1
    M4 04-10  Hoa P  Blưp P  Nhí P  Lệ P  Thành A                Hoa 5
    M5 05-10  Hoa P  Blưp A  Nhí P        Thành R                Hoa 5, Nhí 2, Thành 1

    social fund: 4 × 2.000 at M1, 3 × 2.000 at M2 (Hoa, Blưp, Nhí) = 14.000
    loan L1: Y Hoa 200.000 on 02-10 for 2 months; pays 4.000 interest on 03-10, then 204.000
             (4.000 interest + 200.000 principal) on 04-10: settled
    loan L2: A Blưp 100.000 on 04-10 for 1 month, due 05-10, nothing paid: on 2024-06-09 it is
             30 days overdue, on 2024-06-10 31 days
    expense: 10.000 (stationery) at M5

Group B, KT-KP-001, Kon Plông, not a pilot; cycle 2024-01-15 to 2024-12-31, same rules;
members joined 2024-01-15: Y Lan (F, Gia Rai) chair, A Đức (M, Gia Rai), Y Mai (F, Kinh).

    B1 01-15  all present, 5 shares each;  B2 02-15  all present, 5 shares each, loan to
    A Đức 120.000 for 1 month;  B3 03-15  Lan P, Đức A, Mai P;  write-off of A Đức's loan
    (120.000) on 05-20.

Programme activity: referrals Y Hoa (VBSP, 03-01, accessed 04-01), A Blưp (Agribank, 05-01,
still pending), Đinh Thị Lệ (people's credit fund, 02-01, accessed 02-15), Y Lan (Agribank,
06-15: after the report date); livelihood support Y Nhí twice (training 02-20, inputs 03-20:
counted once), A Đức (market linkage 04-01); GAL sessions in group A: 02-15 vision journey
(3 women, 1 man, 5 reached), 03-20 gender balance tree (2 women, 2 men, 10 reached), 07-01
challenge action tree (after the report date).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import event

import vsla
from tests.conftest import BACKENDS, fresh_store
from tests.store.helpers import constitution
from vsla.domain.indicators import (
    GalComparison,
    GroupIndicators,
    MembersPolicy,
    ProgrammeReport,
)
from vsla.domain.money import ratio
from vsla.errors import InvalidInput, NotFound
from vsla.reports import indicators as sql
from vsla.reports import reference as ref

P, R, A = vsla.Attendance.PRESENT, vsla.Attendance.REPRESENTED, vsla.Attendance.ABSENT
F, M = vsla.Sex.FEMALE, vsla.Sex.MALE
ON = dt.date(2024, 6, 10)
DAY_BEFORE = dt.date(2024, 6, 9)


def d(month: int, day: int) -> dt.date:
    return dt.date(2024, month, day)


@dataclass
class KonTumMini:
    store: vsla.Store
    programme: vsla.Programme
    a: vsla.Group
    b: vsla.Group
    m: dict[str, vsla.Member]
    cycle_a: vsla.Cycle
    cycle_b: vsla.Cycle

    def id(self, name: str) -> int:
        return self.m[name].id


def build_kon_tum_mini(store: vsla.Store) -> KonTumMini:
    """The dataset of the module docstring (and of docs/indicators.md)."""
    programme = store.add_programme(
        vsla.NewProgramme(
            name="Kon Tum – Dự án 8 (thử nghiệm)",
            period_start=d(1, 1),
            period_end=d(12, 31),
        )
    )
    a = store.add_group(
        vsla.NewGroup(
            code="KT-DG-001",
            name="Tổ thôn Đăk Nhoong",
            programme_id=programme.id,
            district="Đắk Glei",
            established_on=d(1, 10),
            gal_pilot_since=d(2, 1),
        )
    )
    b = store.add_group(
        vsla.NewGroup(
            code="KT-KP-001",
            name="Tổ thôn Kon Brăp",
            programme_id=programme.id,
            district="Kon Plông",
            established_on=d(1, 15),
        )
    )

    def member(
        group: vsla.Group, name: str, sex: vsla.Sex, ethnicity: str, joined: dt.date, **kw: Any
    ) -> vsla.NewMember:
        return vsla.NewMember(
            group_id=group.id,
            full_name=name,
            sex=sex,
            ethnicity=ethnicity,
            joined_on=joined,
            **kw,
        )

    people = store.add_members(
        [
            member(a, "Y Hoa", F, "Xơ Đăng", d(1, 10), gal_champion_since=d(3, 1)),
            member(a, "A Blưp", M, "Xơ Đăng", d(1, 10)),
            member(a, "Y Nhí", F, "Ba Na", d(1, 10)),
            member(a, "Đinh Thị Lệ", F, "Xơ Đăng", d(1, 10)),
            member(a, "A Thành", M, "Ba Na", d(3, 10)),
            member(b, "Y Lan", F, "Gia Rai", d(1, 15)),
            member(b, "A Đức", M, "Gia Rai", d(1, 15)),
            member(b, "Y Mai", F, "Kinh", d(1, 15)),
        ]
    )
    m = {p.full_name: p for p in people}
    hoa, blup, nhi, le, thanh = (
        m[n].id for n in ("Y Hoa", "A Blưp", "Y Nhí", "Đinh Thị Lệ", "A Thành")
    )
    lan, duc, mai = (m[n].id for n in ("Y Lan", "A Đức", "Y Mai"))
    rules = constitution(fines={"absence": 5_000})
    cycle_a = store.start_cycle(
        a.id,
        start=d(1, 10),
        end=d(12, 31),
        constitution=rules,
        officers={
            hoa: vsla.OfficerRole.CHAIR,
            blup: vsla.OfficerRole.BOX_KEEPER,
            nhi: vsla.OfficerRole.SECRETARY,
        },
    )
    meet = store.record_meeting
    meet(
        cycle_a.id,
        vsla.MeetingInput(
            date=d(1, 10),
            attendance={hoa: P, blup: P, nhi: P, le: P},
            social_fund_contributions={hoa: 2_000, blup: 2_000, nhi: 2_000, le: 2_000},
            share_purchases={hoa: 5, blup: 3, nhi: 2, le: 2},
        ),
    )
    meet(
        cycle_a.id,
        vsla.MeetingInput(
            date=d(2, 10),
            attendance={hoa: P, blup: R, nhi: P, le: A},
            social_fund_contributions={hoa: 2_000, blup: 2_000, nhi: 2_000},
            share_purchases={hoa: 5, blup: 3, nhi: 2},
            fines=[vsla.FinePaid(member_id=le, fine="absence")],
            loans=[vsla.LoanRequest(member_id=hoa, principal=200_000, term_months=2)],
        ),
    )
    [loan_1] = store.loans(cycle_a.id)
    meet(
        cycle_a.id,
        vsla.MeetingInput(
            date=d(3, 10),
            attendance={hoa: P, blup: P, le: P, thanh: P},
            share_purchases={hoa: 5, blup: 3, le: 2, thanh: 1},
            repayments=[vsla.Repayment(loan_id=loan_1.id, amount=4_000)],
        ),
    )
    meet(
        cycle_a.id,
        vsla.MeetingInput(
            date=d(4, 10),
            attendance={hoa: P, blup: P, nhi: P, le: P, thanh: A},
            share_purchases={hoa: 5},
            repayments=[vsla.Repayment(loan_id=loan_1.id, amount=204_000)],
            loans=[vsla.LoanRequest(member_id=blup, principal=100_000, term_months=1)],
        ),
    )
    store.settle_member_exit(le, on=d(4, 20), reason=vsla.ExitReason.MOVED)
    meet(
        cycle_a.id,
        vsla.MeetingInput(
            date=d(5, 10),
            attendance={hoa: P, blup: A, nhi: P, thanh: R},
            share_purchases={hoa: 5, nhi: 2, thanh: 1},
            expenses=[vsla.Expense(amount=10_000, memo="stationery")],
        ),
    )

    cycle_b = store.start_cycle(
        b.id,
        start=d(1, 15),
        end=d(12, 31),
        constitution=rules,
        officers={lan: vsla.OfficerRole.CHAIR},
    )
    everyone = {lan: P, duc: P, mai: P}
    meet(
        cycle_b.id,
        vsla.MeetingInput(
            date=d(1, 15), attendance=everyone, share_purchases={lan: 5, duc: 5, mai: 5}
        ),
    )
    meet(
        cycle_b.id,
        vsla.MeetingInput(
            date=d(2, 15),
            attendance=everyone,
            share_purchases={lan: 5, duc: 5, mai: 5},
            loans=[vsla.LoanRequest(member_id=duc, principal=120_000, term_months=1)],
        ),
    )
    meet(cycle_b.id, vsla.MeetingInput(date=d(3, 15), attendance={lan: P, duc: A, mai: P}))
    [loan_b] = store.loans(cycle_b.id)
    store.write_off(loan_b.id, on=d(5, 20), reason="moved away, cannot repay")

    store.add_referrals(
        [
            vsla.NewReferral(
                member_id=hoa,
                institution=vsla.Institution.VBSP,
                service="loan",
                referred_on=d(3, 1),
                outcome=vsla.ReferralOutcome.ACCESSED,
                outcome_on=d(4, 1),
            ),
            vsla.NewReferral(
                member_id=blup,
                institution=vsla.Institution.AGRIBANK,
                service="savings account",
                referred_on=d(5, 1),
            ),
            vsla.NewReferral(
                member_id=le,
                institution=vsla.Institution.PEOPLES_CREDIT_FUND,
                service="savings account",
                referred_on=d(2, 1),
                outcome=vsla.ReferralOutcome.ACCESSED,
                outcome_on=d(2, 15),
            ),
            vsla.NewReferral(
                member_id=lan,
                institution=vsla.Institution.AGRIBANK,
                service="loan",
                referred_on=d(6, 15),
            ),
        ]
    )
    store.add_livelihood_supports(
        [
            vsla.NewLivelihoodSupport(
                member_id=nhi, kind=vsla.SupportKind.TRAINING, received_on=d(2, 20)
            ),
            vsla.NewLivelihoodSupport(
                member_id=nhi, kind=vsla.SupportKind.INPUTS, received_on=d(3, 20), value=500_000
            ),
            vsla.NewLivelihoodSupport(
                member_id=duc, kind=vsla.SupportKind.MARKET_LINKAGE, received_on=d(4, 1)
            ),
        ]
    )
    for held, tool, women, men, reached in (
        (d(2, 15), vsla.GalTool.VISION_JOURNEY, 3, 1, 5),
        (d(3, 20), vsla.GalTool.GENDER_BALANCE_TREE, 2, 2, 10),
        (d(7, 1), vsla.GalTool.CHALLENGE_ACTION_TREE, 4, 0, 3),
    ):
        store.add_gal_session(
            vsla.NewGalSession(
                group_id=a.id,
                held_on=held,
                tool=tool,
                women=women,
                men=men,
                reached_by_peer_sharing=reached,
            )
        )
    return KonTumMini(store, programme, a, b, m, cycle_a, cycle_b)


@pytest.fixture
def world(store: vsla.Store) -> KonTumMini:
    return build_kon_tum_mini(store)


def fraction(numerator: int, denominator: int) -> Decimal:
    """The value an Indicator holds for numerator / denominator."""
    value = ratio(numerator, denominator)
    assert value is not None
    return value


# ============================================================================================
# Group indicators
# ============================================================================================


def test_group_a_on_2024_06_10(world: KonTumMini) -> None:
    gi = sql.group_indicators(world.store, world.a.id, ON)
    assert (gi.group_code, gi.district, gi.gal_pilot) == ("KT-DG-001", "Đắk Glei", True)
    assert (gi.cycle_number, gi.cycle_start) == (1, d(1, 10))
    # 2024-01-10 -> 2024-06-10: 31 + 29 + 31 + 30 + 31 = 152 days (2024 is a leap year)
    assert gi.days_in_cycle == 152

    # members on 06-10: Hoa, Blưp, Nhí, Thành (Lệ left on 04-20); women: Hoa, Nhí
    assert (gi.members, gi.women) == (4, 2)
    assert gi.pct_women.value == Decimal("0.5")
    # at the cycle start (01-10): Hoa, Blưp, Nhí, Lệ; Thành joined on 03-10; 1 left (Lệ)
    assert (gi.members_at_cycle_start, gi.joined_during_cycle, gi.left_during_cycle) == (4, 1, 1)
    # dropout: of the 5 who were members during the cycle, 1 left
    assert gi.dropout_rate.value == Decimal("0.2")

    # attendance: 5 meetings with attendance taken (the exit on 04-20 is not a meeting)
    # expected: M1 4, M2 4, M3 5 (Thành joined), M4 5, M5 4 (Lệ left) = 22
    # present: M1 4, M2 2, M3 4 (Nhí has no row: absent), M4 4, M5 2 = 16
    # represented: M2 Blưp, M5 Thành = 2
    assert gi.meetings == 5
    assert (gi.attendance_rate.numerator, gi.attendance_rate.denominator) == (18, 22)
    assert gi.attendance_rate.value == fraction(9, 11)
    # the last 4 meetings (M2..M5): expected 4 + 5 + 5 + 4 = 18; present 2 + 4 + 4 + 2 = 12; + 2
    assert (gi.attendance_rate_last_4.numerator, gi.attendance_rate_last_4.denominator) == (14, 18)

    # shares bought: 12 + 10 + 11 + 5 + 8 = 46; Lệ's 4 left with her: 42 shares = 420.000
    assert (gi.shares, gi.savings) == (42, 420_000)
    assert gi.savings_per_member.value == 105_000  # 420.000 / 4

    # loan fund: shares 460.000 + fine 5.000 + interest 8.000 + principal repaid 200.000
    #            − disbursed 300.000 − expense 10.000 − exit payout 40.000 = 323.000
    assert gi.loan_fund_cash == 323_000
    assert gi.social_fund_cash == 14_000  # 4 × 2.000 + 3 × 2.000
    assert gi.loans_outstanding == 100_000  # 300.000 − 200.000
    assert gi.total_assets == 437_000  # 323.000 + 100.000 + 14.000
    assert (gi.loans, gi.principal_disbursed) == (2, 300_000)
    assert gi.average_loan_size.value == 150_000
    assert gi.members_with_loans == 1  # Blưp
    assert gi.pct_members_with_loans.value == Decimal("0.25")
    assert gi.loan_fund_utilization.value == fraction(100_000, 423_000)

    # L2 (Blưp, due 05-10, unpaid) is 31 days overdue on 06-10: in PAR 1 and PAR 30
    assert gi.par[1].value == 1
    assert (gi.par[30].numerator, gi.par[30].denominator) == (100_000, 100_000)
    assert gi.write_off_ratio.value == 0

    # net income = interest 8.000 + fines 5.000 + other income 0 − expenses 10.000 − 0 = 3.000
    assert (gi.interest_paid, gi.fines, gi.other_income, gi.expenses) == (8_000, 5_000, 0, 10_000)
    assert gi.net_income == 3_000
    assert gi.return_on_savings.value == fraction(3_000, 420_000)
    # × 365 / 152: 1.095.000 / 63.840.000
    assert (
        gi.annualized_return_on_savings.numerator,
        gi.annualized_return_on_savings.denominator,
    ) == (1_095_000, 63_840_000)
    assert gi.annualized_return_on_savings.value == fraction(1_095_000, 63_840_000)
    assert (gi.return_on_assets.numerator, gi.return_on_assets.denominator) == (
        1_095_000,
        437_000 * 152,
    )
    assert gi.social_fund_per_member.value == 3_500  # 14.000 / 4
    assert gi.projected_value_per_share.value == fraction(423_000, 42)  # (323.000 + 100.000) / 42
    assert (gi.officers, gi.share_out_payouts, gi.champions) == (3, 0, 1)


def test_group_a_by_sex_and_ethnicity(world: KonTumMini) -> None:
    gi = sql.group_indicators(world.store, world.a.id, ON)
    women, men = gi.breakdown("sex", "F"), gi.breakdown("sex", "M")
    # women: Hoa 25 shares, Nhí 6, Lệ 0 (4 bought, 4 paid back) = 31 shares = 310.000
    assert (women.members, women.shares, women.savings) == (2, 31, 310_000)
    assert women.savings_per_member.value == 155_000
    # men: Blưp 9, Thành 2 = 11 shares = 110.000
    assert (men.members, men.shares, men.savings) == (2, 11, 110_000)
    # loans: Hoa's 200.000 (repaid), Blưp's 100.000 (outstanding, 31 days overdue)
    assert (women.loans, women.principal_disbursed, women.loans_outstanding) == (1, 200_000, 0)
    assert women.average_loan_size.value == 200_000
    assert women.par[30].value is None  # nothing outstanding: no PAR
    assert (men.loans, men.principal_disbursed, men.loans_outstanding) == (1, 100_000, 100_000)
    assert men.par[30].value == 1
    assert (women.members_with_loans, men.members_with_loans) == (0, 1)
    # attendance, women: expected M1..M4 3 each + M5 2 = 14; present 3 + 2 + 2 + 3 + 2 = 12
    assert (women.attendance_rate.numerator, women.attendance_rate.denominator) == (12, 14)
    # men: expected 1 + 1 + 2 + 2 + 2 = 8; present 1 + 0 + 2 + 1 + 0 = 4, represented 2
    assert (men.attendance_rate.numerator, men.attendance_rate.denominator) == (6, 8)
    # dropout: women 1 (Lệ) of 3 at the start; men 0 of 2 (Blưp, and Thành who joined)
    assert women.dropout_rate.value == fraction(1, 3)
    assert men.dropout_rate.value == 0
    assert (women.officers, men.officers) == (2, 1)
    assert (women.champions, men.champions) == (1, 0)

    xo_dang, ba_na = gi.breakdown("ethnicity", "Xơ Đăng"), gi.breakdown("ethnicity", "Ba Na")
    assert [line.key for line in gi.by_ethnicity] == ["Ba Na", "Xơ Đăng"]
    # Xơ Đăng: Hoa 25 + Blưp 9 + Lệ 0; Ba Na: Nhí 6 + Thành 2
    assert (xo_dang.members, xo_dang.savings) == (2, 340_000)
    assert (ba_na.members, ba_na.savings) == (2, 80_000)
    # every breakdown adds up to the group
    for lines in (gi.by_sex, gi.by_ethnicity):
        assert sum(line.savings for line in lines) == gi.savings
        assert sum(line.members for line in lines) == gi.members
        assert sum(line.loans_outstanding for line in lines) == gi.loans_outstanding
        assert sum(line.attendance_rate.denominator for line in lines) == 22


def test_par_at_exactly_30_and_31_days(world: KonTumMini) -> None:
    """Blưp's loan was due on 05-10. On 06-09 it is 30 days overdue: PAR 30 counts loans
    overdue by *more than* 30 days, so it is 0 then; on 06-10 (31 days) it is 100 %."""
    before = sql.group_indicators(world.store, world.a.id, DAY_BEFORE, par_days=(1, 30, 31))
    after = sql.group_indicators(world.store, world.a.id, ON, par_days=(1, 30, 31))
    assert [before.par[t].value for t in (1, 30, 31)] == [1, 0, 0]
    assert [after.par[t].value for t in (1, 30, 31)] == [1, 1, 0]
    assert sorted(after.par) == [1, 30, 31]


def test_represented_policy(world: KonTumMini) -> None:
    """With represented members counted absent: 16 / 22 and, last 4 meetings, 12 / 18."""
    gi = sql.group_indicators(world.store, world.a.id, ON, represented_counts_as_present=False)
    assert (gi.attendance_rate.numerator, gi.attendance_rate.denominator) == (16, 22)
    assert (gi.attendance_rate_last_4.numerator, gi.attendance_rate_last_4.denominator) == (12, 18)
    assert gi.breakdown("sex", "M").attendance_rate.numerator == 4


def test_group_b_write_off(world: KonTumMini) -> None:
    gi = sql.group_indicators(world.store, world.b.id, ON)
    # 30 shares = 300.000; A Đức's 120.000 written off on 05-20
    assert (gi.members, gi.savings, gi.loans_outstanding) == (3, 300_000, 0)
    assert (gi.principal_disbursed, gi.principal_written_off) == (120_000, 120_000)
    assert gi.write_off_ratio.value == 1
    assert gi.net_income == -120_000
    assert gi.loan_fund_cash == 180_000  # 300.000 − 120.000
    assert gi.par[30].value is None  # nothing outstanding
    assert gi.pct_members_with_loans.value == 0
    # 3 meetings (the write-off day is not one): expected 9, present 8
    assert (gi.meetings, gi.attendance_rate.numerator, gi.attendance_rate.denominator) == (
        3,
        8,
        9,
    )
    # 2024-01-15 -> 2024-06-10 = 147 days; ROA = −120.000 × 365 / (180.000 × 147)
    assert gi.days_in_cycle == 147
    assert gi.return_on_assets.value == fraction(-120_000 * 365, 180_000 * 147)
    assert gi.return_on_assets.value is not None
    assert gi.return_on_assets.value < 0


def test_before_the_write_off_the_loan_is_at_risk(world: KonTumMini) -> None:
    """On 05-19, A Đức's loan (due 03-15) is 65 days overdue: 16 days of March, 30 of April,
    19 of May."""
    gi = sql.group_indicators(world.store, world.b.id, d(5, 19))
    assert gi.loans_outstanding == 120_000
    assert gi.par[30].value == 1
    assert gi.par[30].numerator == 120_000


def test_group_indicators_all_and_filters(world: KonTumMini) -> None:
    everyone = sql.group_indicators_all(world.store, ON)
    assert [g.group_code for g in everyone] == ["KT-DG-001", "KT-KP-001"]
    assert everyone[0] == sql.group_indicators(world.store, world.a.id, ON)
    only_b = sql.group_indicators_all(
        world.store, ON, programme_id=world.programme.id, district="Kon Plông"
    )
    assert [g.group_code for g in only_b] == ["KT-KP-001"]
    # group B was established on 01-15: not yet a group on 01-12
    assert [g.group_code for g in sql.group_indicators_all(world.store, d(1, 12))] == ["KT-DG-001"]
    assert sql.group_indicators_all(world.store, ON, programme_id=world.programme.id + 1) == []


def test_a_group_without_a_cycle(store: vsla.Store) -> None:
    group = store.add_group(vsla.NewGroup(code="G", name="Tổ mới", established_on=d(5, 1)))
    store.add_members(
        [vsla.NewMember(group_id=group.id, full_name="Y Ana", sex=F, joined_on=d(5, 1))]
    )
    gi = sql.group_indicators(store, group.id, ON)
    assert (gi.cycle_id, gi.members, gi.savings, gi.days_in_cycle) == (None, 1, 0, 0)
    assert gi.attendance_rate.value is None
    assert gi.annualized_return_on_savings.value is None
    assert gi == ref.group_indicators(store, group.id, ON)


def test_after_the_share_out(store: vsla.Store) -> None:
    """A cycle shared out: payouts by sex, and the next cycle starts from zero savings."""
    group = store.add_group(vsla.NewGroup(code="S", name="Tổ S", established_on=d(1, 1)))
    ana, bo = store.add_members(
        [
            vsla.NewMember(group_id=group.id, full_name="Y Ana", sex=F, joined_on=d(1, 1)),
            vsla.NewMember(group_id=group.id, full_name="A Bo", sex=M, joined_on=d(1, 1)),
        ]
    )
    cycle = store.start_cycle(group.id, start=d(1, 1), end=d(6, 30), constitution=constitution())
    store.record_meeting(
        cycle.id,
        vsla.MeetingInput(
            date=d(1, 1),
            share_purchases={ana.id: 3, bo.id: 1},
            other_income=[vsla.Income(amount=4_000, memo="bank interest")],
        ),
    )
    store.share_out(cycle.id, on=d(6, 30))
    # distributable 44.000: Ana 3 × 44.000 / 4 = 33.000, Bo 11.000
    gi = sql.group_indicators(store, group.id, d(7, 1))
    assert gi.shared_out_on == d(6, 30)
    assert gi.share_out_payouts == 44_000
    assert gi.breakdown("sex", "F").share_out_payouts == 33_000
    assert gi.breakdown("sex", "M").share_out_payouts == 11_000
    assert gi.loan_fund_cash == 0
    nxt = store.start_next_cycle(cycle.id, start=d(7, 1), end=d(12, 31))
    gi2 = sql.group_indicators(store, group.id, d(7, 1))
    assert (gi2.cycle_id, gi2.cycle_number, gi2.savings, gi2.share_out_payouts) == (
        nxt.id,
        2,
        0,
        0,
    )
    assert gi2 == ref.group_indicators(store, group.id, d(7, 1))


def test_a_reversed_repayment_puts_the_loan_back_at_risk(store: vsla.Store) -> None:
    """A repayment reversed later counts as never made from its own date on: the loan is
    overdue again when looked at after the reversal, but not before it was recorded."""
    group = store.add_group(vsla.NewGroup(code="R", name="Tổ R", established_on=d(1, 1)))
    [ana] = store.add_members(
        [vsla.NewMember(group_id=group.id, full_name="Y Ana", sex=F, joined_on=d(1, 1))]
    )
    cycle = store.start_cycle(group.id, start=d(1, 1), end=d(12, 31), constitution=constitution())
    store.record_meeting(
        cycle.id,
        vsla.MeetingInput(
            date=d(1, 1),
            share_purchases={ana.id: 5},
            loans=[vsla.LoanRequest(member_id=ana.id, principal=50_000, term_months=1)],
        ),
    )
    [loan] = store.loans(cycle.id)
    rec = store.record_meeting(
        cycle.id,
        vsla.MeetingInput(
            date=d(2, 1), repayments=[vsla.Repayment(loan_id=loan.id, amount=51_000)]
        ),
    )
    assert sql.group_indicators(store, group.id, d(3, 1)).loans_outstanding == 0
    principal = next(e for e in rec.entries if e.kind is vsla.EntryKind.PRINCIPAL_REPAYMENT)
    store.reverse_entry(principal.id, on=d(3, 10), reason="counted twice")
    before = sql.group_indicators(store, group.id, d(3, 9))
    after = sql.group_indicators(store, group.id, d(3, 10))
    assert before.loans_outstanding == 0
    # due 02-01, the principal now unpaid: 38 days overdue on 03-10 (28 + 10, 2024-02 has 29)
    assert after.loans_outstanding == 50_000
    assert after.par[30].value == 1
    for day in (d(3, 9), d(3, 10)):
        assert sql.group_indicators(store, group.id, day) == ref.group_indicators(
            store, group.id, day
        )


def test_bad_arguments(world: KonTumMini) -> None:
    with pytest.raises(NotFound):
        sql.group_indicators(world.store, 9_999, ON)
    with pytest.raises(InvalidInput, match="PAR threshold"):
        sql.group_indicators(world.store, world.a.id, ON, par_days=(-1,))
    with pytest.raises(InvalidInput, match=r"datetime\.date"):
        sql.group_indicators(world.store, world.a.id, dt.datetime(2024, 6, 10))
    with pytest.raises(NotFound):
        sql.programme_indicators(world.store, 9_999, ON)
    with pytest.raises(NotFound, match="not a group of programme"):
        sql.programme_indicators(world.store, world.programme.id, ON, group_id=9_999)
    with pytest.raises(InvalidInput, match="frequency"):
        sql.programme_time_series(world.store, world.programme.id, frequency="weekly")  # type: ignore[arg-type]


# ============================================================================================
# Programme indicators
# ============================================================================================


def test_programme_on_2024_06_10(world: KonTumMini) -> None:
    report = sql.programme_indicators(world.store, world.programme.id, ON)
    assert report.members_policy is MembersPolicy.ACTIVE_ON_DATE
    # groups: 2 active vs 91; 1 GAL pilot (A, since 02-01) vs 55
    assert report.groups_active.value == 2
    assert report.groups_active.target == 91
    assert report.groups_active.met is False
    assert (report.gal_pilot_groups.numerator, report.gal_pilot_groups.target) == (1, 55)
    # members on 06-10: A 4 (Lệ left), B 3 = 7; women Hoa, Nhí, Lan, Mai = 4
    assert (report.members, report.women) == (7, 4)
    # referred on or before 06-10 among them: Hoa (accessed), Blưp (pending) = 2;
    # Lệ left, Lan's referral is dated 06-15
    assert (report.referred, report.referral_rate.value) == (2, fraction(2, 7))
    assert report.referral_rate.target == Decimal("0.15")
    assert report.referral_rate.met is True
    # linked (outcome accessed by 06-10): Hoa = 1 / 7 ≈ 14.3 %; no target for linked_rate
    assert (report.linked, report.linked_rate.value, report.linked_rate.met) == (
        1,
        fraction(1, 7),
        None,
    )
    # supported: Nhí (two supports, counted once) and Đức = 2 / 7
    assert (report.supported, report.livelihood_support_rate.value) == (2, fraction(2, 7))
    assert report.livelihood_support_rate.met is True


def test_programme_breakdowns(world: KonTumMini) -> None:
    report = sql.programme_indicators(world.store, world.programme.id, ON)
    dak_glei, kon_plong = report.by_district
    assert (dak_glei.key, dak_glei.members, dak_glei.referred, dak_glei.supported) == (
        "Đắk Glei",
        4,
        2,
        1,
    )
    assert dak_glei.referral_rate.value == Decimal("0.5")
    # Kon Plông: nobody referred yet: below 15 %
    assert (kon_plong.key, kon_plong.members, kon_plong.referred) == ("Kon Plông", 3, 0)
    assert kon_plong.referral_rate.value == 0
    assert kon_plong.referral_rate.met is False
    assert kon_plong.livelihood_support_rate.value == fraction(1, 3)
    below = [line.key for line in report.by_district if line.referral_rate.met is False]
    assert below == ["Kon Plông"]
    assert [line.key for line in report.by_group] == ["KT-DG-001", "KT-KP-001"]
    assert report.line("group", "KT-DG-001").label == "Tổ thôn Đăk Nhoong"
    women, men = report.by_sex
    # women: Hoa, Nhí, Lan, Mai: referred Hoa, supported Nhí; men: Blưp, Thành, Đức
    assert (women.key, women.members, women.referred, women.supported) == ("F", 4, 1, 1)
    assert (men.key, men.members, men.referred, men.supported) == ("M", 3, 1, 1)
    assert [line.key for line in report.by_ethnicity] == ["Ba Na", "Gia Rai", "Kinh", "Xơ Đăng"]
    assert report.line("ethnicity", "Xơ Đăng").referred == 2  # Hoa, Blưp
    pilot, other = report.by_gal_status
    assert (pilot.key, pilot.members, pilot.referred, pilot.gal_pilot_groups) == ("pilot", 4, 2, 1)
    assert (other.key, other.members, other.referred, other.groups_active) == ("other", 3, 0, 1)
    # sex and ethnicity lines do not count groups
    assert women.groups_active is None


def test_programme_breakdowns_can_be_chosen(world: KonTumMini) -> None:
    """A dashboard by district builds only the district lines: the same lines and the same
    totals (7 members, 2 referred) as the full report; the other breakdowns stay empty."""
    full = sql.programme_indicators(world.store, world.programme.id, ON)
    for path in (sql, ref):
        only = path.programme_indicators(
            world.store, world.programme.id, ON, breakdowns=["district"]
        )
        assert only.by_district == full.by_district
        assert [(line.key, line.members) for line in only.by_district] == [
            ("Đắk Glei", 4),
            ("Kon Plông", 3),
        ]
        assert (only.members, only.referred) == (full.members, full.referred) == (7, 2)
        assert only.by_group == only.by_sex == only.by_ethnicity == only.by_gal_status == ()
    sexes = sql.programme_indicators(world.store, world.programme.id, ON, breakdowns=["sex"])
    assert [line.key for line in sexes.lines()] == ["F", "M"]
    with pytest.raises(vsla.InvalidInput, match="unknown breakdown 'village'"):
        sql.programme_indicators(world.store, world.programme.id, ON, breakdowns=["village"])


def test_programme_members_policy_ever_in_period(world: KonTumMini) -> None:
    """Ever-members in 2024 up to 06-10: all 8 (Lệ too). Referred: Hoa, Blưp, Lệ = 3 / 8;
    linked: Hoa, Lệ = 2 / 8; supported: Nhí, Đức = 2 / 8."""
    report = sql.programme_indicators(
        world.store, world.programme.id, ON, members_policy=MembersPolicy.EVER_IN_PERIOD
    )
    assert report.members == 8
    assert (report.referred, report.linked, report.supported) == (3, 2, 2)
    assert report.referral_rate.value == Decimal("0.375")
    assert report.linked_rate.value == Decimal("0.25")


def test_programme_filtered_by_district_and_group(world: KonTumMini) -> None:
    district = sql.programme_indicators(world.store, world.programme.id, ON, district="Đắk Glei")
    assert (district.members, district.referred, district.district) == (4, 2, "Đắk Glei")
    # the 91 and 55 targets are programme-wide: not compared for a district
    assert (district.groups_active.numerator, district.groups_active.target) == (1, None)
    assert district.groups_active.met is None
    assert district.referral_rate.met is True
    group = sql.programme_indicators(world.store, world.programme.id, ON, group_id=world.b.id)
    assert (group.members, group.supported, group.group_id) == (3, 1, world.b.id)
    assert [line.key for line in group.by_group] == ["KT-KP-001"]


def test_programme_time_series(world: KonTumMini) -> None:
    series = sql.programme_time_series(world.store, world.programme.id)
    # the 2024 period: quarter ends 03-31, 06-30, 09-30, 12-31 (the period end)
    assert [r.on for r in series] == [d(3, 31), d(6, 30), d(9, 30), d(12, 31)]
    q1 = series[0]
    # 03-31: A has 5 members (Thành joined 03-10, Lệ still in), B 3 = 8
    # referred by then: Lệ (02-01), Hoa (03-01) = 2 / 8; supported: Nhí = 1 / 8 = 12.5 % < 15 %
    assert (q1.members, q1.referred, q1.supported) == (8, 2, 1)
    assert q1.livelihood_support_rate.value == Decimal("0.125")
    assert q1.livelihood_support_rate.met is False
    # 06-30: 7 members; Lan's referral (06-15) now counts: Hoa, Blưp, Lan = 3 / 7
    assert (series[1].members, series[1].referred) == (7, 3)
    assert series[1] == sql.programme_indicators(world.store, world.programme.id, d(6, 30))
    yearly = sql.programme_time_series(world.store, world.programme.id, frequency="yearly")
    assert [r.on for r in yearly] == [d(12, 31)]


def test_gal_comparison(world: KonTumMini) -> None:
    gal = sql.gal_comparison(world.store, world.programme.id, ON)
    pilot, other = gal.pilot, gal.other
    assert (pilot.groups, other.groups) == (1, 1)
    # officers: A Hoa, Nhí (F), Blưp (M): 2 / 3; B: Lan (F): 1 / 1
    assert pilot.women_share_of_officers.value == fraction(2, 3)
    assert other.women_share_of_officers.value == 1
    # loans: A Hoa 200.000 (F), Blưp 100.000 (M): 1 / 2 of loans, 200.000 / 300.000 of value
    assert pilot.women_share_of_loans.value == Decimal("0.5")
    assert pilot.women_share_of_loan_value.value == fraction(2, 3)
    # B: Đức 120.000 (M)
    assert other.women_share_of_loans.value == 0
    assert other.women_share_of_loan_value.value == 0
    # savings per woman: A 310.000 / 2; B (Lan 100.000 + Mai 100.000) / 2
    assert pilot.savings_per_woman.value == 155_000
    assert other.savings_per_woman.value == 100_000
    # women's attendance: A 12 / 14; B 6 / 6
    assert pilot.women_attendance_rate.value == fraction(6, 7)
    assert other.women_attendance_rate.value == 1
    assert (pilot.referral_rate.value, other.referral_rate.value) == (Decimal("0.5"), Decimal(0))
    assert (pilot.linked_rate.value, other.linked_rate.value) == (Decimal("0.25"), Decimal(0))
    assert pilot.livelihood_support_rate.value == Decimal("0.25")
    assert other.livelihood_support_rate.value == fraction(1, 3)
    # GAL activity by 06-10: two sessions (the 07-01 one is later)
    assert (pilot.champions, pilot.gal_sessions) == (1, 2)
    assert pilot.sessions_by_tool[vsla.GalTool.VISION_JOURNEY] == 1
    assert pilot.sessions_by_tool[vsla.GalTool.GENDER_BALANCE_TREE] == 1
    assert pilot.sessions_by_tool[vsla.GalTool.CHALLENGE_ACTION_TREE] == 0
    assert (pilot.session_women, pilot.session_men, pilot.reached_by_peer_sharing) == (5, 3, 15)
    assert (other.champions, other.gal_sessions, other.reached_by_peer_sharing) == (0, 0, 0)
    rows = {row["figure"]: row for row in gal.rows()}
    assert rows["savings_per_woman"] == {
        "figure": "savings_per_woman",
        "pilot": Decimal(155_000),
        "other": Decimal(100_000),
    }
    assert rows["sessions_vision_journey"]["pilot"] == 1


# ============================================================================================
# Both paths, serialisation, rows, and the number of queries
# ============================================================================================


def test_reference_path_agrees_on_the_worked_example(world: KonTumMini) -> None:
    s, pid = world.store, world.programme.id
    for day in (d(1, 10), d(3, 31), DAY_BEFORE, ON, d(12, 31)):
        assert sql.group_indicators_all(s, day) == ref.group_indicators_all(s, day)
        for policy in MembersPolicy:
            assert sql.programme_indicators(
                s, pid, day, members_policy=policy
            ) == ref.programme_indicators(s, pid, day, members_policy=policy)
        assert sql.gal_comparison(s, pid, day) == ref.gal_comparison(s, pid, day)
    assert sql.programme_time_series(s, pid) == ref.programme_time_series(s, pid)


def test_reports_round_trip_through_json(world: KonTumMini) -> None:
    gi = sql.group_indicators(world.store, world.a.id, ON)
    text = gi.model_dump_json()
    assert GroupIndicators.model_validate_json(text) == gi
    assert json.loads(text)["par"]["30"]["value"] == "1"
    assert "Đắk Glei" in gi.model_dump_json(), "JSON keeps the diacritics"
    report = sql.programme_indicators(world.store, world.programme.id, ON)
    assert ProgrammeReport.model_validate_json(report.model_dump_json()) == report
    gal = sql.gal_comparison(world.store, world.programme.id, ON)
    assert GalComparison.model_validate_json(gal.model_dump_json()) == gal
    with pytest.raises(Exception, match="frozen"):
        gi.members = 5  # type: ignore[misc]


def test_rows_are_flat(world: KonTumMini) -> None:
    allowed = (int, Decimal, str, bool, dt.date, type(None))
    gi = sql.group_indicators(world.store, world.a.id, ON)
    rows = gi.rows()
    # the group, 2 sexes, 2 ethnicities
    assert [(r["dimension"], r["key"]) for r in rows] == [
        ("group", "KT-DG-001"),
        ("sex", "F"),
        ("sex", "M"),
        ("ethnicity", "Ba Na"),
        ("ethnicity", "Xơ Đăng"),
    ]
    assert all(r.keys() == rows[0].keys() for r in rows)
    assert (rows[0]["par_30"], rows[0]["savings"]) == (1, 420_000)
    assert (rows[1]["savings"], rows[1]["loan_fund_cash"]) == (310_000, None)
    report = sql.programme_indicators(world.store, world.programme.id, ON)
    prows = report.rows()
    assert prows[0]["dimension"] == "programme"
    assert (prows[0]["groups_active"], prows[0]["groups_active_met"]) == (2, False)
    assert all(r.keys() == prows[0].keys() for r in prows)
    by_district = {r["key"]: r for r in prows if r["dimension"] == "district"}
    assert by_district["Kon Plông"]["referral_rate_met"] is False
    for row in (*rows, *prows, *sql.gal_comparison(world.store, world.programme.id, ON).rows()):
        assert all(isinstance(v, allowed) for v in row.values()), row


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_number_of_queries_does_not_grow_with_the_groups(backend: str) -> None:
    """3 groups or 12: the same number of SQL statements for each report."""

    def count_queries(n_groups: int) -> dict[str, int]:
        store = fresh_store(backend)
        try:
            programme = _many_groups(store, n_groups)
            counts: dict[str, int] = {}
            for name, call in (
                ("group_indicators_all", lambda: sql.group_indicators_all(store, ON)),
                (
                    "programme_indicators",
                    lambda: sql.programme_indicators(store, programme.id, ON),
                ),
                ("gal_comparison", lambda: sql.gal_comparison(store, programme.id, ON)),
            ):
                with _counting(store) as seen:
                    call()
                counts[name] = len(seen)
            return counts
        finally:
            store.close()

    small, large = count_queries(3), count_queries(12)
    assert small == large
    assert max(large.values()) <= 15, large


@contextmanager
def _counting(store: vsla.Store) -> Iterator[list[str]]:
    """Every SQL statement sent while the block runs."""
    seen: list[str] = []

    def listener(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    event.listen(store.engine, "before_cursor_execute", listener)
    try:
        yield seen
    finally:
        event.remove(store.engine, "before_cursor_execute", listener)


def _many_groups(store: vsla.Store, n: int) -> vsla.Programme:
    """``n`` groups, each with members of both sexes, officers, two meetings with attendance,
    an overdue loan, a referral, a livelihood support; every other group a GAL pilot."""
    programme = store.add_programme(vsla.NewProgramme(name="Scale test"))
    for i in range(n):
        pilot = i % 2 == 0
        group = store.add_group(
            vsla.NewGroup(
                code=f"G-{i:03d}",
                name=f"Tổ {i}",
                programme_id=programme.id,
                district=("Đắk Glei", "Kon Plông", "Sa Thầy")[i % 3],
                established_on=d(1, 1),
                gal_pilot_since=d(1, 1) if pilot else None,
            )
        )
        ana, bo = store.add_members(
            [
                vsla.NewMember(
                    group_id=group.id,
                    full_name=f"Y Ana {i}",
                    sex=F,
                    ethnicity="Xơ Đăng",
                    joined_on=d(1, 1),
                    gal_champion_since=d(1, 1) if pilot else None,
                ),
                vsla.NewMember(
                    group_id=group.id,
                    full_name=f"A Bo {i}",
                    sex=M,
                    ethnicity="Ba Na",
                    joined_on=d(1, 1),
                ),
            ]
        )
        cycle = store.start_cycle(
            group.id,
            start=d(1, 1),
            end=d(12, 31),
            constitution=constitution(),
            officers={ana.id: vsla.OfficerRole.CHAIR},
        )
        store.record_meetings(
            cycle.id,
            [
                vsla.MeetingInput(
                    date=d(1, 1),
                    attendance={ana.id: P, bo.id: R},
                    share_purchases={ana.id: 5, bo.id: 2},
                    loans=[vsla.LoanRequest(member_id=bo.id, principal=50_000, term_months=1)],
                ),
                vsla.MeetingInput(date=d(2, 1), attendance={ana.id: P, bo.id: A}),
            ],
        )
        store.add_referral(
            vsla.NewReferral(
                member_id=ana.id,
                institution=vsla.Institution.VBSP,
                service="loan",
                referred_on=d(3, 1),
            )
        )
        store.add_livelihood_support(
            vsla.NewLivelihoodSupport(
                member_id=bo.id, kind=vsla.SupportKind.TRAINING, received_on=d(3, 1)
            )
        )
        if pilot:
            store.add_gal_session(
                vsla.NewGalSession(
                    group_id=group.id, held_on=d(2, 1), tool=vsla.GalTool.VISION_JOURNEY, women=1
                )
            )
    return programme


def test_reports_inside_a_store_transaction(store: vsla.Store) -> None:
    """Inside ``with store.transaction():`` the reports read through the block's connection,
    so they see what it has written before it commits."""
    with store.transaction():
        group = store.add_group(vsla.NewGroup(code="T", name="Tổ T", established_on=d(1, 1)))
        store.add_members(
            [vsla.NewMember(group_id=group.id, full_name="Y Ana", sex=F, joined_on=d(1, 1))]
        )
        assert sql.group_indicators(store, group.id, ON).members == 1
        assert ref.group_indicators(store, group.id, ON).members == 1
