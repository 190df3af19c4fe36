"""Indicators: the formulas of domain.md sections 8 and 9, the facts they are computed from,
and the frozen reports.

Three layers, all pure (no database here):

* **formulas**: one small function per ratio (:func:`attendance_rate`, :func:`par`,
  :func:`return_on_assets`, ...). Each returns an :class:`Indicator`: numerator,
  denominator, value (``numerator / denominator`` as a :class:`~decimal.Decimal`, ``None``
  when the denominator is 0), target and whether the target is met.
* **facts**: the sums and counts a report needs (:class:`GroupFacts`, :class:`CellFacts`,
  :class:`PopulationFacts`, :class:`SessionFacts`). Two paths produce them: SQL aggregate
  queries over the whole programme (:mod:`vsla.reports.indicators`) and plain Python over
  records held in memory (:mod:`vsla.reports.reference`). Tests check that both give equal
  facts and equal reports.
* **assembly**: :func:`group_indicators_from_facts`, :func:`programme_report_from_facts` and
  :func:`gal_comparison_from_facts` turn facts into the reports
  (:class:`GroupIndicators`, :class:`ProgrammeReport`, :class:`GalComparison`), calling the
  formulas above, so every ratio is computed in exactly one place.

People and money are counted per *cell*: one (sex, ethnicity) pair of one group. A figure
"by sex" or "by ethnicity" is the sum of the matching cells, so every breakdown adds up to
its total. See ``docs/indicators.md`` for every formula and a worked example.
"""

from __future__ import annotations

__all__ = [
    "CellFacts",
    "CellKey",
    "CycleFacts",
    "DistrictFacts",
    "GalComparison",
    "GalFacts",
    "GalSide",
    "GroupBreakdown",
    "GroupFacts",
    "GroupIndicators",
    "Indicator",
    "MembersPolicy",
    "PopulationFacts",
    "ProgrammeFacts",
    "ProgrammeLine",
    "ProgrammeReport",
    "RowValue",
    "SessionFacts",
    "annualized",
    "annualized_return_on_savings",
    "attendance_rate",
    "average_loan_size",
    "check_par_days",
    "chosen_breakdowns",
    "count_against_target",
    "dropout_rate",
    "gal_comparison_from_facts",
    "group_indicators_from_facts",
    "in_population",
    "indicator",
    "is_met",
    "linked_rate",
    "livelihood_support_rate",
    "loan_fund_utilization",
    "loan_risk",
    "make_group_facts",
    "net_income",
    "par",
    "pct_members_with_loans",
    "pct_women",
    "period_ends",
    "programme_report_from_district_facts",
    "programme_report_from_facts",
    "projected_value_per_share",
    "referral_rate",
    "return_on_assets",
    "return_on_savings",
    "savings_per_member",
    "social_fund_per_member",
    "text_order",
    "write_off_ratio",
]

import datetime as dt
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from decimal import Decimal
from enum import StrEnum
from typing import Any, Literal

from dateutil.relativedelta import relativedelta
from pydantic import StrictBool, StrictInt, field_validator

from vsla.domain.activity import GalTool
from vsla.domain.base import Record, no_float
from vsla.domain.entities import Group, GroupStatus, Member, Programme, Sex
from vsla.domain.ledger import EntryKind, balances_from_totals
from vsla.domain.loans import LoanPayment, LoanTerms, position
from vsla.domain.money import ratio
from vsla.domain.tabular import ReportRow, RowValue, Tabular
from vsla.errors import InvalidInput

DAYS_PER_YEAR = 365
"""Annualised figures scale by 365 / days since the cycle started (domain.md section 8)."""


class MembersPolicy(StrEnum):
    """Who counts as a member in a programme figure (domain.md section 9, a **policy**).

    ``active_on_date`` (default): members active on the date (joined on or before it, not
    yet left). ``ever_in_period``: everyone who was a member at some time in the programme
    period up to the date (joined on or before min(date, period end), and not left on or
    before the period start).
    """

    ACTIVE_ON_DATE = "active_on_date"
    EVER_IN_PERIOD = "ever_in_period"


# ============================================================================================
# Indicators and formulas
# ============================================================================================


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


def dropout_rate(left: int, at_cycle_start: int) -> Indicator:
    """Members who left during the cycle / members at the cycle's start.

    ```pycon
    >>> dropout_rate(1, 4).value
    Decimal('0.25')

    ```
    """
    return indicator("dropout_rate", left, at_cycle_start)


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


def in_population(
    member: Member,
    on: dt.date,
    policy: MembersPolicy,
    period_start: dt.date,
    period_end: dt.date,
) -> bool:
    """Whether ``member`` counts in a programme figure on ``on`` under ``policy``."""
    if policy is MembersPolicy.ACTIVE_ON_DATE:
        return member.is_active(on)
    return member.joined_on <= min(on, period_end) and (
        member.left_on is None or member.left_on > period_start
    )


