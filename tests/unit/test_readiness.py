"""The pure rules of linkage readiness (vsla.domain.readiness), worked by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given

from tests.strategies import referral_counts, targets
from vsla import ReadinessCriteria, members_to_refer
from vsla.domain.indicators import referral_rate
from vsla.domain.ledger import EntryKind
from vsla.domain.loans import LoanTerms
from vsla.domain.loanstate import LoanMove, LoanPurpose, LoanState
from vsla.domain.readiness import (
    GroupHistory,
    MemberHistory,
    criterion,
    evaluate_group,
    evaluate_member,
    loan_record,
    most_days_overdue,
)
from vsla.errors import InvalidInput

DEFAULTS = ReadinessCriteria()


# ------------------------------------------------------------------ members to refer


@pytest.mark.parametrize(
    ("referred", "members", "expected"),
    [
        (0, 20, 3),  # 0.15 × 20 = 3 exactly
        (2, 20, 1),
        (3, 20, 0),
        (5, 20, 0),  # already above: nothing to refer, never negative
        (0, 41, 7),  # 0.15 × 41 = 6.15 → 7
        (6, 41, 1),  # 6 / 41 = 14.6 %; 7 / 41 = 17.1 %
        (0, 0, 0),  # no members: nothing to refer
        (0, 1, 1),  # 0.15 × 1 = 0.15 → 1
    ],
)
def test_members_to_refer_by_hand(referred: int, members: int, expected: int) -> None:
    assert members_to_refer(referred, members, Decimal("0.15")) == expected


def test_members_to_refer_refuses_what_is_not_a_count_or_a_rate() -> None:
    with pytest.raises(InvalidInput):
        members_to_refer(-1, 10, Decimal("0.15"))
    with pytest.raises(InvalidInput):
        members_to_refer(0, 10, Decimal("1.5"))
    with pytest.raises(InvalidInput):
        members_to_refer(0, 10, Decimal("NaN"))


@given(counts=referral_counts(), target=targets)
def test_members_to_refer_is_the_least_count_that_meets_the_programme_rule(
    counts: tuple[int, int], target: Decimal
) -> None:
    referred, members = counts
    n = members_to_refer(referred, members, target)
    assert n >= 0
    if members == 0:
        assert n == 0
        return
    # the programme's own rule: referral_rate(...).met
    assert referral_rate(referred + n, members, target).met is True
    if n > 0:
        assert referral_rate(referred + n - 1, members, target).met is False


# ------------------------------------------------------------------ criteria


def test_criteria_are_parameters_refusing_floats_and_out_of_range_rates() -> None:
    assert DEFAULTS.min_attendance_rate == Decimal("0.80")
    assert ReadinessCriteria(max_par_30="0.1").max_par_30 == Decimal("0.1")
    with pytest.raises(InvalidInput, match="floats are not accepted"):
        ReadinessCriteria(max_par_30=0.1)
    with pytest.raises(InvalidInput):
        ReadinessCriteria(min_saving_rate=Decimal("1.2"))
    with pytest.raises(InvalidInput):
        ReadinessCriteria(min_officers=-1)
    with pytest.raises(InvalidInput):
        ReadinessCriteria(min_officers=True)
    with pytest.raises(InvalidInput):
        ReadinessCriteria(no_such_threshold=1)  # type: ignore[call-arg]


def test_an_undefined_rate_passes_at_most_and_fails_at_least() -> None:
    at_most = criterion("par_30", "<=", Decimal("0.05"), numerator=0, denominator=0)
    at_least = criterion("attendance_rate", ">=", Decimal("0.8"), numerator=0, denominator=0)
    assert (at_most.value, at_most.passed) == (None, True)
    assert (at_least.value, at_least.passed) == (None, False)
    told = criterion("x", ">=", Decimal(0), numerator=0, denominator=0, when_undefined=True)
    assert told.passed
    # the threshold itself passes both ways
    assert criterion("x", "<=", Decimal("0.05"), numerator=1, denominator=20).passed
    assert criterion("x", ">=", Decimal("0.05"), numerator=1, denominator=20).passed
    assert not criterion("x", "<=", Decimal("0.05"), numerator=2, denominator=20).passed


def history(**changes: object) -> GroupHistory:
    base: dict[str, object] = {
        "group_id": 1,
        "group_code": "G",
        "group_name": "Tổ G",
        "district": "Đắk Glei",
        "cycles_completed": 1,
        "attended": 90,
        "expected": 100,
        "at_risk_30": 0,
        "loans_outstanding": 500_000,
        "principal_disbursed": 1_000_000,
        "principal_written_off": 0,
        "savings_now": 1_100_000,
        "savings_before": 1_000_000,
        "officers": 5,
    }
    base.update(changes)
    return GroupHistory(**base)  # type: ignore[arg-type]


def test_a_group_meeting_every_default_is_ready() -> None:
    g = evaluate_group(history(), DEFAULTS)
    assert g.ready
    assert g.failed == ()
    # growth: (1.100.000 − 1.000.000) / 1.000.000 = 0.1
    assert g.result("savings_growth").value == Decimal("0.1")
    assert [c.name for c in g.criteria] == [
        "cycles_completed",
        "attendance_rate",
        "par_30",
        "write_off_ratio",
        "savings_growth",
        "officers",
    ]


@pytest.mark.parametrize(
    ("changes", "failed"),
    [
        ({"cycles_completed": 0}, "cycles_completed"),
        ({"attended": 79}, "attendance_rate"),  # 79 / 100 < 0.80
        ({"at_risk_30": 25_001}, "par_30"),  # 25.001 / 500.000 > 0.05
        ({"principal_written_off": 20_001}, "write_off_ratio"),  # > 0.02 of 1.000.000
        ({"savings_now": 999_999}, "savings_growth"),  # shrank by 1 đồng
        ({"savings_before": 0}, "savings_growth"),  # a previous cycle with no savings
        ({"officers": 4}, "officers"),
    ],
)
def test_each_criterion_can_fail_alone(changes: dict[str, object], failed: str) -> None:
    g = evaluate_group(history(**changes), DEFAULTS)
    assert (g.ready, g.failed) == (False, (failed,))


def test_on_the_threshold_a_group_passes_and_growth_without_a_previous_cycle_is_a_choice() -> None:
    edge = history(attended=80, at_risk_30=25_000, principal_written_off=20_000)
    assert evaluate_group(edge, DEFAULTS).ready
    first = history(savings_before=None)
    assert evaluate_group(first, DEFAULTS).ready
    strict = ReadinessCriteria(pass_growth_without_previous_cycle=False)
    assert evaluate_group(first, strict).failed == ("savings_growth",)


# ------------------------------------------------------------------ loans and members

DAY = dt.date
Move = tuple[DAY, DAY, EntryKind, int]


def loan(*moves: Move, principal: int = 100_000) -> LoanState:
    """A 1-month loan of 100.000 at 2 % disbursed on 2024-04-10 (due 2024-05-10)."""
    terms = LoanTerms(
        principal=principal,
        interest_rate=Decimal("0.02"),
        term_months=1,
        disbursed_on=DAY(2024, 4, 10),
    )
    start = LoanMove(terms.disbursed_on, terms.disbursed_on, EntryKind.LOAN_DISBURSEMENT, principal)
    return LoanState(
        id=1,
        member_id=1,
        terms=terms,
        purpose=LoanPurpose.OTHER,
        moves=(start, *(LoanMove(*m) for m in moves)),
    )


def paid(day: DAY, interest: int, principal: int, recorded: DAY | None = None) -> list[Move]:
    when = recorded or day
    sign = -1 if recorded else 1
    return [
        (when, day, EntryKind.INTEREST_PAYMENT, sign * interest),
        (when, day, EntryKind.PRINCIPAL_REPAYMENT, sign * principal),
    ]


def test_days_overdue_at_worst_by_hand() -> None:
    on_time = loan(*paid(DAY(2024, 5, 10), 2_000, 100_000))
    assert most_days_overdue(on_time, DAY(2024, 12, 31)) == 0
    # unpaid: on 2024-06-30 it is 06-30 − 05-10 = 51 days overdue; on 05-10 not yet
    unpaid = loan()
    assert most_days_overdue(unpaid, DAY(2024, 6, 30)) == 51
    assert most_days_overdue(unpaid, DAY(2024, 5, 10)) == 0
    assert most_days_overdue(unpaid, DAY(2024, 4, 1)) == 0  # before it was lent
    # paid on 05-10, then the payment reversed on 06-01: as recorded on 06-01 the loan is
    # 06-01 − 05-10 = 22 days overdue (before 06-01 it read as settled); paid again 06-05
    reversed_then_paid = loan(
        *paid(DAY(2024, 5, 10), 2_000, 100_000),
        *paid(DAY(2024, 5, 10), 2_000, 100_000, recorded=DAY(2024, 6, 1)),
        *paid(DAY(2024, 6, 5), 4_000, 100_000),
    )
    assert most_days_overdue(reversed_then_paid, DAY(2024, 5, 31)) == 0
    # at the close of 06-04 the obligation of 05-10 was 25 days unpaid
    assert most_days_overdue(reversed_then_paid, DAY(2024, 12, 31)) == 25


def test_a_loan_record_counts_late_written_off_and_on_time_loans() -> None:
    on_time = loan(*paid(DAY(2024, 5, 10), 2_000, 100_000))
    late = loan(*paid(DAY(2024, 5, 20), 4_000, 100_000))  # 9 days late at the close of 05-19
    written_off = loan((DAY(2024, 5, 10), DAY(2024, 5, 10), EntryKind.WRITE_OFF, 100_000))
    cancelled = loan((DAY(2024, 4, 11), DAY(2024, 4, 10), EntryKind.LOAN_DISBURSEMENT, -100_000))
    later = loan()  # disbursed 04-10: after a report on 04-01
    record = loan_record([on_time, late, written_off, cancelled], DAY(2024, 6, 1), 0)
    # written off on its due date: never overdue, but not repaid
    assert (record.loans, record.repaid_on_time, record.late) == (3, 1, 2)
    assert record.most_days_overdue == 9
    assert loan_record([late], DAY(2024, 6, 1), 9).late == 0  # 9 days tolerated
    assert loan_record([later], DAY(2024, 4, 1), 0).loans == 0


def member(**changes: object) -> MemberHistory:
    base: dict[str, object] = {
        "member_id": 7,
        "member_number": 3,
        "full_name": "Y Hoa",
        "sex": "F",
        "group_id": 1,
        "group_code": "G",
        "district": "Đắk Glei",
        "meetings_held": 12,
        "meetings_saved": 9,
        "loans": (),
    }
    base.update(changes)
    return MemberHistory(**base)  # type: ignore[arg-type]


def test_a_member_is_shortlisted_with_the_reasons() -> None:
    on = DAY(2024, 12, 31)
    # 9 / 12 = 0.75: on the threshold
    judged = evaluate_member(member(), DEFAULTS, on, group_ready=False)
    assert judged.shortlisted
    assert {c.name: c.value for c in judged.criteria} == {
        "meetings_held": 12,
        "saving_rate": Decimal("0.75"),
        "late_loans": 0,
        "loans_repaid_on_time": 0,
    }
    assert not evaluate_member(member(meetings_saved=8), DEFAULTS, on, group_ready=True).shortlisted
    assert not evaluate_member(
        member(meetings_held=3, meetings_saved=3), DEFAULTS, on, group_ready=True
    ).shortlisted
    late = loan(*paid(DAY(2024, 5, 20), 4_000, 100_000))
    assert not evaluate_member(member(loans=(late,)), DEFAULTS, on, group_ready=True).shortlisted
    proven = ReadinessCriteria(min_loans_repaid_on_time=1)
    assert not evaluate_member(member(), proven, on, group_ready=True).shortlisted
    ready_only = ReadinessCriteria(only_ready_groups=True)
    refused = evaluate_member(member(), ready_only, on, group_ready=False)
    assert not refused.shortlisted
    assert refused.result("group_ready").passed is False
