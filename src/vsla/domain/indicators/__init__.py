"""Indicators: the formulas of docs/indicators.md, the facts they are computed from,
and the frozen reports.

Three layers, all pure (no database here), in five modules:

* **formulas** (:mod:`~vsla.domain.indicators.formulas`): one small function per ratio
  (:func:`attendance_rate`, :func:`par`, :func:`return_on_assets`, ...). Each returns an
  :class:`Indicator`: numerator, denominator, value (``numerator / denominator`` as a
  :class:`~decimal.Decimal`, ``None`` when the denominator is 0), target and whether the
  target is met.
* **facts** (:mod:`~vsla.domain.indicators.facts`): the sums and counts a report needs
  (:class:`GroupFacts`, :class:`CellFacts`, :class:`PopulationFacts`,
  :class:`SessionFacts`). Two paths produce them: SQL aggregate queries over the whole
  programme (:mod:`vsla.reports.indicators`) and plain Python over records held in memory
  (:mod:`vsla.reports.reference`). Tests check that both give equal facts and equal reports.
* **assembly**: :func:`group_indicators_from_facts`
  (:mod:`~vsla.domain.indicators.group`), :func:`programme_report_from_facts`
  (:mod:`~vsla.domain.indicators.programme`) and :func:`gal_comparison_from_facts`
  (:mod:`~vsla.domain.indicators.gal`) turn facts into the reports
  (:class:`GroupIndicators`, :class:`ProgrammeReport`, :class:`GalComparison`), calling the
  formulas above, so every ratio is computed in exactly one place.

People and money are counted per *cell*: one (sex, ethnicity) pair of one group. A figure
"by sex" or "by ethnicity" is the sum of the matching cells, so every breakdown adds up to
its total. See ``docs/indicators.md`` for every formula and a worked example.

Everything is importable from this package, as it was from the single module it replaces.
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
    "GroupCash",
    "GroupFacts",
    "GroupIndicators",
    "Indicator",
    "MembersPolicy",
    "MoneyCell",
    "MoneyFacts",
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
    "cash_from_totals",
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
    "money_figures",
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

from vsla.domain.indicators.facts import COUNT_FIELDS as COUNT_FIELDS
from vsla.domain.indicators.facts import (
    CellFacts,
    CellKey,
    CycleFacts,
    DistrictFacts,
    GalFacts,
    GroupFacts,
    MembersPolicy,
    PopulationFacts,
    ProgrammeFacts,
    SessionFacts,
    in_population,
    loan_risk,
    make_group_facts,
    period_ends,
)
from vsla.domain.indicators.formulas import DAYS_PER_YEAR as DAYS_PER_YEAR
from vsla.domain.indicators.formulas import (
    Indicator,
    annualized,
    annualized_return_on_savings,
    attendance_rate,
    average_loan_size,
    check_par_days,
    count_against_target,
    dropout_rate,
    indicator,
    is_met,
    linked_rate,
    livelihood_support_rate,
    loan_fund_utilization,
    net_income,
    par,
    pct_members_with_loans,
    pct_women,
    projected_value_per_share,
    referral_rate,
    return_on_assets,
    return_on_savings,
    savings_per_member,
    social_fund_per_member,
    write_off_ratio,
)
from vsla.domain.indicators.gal import GalComparison, GalSide, gal_comparison_from_facts
from vsla.domain.indicators.group import (
    GroupBreakdown,
    GroupIndicators,
    group_indicators_from_facts,
)
from vsla.domain.indicators.money import (
    GroupCash,
    MoneyCell,
    MoneyFacts,
    cash_from_totals,
    money_figures,
)
from vsla.domain.indicators.programme import BREAKDOWNS as BREAKDOWNS
from vsla.domain.indicators.programme import (
    ProgrammeLine,
    ProgrammeReport,
    chosen_breakdowns,
    programme_report_from_district_facts,
    programme_report_from_facts,
)
from vsla.domain.indicators.rows import text_order
from vsla.domain.tabular import RowValue