def period_ends(
    start: dt.date, end: dt.date, frequency: Literal["monthly", "quarterly", "yearly"]
) -> list[dt.date]:
    """The month, quarter or year ends within ``[start, end]``, plus ``end`` itself.

    ```pycon
    >>> [d.isoformat() for d in period_ends(dt.date(2021, 1, 1), dt.date(2021, 12, 31),
    ...                                      "quarterly")]
    ['2021-03-31', '2021-06-30', '2021-09-30', '2021-12-31']
    >>> [d.isoformat() for d in period_ends(dt.date(2021, 2, 15), dt.date(2021, 8, 15),
    ...                                      "quarterly")]
    ['2021-03-31', '2021-06-30', '2021-08-15']

    ```
    """
    step = {"monthly": 1, "quarterly": 3, "yearly": 12}.get(frequency)
    if step is None:
        raise InvalidInput(
            f"frequency must be 'monthly', 'quarterly' or 'yearly', got {frequency!r}"
        )
    if end < start:
        return []
    out: list[dt.date] = []
    # the first period whose end is on or after start: months counted from January
    month = ((start.month - 1) // step + 1) * step  # last month of start's period
    first = dt.date(start.year, 1, 1) + relativedelta(months=month) - dt.timedelta(days=1)
    k = 0
    while True:
        day = first + relativedelta(months=k * step, day=31)
        if day > end:
            break
        out.append(day)
        k += 1
    if not out or out[-1] != end:
        out.append(end)
    return out


def loan_risk(
    terms: LoanTerms, moves: Mapping[tuple[dt.date, EntryKind], int], on: dt.date
) -> tuple[int, int] | None:
    """``(days_overdue, principal_outstanding)`` of one loan at the close of ``on``, or
    ``None`` when it has nothing outstanding (or its disbursement was reversed).

    ``moves`` is Σ amount per (effective date, kind) of the loan's entries recorded on or
    before ``on``; a reversing entry takes the date of the entry it reverses. The principal
    outstanding is the ledger's (disbursed − repaid − written off); the overdue days come from
    :func:`vsla.domain.loans.position` fed with the payments and write-offs.

    ```pycon
    >>> t = LoanTerms(principal=100_000, interest_rate=Decimal("0.02"), term_months=1,
    ...               disbursed_on=dt.date(2024, 4, 10))
    >>> moves = {(dt.date(2024, 4, 10), EntryKind.LOAN_DISBURSEMENT): 100_000}
    >>> loan_risk(t, moves, dt.date(2024, 6, 9)), loan_risk(t, moves, dt.date(2024, 6, 10))
    ((30, 100000), (31, 100000))

    ```
    """

    def total(kind: EntryKind) -> int:
        return sum(v for (_, k), v in moves.items() if k is kind)

    disbursed = total(EntryKind.LOAN_DISBURSEMENT)
    outstanding = disbursed - total(EntryKind.PRINCIPAL_REPAYMENT) - total(EntryKind.WRITE_OFF)
    if disbursed <= 0 or outstanding <= 0:
        return None
    days = sorted({d for d, _ in moves if d <= on})
    payments = []
    for d in days:
        principal = moves.get((d, EntryKind.PRINCIPAL_REPAYMENT), 0)
        interest = moves.get((d, EntryKind.INTEREST_PAYMENT), 0)
        if principal or interest:
            payments.append(LoanPayment(on=d, principal=principal, interest=interest))
    written = [
        (d, moves[(d, EntryKind.WRITE_OFF)]) for d in days if moves.get((d, EntryKind.WRITE_OFF))
    ]
    pos = position(
        terms,
        payments,
        on,
        written_off=sum(v for _, v in written),
        written_off_on=written[-1][0] if written else None,
    )
    return pos.days_overdue, outstanding


# ============================================================================================
# Facts: what both paths compute, and the assembly consumes
# ============================================================================================

CellKey = tuple[str, str]
"""A (sex, ethnicity) pair: ``("F", "Xơ Đăng")``. Ethnicity ``""`` when not recorded."""


@dataclass(frozen=True, slots=True)
class CellFacts:
    """Additive facts about the members of one (sex, ethnicity) cell of one group on a date.

    People: ``members`` (active on the date), ``members_at_cycle_start``,
    ``left_during_cycle`` (left in (cycle start, date]), ``champions`` (active GAL
    champions), ``officers`` (active officers of the running cycle), ``members_with_loans``
    (active, with principal outstanding). Money, over the running cycle's entries dated on
    or before the date: ``shares``, ``principal_disbursed``, ``principal_repaid``,
    ``principal_written_off``, ``share_out_payouts``; ``loans`` counts the loans disbursed.
    Attendance over the meetings counted: ``expected``, ``present``, ``represented``, and
    the same over the last four (``*_last_4``). ``risks`` holds
    ``(days_overdue, principal_outstanding)`` of each loan with principal outstanding,
    sorted.
    """

    members: int = 0
    members_at_cycle_start: int = 0
    left_during_cycle: int = 0
    champions: int = 0
    officers: int = 0
    shares: int = 0
    principal_disbursed: int = 0
    principal_repaid: int = 0
    principal_written_off: int = 0
    share_out_payouts: int = 0
    loans: int = 0
    members_with_loans: int = 0
    expected: int = 0
    present: int = 0
    represented: int = 0
    expected_last_4: int = 0
    present_last_4: int = 0
    represented_last_4: int = 0
    risks: tuple[tuple[int, int], ...] = ()

    def __add__(self, other: CellFacts) -> CellFacts:
        counts = {
            f.name: getattr(self, f.name) + getattr(other, f.name)
            for f in fields(self)
            if f.name != "risks"
        }
        return CellFacts(**counts, risks=tuple(sorted(self.risks + other.risks)))

    def __bool__(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self))

    @property
    def loans_outstanding(self) -> int:
        return self.principal_disbursed - self.principal_repaid - self.principal_written_off


COUNT_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(CellFacts) if f.name != "risks")
"""The integer fields of :class:`CellFacts`, in order."""


@dataclass(frozen=True, slots=True)
class CycleFacts:
    """The cycle a group runs on the report date (latest cycle started on or before it)."""

    id: int
    number: int
    start_date: dt.date
    end_date: dt.date
    share_value: int
    shared_out_on: dt.date | None


