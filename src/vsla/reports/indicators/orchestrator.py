"""The reports over a :class:`~vsla.reports.indicators.source.FactSource`: the checks of the
arguments, the choice of groups and the call of the pure assembly of
:mod:`vsla.domain.indicators`, written once for both fact sources."""

from __future__ import annotations

__all__ = ["Frequency", "OpenFacts", "Reports", "StoreReports"]

import datetime as dt
import unicodedata
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import replace
from typing import Literal

from vsla.domain.arguments import check_date
from vsla.domain.entities import Programme
from vsla.domain.indicators import (
    GalComparison,
    GroupIndicators,
    MembersPolicy,
    ProgrammeReport,
    check_par_days,
    chosen_breakdowns,
    gal_comparison_from_facts,
    group_indicators_from_facts,
    period_ends,
    programme_report_from_district_facts,
    programme_report_from_facts,
)
from vsla.errors import NotFound
from vsla.reports.indicators.source import FactSource, Scope
from vsla.store.store import Store

Frequency = Literal["monthly", "quarterly", "yearly"]

OpenFacts = Callable[[Store], AbstractContextManager[FactSource]]
"""How a path opens its fact source on a store, for the time of one report."""


def _district(value: str | None) -> str | None:
    if value is None:
        return None
    return unicodedata.normalize("NFC", value.strip())


class Reports:
    """The five reports over one open :class:`FactSource`; :class:`StoreReports` (the public
    functions of :mod:`vsla.reports.indicators` and :mod:`vsla.reports.reference`) opens a
    source for each call and hands it to these."""

    def __init__(self, source: FactSource) -> None:
        self.source = source

    def group_indicators(
        self,
        group_id: int,
        on: dt.date,
        *,
        par_days: Iterable[int] = (1, 30),
        represented_counts_as_present: bool = True,
    ) -> GroupIndicators:
        thresholds = check_par_days(par_days)
        scope = Scope(group_id=group_id)
        found = self._group_reports(
            check_date("on", on), scope, thresholds, represented_counts_as_present
        )
        if not found:
            raise NotFound(f"group #{group_id} does not exist")
        return found[0]

    def group_indicators_all(
        self,
        on: dt.date,
        *,
        programme_id: int | None = None,
        district: str | None = None,
        par_days: Iterable[int] = (1, 30),
        represented_counts_as_present: bool = True,
    ) -> list[GroupIndicators]:
        thresholds = check_par_days(par_days)
        scope = Scope(programme_id, _district(district), None, check_date("on", on))
        return self._group_reports(on, scope, thresholds, represented_counts_as_present)

    def _group_reports(
        self,
        on: dt.date,
        scope: Scope,
        par_days: tuple[int, ...],
        represented_counts_as_present: bool,
    ) -> list[GroupIndicators]:
        groups = self.source.groups(scope)
        if not groups:
            return []
        return [
            group_indicators_from_facts(
                facts,
                par_days=par_days,
                represented_counts_as_present=represented_counts_as_present,
            )
            for facts in self.source.group_facts(groups, on, scope)
        ]

    def programme_indicators(
        self,
        programme_id: int,
        on: dt.date,
        *,
        district: str | None = None,
        group_id: int | None = None,
        members_policy: MembersPolicy = MembersPolicy.ACTIVE_ON_DATE,
        breakdowns: Iterable[str] | None = None,
    ) -> ProgrammeReport:
        programme = self.source.programme(programme_id)
        return self._programme_report(
            programme, check_date("on", on), district, group_id, members_policy, breakdowns
        )

    def _programme_report(
        self,
        programme: Programme,
        on: dt.date,
        district: str | None,
        group_id: int | None,
        members_policy: MembersPolicy,
        breakdowns: Iterable[str] | None = None,
    ) -> ProgrammeReport:
        policy = MembersPolicy(members_policy)
        district = _district(district)
        if group_id is not None and not self.source.groups(Scope(programme.id, None, group_id)):
            raise NotFound(f"group #{group_id} is not a group of programme #{programme.id}")
        scope = Scope(programme.id, district, group_id, on)
        period = (programme.period_start, programme.period_end)
        wanted = chosen_breakdowns(breakdowns)
        by_district = getattr(self.source, "district_population", None)
        if wanted <= {"district"} and by_district is not None:
            # only totals and district lines: the database sums per district
            return programme_report_from_district_facts(
                programme,
                on,
                by_district(on, scope, policy, period),
                members_policy=policy,
                district=district,
                group_id=group_id,
                with_districts="district" in wanted,
            )
        groups = self.source.groups(scope)
        facts = replace(
            self.source.population(groups, on, scope, policy, period),
            money=self.source.money(groups, on, scope),
        )
        return programme_report_from_facts(
            programme,
            on,
            facts,
            members_policy=policy,
            district=district,
            group_id=group_id,
            breakdowns=breakdowns,
        )

    def programme_time_series(
        self,
        programme_id: int,
        *,
        frequency: Frequency = "quarterly",
        district: str | None = None,
        group_id: int | None = None,
        members_policy: MembersPolicy = MembersPolicy.ACTIVE_ON_DATE,
    ) -> list[ProgrammeReport]:
        programme = self.source.programme(programme_id)
        return [
            self._programme_report(programme, day, district, group_id, members_policy)
            for day in period_ends(programme.period_start, programme.period_end, frequency)
        ]

    def gal_comparison(
        self, programme_id: int, on: dt.date, *, represented_counts_as_present: bool = True
    ) -> GalComparison:
        programme = self.source.programme(programme_id)
        scope = Scope(programme.id, None, None, check_date("on", on))
        groups = self.source.groups(scope)
        period = (programme.period_start, programme.period_end)
        return gal_comparison_from_facts(
            programme,
            on,
            self.source.group_facts(groups, on, scope) if groups else [],
            self.source.population(groups, on, scope, MembersPolicy.ACTIVE_ON_DATE, period),
            self.source.gal_activity(groups, on, scope),
            represented_counts_as_present=represented_counts_as_present,
        )


