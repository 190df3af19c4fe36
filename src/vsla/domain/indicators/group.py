"""A group's indicators on a date (docs/indicators.md): :class:`GroupIndicators`, built by
:func:`group_indicators_from_facts` from one group's :class:`~.facts.GroupFacts`."""

from __future__ import annotations

__all__ = ["GroupBreakdown", "GroupIndicators", "group_indicators_from_facts"]

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import ClassVar, Literal

from vsla.domain.base import Record
from vsla.domain.entities import Sex
from vsla.domain.indicators.facts import CellFacts, GroupFacts
from vsla.domain.indicators.formulas import (
    Indicator,
    annualized_return_on_savings,
    attendance_rate,
    average_loan_size,
    check_par_days,
    dropout_rate,
    loan_fund_utilization,
    net_income,
    par,
    pct_members_with_loans,
    pct_women,
    projected_value_per_share,
    return_on_assets,
    return_on_savings,
    savings_per_member,
    social_fund_per_member,
    write_off_ratio,
)
from vsla.domain.indicators.rows import flat_kinds, flat_row, text_order
from vsla.domain.ledger import balances_from_totals
from vsla.domain.tabular import ColumnKind, ReportRow, Tabular


class GroupBreakdown(Record):
    """One line of a group's figures by sex or by ethnicity."""

    dimension: Literal["sex", "ethnicity"]
    key: str
    members: int
    members_at_cycle_start: int
    joined_during_cycle: int
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
    """A group's indicators on a date (docs/indicators.md), with breakdowns by sex and
    ethnicity. Money is ``int``; ratios and per-person amounts are :class:`Indicator`."""

    amount_columns: ClassVar[frozenset[str]] = frozenset(
        {
            "savings_per_member",
            "average_loan_size",
            "social_fund_per_member",
            "projected_value_per_share",
        }
    )

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
    joined_during_cycle: int
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

    def declared_kinds(self) -> dict[str, ColumnKind]:
        """Every figure's kind from the model, so an undefined PAR is still a ratio."""
        names = (n for n in type(self).model_fields if n not in ("by_sex", "by_ethnicity"))
        return flat_kinds(self, names, self.amount_columns)

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
            **flat_row(self, (n for n in type(self).model_fields if n not in skip)),
        }
        out = [main]
        for line in (*self.by_sex, *self.by_ethnicity):
            row = dict.fromkeys(main)
            row.update(ids)
            row.update(dimension=line.dimension, key=line.key)
            row.update(flat_row(line, _BREAKDOWN_FIGURES))
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
        joined_during_cycle=cell.joined_during_cycle,
        left_during_cycle=cell.left_during_cycle,
        dropout_rate=dropout_rate(
            cell.left_during_cycle, cell.members_at_cycle_start, cell.joined_during_cycle
        ),
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


def group_indicators_from_facts(
    facts: GroupFacts,
    *,
    par_days: Sequence[int] = (1, 30),
    represented_counts_as_present: bool = True,
) -> GroupIndicators:
    """The indicators of docs/indicators.md from one group's facts."""
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
        joined_during_cycle=total.joined_during_cycle,
        left_during_cycle=total.left_during_cycle,
        dropout_rate=dropout_rate(
            total.left_during_cycle, total.members_at_cycle_start, total.joined_during_cycle
        ),
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