@dataclass(frozen=True, slots=True)
class GroupFacts:
    """Everything a group's indicators are computed from, as of ``on``.

    ``totals`` is Σ amount per entry kind over the running cycle's entries dated on or before
    ``on`` (zero sums left out), ``shares`` the net shares of those entries, ``meetings`` the
    number of meetings counted for attendance, ``cells`` the per-(sex, ethnicity) facts
    (empty cells left out).
    """

    group: Group
    on: dt.date
    cycle: CycleFacts | None
    totals: Mapping[EntryKind, int]
    shares: int
    meetings: int
    cells: Mapping[CellKey, CellFacts]


def make_group_facts(
    group: Group,
    on: dt.date,
    cycle: CycleFacts | None,
    totals: Mapping[EntryKind, int],
    shares: int,
    meetings: int,
    counts: Mapping[CellKey, Mapping[str, int]],
    risks: Mapping[CellKey, Iterable[tuple[int, int]]],
) -> GroupFacts:
    """Build :class:`GroupFacts` from accumulated counts, the one normal form both paths
    share: zero totals and empty cells are dropped, risks are sorted."""
    cells: dict[CellKey, CellFacts] = {}
    for key in sorted(set(counts) | set(risks)):
        given = counts.get(key, {})
        unknown = set(given) - set(COUNT_FIELDS)
        if unknown:
            raise ValueError(f"unknown cell facts: {sorted(unknown)}")
        cell = CellFacts(
            **{name: int(given.get(name, 0)) for name in COUNT_FIELDS},
            risks=tuple(sorted(risks.get(key, ()))),
        )
        if cell:
            cells[key] = cell
    return GroupFacts(
        group=group,
        on=on,
        cycle=cycle,
        totals={k: int(v) for k, v in sorted(totals.items()) if v},
        shares=int(shares),
        meetings=int(meetings),
        cells=cells,
    )


@dataclass(frozen=True, slots=True)
class PopulationFacts:
    """Members of one (group, sex, ethnicity) counted in a programme figure, and how many of
    them were referred, linked (accessed) and supported on or before the date."""

    members: int = 0
    referred: int = 0
    linked: int = 0
    supported: int = 0

    def __add__(self, other: PopulationFacts) -> PopulationFacts:
        return PopulationFacts(
            self.members + other.members,
            self.referred + other.referred,
            self.linked + other.linked,
            self.supported + other.supported,
        )


@dataclass(frozen=True, slots=True)
class ProgrammeFacts:
    """The groups of a scope and the population facts per (group id, sex, ethnicity)."""

    groups: tuple[Group, ...]
    cells: Mapping[tuple[int, str, str], PopulationFacts]


@dataclass(frozen=True, slots=True)
class SessionFacts:
    """GAL sessions of one group with one tool held on or before the date."""

    sessions: int = 0
    women: int = 0
    men: int = 0
    reached_by_peer_sharing: int = 0

    def __add__(self, other: SessionFacts) -> SessionFacts:
        return SessionFacts(
            self.sessions + other.sessions,
            self.women + other.women,
            self.men + other.men,
            self.reached_by_peer_sharing + other.reached_by_peer_sharing,
        )


@dataclass(frozen=True, slots=True)
class GalFacts:
    """GAL session facts per (group id, tool value)."""

    sessions: Mapping[tuple[int, str], SessionFacts] = field(default_factory=dict)


# ============================================================================================
# Reports
# ============================================================================================


def text_order(text: str) -> tuple[str, str]:
    """A sort key that puts Vietnamese names where a reader looks for them: diacritics are
    ignored first (``Đắk Glei`` sorts with D, before ``Kon Plông``), then break ties.

    ```pycon
    >>> sorted(["Kon Plông", "Đắk Glei", "Ia H'Drai"], key=text_order)
    ['Đắk Glei', "Ia H'Drai", 'Kon Plông']

    ```
    """
    plain = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return plain.replace("Đ", "D").replace("đ", "d").casefold(), text


def _flatten(model: Record, names: Iterable[str]) -> ReportRow:
    """A flat row of the named fields: an Indicator gives its value, a PAR map one column
    per threshold (``par_30``), everything else as it is."""
    row: ReportRow = {}
    for name in names:
        value = getattr(model, name)
        if isinstance(value, Indicator):
            row[name] = value.value
            if value.target is not None:
                row[f"{name}_met"] = value.met
        elif isinstance(value, dict):
            for days, item in sorted(value.items()):
                row[f"par_{days}"] = item.value
        else:
            row[name] = value
    return row


class GroupBreakdown(Record):
    """One line of a group's figures by sex or by ethnicity."""

    dimension: Literal["sex", "ethnicity"]
    key: str
    members: int
    members_at_cycle_start: int
    left_during_cycle: int
    dropout_rate: Indicator
    attendance_rate: Indicator
    shares: int
    savings: int
    savings_per_member: Indicator
    loans: int
    principal_disbursed: int
    average_loan_size: Indicator
    loans_outstanding: int
    members_with_loans: int
    pct_members_with_loans: Indicator
    par: dict[int, Indicator]
    principal_written_off: int
    officers: int
    share_out_payouts: int
    champions: int


_BREAKDOWN_FIGURES = tuple(
    name for name in GroupBreakdown.model_fields if name not in ("dimension", "key")
)