class StoreReports:
    """The public report functions, written once over the fact source that ``open_facts``
    opens on the store for each call.

    :mod:`vsla.reports.indicators` binds them to the SQL aggregates
    (:func:`~vsla.reports.indicators.sql.sql_facts`) and :mod:`vsla.reports.reference` to
    the facts computed in memory, so both paths offer the same functions with the same
    signatures, argument checks and documentation.
    """

    def __init__(self, open_facts: OpenFacts) -> None:
        self.open_facts = open_facts

    def group_indicators(
        self,
        store: Store,
        group_id: int,
        on: dt.date,
        *,
        par_days: Iterable[int] = (1, 30),
        represented_counts_as_present: bool = True,
    ) -> GroupIndicators:
        """A group's indicators on ``on`` (docs/indicators.md), over the cycle it runs on that
        date, with PAR at each threshold of ``par_days`` and breakdowns by sex and ethnicity.

        ``represented_counts_as_present`` (**policy**, default ``True``): a member represented at
        a meeting counts as attending. Raises :class:`~vsla.errors.NotFound` for an unknown group.
        """
        with self.open_facts(store) as source:
            return Reports(source).group_indicators(
                group_id,
                on,
                par_days=par_days,
                represented_counts_as_present=represented_counts_as_present,
            )

    def group_indicators_all(
        self,
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
        with self.open_facts(store) as source:
            return Reports(source).group_indicators_all(
                on,
                programme_id=programme_id,
                district=district,
                par_days=par_days,
                represented_counts_as_present=represented_counts_as_present,
            )

    def programme_indicators(
        self,
        store: Store,
        programme_id: int,
        on: dt.date,
        *,
        district: str | None = None,
        group_id: int | None = None,
        members_policy: MembersPolicy = MembersPolicy.ACTIVE_ON_DATE,
        breakdowns: Iterable[str] | None = None,
    ) -> ProgrammeReport:
        """The programme figures of docs/indicators.md on ``on``, for the whole programme, a
        district or one group: groups active and GAL pilots vs their targets (whole programme
        only), referral, linked and livelihood support rates vs 15 %, with breakdowns by
        district, group, sex, ethnicity and GAL status.

        ``members_policy`` (**policy**): members active on ``on`` (default), or every member at
        some time in the programme period up to ``on``. ``breakdowns`` (default: all five)
        names the breakdowns to build, e.g. ``["district"]`` for a dashboard by district; the
        others are left empty.
        """
        with self.open_facts(store) as source:
            return Reports(source).programme_indicators(
                programme_id,
                on,
                district=district,
                group_id=group_id,
                members_policy=members_policy,
                breakdowns=breakdowns,
            )

    def programme_time_series(
        self,
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
        with self.open_facts(store) as source:
            return Reports(source).programme_time_series(
                programme_id,
                frequency=frequency,
                district=district,
                group_id=group_id,
                members_policy=members_policy,
            )

    def gal_comparison(
        self,
        store: Store,
        programme_id: int,
        on: dt.date,
        *,
        represented_counts_as_present: bool = True,
    ) -> GalComparison:
        """GAL pilot groups vs the other groups of the programme on ``on``, side by side: women's
        share of officers, loans and loan value, savings per woman, women's attendance, referral
        and livelihood rates, and GAL activity."""
        with self.open_facts(store) as source:
            return Reports(source).gal_comparison(
                programme_id, on, represented_counts_as_present=represented_counts_as_present
            )
