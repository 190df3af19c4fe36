"""The ratio formulas of docs/indicators.md: one small function per ratio.

Each returns an :class:`Indicator`: numerator, denominator, value (``numerator /
denominator`` as a :class:`~decimal.Decimal`, ``None`` when the denominator is 0), target
and whether the target is met. Money is an ``int`` everywhere; nothing here is a float.
"""

from __future__ import annotations

__all__ = [
    "DAYS_PER_YEAR",
    "Indicator",
    "annualized",
    "annualized_return_on_savings",
    "attendance_rate",
    "average_loan_size",
    "check_par_days",
    "count_against_target",
    "dropout_rate",
    "indicator",
    "is_met",
    "linked_rate",
    "livelihood_support_rate",
    "loan_fund_utilization",
    "net_income",
    "par",
    "pct_members_with_loans",
    "pct_women",
    "projected_value_per_share",
    "referral_rate",
    "return_on_assets",
    "return_on_savings",
    "savings_per_member",
    "social_fund_per_member",
    "write_off_ratio",
]

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from pydantic import StrictBool, StrictInt, field_validator

from vsla.domain.base import Record, no_float
from vsla.domain.money import ratio
from vsla.errors import InvalidInput

DAYS_PER_YEAR = 365
"""Annualised figures scale by 365 / days since the cycle started (docs/indicators.md)."""


class Indicator(Record):
    """One figure: ``value = numerator / denominator`` (``None`` when the denominator is 0),
    with its target and whether it is met (``value >= target``; ``None`` without a target
    or a value).

    Ratios are fractions (``0.15`` for 15 %). A count compared with a target (``groups_active``
    vs 91) has denominator 1, so its value is the count itself.
    """

    name: str
    numerator: StrictInt
    denominator: StrictInt
    value: Decimal | None
    target: StrictInt | Decimal | None = None
    met: StrictBool | None = None

    @field_validator("value", "target", mode="before")
    @classmethod
    def _refuse_float(cls, value: Any) -> Any:
        return no_float(value)


def is_met(value: Decimal | None, target: Decimal | int | None) -> bool | None:
    """``value >= target``; ``None`` when either is missing.

    ```pycon
    >>> is_met(Decimal("0.15"), Decimal("0.15")), is_met(Decimal("0.149"), Decimal("0.15"))
    (True, False)
    >>> is_met(None, Decimal("0.15")) is None
    True

    ```
    """
    if value is None or target is None:
        return None
    return value >= target


def indicator(
    name: str, numerator: int, denominator: int, target: Decimal | int | None = None
) -> Indicator:
    """The :class:`Indicator` ``numerator / denominator`` via :func:`vsla.domain.money.ratio`.

    ```pycon
    >>> i = indicator("referral_rate", 3, 20, Decimal("0.15"))
    >>> i.value, i.met
    (Decimal('0.15'), True)
    >>> indicator("pct_women", 0, 0).value is None
    True

    ```
    """
    value = ratio(numerator, denominator)
    return Indicator(
        name=name,
        numerator=numerator,
        denominator=denominator,
        value=value,
        target=target,
        met=is_met(value, target),
    )


def count_against_target(name: str, count: int, target: int | None) -> Indicator:
    """A count compared with a target: denominator 1, value = the count.

    ```pycon
    >>> i = count_against_target("groups_active", 78, 91)
    >>> i.value, i.met
    (Decimal('78'), False)

    ```
    """
    return indicator(name, count, 1, target)


def pct_women(women: int, members: int) -> Indicator:
    """Female members / members.

    ```pycon
    >>> pct_women(3, 4).value
    Decimal('0.75')

    ```
    """
    return indicator("pct_women", women, members)


def attendance_rate(
    present: int,
    represented: int,
    expected: int,
    *,
    represented_counts_as_present: bool = True,
    name: str = "attendance_rate",
) -> Indicator:
    """(present + represented, by **policy**) / members expected at the meetings counted.

    ```pycon
    >>> attendance_rate(16, 2, 22).value == Decimal(18) / 22
    True
    >>> attendance_rate(16, 2, 22, represented_counts_as_present=False).numerator
    16

    ```
    """
    attended = present + (represented if represented_counts_as_present else 0)
    return indicator(name, attended, expected)


def dropout_rate(left: int, at_cycle_start: int, joined: int = 0) -> Indicator:
    """Members who left during the cycle / everyone who was a member during it: those
    active on the cycle's start and those who joined since (``joined``).

    SAVIX divides by the members at the cycle's start alone, which counts a late joiner
    who leaves in the numerator but not in the denominator: one founder and three late
    joiners who leave would be a dropout of 300 %. Here everyone who left was a member
    during the cycle, so the rate is a proportion of the people it describes, from 0 to 1;
    with no late joiners it is the SAVIX figure.

    ```pycon
    >>> dropout_rate(1, 4).value
    Decimal('0.25')
    >>> dropout_rate(3, 1, joined=3).value  # SAVIX: 3 / 1 = 300 %
    Decimal('0.75')

    ```
    """
    return indicator("dropout_rate", left, at_cycle_start + joined)


def savings_per_member(
    savings: int, members: int, *, name: str = "savings_per_member"
) -> Indicator:
    """Savings / members (an amount per person, exact).

    ```pycon
    >>> savings_per_member(420_000, 4).value
    Decimal('105000')

    ```
    """
    return indicator(name, savings, members)


def pct_members_with_loans(borrowers: int, members: int) -> Indicator:
    """Members with principal outstanding / members.

    ```pycon
    >>> pct_members_with_loans(1, 4).value
    Decimal('0.25')

    ```
    """
    return indicator("pct_members_with_loans", borrowers, members)


