"""Group and programme indicators from SQL aggregate queries (docs/indicators.md).

Every sum and count comes from a handful of aggregate queries over the whole scope (a
programme, a district, a group, or the whole database): the number of queries does not
depend on the number of groups or members, so the same call serves 91 groups and 10,000.
The queries return :mod:`vsla.domain.indicators` facts; the pure formulas there compute
every ratio. :mod:`vsla.reports.reference` computes the same facts in plain Python, and the
tests check that both agree exactly.

The only per-row work done in Python is the overdue status of each loan with principal
outstanding, which comes from the pure :func:`vsla.domain.loanbook.position`, fed with the
loan's payments and write-offs loaded for all those loans in one query.

The package: :mod:`~vsla.reports.indicators.source` says what a report covers
(:class:`Scope`) and what a fact source provides (:class:`FactSource`);
:mod:`~vsla.reports.indicators.orchestrator` holds the reports over any fact source
(:class:`Reports`) and the public functions, written once (:class:`StoreReports`);
:mod:`~vsla.reports.indicators.sql` is the SQL fact source (:class:`SqlFacts`).

```pycon
>>> import datetime as dt, vsla
>>> from vsla.reports.indicators import group_indicators
>>> store = vsla.open(":memory:")
>>> g = store.add_group(vsla.NewGroup(code="KT-1", name="Tổ 1", established_on=dt.date(2024, 1, 8)))
>>> group_indicators(store, g.id, dt.date(2024, 6, 30)).members
0

```
"""

from __future__ import annotations

__all__ = [
    "FactSource",
    "Frequency",
    "Reports",
    "Scope",
    "gal_comparison",
    "group_indicators",
    "group_indicators_all",
    "programme_indicators",
    "programme_time_series",
]

from vsla.domain.arguments import checked_call
from vsla.reports.indicators.orchestrator import Frequency, Reports, StoreReports
from vsla.reports.indicators.source import FactSource, Scope
from vsla.reports.indicators.sql import SqlFacts as SqlFacts
from vsla.reports.indicators.sql import sql_facts

SQL_REPORTS = StoreReports(sql_facts)
"""The report functions over the SQL aggregates: this module's :func:`group_indicators`,
:func:`group_indicators_all`, :func:`programme_indicators`, :func:`programme_time_series`
and :func:`gal_comparison` are its methods (documented on :class:`StoreReports`), with their
arguments checked."""

group_indicators = checked_call(SQL_REPORTS.group_indicators)
"""``group_indicators(store, group_id, on, *, par_days=(1, 30),
represented_counts_as_present=True)``: a group's indicators on ``on``, over the cycle it runs
on that date, with PAR at each threshold of ``par_days`` and breakdowns by sex and ethnicity
(:meth:`StoreReports.group_indicators`; every figure: docs/indicators.md)."""

group_indicators_all = checked_call(SQL_REPORTS.group_indicators_all)
"""``group_indicators_all(store, on, *, programme_id=None, district=None, par_days=(1, 30),
represented_counts_as_present=True)``: :func:`group_indicators` for every group established
on or before ``on`` (in a programme and a district when given), ordered by group id
(:meth:`StoreReports.group_indicators_all`)."""

programme_indicators = checked_call(SQL_REPORTS.programme_indicators)
"""``programme_indicators(store, programme_id, on, *, district=None, group_id=None,
members_policy=MembersPolicy.ACTIVE_ON_DATE, breakdowns=None)``: the programme figures on
``on`` for the whole programme, a district or one group, against the plan's targets, with
breakdowns by district, group, sex, ethnicity and GAL status
(:meth:`StoreReports.programme_indicators`)."""

programme_time_series = checked_call(SQL_REPORTS.programme_time_series)
"""``programme_time_series(store, programme_id, *, frequency="quarterly", district=None,
group_id=None, members_policy=MembersPolicy.ACTIVE_ON_DATE)``: :func:`programme_indicators` at
every quarter (or month or year) end of the programme period, plus the period end
(:meth:`StoreReports.programme_time_series`)."""

gal_comparison = checked_call(SQL_REPORTS.gal_comparison)
"""``gal_comparison(store, programme_id, on, *, represented_counts_as_present=True)``: GAL
pilot groups vs the other groups of the programme on ``on``, side by side
(:meth:`StoreReports.gal_comparison`)."""