class GroupIndicators(Record, Tabular):
    """A group's indicators on a date (domain.md section 8), with breakdowns by sex and
    ethnicity. Money is ``int``; ratios and per-person amounts are :class:`Indicator`."""

    group_id: int
    group_code: str
    group_name: str
    district: str
    on: dt.date
    gal_pilot: bool
    cycle_id: int | None
    cycle_number: int | None
    cycle_start: dt.date | None
    shared_out_on: dt.date | None
    days_in_cycle: int
    represented_counts_as_present: bool
    members: int
    women: int
    pct_women: Indicator
    members_at_cycle_start: int
    left_during_cycle: int
    dropout_rate: Indicator
    meetings: int
    attendance_rate: Indicator
    attendance_rate_last_4: Indicator
    shares: int
    savings: int
    savings_per_member: Indicator
    loan_fund_cash: int
    social_fund_cash: int
    loans_outstanding: int
    total_assets: int
    loans: int
    principal_disbursed: int
    average_loan_size: Indicator
    members_with_loans: int
    pct_members_with_loans: Indicator
    loan_fund_utilization: Indicator
    par: dict[int, Indicator]
    principal_written_off: int
    write_off_ratio: Indicator
    interest_paid: int
    fines: int
    other_income: int
    expenses: int
    net_income: int
    return_on_savings: Indicator
    annualized_return_on_savings: Indicator
    return_on_assets: Indicator
    social_fund_per_member: Indicator
    projected_value_per_share: Indicator
    officers: int
    share_out_payouts: int
    champions: int
    by_sex: tuple[GroupBreakdown, ...]
    by_ethnicity: tuple[GroupBreakdown, ...]

    def breakdown(self, dimension: Literal["sex", "ethnicity"], key: str) -> GroupBreakdown:
        """The line of ``by_sex`` or ``by_ethnicity`` for ``key`` ("F", "Xơ Đăng", ...)."""
        lines = self.by_sex if dimension == "sex" else self.by_ethnicity
        for line in lines:
            if line.key == key:
                return line
        raise KeyError(f"group {self.group_code} has no {dimension} line {key!r}")

    def rows(self) -> list[ReportRow]:
        """Flat rows: the whole group (``dimension="group"``), then one per sex and one per
        ethnicity; every row has the same keys (``None`` where a figure is not broken down)."""
        ids: ReportRow = {
            "group_id": self.group_id,
            "group_code": self.group_code,
            "group_name": self.group_name,
            "district": self.district,
            "gal_pilot": self.gal_pilot,
            "on": self.on,
            "cycle_number": self.cycle_number,
        }
        skip = {"by_sex", "by_ethnicity", *ids}
        main = {
            **ids,
            "dimension": "group",
            "key": self.group_code,
            **_flatten(self, (n for n in type(self).model_fields if n not in skip)),
        }
        out = [main]
        for line in (*self.by_sex, *self.by_ethnicity):
            row = dict.fromkeys(main)
            row.update(ids)
            row.update(dimension=line.dimension, key=line.key)
            row.update(_flatten(line, _BREAKDOWN_FIGURES))
            out.append(row)
        return out


def _breakdown(
    dimension: Literal["sex", "ethnicity"],
    key: str,
    cell: CellFacts,
    savings: int,
    par_days: Sequence[int],
    represented_counts_as_present: bool,
) -> GroupBreakdown:
    return GroupBreakdown(
        dimension=dimension,
        key=key,
        members=cell.members,
        members_at_cycle_start=cell.members_at_cycle_start,
        left_during_cycle=cell.left_during_cycle,
        dropout_rate=dropout_rate(cell.left_during_cycle, cell.members_at_cycle_start),
        attendance_rate=attendance_rate(
            cell.present,
            cell.represented,
            cell.expected,
            represented_counts_as_present=represented_counts_as_present,
        ),
        shares=cell.shares,
        savings=savings,
        savings_per_member=savings_per_member(savings, cell.members),
        loans=cell.loans,
        principal_disbursed=cell.principal_disbursed,
        average_loan_size=average_loan_size(cell.principal_disbursed, cell.loans),
        loans_outstanding=cell.loans_outstanding,
        members_with_loans=cell.members_with_loans,
        pct_members_with_loans=pct_members_with_loans(cell.members_with_loans, cell.members),
        par={d: par(cell.risks, cell.loans_outstanding, d) for d in par_days},
        principal_written_off=cell.principal_written_off,
        officers=cell.officers,
        share_out_payouts=cell.share_out_payouts,
        champions=cell.champions,
    )


def _sum_cells(cells: Iterable[CellFacts]) -> CellFacts:
    total = CellFacts()
    for cell in cells:
        total = total + cell
    return total


def check_par_days(par_days: Iterable[int]) -> tuple[int, ...]:
    """The PAR thresholds, validated (whole days >= 0), without repeats, in order."""
    out = set()
    for days in par_days:
        if isinstance(days, bool) or not isinstance(days, int) or days < 0:
            raise InvalidInput(f"a PAR threshold is a whole number of days >= 0, got {days!r}")
        out.add(days)
    return tuple(sorted(out))