def average_loan_size(principal_disbursed: int, loans: int) -> Indicator:
    """Principal disbursed in the cycle / number of loans.

    ```pycon
    >>> average_loan_size(300_000, 2).value
    Decimal('150000')

    ```
    """
    return indicator("average_loan_size", principal_disbursed, loans)


def loan_fund_utilization(loans_outstanding: int, loan_fund_cash: int) -> Indicator:
    """Loans outstanding / (loans outstanding + loan fund cash).

    ```pycon
    >>> loan_fund_utilization(100_000, 300_000).value
    Decimal('0.25')

    ```
    """
    return indicator("loan_fund_utilization", loans_outstanding, loans_outstanding + loan_fund_cash)


def par(risks: Iterable[tuple[int, int]], loans_outstanding: int, days: int) -> Indicator:
    """Portfolio at risk: principal outstanding on loans overdue by **more than** ``days``
    days / loans outstanding. ``risks`` holds ``(days_overdue, principal_outstanding)`` per
    loan.

    ```pycon
    >>> risks = [(30, 100_000), (31, 50_000), (0, 50_000)]
    >>> par(risks, 200_000, 30).value, par(risks, 200_000, 1).value
    (Decimal('0.25'), Decimal('0.75'))

    ```
    """
    at_risk = sum(outstanding for overdue, outstanding in risks if overdue > days)
    return indicator(f"par_{days}", at_risk, loans_outstanding)


def write_off_ratio(written_off: int, principal_disbursed: int) -> Indicator:
    """Principal written off / principal disbursed in the cycle.

    ```pycon
    >>> write_off_ratio(120_000, 120_000).value
    Decimal('1')

    ```
    """
    return indicator("write_off_ratio", written_off, principal_disbursed)


def net_income(
    *, interest_paid: int, fines: int, other_income: int, expenses: int, written_off: int
) -> int:
    """Interest paid + fines + other income − expenses − principal written off.

    ```pycon
    >>> net_income(interest_paid=8_000, fines=5_000, other_income=0, expenses=10_000,
    ...            written_off=0)
    3000

    ```
    """
    return interest_paid + fines + other_income - expenses - written_off


def return_on_savings(net: int, savings: int) -> Indicator:
    """Net income / savings.

    ```pycon
    >>> return_on_savings(3_000, 420_000).value == Decimal(1) / 140
    True

    ```
    """
    return indicator("return_on_savings", net, savings)


def annualized(name: str, numerator: int, denominator: int, days: int) -> Indicator:
    """``numerator / denominator × 365 / days`` as one exact ratio: the indicator's
    numerator is ``numerator × 365`` and its denominator ``denominator × days`` (value
    ``None`` when either ``denominator`` or ``days`` is 0).

    ```pycon
    >>> i = annualized("x", 3_000, 420_000, 152)
    >>> i.numerator, i.denominator
    (1095000, 63840000)
    >>> annualized("x", 3_000, 420_000, 0).value is None
    True

    ```
    """
    if days < 0:
        raise InvalidInput(f"{name}: days since the cycle started must be >= 0, got {days}")
    return indicator(name, numerator * DAYS_PER_YEAR, denominator * days)


def annualized_return_on_savings(net: int, savings: int, days: int) -> Indicator:
    """Return on savings × 365 / days since the cycle started."""
    return annualized("annualized_return_on_savings", net, savings, days)


def return_on_assets(net: int, total_assets: int, days: int) -> Indicator:
    """Net income / total assets × 365 / days since the cycle started (annualised)."""
    return annualized("return_on_assets", net, total_assets, days)


def social_fund_per_member(social_fund_cash: int, members: int) -> Indicator:
    """Social fund cash / members.

    ```pycon
    >>> social_fund_per_member(14_000, 4).value
    Decimal('3500')

    ```
    """
    return indicator("social_fund_per_member", social_fund_cash, members)


def projected_value_per_share(
    loan_fund_cash: int, loans_outstanding: int, shares: int
) -> Indicator:
    """(Loan fund cash + loans outstanding) / shares: what a share would fetch at share-out.

    ```pycon
    >>> projected_value_per_share(323_000, 100_000, 42).value.quantize(Decimal("0.01"))
    Decimal('10071.43')

    ```
    """
    return indicator("projected_value_per_share", loan_fund_cash + loans_outstanding, shares)


def referral_rate(referred: int, members: int, target: Decimal | None = None) -> Indicator:
    """Distinct members with at least one referral to a formal financial institution /
    members.

    ```pycon
    >>> referral_rate(2, 7, Decimal("0.15")).met
    True

    ```
    """
    return indicator("referral_rate", referred, members, target)


def linked_rate(linked: int, members: int, target: Decimal | None = None) -> Indicator:
    """Distinct members with a referral whose outcome is *accessed* / members.

    ```pycon
    >>> linked_rate(1, 7).value == Decimal(1) / 7
    True

    ```
    """
    return indicator("linked_rate", linked, members, target)


def livelihood_support_rate(
    supported: int, members: int, target: Decimal | None = None
) -> Indicator:
    """Distinct members who received at least one livelihood support / members.

    ```pycon
    >>> livelihood_support_rate(1, 8, Decimal("0.15")).met
    False

    ```
    """
    return indicator("livelihood_support_rate", supported, members, target)


def check_par_days(par_days: Iterable[int]) -> tuple[int, ...]:
    """The PAR thresholds, validated (whole days >= 0), without repeats, in order."""
    out = set()
    for days in par_days:
        if isinstance(days, bool) or not isinstance(days, int) or days < 0:
            raise InvalidInput(f"a PAR threshold is a whole number of days >= 0, got {days!r}")
        out.add(days)
    return tuple(sorted(out))
