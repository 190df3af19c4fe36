"""Linkage readiness, the referral shortlist and the members to refer per district, on a
small hand-built programme, on SQLite and PostgreSQL (the worked example of
docs/readiness.md). Every figure is worked out by hand below and asserted as a literal.

Rules in every group: share value 10.000 ₫, interest 2 %/month declining, no social fund,
no fines; monthly meetings, every member present unless said. Report date 2024-09-10.

Group A, KT-DG-001, Đắk Glei. Members a1 Y Hoa, a2 A Blưp, a3 Y Nhí, a4 Y Lệ, a5 A Thành
(joined 2024-01-10) and a6 Y Mai (joined 2024-07-10). Officers a1..a5 in both cycles.

    cycle 1, 2024-01-10 → shared out 2024-06-10
    M1 01-10  a1..a5 buy 1 share
    M2 02-10  a1..a5 buy 1; a2 borrows 60.000 for 1 month (due 03-10)
    M3 03-10  a1..a5 buy 1; a2 repays 61.200 (1.200 interest): on time;
              a3 borrows 90.000 for 1 month (due 04-10)
    M4 04-10  a1, a2, a3, a5 buy 1 (a4 does not)
    M5 05-10  a1, a2, a3, a5 buy 1; a3 repays 93.600 (2 months begun: 2 × 1.800 interest),
              29 days late (overdue at the close of 05-09: 05-09 − 04-10 = 29 days)
    cycle 2, from 2024-07-10
    M6 07-10  a1, a2, a3, a5, a6 buy 2 each; a4 absent
    M7 08-10  a1, a2, a3, a5, a6 buy 1; a4 absent; a5 borrows 60.000 for 1 month (due 09-10)
    M8 09-10  a1, a2, a3, a5, a6 and a4 buy 1

Group B, KT-DG-002, Đắk Glei, first cycle from 2024-05-06. Members b1 Y Lan, b2 A Đức,
b3 Y Hằng, b4 A Tâm (joined 05-06); officers b1, b2, b3.

    N1 05-06  all buy 5
    N2 06-06  all buy 5; b2 borrows 200.000 for 2 months (due 08-06): never repaid
    N3 07-06  b1, b2, b3 buy 5; b4 absent; b1 borrows 50.000 for 1 month (due 08-06)
    N4 08-06  b1, b2, b3 buy 5; b4 absent; b1 repays 51.000: on time
    N5 09-06  b1, b2, b3 buy 5; b4 absent

Group C, KT-KP-001, Kon Plông. Members c1 Y Bôn, c2 A Hơi, c3 Y Nga, c4 A Dũng, c5 Y Loan
(joined 2024-01-15); officers c1..c5 in both cycles.

    cycle 1, 2024-01-15 → shared out 2024-06-15
    P1..P5 01-15, 02-15, 03-15, 04-15, 05-15: all buy 2 shares
    P2 02-15: c2 borrows 100.000 for 1 month; written off on 05-20
    cycle 2, from 2024-07-15
    P6 07-15  c1, c3, c5 buy 1; c2 and c4 absent
    P7 08-15  c1, c3 buy 1; c2, c4 and c5 absent

Referrals: a1 Y Hoa on 2024-08-01 (VBSP); c1 Y Bôn on 2024-09-20, after the report date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

import vsla
from tests.store.helpers import constitution
from vsla.errors import InvalidInput, NotFound
from vsla.reports import programme_indicators
from vsla.reports.readiness import linkage_readiness

P, A = vsla.Attendance.PRESENT, vsla.Attendance.ABSENT
F, M = vsla.Sex.FEMALE, vsla.Sex.MALE
ON = dt.date(2024, 9, 10)
ROLES = (
    vsla.OfficerRole.CHAIR,
    vsla.OfficerRole.SECRETARY,
    vsla.OfficerRole.BOX_KEEPER,
    vsla.OfficerRole.MONEY_COUNTER,
    vsla.OfficerRole.MONEY_COUNTER,
)


def d(month: int, day: int) -> dt.date:
    return dt.date(2024, month, day)


@dataclass
class Programme:
    store: vsla.Store
    programme: vsla.Programme
    m: dict[str, vsla.Member]


def build_programme(store: vsla.Store) -> Programme:
    """The programme of the module docstring (and of docs/readiness.md)."""
    programme = store.add_programme(vsla.NewProgramme(name="Liên kết tài chính (thử)"))

    def group(code: str, district: str, established: dt.date) -> vsla.Group:
        return store.add_group(
            vsla.NewGroup(
                code=code,
                name=f"Tổ {code}",
                programme_id=programme.id,
                district=district,
                established_on=established,
            )
        )

    ga, gb, gc = (
        group("KT-DG-001", "Đắk Glei", d(1, 10)),
        group("KT-DG-002", "Đắk Glei", d(5, 6)),
        group("KT-KP-001", "Kon Plông", d(1, 15)),
    )
    people: list[tuple[vsla.Group, str, str, vsla.Sex, dt.date]] = [
        (ga, "a1", "Y Hoa", F, d(1, 10)),
        (ga, "a2", "A Blưp", M, d(1, 10)),
        (ga, "a3", "Y Nhí", F, d(1, 10)),
        (ga, "a4", "Y Lệ", F, d(1, 10)),
        (ga, "a5", "A Thành", M, d(1, 10)),
        (ga, "a6", "Y Mai", F, d(7, 10)),
        (gb, "b1", "Y Lan", F, d(5, 6)),
        (gb, "b2", "A Đức", M, d(5, 6)),
        (gb, "b3", "Y Hằng", F, d(5, 6)),
        (gb, "b4", "A Tâm", M, d(5, 6)),
        (gc, "c1", "Y Bôn", F, d(1, 15)),
        (gc, "c2", "A Hơi", M, d(1, 15)),
        (gc, "c3", "Y Nga", F, d(1, 15)),
        (gc, "c4", "A Dũng", M, d(1, 15)),
        (gc, "c5", "Y Loan", F, d(1, 15)),
    ]
    added = store.add_members(
        [
            vsla.NewMember(group_id=g.id, full_name=name, sex=sex, joined_on=joined)
            for g, _, name, sex, joined in people
        ]
    )
    m = {key: member for (_, key, *_), member in zip(people, added, strict=True)}
    i = {key: member.id for key, member in m.items()}
    rules = constitution(social_fund_contribution=0, fines={})

    def officers(*keys: str) -> dict[int, vsla.OfficerRole]:
        return {i[k]: role for k, role in zip(keys, ROLES, strict=False)}

    def meet(cycle: vsla.Cycle, day: dt.date, buy: dict[str, int], **kw: Any) -> None:
        absent = kw.pop("absent", ())
        letter = next(iter(buy))[0]  # the group: a, b or c
        members = [k for k in i if k[0] == letter and m[k].joined_on <= day]
        store.record_meeting(
            cycle.id,
            vsla.MeetingInput(
                date=day,
                attendance={i[k]: (A if k in absent else P) for k in members},
                share_purchases={i[k]: n for k, n in buy.items()},
                **kw,
            ),
        )

    def loan(key: str, principal: int) -> list[vsla.LoanRequest]:
        return [vsla.LoanRequest(member_id=i[key], principal=principal, term_months=1)]

    def repay(cycle: vsla.Cycle, key: str, amount: int) -> list[vsla.Repayment]:
        [mine] = [x for x in store.loans(cycle.id) if x.member_id == i[key]]
        return [vsla.Repayment(loan_id=mine.id, amount=amount)]

    # group A
    a_all = dict.fromkeys(("a1", "a2", "a3", "a4", "a5"), 1)
    a_four = dict.fromkeys(("a1", "a2", "a3", "a5"), 1)
    a1 = store.start_cycle(
        ga.id,
        start=d(1, 10),
        end=d(6, 10),
        constitution=rules,
        officers=officers("a1", "a3", "a2", "a4", "a5"),
    )
    meet(a1, d(1, 10), a_all)
    meet(a1, d(2, 10), a_all, loans=loan("a2", 60_000))
    meet(a1, d(3, 10), a_all, repayments=repay(a1, "a2", 61_200), loans=loan("a3", 90_000))
    meet(a1, d(4, 10), a_four)
    meet(a1, d(5, 10), a_four, repayments=repay(a1, "a3", 93_600))
    store.share_out(a1.id, on=d(6, 10))
    a2 = store.start_next_cycle(
        a1.id, start=d(7, 10), end=d(12, 10), officers=officers("a1", "a3", "a2", "a4", "a5")
    )
    savers = ("a1", "a2", "a3", "a5", "a6")
    meet(a2, d(7, 10), dict.fromkeys(savers, 2), absent=("a4",))
    meet(a2, d(8, 10), dict.fromkeys(savers, 1), absent=("a4",), loans=loan("a5", 60_000))
    meet(a2, d(9, 10), dict.fromkeys((*savers, "a4"), 1))

    # group B
    b = store.start_cycle(
        gb.id,
        start=d(5, 6),
        end=dt.date(2025, 4, 7),
        constitution=rules,
        officers=officers("b1", "b2", "b3"),
    )
    b_all = dict.fromkeys(("b1", "b2", "b3", "b4"), 5)
    b_three = dict.fromkeys(("b1", "b2", "b3"), 5)
    meet(b, d(5, 6), b_all)
    meet(
        b,
        d(6, 6),
        b_all,
        loans=[vsla.LoanRequest(member_id=i["b2"], principal=200_000, term_months=2)],
    )
    meet(b, d(7, 6), b_three, absent=("b4",), loans=loan("b1", 50_000))
    meet(b, d(8, 6), b_three, absent=("b4",), repayments=repay(b, "b1", 51_000))
    meet(b, d(9, 6), b_three, absent=("b4",))

    # group C
    c_all = dict.fromkeys(("c1", "c2", "c3", "c4", "c5"), 2)
    c1 = store.start_cycle(
        gc.id,
        start=d(1, 15),
        end=d(6, 15),
        constitution=rules,
        officers=officers("c1", "c2", "c3", "c4", "c5"),
    )
    meet(c1, d(1, 15), c_all)
    meet(c1, d(2, 15), c_all, loans=loan("c2", 100_000))
    for month in (3, 4, 5):
        meet(c1, d(month, 15), c_all)
    [written] = store.loans(c1.id)
    store.write_off(written.id, on=d(5, 20), reason="moved away")
    store.share_out(c1.id, on=d(6, 15))
    c2 = store.start_next_cycle(
        c1.id,
        start=d(7, 15),
        end=dt.date(2025, 1, 15),
        officers=officers("c1", "c2", "c3", "c4", "c5"),
    )
    meet(c2, d(7, 15), dict.fromkeys(("c1", "c3", "c5"), 1), absent=("c2", "c4"))
    meet(c2, d(8, 15), dict.fromkeys(("c1", "c3"), 1), absent=("c2", "c4", "c5"))

    store.add_referrals(
        [
            vsla.NewReferral(
                member_id=i["a1"],
                institution=vsla.Institution.VBSP,
                service="savings account",
                referred_on=d(8, 1),
            ),
            vsla.NewReferral(
                member_id=i["c1"],
                institution=vsla.Institution.AGRIBANK,
                service="loan",
                referred_on=d(9, 20),
            ),
        ]
    )
    return Programme(store, programme, m)


@pytest.fixture
def world(store: vsla.Store) -> Programme:
    return build_programme(store)


def values(results: tuple[vsla.CriterionResult, ...]) -> dict[str, Any]:
    return {c.name: (c.value, c.passed) for c in results}


def test_each_group_lists_every_criterion_with_its_value_threshold_and_verdict(
    world: Programme,
) -> None:
    report = linkage_readiness(world.store, world.programme.id, ON)
    assert [g.group_code for g in report.groups] == ["KT-DG-001", "KT-DG-002", "KT-KP-001"]

    a = report.group("KT-DG-001")
    assert values(a.criteria) == {
        # shared out on 06-10
        "cycles_completed": (1, True),
        # running cycle 2: M6..M8 expect a1..a6 = 6 × 3 = 18; a4 absent twice: 16 / 18
        "attendance_rate": (Decimal(16) / 18, True),
        # a5's 60.000 falls due on 09-10 itself: not yet overdue; 0 / 60.000
        "par_30": (Decimal(0), True),
        # nothing written off of 60.000 + 90.000 + 60.000 = 210.000 lent
        "write_off_ratio": (Decimal(0), True),
        # now: M6 5 × 2 + M7 5 + M8 6 = 21 shares = 210.000; cycle 2 has run 62 days
        # (07-10 → 09-10); cycle 1 at 01-10 + 62 days = 03-12: M1..M3 = 15 shares =
        # 150.000; (210.000 − 150.000) / 150.000 = 0.4
        "savings_growth": (Decimal("0.4"), True),
        "officers": (5, True),
    }
    assert a.result("savings_growth").numerator == 60_000
    assert a.result("savings_growth").denominator == 150_000
    assert a.result("attendance_rate").threshold == Decimal("0.80")
    assert a.result("par_30").comparison == "<="
    assert (a.ready, a.failed) == (True, ())

    b = report.group("KT-DG-002")
    assert values(b.criteria) == {
        "cycles_completed": (0, False),
        # N1..N5 expect 4 each = 20; b4 absent 3 times: 17 / 20
        "attendance_rate": (Decimal("0.85"), True),
        # b2's 200.000: month 1's interest was payable on 07-06 and is unpaid; on 09-10 that
        # is 25 + 31 + 10 = 66 days overdue > 30; b1 repaid: 200.000 / 200.000
        "par_30": (Decimal(1), False),
        # 0 / (200.000 + 50.000)
        "write_off_ratio": (Decimal(0), True),
        # its first cycle: nothing to compare with, passes by default
        "savings_growth": (None, True),
        "officers": (3, False),
    }
    assert b.failed == ("cycles_completed", "par_30", "officers")

    c = report.group("KT-KP-001")
    assert values(c.criteria) == {
        "cycles_completed": (1, True),
        # P6, P7 expect 5 each = 10; present 3 + 2 = 5: 5 / 10
        "attendance_rate": (Decimal("0.5"), False),
        # no loan outstanding: nothing at risk
        "par_30": (None, True),
        # 100.000 written off of 100.000 lent
        "write_off_ratio": (Decimal(1), False),
        # now: 3 + 2 = 5 shares = 50.000; cycle 2 has run 57 days (07-15 → 09-10); cycle 1
        # at 01-15 + 57 days = 03-12: P1, P2 = 20 shares = 200.000;
        # (50.000 − 200.000) / 200.000 = −0.75
        "savings_growth": (Decimal("-0.75"), False),
        "officers": (5, True),
    }
    assert not c.ready


def test_the_shortlist_holds_members_not_yet_referred_who_save_and_repay(
    world: Programme,
) -> None:
    report = linkage_readiness(world.store, world.programme.id, ON)
    # A: a1 referred on 08-01; a3's loan 29 days late; a4 saved at 4 of 8 meetings; a6 has
    # held 3 meetings < 4. B: b2's loan 66 days overdue; b4 saved at 2 of 5. C: c2 saved at
    # 5 of 7 and had a loan written off; c4 saved at 5 of 7. c1 was referred after 09-10.
    assert [(m.group_code, m.full_name) for m in report.shortlist] == [
        ("KT-DG-001", "A Blưp"),
        ("KT-DG-001", "A Thành"),
        ("KT-DG-002", "Y Lan"),
        ("KT-DG-002", "Y Hằng"),
        ("KT-KP-001", "Y Bôn"),
        ("KT-KP-001", "Y Nga"),
        ("KT-KP-001", "Y Loan"),
    ]
    reasons = {m.full_name: values(m.criteria) for m in report.shortlist}
    # A: M1..M5 and M6..M8 are 8 meetings (the share-out is not a meeting held)
    assert reasons["A Blưp"] == {
        "meetings_held": (8, True),
        "saving_rate": (Decimal(1), True),
        "late_loans": (0, True),
        "loans_repaid_on_time": (1, True),  # 61.200 paid on its due date
    }
    assert reasons["A Thành"]["loans_repaid_on_time"] == (0, True)  # his loan is current
    assert reasons["Y Lan"] == {
        "meetings_held": (5, True),
        "saving_rate": (Decimal(1), True),
        "late_loans": (0, True),
        "loans_repaid_on_time": (1, True),
    }
    # C: 5 meetings in cycle 1 and 2 in cycle 2; Y Loan saved at 5 + 1 = 6 of 7
    assert reasons["Y Loan"]["saving_rate"] == (Decimal(6) / 7, True)
    loan = next(m for m in report.shortlist if m.full_name == "A Thành")
    assert (loan.loans, loan.most_days_overdue, loan.group_ready) == (1, 0, True)
    assert not next(m for m in report.shortlist if m.full_name == "Y Lan").group_ready


def test_members_to_refer_per_district_reach_the_target_by_the_programme_rule(
    world: Programme,
) -> None:
    report = linkage_readiness(world.store, world.programme.id, ON)
    lines = {n.district if n.dimension == "district" else "total": n for n in report.needs}
    # Đắk Glei: A 6 + B 4 = 10 members, 1 referred (a1); 15 % of 10 = 1.5 → 2: refer 1
    # Kon Plông: 5 members, none referred by 09-10; 15 % of 5 = 0.75 → 1: refer 1
    # total: 15 members, 1 referred; 15 % of 15 = 2.25 → 3: refer 2
    figures = {
        key: (n.members, n.referred, n.members_to_refer, n.shortlisted, n.groups, n.groups_ready)
        for key, n in lines.items()
    }
    assert figures == {
        "total": (15, 1, 2, 7, 3, 1),
        "Đắk Glei": (10, 1, 1, 4, 2, 1),
        "Kon Plông": (5, 0, 1, 3, 1, 0),
    }
    # the rate is the programme report's own, with its target
    programme = programme_indicators(world.store, world.programme.id, ON)
    assert (
        report.need("Đắk Glei").referral_rate
        == programme.line("district", "Đắk Glei").referral_rate
    )
    assert report.need().referral_rate.target == Decimal("0.15")
    assert report.need().referral_rate.met is False


def test_a_district_alone_and_thresholds_as_parameters(world: Programme) -> None:
    only = linkage_readiness(world.store, world.programme.id, ON, district=" Kon Plông ")
    assert [g.group_code for g in only.groups] == ["KT-KP-001"]
    assert [n.dimension for n in only.needs] == ["total", "district"]
    assert only.need().members_to_refer == 1

    # tolerate 29 days late: a3's loan is then repaid on time; ready groups only: A's
    lenient = vsla.ReadinessCriteria(max_days_late=29, only_ready_groups=True)
    report = linkage_readiness(world.store, world.programme.id, ON, criteria=lenient)
    assert [m.full_name for m in report.shortlist] == ["A Blưp", "Y Nhí", "A Thành"]
    nhi = report.shortlist[1]
    assert values(nhi.criteria)["loans_repaid_on_time"] == (1, True)
    assert values(nhi.criteria)["group_ready"] == (True, True)
    assert nhi.most_days_overdue == 29
    strict = vsla.ReadinessCriteria(max_days_late=28, only_ready_groups=True)
    names = [
        m.full_name
        for m in linkage_readiness(world.store, world.programme.id, ON, criteria=strict).shortlist
    ]
    assert names == ["A Blưp", "A Thành"]


def test_reading_a_past_date(world: Programme) -> None:
    # on 2024-05-31 group A runs cycle 1 (no cycle completed) and a3's loan is settled
    report = linkage_readiness(world.store, world.programme.id, d(5, 31))
    a = report.group("KT-DG-001")
    assert values(a.criteria)["cycles_completed"] == (0, False)
    # M1..M5: 25 expected, all present
    assert values(a.criteria)["attendance_rate"] == (Decimal(1), True)
    # a1 is referred only on 08-01: on 05-31 she is on the shortlist (5 of 5 meetings saved)
    hoa = next(m for m in report.shortlist if m.full_name == "Y Hoa")
    assert values(hoa.criteria) == {
        "meetings_held": (5, True),
        "saving_rate": (Decimal(1), True),
        "late_loans": (0, True),
        "loans_repaid_on_time": (0, True),
    }
    # a3's loan (repaid 05-10, 29 days late) already counts against her on 05-31
    assert "Y Nhí" not in [m.full_name for m in report.shortlist]


def test_tables_and_dataframes(world: Programme) -> None:
    pytest.importorskip("pandas")
    report = linkage_readiness(world.store, world.programme.id, ON)
    groups = report.to_dataframe()
    assert list(groups["group_code"]) == ["KT-DG-001", "KT-DG-002", "KT-KP-001"]
    assert list(groups["ready"]) == [True, False, False]
    assert groups.loc[1, "failed"] == "cycles_completed, par_30, officers"
    assert groups.loc[0, "officers_threshold"] == 5
    shortlist = report.to_dataframe("shortlist")
    assert len(shortlist) == 7
    assert shortlist.loc[0, "reasons"] == (
        "meetings_held 8 >= 4 ✓; saving_rate 1 >= 0.75 ✓; late_loans 0 <= 0 ✓; "
        "loans_repaid_on_time 1 >= 0 ✓"
    )
    districts = report.to_dataframe("districts")
    assert list(districts["members_to_refer"]) == [2, 1, 1]
    with pytest.raises(InvalidInput):
        report.rows("members")  # type: ignore[arg-type]


def test_bad_arguments_are_refused(world: Programme) -> None:
    with pytest.raises(NotFound):
        linkage_readiness(world.store, 999, ON)
    with pytest.raises(InvalidInput):
        linkage_readiness(world.store, world.programme.id, ON, criteria={"max_par_30": 1})  # type: ignore[arg-type]


def test_arguments_from_data_are_refused_before_any_sql(world: Programme) -> None:
    with pytest.raises(InvalidInput):
        linkage_readiness(world.store, "1", ON)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        linkage_readiness(world.store, world.programme.id, dt.datetime(2024, 9, 10, 12))
    with pytest.raises(InvalidInput):
        linkage_readiness(world.store, world.programme.id, ON, district="Kon\x00Tum")