def group_indicators_from_facts(
    facts: GroupFacts,
    *,
    par_days: Sequence[int] = (1, 30),
    represented_counts_as_present: bool = True,
) -> GroupIndicators:
    """The indicators of domain.md section 8 from one group's facts."""
    thresholds = check_par_days(par_days)
    group, cycle, on = facts.group, facts.cycle, facts.on
    share_value = cycle.share_value if cycle is not None else 0
    days = (on - cycle.start_date).days if cycle is not None else 0
    b = balances_from_totals(facts.totals, facts.shares, share_value)
    total = _sum_cells(facts.cells.values())
    by_sex: dict[str, CellFacts] = {sex.value: CellFacts() for sex in Sex}
    by_ethnicity: dict[str, CellFacts] = defaultdict(CellFacts)
    for (sex, ethnicity), cell in facts.cells.items():
        by_sex[sex] = by_sex.get(sex, CellFacts()) + cell
        by_ethnicity[ethnicity] = by_ethnicity[ethnicity] + cell
    women = by_sex[Sex.FEMALE.value].members
    net = net_income(
        interest_paid=b.interest_paid,
        fines=b.fines,
        other_income=b.other_income,
        expenses=b.expenses,
        written_off=b.principal_written_off,
    )

    def lines(
        dimension: Literal["sex", "ethnicity"], cells: Mapping[str, CellFacts]
    ) -> tuple[GroupBreakdown, ...]:
        return tuple(
            _breakdown(
                dimension,
                key,
                cell,
                cell.shares * share_value,
                thresholds,
                represented_counts_as_present,
            )
            for key, cell in sorted(cells.items(), key=lambda item: text_order(item[0]))
        )

    return GroupIndicators(
        group_id=group.id,
        group_code=group.code,
        group_name=group.name,
        district=group.district,
        on=on,
        gal_pilot=group.is_gal_pilot(on),
        cycle_id=cycle.id if cycle is not None else None,
        cycle_number=cycle.number if cycle is not None else None,
        cycle_start=cycle.start_date if cycle is not None else None,
        shared_out_on=cycle.shared_out_on if cycle is not None else None,
        days_in_cycle=days,
        represented_counts_as_present=represented_counts_as_present,
        members=total.members,
        women=women,
        pct_women=pct_women(women, total.members),
        members_at_cycle_start=total.members_at_cycle_start,
        left_during_cycle=total.left_during_cycle,
        dropout_rate=dropout_rate(total.left_during_cycle, total.members_at_cycle_start),
        meetings=facts.meetings,
        attendance_rate=attendance_rate(
            total.present,
            total.represented,
            total.expected,
            represented_counts_as_present=represented_counts_as_present,
        ),
        attendance_rate_last_4=attendance_rate(
            total.present_last_4,
            total.represented_last_4,
            total.expected_last_4,
            represented_counts_as_present=represented_counts_as_present,
            name="attendance_rate_last_4",
        ),
        shares=b.shares,
        savings=b.savings,
        savings_per_member=savings_per_member(b.savings, total.members),
        loan_fund_cash=b.loan_fund_cash,
        social_fund_cash=b.social_fund_cash,
        loans_outstanding=b.loans_outstanding,
        total_assets=b.total_assets,
        loans=total.loans,
        principal_disbursed=b.principal_disbursed,
        average_loan_size=average_loan_size(b.principal_disbursed, total.loans),
        members_with_loans=total.members_with_loans,
        pct_members_with_loans=pct_members_with_loans(total.members_with_loans, total.members),
        loan_fund_utilization=loan_fund_utilization(b.loans_outstanding, b.loan_fund_cash),
        par={d: par(total.risks, b.loans_outstanding, d) for d in thresholds},
        principal_written_off=b.principal_written_off,
        write_off_ratio=write_off_ratio(b.principal_written_off, b.principal_disbursed),
        interest_paid=b.interest_paid,
        fines=b.fines,
        other_income=b.other_income,
        expenses=b.expenses,
        net_income=net,
        return_on_savings=return_on_savings(net, b.savings),
        annualized_return_on_savings=annualized_return_on_savings(net, b.savings, days),
        return_on_assets=return_on_assets(net, b.total_assets, days),
        social_fund_per_member=social_fund_per_member(b.social_fund_cash, total.members),
        projected_value_per_share=projected_value_per_share(
            b.loan_fund_cash, b.loans_outstanding, b.shares
        ),
        officers=total.officers,
        share_out_payouts=total.share_out_payouts,
        champions=total.champions,
        by_sex=lines("sex", by_sex),
        by_ethnicity=lines("ethnicity", by_ethnicity),
    )


# -------------------------------------------------------------------------------- programme


class ProgrammeLine(Record):
    """One line of a programme breakdown (a district, a group, a sex, an ethnicity, or GAL
    pilots vs other groups). ``groups_active`` and ``gal_pilot_groups`` are ``None`` on the
    lines by sex and ethnicity, where groups are not split."""

    dimension: Literal["district", "group", "sex", "ethnicity", "gal_status"]
    key: str
    label: str
    groups_active: int | None
    gal_pilot_groups: int | None
    members: int
    women: int
    referred: int
    linked: int
    supported: int
    referral_rate: Indicator
    linked_rate: Indicator
    livelihood_support_rate: Indicator


_LINE_FIGURES = tuple(
    name for name in ProgrammeLine.model_fields if name not in ("dimension", "key", "label")
)


class ProgrammeReport(Record, Tabular):
    """The programme figures of domain.md section 9 on a date, for the whole programme, a
    district or a group, with breakdowns and targets."""

    programme_id: int
    programme_name: str
    on: dt.date
    period_start: dt.date
    period_end: dt.date
    members_policy: MembersPolicy
    district: str | None
    group_id: int | None
    groups_active: Indicator
    gal_pilot_groups: Indicator
    members: int
    women: int
    pct_women: Indicator
    referred: int
    linked: int
    supported: int
    referral_rate: Indicator
    linked_rate: Indicator
    livelihood_support_rate: Indicator
    by_district: tuple[ProgrammeLine, ...]
    by_group: tuple[ProgrammeLine, ...]
    by_sex: tuple[ProgrammeLine, ...]
    by_ethnicity: tuple[ProgrammeLine, ...]
    by_gal_status: tuple[ProgrammeLine, ...]

    def line(self, dimension: str, key: str) -> ProgrammeLine:
        """The breakdown line for ``key`` (a district, a group code, "F", "pilot", ...)."""
        for line in self.lines():
            if line.dimension == dimension and line.key == key:
                return line
        raise KeyError(f"no {dimension} line {key!r}")

    def lines(self) -> tuple[ProgrammeLine, ...]:
        return (
            *self.by_district,
            *self.by_group,
            *self.by_sex,
            *self.by_ethnicity,
            *self.by_gal_status,
        )

    def rows(self) -> list[ReportRow]:
        """Flat rows: the scope as a whole (``dimension="programme"``, or ``"district"`` /
        ``"group"`` when the report is filtered), then every breakdown line; the same keys in
        every row."""
        ids: ReportRow = {
            "programme_id": self.programme_id,
            "on": self.on,
            "members_policy": self.members_policy.value,
        }
        if self.group_id is not None:
            scope, key = "group", str(self.group_id)
        elif self.district is not None:
            scope, key = "district", self.district
        else:
            scope, key = "programme", str(self.programme_id)
        main: ReportRow = {
            **ids,
            "dimension": scope,
            "key": key,
            "label": self.programme_name,
        }
        for name in ("groups_active", "gal_pilot_groups"):
            count: Indicator = getattr(self, name)
            main[name] = count.numerator
            main[f"{name}_target"] = count.target
            main[f"{name}_met"] = count.met
        main.update(_flatten(self, _LINE_FIGURES[2:]))
        out = [main]
        for line in self.lines():
            row = dict.fromkeys(main)
            row.update(ids)
            row.update(dimension=line.dimension, key=line.key, label=line.label)
            row.update(_flatten(line, _LINE_FIGURES))
            out.append(row)
        return out


