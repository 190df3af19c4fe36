"""Group and programme indicators from SQL aggregate queries (domain.md sections 8 and 9).

Every sum and count comes from a handful of aggregate queries over the whole scope (a
programme, a district, a group, or the whole database): the number of queries does not
depend on the number of groups or members, so the same call serves 91 groups and 10,000.
The queries return :mod:`vsla.domain.indicators` facts; the pure formulas there compute
every ratio. :mod:`vsla.reports.reference` computes the same facts in plain Python, and the
tests check that both agree exactly.

The only per-row work done in Python is the overdue status of each loan with principal
outstanding, which comes from the pure :func:`vsla.domain.loans.position`, fed with the
loan's payments and write-offs loaded for all those loans in one query.

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

import datetime as dt
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from vsla.domain.arguments import checked_call
from vsla.domain.indicators import (
    GalComparison,
    GroupIndicators,
    MembersPolicy,
    ProgrammeReport,
)
from vsla.reports.indicators.orchestrator import Frequency, Reports
from vsla.reports.indicators.source import FactSource, Scope
from vsla.reports.indicators.sql import SqlFacts as SqlFacts
from vsla.store.store import Store


@contextmanager
def _reports(store: Store) -> Iterator[Reports]:
    # the store's reading connection: inside ``with store.transaction():`` the reports see
    # what the block has written (and SQLite in memory is never opened twice at once)
    with store.connection() as conn:
        yield Reports(SqlFacts(conn))


@checked_call
def group_indicators(
    store: Store,
    group_id: int,
    on: dt.date,
    *,
    par_days: Iterable[int] = (1, 30),
    represented_counts_as_present: bool = True,
) -> GroupIndicators:
    """A group's indicators on ``on`` (domain.md section 8), over the cycle it runs on that
    date, with PAR at each threshold of ``par_days`` and breakdowns by sex and ethnicity.

    ``represented_counts_as_present`` (**policy**, default ``True``): a member represented at
    a meeting counts as attending. Raises :class:`~vsla.errors.NotFound` for an unknown group.
    """
    with _reports(store) as reports:
        return reports.group_indicators(
            group_id,
            on,
            par_days=par_days,
            represented_counts_as_present=represented_counts_as_present,
        )


@checked_call
def group_indicators_all(
    store: Store,
    on: dt.date,
    *,
    programme_id: int | None = None,
    district: str | None = None,
    par_days: Iterable[int] = (1, 30),
    represented_counts_as_present: bool = True,
) -> list[GroupIndicators]:
    """:func:`group_indicators` for every group established on or before ``on`` (in a
    programme and a district when given), ordered by group id, with a fixed number of
    queries whatever the number of groups."""
    with _reports(store) as reports:
        return reports.group_indicators_all(
            on,
            programme_id=programme_id,
            district=district,
            par_days=par_days,
            represented_counts_as_present=represented_counts_as_present,
        )


@checked_call
def programme_indicators(
    store: Store,
    programme_id: int,
    on: dt.date,
    *,
    district: str | None = None,
    group_id: int | None = None,
    members_policy: MembersPolicy = MembersPolicy.ACTIVE_ON_DATE,
    breakdowns: Iterable[str] | None = None,
) -> ProgrammeReport:
    """The programme figures of domain.md section 9 on ``on``, for the whole programme, a
    district or one group: groups active and GAL pilots vs their targets (whole programme
    only), referral, linked and livelihood support rates vs 15 %, with breakdowns by
    district, group, sex, ethnicity and GAL status.

    ``members_policy`` (**policy**): members active on ``on`` (default), or every member at
    some time in the programme period up to ``on``. ``breakdowns`` (default: all five)
    names the breakdowns to build, e.g. ``["district"]`` for a dashboard by district; the
    others are left empty.
    """
    with _reports(store) as reports:
        return reports.programme_indicators(
            programme_id,
            on,
            district=district,
            group_id=group_id,
            members_policy=members_policy,
            breakdowns=breakdowns,
        )


@checked_call
def programme_time_series(
    store: Store,
    programme_id: int,
    *,
    frequency: Frequency = "quarterly",
    district: str | None = None,
    group_id: int | None = None,
    members_policy: MembersPolicy = MembersPolicy.ACTIVE_ON_DATE,
) -> list[ProgrammeReport]:
    """:func:`programme_indicators` at every quarter end (or month or year end) within the
    programme period, plus the period end."""
    with _reports(store) as reports:
        return reports.programme_time_series(
            programme_id,
            frequency=frequency,
            district=district,
            group_id=group_id,
            members_policy=members_policy,
        )


@checked_call
def gal_comparison(
    store: Store,
    programme_id: int,
    on: dt.date,
    *,
    represented_counts_as_present: bool = True,
) -> GalComparison:
    """GAL pilot groups vs the other groups of the programme on ``on``, side by side: women's
    share of officers, loans and loan value, savings per woman, women's attendance, referral
    and livelihood rates, and GAL activity."""
    with _reports(store) as reports:
        return reports.gal_comparison(
            programme_id, on, represented_counts_as_present=represented_counts_as_present
        )
