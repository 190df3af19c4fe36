"""The programme's money picture: the facts (:class:`MoneyCell`, :class:`GroupCash`,
:class:`MoneyFacts`) and the figures of a programme line (:func:`money_figures`).

Every figure is over the cycle each group runs on the report date (its latest cycle started
by then) and that cycle's entries dated on or before it, as a group's own indicators are:

- per member cell (sex, ethnicity): members saving (net shares above zero), savings (shares
  × share value), loans with principal outstanding and that principal, the principal of
  those overdue by more than 1 and more than 30 days (the portfolio at risk), and share-out
  payouts;
- per group (not split by sex: the boxes belong to the group): loan fund cash, social fund
  cash, interest and fines paid in, and net income (interest + fines + other income −
  expenses − principal written off).

Every fact is a sum, so a district, the GAL pilots or the whole programme add their groups'
facts, and the ratios are taken on the sums (never an average of ratios).
"""

from __future__ import annotations

__all__ = ["GroupCash", "MoneyCell", "MoneyFacts", "cash_from_totals", "money_figures"]

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from vsla.domain.indicators.formulas import (
    Indicator,
    indicator,
    loan_fund_utilization,
    net_income,
    return_on_savings,
    savings_per_member,
)
from vsla.domain.ledger import EntryKind, balances_from_totals

PAR_DAYS = (1, 30)
"""The portfolio-at-risk thresholds of the programme report: overdue by more than 1 and
more than 30 days."""


@dataclass(frozen=True, slots=True)
class MoneyCell:
    """The money of the members of one cell (a group's or a district's sex × ethnicity)."""

    members_saving: int = 0
    savings: int = 0
    loans_active: int = 0
    loans_outstanding: int = 0
    at_risk_1: int = 0
    at_risk_30: int = 0
    share_out_payouts: int = 0

    def __add__(self, other: MoneyCell) -> MoneyCell:
        return MoneyCell(
            *(getattr(self, f.name) + getattr(other, f.name) for f in fields(MoneyCell))
        )


@dataclass(frozen=True, slots=True)
class GroupCash:
    """The boxes and income of a group (or the sum over several groups)."""

    loan_fund_cash: int = 0
    social_fund_cash: int = 0
    interest_paid: int = 0
    fines: int = 0
    net_income: int = 0

    def __add__(self, other: GroupCash) -> GroupCash:
        return GroupCash(
            *(getattr(self, f.name) + getattr(other, f.name) for f in fields(GroupCash))
        )


def cash_from_totals(totals: Mapping[EntryKind, int]) -> GroupCash:
    """A group's cash facts from Σ amount per entry kind (linear in the totals, so the
    totals of several groups give the sum of their cash).

    ```pycon
    >>> t = {EntryKind.SHARE_PURCHASE: 500_000, EntryKind.LOAN_DISBURSEMENT: 300_000,
    ...      EntryKind.INTEREST_PAYMENT: 12_000, EntryKind.FINE: 3_000,
    ...      EntryKind.SOCIAL_CONTRIBUTION: 40_000, EntryKind.EXPENSE: 5_000}
    >>> c = cash_from_totals(t)  # 500 - 300 + 12 + 3 - 5 = 210 thousand in the loan fund
    >>> c.loan_fund_cash, c.social_fund_cash, c.interest_paid, c.fines, c.net_income
    (210000, 40000, 12000, 3000, 10000)

    ```
    """
    b = balances_from_totals(totals, 0, 0)
    return GroupCash(
        loan_fund_cash=b.loan_fund_cash,
        social_fund_cash=b.social_fund_cash,
        interest_paid=b.interest_paid,
        fines=b.fines,
        net_income=net_income(
            interest_paid=b.interest_paid,
            fines=b.fines,
            other_income=b.other_income,
            expenses=b.expenses,
            written_off=b.principal_written_off,
        ),
    )


@dataclass(frozen=True, slots=True)
class MoneyFacts:
    """Money facts per cell (a key such as ``(group id, sex, ethnicity)`` or ``(district,
    sex)``) and cash per group key (a group id or a district)."""

    cells: Mapping[tuple[Any, ...], MoneyCell] = field(default_factory=dict)
    cash: Mapping[Hashable, GroupCash] = field(default_factory=dict)


def _total(items: Iterable[Any], zero: Any) -> Any:
    out = zero
    for item in items:
        out = out + item
    return out


def money_figures(
    cells: Iterable[MoneyCell], cash: Iterable[GroupCash] | None, members: int
) -> dict[str, int | Indicator | None]:
    """The money figures of one programme line from its cells and, on the lines that cover
    whole groups (district, group, GAL status, the programme), its groups' cash; ``cash`` is
    ``None`` on the lines by sex and ethnicity, whose group figures stay ``None``.
    ``members`` is the line's member count (the report's members policy).

    ```pycon
    >>> cells = [MoneyCell(10, 2_000_000, 4, 900_000, 300_000, 100_000, 0),
    ...          MoneyCell(5, 1_000_000, 2, 300_000, 0, 0, 0)]
    >>> f = money_figures(cells, [GroupCash(1_100_000, 90_000, 60_000, 6_000, 36_000)], 16)
    >>> f["savings"], f["loans_outstanding"], f["at_risk_30"]
    (3000000, 1200000, 100000)
    >>> f["par_30"].value, f["par_1"].value          # 100 / 1,200 and 300 / 1,200
    (Decimal('0.08333333333333333333333333333'), Decimal('0.25'))
    >>> f["loan_fund_utilization"].value            # 1,200 / (1,200 + 1,100)
    Decimal('0.5217391304347826086956521739')
    >>> f["return_on_savings"].value, f["savings_per_member"].value  # 36 / 3,000; 3,000 / 16
    (Decimal('0.012'), Decimal('187500'))

    ```
    """
    m: MoneyCell = _total(cells, MoneyCell())
    figures: dict[str, int | Indicator | None] = {
        "members_saving": m.members_saving,
        "savings": m.savings,
        "savings_per_member": savings_per_member(m.savings, members),
        "loans_active": m.loans_active,
        "loans_outstanding": m.loans_outstanding,
        "at_risk_1": m.at_risk_1,
        "at_risk_30": m.at_risk_30,
        "par_1": indicator("par_1", m.at_risk_1, m.loans_outstanding),
        "par_30": indicator("par_30", m.at_risk_30, m.loans_outstanding),
        "share_out_payouts": m.share_out_payouts,
    }
    if cash is None:
        figures.update(dict.fromkeys(GROUP_FIGURES))
        return figures
    c: GroupCash = _total(cash, GroupCash())
    figures.update(
        loan_fund_cash=c.loan_fund_cash,
        social_fund_cash=c.social_fund_cash,
        loan_fund_utilization=loan_fund_utilization(m.loans_outstanding, c.loan_fund_cash),
        interest_earned=c.interest_paid,
        fines_earned=c.fines,
        net_income=c.net_income,
        return_on_savings=return_on_savings(c.net_income, m.savings),
    )
    return figures


GROUP_FIGURES = (
    "loan_fund_cash",
    "social_fund_cash",
    "loan_fund_utilization",
    "interest_earned",
    "fines_earned",
    "net_income",
    "return_on_savings",
)
"""The money figures of whole groups: ``None`` on the lines by sex and ethnicity."""