def _programme_line(
    dimension: Literal["district", "group", "sex", "ethnicity", "gal_status"],
    key: str,
    label: str,
    counts: tuple[int, int] | None,
    cells: Iterable[tuple[str, PopulationFacts]],
    programme: Programme,
) -> ProgrammeLine:
    """One breakdown line; ``counts`` is (groups active, GAL pilot groups), ``None`` on the
    lines that do not split groups (sex, ethnicity)."""
    total = PopulationFacts()
    women = 0
    for sex, cell in cells:
        total = total + cell
        if sex == Sex.FEMALE.value:
            women += cell.members
    targets = programme.targets
    return ProgrammeLine(
        dimension=dimension,
        key=key,
        label=label,
        groups_active=None if counts is None else counts[0],
        gal_pilot_groups=None if counts is None else counts[1],
        members=total.members,
        women=women,
        referred=total.referred,
        linked=total.linked,
        supported=total.supported,
        referral_rate=referral_rate(total.referred, total.members, targets.referral_rate),
        linked_rate=linked_rate(total.linked, total.members),
        livelihood_support_rate=livelihood_support_rate(
            total.supported, total.members, targets.livelihood_support_rate
        ),
    )


def _groups_active(groups: Iterable[Group]) -> int:
    return sum(1 for g in groups if g.status is GroupStatus.ACTIVE)


def _gal_pilots(groups: Iterable[Group], on: dt.date) -> int:
    return sum(1 for g in groups if g.is_gal_pilot(on))


BREAKDOWNS: tuple[str, ...] = ("district", "group", "sex", "ethnicity", "gal_status")
"""The breakdowns of a programme report, in the order of :meth:`ProgrammeReport.lines`."""


def chosen_breakdowns(names: Iterable[str] | None) -> frozenset[str]:
    """The breakdowns asked for, checked.

    ```pycon
    >>> sorted(chosen_breakdowns(["district"]))
    ['district']
    >>> chosen_breakdowns(["village"])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    vsla.errors.InvalidInput: unknown breakdown 'village': choose among district, group, ...

    ```
    """
    if names is None:
        return frozenset(BREAKDOWNS)
    if isinstance(names, str):
        raise InvalidInput(f"breakdowns must be a list of names, got {names!r}")
    chosen = frozenset(names)
    for name in sorted(chosen - set(BREAKDOWNS)):
        raise InvalidInput(f"unknown breakdown {name!r}: choose among {', '.join(BREAKDOWNS)}")
    return chosen


def programme_report_from_facts(
    programme: Programme,
    on: dt.date,
    facts: ProgrammeFacts,
    *,
    members_policy: MembersPolicy = MembersPolicy.ACTIVE_ON_DATE,
    district: str | None = None,
    group_id: int | None = None,
    breakdowns: Iterable[str] | None = None,
) -> ProgrammeReport:
    """The programme report of domain.md section 9 from the facts of its scope.

    The count targets (91 groups, 55 GAL pilots) are programme-wide: they are compared only
    when the report covers the whole programme (no district, no group). The rate targets
    (15 %) apply to every scope and every breakdown line. ``breakdowns`` names the
    breakdowns to build (default: all of :data:`BREAKDOWNS`); the others stay empty, which
    spares a dashboard of 10,000 groups the 10,000 lines of ``by_group``.
    """
    wanted = chosen_breakdowns(breakdowns)
    groups = sorted(facts.groups, key=lambda g: g.id)
    by_id = {g.id: g for g in groups}
    cells = [(by_id[gid], sex, eth, cell) for (gid, sex, eth), cell in facts.cells.items()]

    def line(
        dimension: Literal["district", "group", "sex", "ethnicity", "gal_status"],
        key: str,
        label: str,
        keep_groups: Sequence[Group] | None,
        picked: Iterable[tuple[str, PopulationFacts]],
    ) -> ProgrammeLine:
        counts = (
            None
            if keep_groups is None
            else (_groups_active(keep_groups), _gal_pilots(keep_groups, on))
        )
        return _programme_line(dimension, key, label, counts, picked, programme)

    # one pass over the cells and the groups, bucketed by every dimension
    people: dict[tuple[str, str], list[tuple[str, PopulationFacts]]] = defaultdict(list)
    for g, sex, eth, cell in cells:
        for dimension, key in (
            ("district", g.district),
            ("group", g.code),
            ("sex", sex),
            ("ethnicity", eth),
            ("gal_status", "pilot" if g.is_gal_pilot(on) else "other"),
        ):
            if dimension in wanted:
                people[(dimension, key)].append((sex, cell))
    in_district: dict[str, list[Group]] = defaultdict(list)
    in_status: dict[str, list[Group]] = defaultdict(list)
    for g in groups:
        in_district[g.district].append(g)
        in_status["pilot" if g.is_gal_pilot(on) else "other"].append(g)

    by_district = tuple(
        line("district", d, d, in_district[d], people[("district", d)])
        for d in sorted(in_district, key=text_order)
        if "district" in wanted
    )
    by_group = tuple(
        line("group", g.code, g.name, [g], people[("group", g.code)])
        for g in groups
        if "group" in wanted
    )
    by_sex = tuple(
        line("sex", s.value, s.name.lower(), None, people[("sex", s.value)])
        for s in Sex
        if "sex" in wanted
    )
    ethnicities = sorted({eth for _, _, eth, _ in cells}, key=text_order)
    by_ethnicity = tuple(
        line("ethnicity", e, e, None, people[("ethnicity", e)])
        for e in ethnicities
        if "ethnicity" in wanted
    )
    by_gal_status = tuple(
        line("gal_status", key, label, in_status[key], people[("gal_status", key)])
        for key, label in (("pilot", "GAL pilot groups"), ("other", "other groups"))
        if "gal_status" in wanted
    )
    whole_line = line("group", "", "", groups, [(sex, c) for _, sex, _, c in cells])
    return _programme_report(
        programme,
        on,
        members_policy,
        district,
        group_id,
        whole_line,
        by_district=by_district,
        by_group=by_group,
        by_sex=by_sex,
        by_ethnicity=by_ethnicity,
        by_gal_status=by_gal_status,
    )


def _programme_report(
    programme: Programme,
    on: dt.date,
    members_policy: MembersPolicy,
    district: str | None,
    group_id: int | None,
    whole_line: ProgrammeLine,
    *,
    by_district: tuple[ProgrammeLine, ...] = (),
    by_group: tuple[ProgrammeLine, ...] = (),
    by_sex: tuple[ProgrammeLine, ...] = (),
    by_ethnicity: tuple[ProgrammeLine, ...] = (),
    by_gal_status: tuple[ProgrammeLine, ...] = (),
) -> ProgrammeReport:
    """The report around its whole-scope line (which carries the group counts)."""
    whole = district is None and group_id is None
    targets = programme.targets
    return ProgrammeReport(
        programme_id=programme.id,
        programme_name=programme.name,
        on=on,
        period_start=programme.period_start,
        period_end=programme.period_end,
        members_policy=members_policy,
        district=district,
        group_id=group_id,
        groups_active=count_against_target(
            "groups_active", whole_line.groups_active or 0, targets.groups if whole else None
        ),
        gal_pilot_groups=count_against_target(
            "gal_pilot_groups",
            whole_line.gal_pilot_groups or 0,
            targets.gal_pilot_groups if whole else None,
        ),
        members=whole_line.members,
        women=whole_line.women,
        pct_women=pct_women(whole_line.women, whole_line.members),
        referred=whole_line.referred,
        linked=whole_line.linked,
        supported=whole_line.supported,
        referral_rate=whole_line.referral_rate,
        linked_rate=whole_line.linked_rate,
        livelihood_support_rate=whole_line.livelihood_support_rate,
        by_district=by_district,
        by_group=by_group,
        by_sex=by_sex,
        by_ethnicity=by_ethnicity,
        by_gal_status=by_gal_status,
    )


@dataclass(frozen=True, slots=True)
class DistrictFacts:
    """A programme's facts already summed per district by the database (the dashboard's
    fast path): (groups active, GAL pilot groups) per district, and the population facts
    per (district, sex)."""

    groups: Mapping[str, tuple[int, int]]
    cells: Mapping[tuple[str, str], PopulationFacts]


def programme_report_from_district_facts(
    programme: Programme,
    on: dt.date,
    facts: DistrictFacts,
    *,
    members_policy: MembersPolicy = MembersPolicy.ACTIVE_ON_DATE,
    district: str | None = None,
    group_id: int | None = None,
    with_districts: bool = True,
) -> ProgrammeReport:
    """The report with only its district lines (or none: ``with_districts=False``), from
    facts summed per district.

    It equals :func:`programme_report_from_facts` with ``breakdowns=["district"]`` on the
    same data (the same line builder; the tests hold the two paths equal): for 10,000 groups
    the database returns ten districts instead of tens of thousands of cells.

    ```pycon
    >>> from vsla.domain.entities import Programme
    >>> p = Programme(id=1, name="Kon Tum", province="Kon Tum")
    >>> facts = DistrictFacts(
    ...     groups={"Đắk Glei": (12, 7), "Kon Tum": (6, 4)},
    ...     cells={("Đắk Glei", "F"): PopulationFacts(200, 40, 10, 30),
    ...            ("Đắk Glei", "M"): PopulationFacts(60, 5, 1, 9),
    ...            ("Kon Tum", "F"): PopulationFacts(100, 10, 2, 20)})
    >>> r = programme_report_from_district_facts(p, dt.date(2025, 4, 7), facts)
    >>> [(d.key, d.groups_active, d.members, d.women, d.referred) for d in r.by_district]
    [('Đắk Glei', 12, 260, 200, 45), ('Kon Tum', 6, 100, 100, 10)]
    >>> r.groups_active.value, r.members, r.referral_rate.value  # 18 groups; 55 / 360
    (Decimal('18'), 360, Decimal('0.1527777777777777777777777778'))

    ```
    """
    people: dict[str, list[tuple[str, PopulationFacts]]] = defaultdict(list)
    for (where, sex), cell in facts.cells.items():
        people[where].append((sex, cell))
    by_district = tuple(
        _programme_line("district", d, d, facts.groups[d], people[d], programme)
        for d in sorted(facts.groups, key=text_order)
        if with_districts
    )
    counts = (
        sum(active for active, _ in facts.groups.values()),
        sum(pilots for _, pilots in facts.groups.values()),
    )
    whole_line = _programme_line(
        "group",
        "",
        "",
        counts,
        [(sex, cell) for (_, sex), cell in facts.cells.items()],
        programme,
    )
    return _programme_report(
        programme, on, members_policy, district, group_id, whole_line, by_district=by_district
    )


# -------------------------------------------------------------------------------- GAL


class GalSide(Record):
    """One side of the GAL comparison: the pilot groups, or the other groups."""

    pilot: bool
    groups: int
    members: int
    women: int
    women_share_of_members: Indicator
    women_share_of_officers: Indicator
    women_share_of_loans: Indicator
    women_share_of_loan_value: Indicator
    savings_per_woman: Indicator
    women_attendance_rate: Indicator
    referral_rate: Indicator
    linked_rate: Indicator
    livelihood_support_rate: Indicator
    champions: int
    gal_sessions: int
    sessions_by_tool: dict[GalTool, int]
    session_women: int
    session_men: int
    reached_by_peer_sharing: int


_SIDE_FIGURES = tuple(name for name in GalSide.model_fields if name != "pilot")


class GalComparison(Record, Tabular):
    """GAL pilot groups vs the other groups of a programme, side by side, on a date."""

    programme_id: int
    programme_name: str
    on: dt.date
    represented_counts_as_present: bool
    pilot: GalSide
    other: GalSide

    def rows(self) -> list[ReportRow]:
        """One row per figure: ``{"figure", "pilot", "other"}`` (sessions by tool as
        ``sessions_<tool>``)."""
        out: list[ReportRow] = []
        for name in _SIDE_FIGURES:
            if name == "sessions_by_tool":
                for tool in GalTool:
                    out.append(
                        {
                            "figure": f"sessions_{tool.value}",
                            "pilot": self.pilot.sessions_by_tool[tool],
                            "other": self.other.sessions_by_tool[tool],
                        }
                    )
                continue
            a, b = getattr(self.pilot, name), getattr(self.other, name)
            if isinstance(a, Indicator) and isinstance(b, Indicator):
                out.append({"figure": name, "pilot": a.value, "other": b.value})
            else:
                out.append({"figure": name, "pilot": a, "other": b})
        return out


def _gal_side(
    pilot: bool,
    groups: Sequence[GroupFacts],
    population: Iterable[PopulationFacts],
    sessions: Mapping[str, SessionFacts],
    represented_counts_as_present: bool,
    programme: Programme,
) -> GalSide:
    female = Sex.FEMALE.value
    everyone = CellFacts()
    women = CellFacts()
    women_savings = 0
    for facts in groups:
        share_value = facts.cycle.share_value if facts.cycle is not None else 0
        for (sex, _), cell in facts.cells.items():
            everyone = everyone + cell
            if sex == female:
                women = women + cell
                women_savings += cell.shares * share_value
    people = PopulationFacts()
    for item in population:
        people = people + item
    activity = SessionFacts()
    for session in sessions.values():
        activity = activity + session
    targets = programme.targets
    return GalSide(
        pilot=pilot,
        groups=len(groups),
        members=everyone.members,
        women=women.members,
        women_share_of_members=indicator("women_share_of_members", women.members, everyone.members),
        women_share_of_officers=indicator(
            "women_share_of_officers", women.officers, everyone.officers
        ),
        women_share_of_loans=indicator("women_share_of_loans", women.loans, everyone.loans),
        women_share_of_loan_value=indicator(
            "women_share_of_loan_value", women.principal_disbursed, everyone.principal_disbursed
        ),
        savings_per_woman=savings_per_member(
            women_savings, women.members, name="savings_per_woman"
        ),
        women_attendance_rate=attendance_rate(
            women.present,
            women.represented,
            women.expected,
            represented_counts_as_present=represented_counts_as_present,
            name="women_attendance_rate",
        ),
        referral_rate=referral_rate(people.referred, people.members, targets.referral_rate),
        linked_rate=linked_rate(people.linked, people.members),
        livelihood_support_rate=livelihood_support_rate(
            people.supported, people.members, targets.livelihood_support_rate
        ),
        champions=everyone.champions,
        gal_sessions=activity.sessions,
        sessions_by_tool={
            tool: sessions.get(tool.value, SessionFacts()).sessions for tool in GalTool
        },
        session_women=activity.women,
        session_men=activity.men,
        reached_by_peer_sharing=activity.reached_by_peer_sharing,
    )


def gal_comparison_from_facts(
    programme: Programme,
    on: dt.date,
    groups: Sequence[GroupFacts],
    population: ProgrammeFacts,
    activity: GalFacts,
    *,
    represented_counts_as_present: bool = True,
) -> GalComparison:
    """GAL pilots (groups with ``gal_pilot_since <= on``) vs the other groups."""
    sides = {}
    for pilot in (True, False):
        mine = [f for f in groups if f.group.is_gal_pilot(on) is pilot]
        ids = {f.group.id for f in mine}
        tools: dict[str, SessionFacts] = defaultdict(SessionFacts)
        for (gid, tool), item in activity.sessions.items():
            if gid in ids:
                tools[tool] = tools[tool] + item
        sides[pilot] = _gal_side(
            pilot,
            mine,
            [c for (gid, _, _), c in population.cells.items() if gid in ids],
            tools,
            represented_counts_as_present,
            programme,
        )
    return GalComparison(
        programme_id=programme.id,
        programme_name=programme.name,
        on=on,
        represented_counts_as_present=represented_counts_as_present,
        pilot=sides[True],
        other=sides[False],
    )
